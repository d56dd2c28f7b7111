#!/usr/bin/env bash
# Runs one stage of the AutoLoss pipeline (or all of them) on a profile. Called by the Makefile:
#   scripts/pipeline.sh <profile> <stage>
# Stages, in order: prep scorers controllers baselines transfer report (or: all).
# Each finished stage writes .stamps/<profile>/<stage> holding a fingerprint: the code version, the
# profile's config files and the previous stage's fingerprint. `all` skips a stage whose stamp
# matches (it is up to date) and reruns it, and everything after it, when the code, the configs or
# an earlier stage changed. Rerunning after an interruption continues with the first unfinished
# stage; controller training itself resumes from its last finished episode.
# Delete .stamps/<profile> to rerun everything.
# Env: AUTOLOSS (the binary, default .build/release/autoloss), ARTIFACTS (default artifacts),
#      DATA_DIR (default data), STAMPS_DIR (default .stamps), CIFAR10 (path to the official CIFAR-10
#      binary tarball or folder), MPIRUN (an MPI launcher, e.g. "mpirun -np 16 --hostfile hosts" or
#      "srun": the commands that spread their runs over MPI ranks, marked `mrun` below, run under
#      it; the others run in one process), WORKERS (--workers: runs side by side in each process).
# Only one pipeline runs per artifacts folder at a time ($ARTIFACTS/.pipeline.lock, flock).
set -euo pipefail

PROFILE="${1:-quick}"
STAGE="${2:-all}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="${AUTOLOSS:-$ROOT/.build/release/autoloss}"
ARTIFACTS="${ARTIFACTS:-artifacts}"
DATA_DIR="${DATA_DIR:-data}"
STAMPS="${STAMPS_DIR:-.stamps}/$PROFILE"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

case "$PROFILE" in smoke|quick|long|paper) ;; *) echo "pipeline: unknown profile '$PROFILE' (smoke, quick, long, paper)" >&2; exit 2 ;; esac
[ -x "$BIN" ] || { echo "pipeline: $BIN not found; run 'make build' first" >&2; exit 2; }

# One pipeline per artifacts folder: a second run on the same folder fails at once, naming the
# holder (the kernel drops the lock when the holder dies, even after kill -9). Exit code 3.
mkdir -p "$ARTIFACTS"
PIPELINE_LOCK="$ARTIFACTS/.pipeline.lock"
exec 9<>"$PIPELINE_LOCK"
if ! flock -n 9; then
  echo "pipeline: $ARTIFACTS is in use by another pipeline run ($(cat "$PIPELINE_LOCK" 2>/dev/null || echo "holder unknown")); wait for it to finish" >&2
  exit 3
fi
echo "pid $$ (scripts/pipeline.sh $PROFILE $STAGE), since $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$PIPELINE_LOCK"

COMMON=(--profile "$PROFILE" --artifacts "$ARTIFACTS" --data-dir "$DATA_DIR" ${WORKERS:+--workers "$WORKERS"})
read -r -a MPI_LAUNCH <<<"${MPIRUN:-}"
LAUNCH=()  # the launcher of the current command: empty, or MPI_LAUNCH inside mrun
# mrun: a command whose runs go through the stage executor, under $MPIRUN when it is set.
mrun() {
  LAUNCH=("${MPI_LAUNCH[@]}")
  local rc=0
  run "$@" || rc=$?
  LAUNCH=()
  return "$rc"
}
run() {
  local start=$SECONDS rc=0
  echo "+ ${LAUNCH[*]:+${LAUNCH[*]} }autoloss $*" >&2
  "${LAUNCH[@]}" "$BIN" "$@" || rc=$?
  if [ "$rc" != 0 ]; then echo "+ FAILED (exit $rc) after $((SECONDS - start)) s: autoloss $*" >&2; return "$rc"; fi
  echo "+ done in $((SECONDS - start)) s: autoloss $1 ${2:-} ${3:-} ${4:-}" >&2
}
have() { [ -e "$DATA_DIR/$1" ]; }

