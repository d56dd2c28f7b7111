#!/usr/bin/env bash
# Throughput of the MPI executor on this machine: jobs (training runs of the regression task
# model, the episodes of controller training and the points of a baseline grid alike) per second
# with 1 and 2 ranks on the same workload, measured alternately (1,2 then 2,1 ...) so that other
# load on a shared machine hits both, and reported as paired per-round ratios. The per-job wall
# times of the 1-rank runs (and of a few classification runs) feed the straggler simulation
# (scripts/mpi_straggler_sim.py).
#   scripts/bench_mpi.sh [rounds]      (default 3)
# Env: AUTOLOSS (binary; default .build/release/autoloss), MPIRUN_FLAGS, KEEP_BENCH=1.
# Wall times include process start and data loading (about 0.3 s per command).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROUNDS="${1:-3}"
BIN="${AUTOLOSS:-$ROOT/.build/release/autoloss}"
[ -x "$BIN" ] || { echo "bench_mpi: $BIN not found; run 'make build' first" >&2; exit 2; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/autoloss-bench-mpi-XXXXXX")"
cleanup() { if [ "${KEEP_BENCH:-0}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
FLAGS="${MPIRUN_FLAGS:---oversubscribe $([ "$(id -u)" = 0 ] && echo --allow-run-as-root)}"
export OPENBLAS_NUM_THREADS=1
"$BIN" prep regression --data-dir "$WORK/data" >/dev/null 2>&1
"$BIN" prep classification --data-dir "$WORK/data" >/dev/null 2>&1

# 18 runs of the quick profile's regression task (4 thresholds x S1-S3, 4 DGS, 2 ratios).
GRID=(--set 'thresholdGrid=[-0.5,0,0.5,1]' --set dgsRuns=4 --set 'ratioGrid=[0.3,0.7]')
JOBS=18
run() {  # run <ranks> <round> -> prints wall seconds
  local start end
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  AUTOLOSS_JOB_TIMES="$WORK/times-np$1-r$2" timeout 1800 mpirun $FLAGS -x AUTOLOSS_JOB_TIMES -np "$1" "$BIN" baselines \
    --task regression --profile quick --data-dir "$WORK/data" --artifacts "$WORK/art" --workers 1 --quiet "${GRID[@]}" \
    >/dev/null 2>"$WORK/log-np$1-r$2" || { cat "$WORK/log-np$1-r$2" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}

echo "round  order  1 rank: s  jobs/s | 2 ranks: s  jobs/s | ratio (2 ranks / 1 rank)"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then t1=$(run 1 "$round"); t2=$(run 2 "$round"); order="1,2"; else t2=$(run 2 "$round"); t1=$(run 1 "$round"); order="2,1"; fi
  line=$(python3 -c "t1,t2=$t1,$t2; print(f'{$round:5d}  {\"$order\":5}  {t1:9.2f}  {$JOBS/t1:6.3f} | {t2:10.2f}  {$JOBS/t2:6.3f} | {t1/t2:.3f}')")
  echo "$line"
  ratios+=("$(python3 -c "print($t1/$t2)")")
done
python3 - "${ratios[@]}" <<'PY'
import statistics, sys
r = sorted(float(x) for x in sys.argv[1:])
print(f"paired ratios: median {statistics.median(r):.3f}, min {r[0]:.3f}, max {r[-1]:.3f} over {len(r)} rounds")
PY

# Episode-time distributions: every regression job of the 1-rank runs, and 12 classification runs.
cat "$WORK"/times-np1-r*.rank0 | awk '{print $3}' >"$WORK/regression.times"
AUTOLOSS_JOB_TIMES="$WORK/cls" timeout 1800 mpirun $FLAGS -x AUTOLOSS_JOB_TIMES -np 1 "$BIN" baselines --task classification \
  --profile quick --data-dir "$WORK/data" --artifacts "$WORK/art" --workers 1 --quiet \
  --set 'thresholdGrid=[0,1]' --set dgsRuns=4 --set 'ratioGrid=[0.3,0.7]' >/dev/null 2>"$WORK/log-cls" || { cat "$WORK/log-cls" >&2; exit 1; }
awk '{print $3}' "$WORK/cls.rank0" >"$WORK/classification.times"
python3 scripts/mpi_straggler_sim.py regression="$WORK/regression.times" classification="$WORK/classification.times"
