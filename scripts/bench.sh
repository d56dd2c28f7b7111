#!/usr/bin/env bash
# Benchmarks one training step of every task model: ours (`autoloss bench`) beside PyTorch's
# (scripts/bench_torch.py, 1 thread) when torch is importable, with the ratio ours/torch; the D step's
# heaviest convolution (forward and both backward passes, GFLOP/s) with the engine's default route
# beside PyTorch's conv2d (d_conv2), and through oneDNN's direct primitives, im2col + oneDNN's sgemm
# and im2col + OpenBLAS (d_conv2_*); and whole regression/classification controller-training episodes and
# one GAN controller-training episode at the quick profile's size (500 steps) with where their time
# goes (*_episode). Paired in-process comparisons of engine settings (`ab_*` rows, CPU time) run only
# when named in BENCH_ONLY.
#
# The machine may be shared, so ours and torch alternate model by model for BENCH_ROUNDS rounds and
# the table shows the median over rounds of each side's median step time. Without torch only ours
# is printed. Called by `make bench`.
#
# Environment:
#   BENCH_ROUNDS   rounds of alternation (default 3)
#   BENCH_REPEATS  timed repeats per model and round (default 7)
#   BENCH_ONLY     comma-separated subset of models
#   BENCH_SCRATCH  SwiftPM scratch path (default .build)
#   BENCH_BIN      time this autoloss binary instead of building one
#   BENCH_PYTHON   python with torch (default: .venv-torch/bin/python from `make bench-deps`, then python3)
#   BENCH_OUT      where the merged JSON is written (default .build-bench-results/latest.json)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-3}
REPEATS=${BENCH_REPEATS:-7}
SCRATCH=${BENCH_SCRATCH:-.build}
OUT=${BENCH_OUT:-.build-bench-results/latest.json}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$BENCH_BIN  # an already built autoloss binary (no build step)
else
  echo "building release ..." >&2
  swift build -c release --scratch-path "$SCRATCH" >&2
  BIN="$SCRATCH/release/autoloss"
fi

MODELS=${BENCH_ONLY:-regression,mlp,dcgan_d_step,dcgan_g_step,scorer,nmt,sgemm512,d_conv2,d_conv2_onednn,d_conv2_im2col,d_conv2_openblas,regression_episode,classification_episode,gan_episode}
IFS=, read -r -a MODEL_LIST <<<"$MODELS"

# A python that can import torch, if any.
TORCH_PY=""
for py in ${BENCH_PYTHON:-} .venv-torch/bin/python python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c "import torch, numpy" >/dev/null 2>&1; then
    TORCH_PY=$py
    break
  fi
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# One side's timing of one model in one round: run_ours|run_torch ROUND MODEL
run_ours() { "$BIN" bench --repeats "$REPEATS" --only "$2" >"$TMP/ours.$1.$2.json" 2>/dev/null; }
run_torch() {
  [ -n "$TORCH_PY" ] || return 0
  # whole AutoLoss episodes and the engine's forced conv paths have no PyTorch counterpart (d_conv2 has)
  case $2 in *_episode | d_conv2_*) return 0 ;; esac
  local only=$2
  [ "$2" = sgemm512 ] && only="sgemm512,sgemm512_torch"
  "$TORCH_PY" scripts/bench_torch.py --repeats "$REPEATS" --only "$only" >"$TMP/torch.$1.$2.json" 2>/dev/null
}
for round in $(seq 1 "$ROUNDS"); do
  for model in "${MODEL_LIST[@]}"; do
    echo "round $round/$ROUNDS: $model" >&2
    # Alternate who goes first, so a drift in machine speed does not favour one side.
    if [ $((round % 2)) = 1 ]; then
      run_ours "$round" "$model"; run_torch "$round" "$model"
    else
      run_torch "$round" "$model"; run_ours "$round" "$model"
    fi
  done
done

mkdir -p "$(dirname "$OUT")"
python3 - "$TMP" "$OUT" "$MODELS" "${TORCH_PY:-}" <<'PY'
import glob, json, os, statistics, sys