stage_prep() {
  run prep regression --data-dir "$DATA_DIR"
  for seed in 1 2 3 4; do run prep classification --seed "$seed" --data-dir "$DATA_DIR"; done
  [ -d "$DATA_DIR/raw/mnist" ] && run prep mnist --data-dir "$DATA_DIR"
  [ -d "$DATA_DIR/raw/fashion-mnist" ] && run prep fashion-mnist --data-dir "$DATA_DIR"
  if [ -n "${CIFAR10:-}" ]; then run prep cifar10 --from "$CIFAR10" --data-dir "$DATA_DIR"; fi
  [ -d "$DATA_DIR/raw/lohelp/tr" ] && run prep nmt-tr-en --data-dir "$DATA_DIR"
  if [ -d "$DATA_DIR/raw/lohelp/de" ]; then
    if [ -f "$DATA_DIR/raw/silver-de/lohelp.de.conllu" ]; then
      run prep nmt-de-en --aux-conllu "pos=$DATA_DIR/raw/silver-de/lohelp.de.conllu" --data-dir "$DATA_DIR"
    else
      run prep nmt-de-en --data-dir "$DATA_DIR"
    fi
  fi
  return 0
}

# The scorers are independent single-threaded trainings: they run side by side, one per core
# (SCORER_JOBS, default 2), and the stage fails if any of them fails.
stage_scorers() {
  local datasets=() pids=() failed=0
  for d in mnist fashion-mnist cifar10; do have "$d.h5" && datasets+=("$d"); done
  for d in "${datasets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "${SCORER_JOBS:-2}" ]; do sleep 1; done
    run train-scorer --dataset "$d" "${COMMON[@]}" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  [ "$failed" = 0 ] || { echo "pipeline: a scorer failed (see above)" >&2; return 1; }
}

# The number of controller seeds a task's profile trains (controller.controllerSeeds, default 1).
controller_seeds() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("controller", {}).get("controllerSeeds", 1))' \
    "configs/$PROFILE/$1.json"
}

# Regression and classification controller seeds are independent single-threaded trainings: without
# MPI they run side by side, one per core (CONTROLLER_JOBS, default 2); under $MPIRUN each command
# spreads its own episodes over the ranks instead.
train_regularized_controllers() {
  if [ -n "${MPIRUN:-}" ]; then
    mrun train-controller --task regression "${COMMON[@]}"
    mrun train-controller --task classification "${COMMON[@]}"
    return 0
  fi
  local pids=() failed=0 task k
  for task in regression classification; do
    for k in $(seq 1 "$(controller_seeds "$task")"); do
      while [ "$(jobs -rp | wc -l)" -ge "${CONTROLLER_JOBS:-2}" ]; do sleep 1; done
      run train-controller --task "$task" --controller "$k" "${COMMON[@]}" &
      pids+=($!)
    done
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  [ "$failed" = 0 ] || { echo "pipeline: a controller training failed (see above)" >&2; return 1; }
}

# The GAN and NMT tracks of a stage are independent: without MPI they run side by side (the NMT
# runs use one or two threads and would leave a core idle on their own); under $MPIRUN one after the
# other, each spread over the ranks. The stage fails if either track fails.
side_by_side() {
  local track
  if [ -n "${MPIRUN:-}" ]; then
    for track in "$@"; do "$track" || return 1; done
    return 0
  fi
  local pids=() failed=0 p
  for track in "$@"; do "$track" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  [ "$failed" = 0 ] || { echo "pipeline: a track of this stage failed (see above)" >&2; return 1; }
}

