#!/usr/bin/env python3
"""Straggler simulation for synchronous controller updates over MPI ranks.

Usage: mpi_straggler_sim.py task=times_file [task=times_file ...]
Each file holds measured wall seconds of single episodes (one per line; scripts/bench_mpi.sh).
An update runs B = k * R episodes on R ranks and waits for the slowest rank (synchronous). Two
splits: static round-robin (k episodes per rank, as MPIExecutor does) and dynamic (a free rank
takes the next episode: work stealing). Episode times are drawn from the measured distribution
(bootstrap). Reports efficiency = busy rank-time / (R x update time), idle = 1 - efficiency, and
the rank-hours of the paper profile's controller training (regression 400 episodes,
classification 2000) at that efficiency.
"""
import heapq
import random
import statistics
import sys

PAPER_EPISODES = {"regression": 400, "classification": 2000}
RANKS = [8, 16, 32, 64, 128, 256]
PER_RANK = [1, 4]
UPDATES = 300


def simulate(times, ranks, per_rank, dynamic, rng):
    busy = wall = 0.0
    for _ in range(UPDATES):
        episodes = [rng.choice(times) for _ in range(ranks * per_rank)]
        if dynamic:
            free = [0.0] * ranks
            for t in episodes:
                heapq.heappush(free, heapq.heappop(free) + t)
            span = max(free)
        else:
            span = max(sum(episodes[r::ranks]) for r in range(ranks))
        busy += sum(episodes)
        wall += span
    return busy / (ranks * wall)


def main():
    rng = random.Random(7)
    for arg in sys.argv[1:]:
        task, path = arg.split("=", 1)
        times = [float(x) for x in open(path) if x.strip()]
        if len(times) < 2:
            print(f"{task}: too few episode times in {path}")
            continue
        mean, sd = statistics.mean(times), statistics.stdev(times)
        q = statistics.quantiles(times, n=10)
        print(f"\n{task}: {len(times)} measured episodes, mean {mean:.2f} s, sd {sd:.2f} s (cv {sd / mean:.2f}), "
              f"p10 {q[0]:.2f} s, median {statistics.median(times):.2f} s, p90 {q[-1]:.2f} s, max {max(times):.2f} s")
        print("| ranks | episodes/update | idle, static split | idle, dynamic split | speed-up vs 1 rank (static) "
              f"| paper controller rank-hours (static) |")
        print("|---:|---:|---:|---:|---:|---:|")
        for k in PER_RANK:
            for r in RANKS:
                es = simulate(times, r, k, False, rng)
                ed = simulate(times, r, k, True, rng)
                hours = PAPER_EPISODES.get(task, 0) * mean / 3600 / es
                wall = hours / r
                print(f"| {r} | {k * r} | {1 - es:.0%} | {1 - ed:.0%} | {es * r:.1f}x | "
                      f"{hours:.2f} ({wall * 60:.1f} min wall) |")


if __name__ == "__main__":
    main()