tmp, out_path, models, torch_py = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4]

def collect(side):
    """Per model: the merged medians, and each round's median step time (by round number)."""
    runs, meta, by_round = {}, {}, {}
    for path in sorted(glob.glob(os.path.join(tmp, f"{side}.*.json"))):
        round_number = int(os.path.basename(path).split(".")[1])
        with open(path) as f:
            data = json.load(f)
        meta = data.pop("_meta", meta)
        for name, r in data.items():
            runs.setdefault(name, []).append(r)
            by_round.setdefault(name, {})[round_number] = r["ms"]
    merged = {n: {"ms": statistics.median(r["ms"] for r in rs),
                  "gflops": statistics.median(r["gflops"] for r in rs),
                  "rounds": len(rs), "repeats": rs[0]["repeats"]} for n, rs in runs.items()}
    return merged, meta, by_round

ours, ours_meta, ours_rounds = collect("ours")
torch, torch_meta, torch_rounds = collect("torch") if torch_py else ({}, {}, {})

def paired_ratios(ours_name, torch_name):
    """ours/torch within each round (the two ran back to back), so machine drift cancels."""
    o, t = ours_rounds.get(ours_name, {}), torch_rounds.get(torch_name, {})
    return sorted(o[r] / t[r] for r in o if r in t)
print(f"ours:  {ours_meta.get('engine', '?')}, OpenBLAS core {ours_meta.get('blas_core', '?')}, "
      f"oneDNN ISA {ours_meta.get('onednn_isa', '?')}, GEMMs {ours_meta.get('gemm_route', '?')}, "
      f"{ours_meta.get('threads', '?')} thread(s)")
if torch_py:
    print(f"torch: {torch_meta.get('engine', '?')} ({torch_py}), {torch_meta.get('threads', '?')} thread(s), "
          f"capability {torch_meta.get('cpu_capability', '?')}; sgemm512 reference is numpy {torch_meta.get('numpy', '?')}")
else:
    print("torch: not found (no python that imports torch); printing ours only")
rows = []
for m in models:
    rows.append(m)
    if m == "sgemm512" and torch_py:
        rows.append("sgemm512_torch")
    # the parts of a composite case (episode rows: ms per task step of each part)
    rows += [n for n in ours if n.startswith(m + ":")]
header = f"{'model':<16}{'ours ms':>11}{'GFLOP/s':>9}"
if torch_py:
    header += f"{'torch ms':>11}{'GFLOP/s':>9}{'ours/torch':>12}{'  paired per round (min-max)':<30}"
print(header)
for name in rows:
    o, t = ours.get(name), torch.get(name)
    line = f"{name:<16}"
    line += f"{o['ms']:>11.3f}{o['gflops']:>9.1f}" if o else f"{'-':>11}{'-':>9}"
    if torch_py:
        line += f"{t['ms']:>11.3f}{t['gflops']:>9.1f}" if t else f"{'-':>11}{'-':>9}"
        ours_name = "sgemm512" if name == "sgemm512_torch" else name
        o2 = ours.get(ours_name)
        line += f"{o2['ms'] / t['ms']:>12.2f}" if o2 and t else f"{'-':>12}"
        ratios = paired_ratios(ours_name, name)
        if ratios:
            line += f"  {statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f})"
            if t:
                t["paired_ratio_median"] = statistics.median(ratios)
                t["paired_ratios"] = ratios
    print(line)
with open(out_path, "w") as f:
    json.dump({"ours": ours, "torch": torch, "ours_meta": ours_meta, "torch_meta": torch_meta}, f, indent=1)
print("(model:part rows: ms per task step of that part of a whole controller-training episode; "
      "steps_per_episode_x1000 is the episode length in thousands of steps)")
print(f"(ms: median over rounds of each side's median; ours/torch: ratio of those; paired: median and range of the "
      f"per-round ratios of back-to-back runs; merged JSON in {out_path})")
PY