# The German-English NMT experiment (a second language pair, beside Turkish-English) runs in every
# profile but quick and long, which leave it out to fit their budgets (30 minutes, 3 hours); DE_EN=1
# adds it to them too.
run_de_en() {
  have nmt-de-en.h5 && [ -d "$DATA_DIR/raw/silver-de" ] \
    && { [ "$PROFILE" = smoke ] || [ "$PROFILE" = paper ] || [ "${DE_EN:-0}" = 1 ]; }
}

gan_controllers() {
  have mnist.h5 || return 0
  mrun gan calibrate "${COMMON[@]}" && mrun gan train-controller "${COMMON[@]}"
}
nmt_controllers() {
  have nmt-tr-en.h5 || return 0
  mrun nmt train "${COMMON[@]}"
}
gan_baselines() {
  have mnist.h5 || return 0
  mrun gan baselines "${COMMON[@]}"
}
nmt_baselines() {
  have nmt-tr-en.h5 || return 0
  mrun nmt baselines "${COMMON[@]}"
}
gan_evaluation() {
  have mnist.h5 || return 0
  mrun gan evaluate "${COMMON[@]}" && mrun gan transfer "${COMMON[@]}"
}
nmt_evaluation() {
  if have nmt-tr-en.h5; then mrun nmt transfer "${COMMON[@]}" || return 1; fi
  if run_de_en; then mrun nmt all --config nmt-de-en "${COMMON[@]}" || return 1; fi
  return 0
}

stage_controllers() {
  mrun known-answer "${COMMON[@]}"
  train_regularized_controllers
  side_by_side gan_controllers nmt_controllers
}

stage_baselines() {
  mrun baselines --task regression "${COMMON[@]}"
  mrun baselines --task classification "${COMMON[@]}"
  side_by_side gan_baselines nmt_baselines
}

stage_transfer() {
  mrun evaluate --task regression "${COMMON[@]}"
  mrun evaluate --task classification "${COMMON[@]}"
  mrun transfer --task classification "${COMMON[@]}"
  mrun ablation --task regression "${COMMON[@]}"
  mrun sweep --task regression "${COMMON[@]}"
  mrun ablation --task classification "${COMMON[@]}"
  mrun sweep --task classification "${COMMON[@]}"
  side_by_side gan_evaluation nmt_evaluation
}

stage_report() {
  run report --profile "$PROFILE" --artifacts "$ARTIFACTS"
}

code_version() {
  local v
  v="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
  if [ -n "$(git status --porcelain -- Sources configs 2>/dev/null)" ]; then v="$v-dirty-$(git diff -- Sources configs | sha256sum | cut -c1-16)"; fi
  echo "$v"
}

# fingerprint <stage> <previous fingerprint>
fingerprint() {
  { echo "$1"; echo "$2"; echo "$CODE"; cat configs/"$PROFILE"/*.json 2>/dev/null; } | sha256sum | cut -c1-32
}

run_stage() {
  local s="$1" print="$2"
  local start=$SECONDS
  echo "== stage $s (profile $PROFILE)" >&2
  "stage_$s"
  mkdir -p "$STAMPS"
  echo "$print" > "$STAMPS/$s.tmp" && mv "$STAMPS/$s.tmp" "$STAMPS/$s"
  echo "== stage $s done in $((SECONDS - start)) s" >&2
}

STAGES=(prep scorers controllers baselines transfer report)
CODE="$(code_version)"
if [ "$STAGE" = all ]; then
  previous=""
  for s in "${STAGES[@]}"; do
    print="$(fingerprint "$s" "$previous")"
    if [ -e "$STAMPS/$s" ] && [ "$(cat "$STAMPS/$s")" = "$print" ]; then
      echo "== stage $s: up to date ($STAMPS/$s), skipped" >&2
    else
      run_stage "$s" "$print"
    fi
    previous="$print"
  done
else
  case " ${STAGES[*]} " in *" $STAGE "*) run_stage "$STAGE" "single-run" ;; *) echo "pipeline: unknown stage '$STAGE'" >&2; exit 2 ;; esac
fi
