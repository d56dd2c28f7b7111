#!/usr/bin/env bash
# MPI integration test, run by `make test`: the real `autoloss` binary under `mpirun -np 3` on
# localhost (smoke profile, synthetic data from scripts/make_smoke_data.py, everything in a temp dir).
#
# Checks:
#   determinism   the numbers of a baseline grid and of a controller training run from
#                 `mpirun -np 3` equal (exactly, h5dump at 17 digits) those of `--workers 1`
#   more ranks    a grid with fewer jobs than ranks completes with the same numbers
#   bad launch    a rank that cannot read the data ends the job (non-zero, message naming the
#                 file) instead of hanging
#   rank death    kill -9 of one rank mid-run: non-zero exit, a clear message, no new artifact
#                 under a final name; the rerun completes with the reference numbers (a baseline
#                 grid, rerun from scratch; controller training, resumed from its last finished
#                 update and equal to an uninterrupted --workers 1 run)
#   GAN and NMT   `gan calibrate`, `gan baselines`, `gan evaluate` and `nmt train` (meta-training, two controllers)
#                 under `mpirun -np 3` equal --workers 1 (MNIST and Turkish-English smoke data;
#                 scorer and GAN controllers trained once, copied to both artifact folders)
# Every mpirun runs under `timeout` (MPI_TIMEOUT seconds, default 300), so a hang fails the test.
# Env: AUTOLOSS (binary; default: builds .build/release/autoloss), MPIRUN_FLAGS (default
#      --oversubscribe, plus --allow-run-as-root as root), KEEP_MPI=1 keeps the temp dir.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ -z "${AUTOLOSS:-}" ]; then
  echo "[mpi] building release ..." >&2
  swift build -c release >&2
  AUTOLOSS="$ROOT/.build/release/autoloss"
fi
command -v mpirun >/dev/null || { echo "[mpi] FAILED: mpirun not found (apt-get install openmpi-bin libopenmpi-dev)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/autoloss-mpi-XXXXXX")"
cleanup() { if [ "${KEEP_MPI:-0}" = 1 ]; then echo "[mpi] kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
DATA="$WORK/data"
FLAGS="${MPIRUN_FLAGS:---oversubscribe $([ "$(id -u)" = 0 ] && echo --allow-run-as-root)}"
TIMEOUT="${MPI_TIMEOUT:-300}"
export OPENBLAS_NUM_THREADS=1
# shellcheck disable=SC2206
MPIRUN=(timeout "$TIMEOUT" mpirun $FLAGS)
COMMON=(--profile smoke --configs "$ROOT/configs" --data-dir "$DATA" --quiet)

fail() { echo "[mpi] FAILED: $*" >&2; exit 1; }
pass() { echo "[mpi] ok: $*" >&2; }

# The artifact's numbers: h5dump at 17 significant digits without the creation time, the
# measured wall and CPU seconds (attributes and datasets whose names contain `seconds`, durations
# "<n> s" in report strings) and the input hashes (attributes `created_at`, `inputs`: the inputs
# differ in exactly those), with the run folder's name masked; everything else (config, seed,
# commit, every dataset and attribute) must match.
numbers() {
  h5dump -m %.17g "$1" | grep -v '^HDF5 "' \
    | sed -E "s#$WORK/[a-z0-9]+/#RUN/#g; s/\b[0-9]+(\.[0-9]+)? s\b/<t> s/g" \
    | awk '/(ATTRIBUTE|DATASET) "[a-z_]*seconds[a-z_]*" \{/ || /ATTRIBUTE "(created_at|inputs)" \{/ { skip = 1; depth = 0 }
           skip { depth += gsub(/\{/, "{"); depth -= gsub(/\}/, "}"); if (depth <= 0) skip = 0; next }
           { print }'
}
latest() { echo "$1/$(cat "$1/latest")"; }
same_numbers() {  # same_numbers <label> <file a> <file b>
  diff <(numbers "$2") <(numbers "$3") >"$WORK/diff.txt" || { head -20 "$WORK/diff.txt" >&2; fail "$1: $2 and $3 differ"; }
}

python3 scripts/make_smoke_data.py "$DATA" >/dev/null
"$AUTOLOSS" prep regression --data-dir "$DATA" >/dev/null 2>&1 || fail "prep regression"

# 1. Determinism of a baseline grid (11 jobs over 3 ranks) and of controller training.
"$AUTOLOSS" baselines --task regression "${COMMON[@]}" --artifacts "$WORK/one" --workers 1 >/dev/null 2>"$WORK/one.log" \
  || { cat "$WORK/one.log" >&2; fail "baselines --workers 1"; }
"${MPIRUN[@]}" -np 3 "$AUTOLOSS" baselines --task regression "${COMMON[@]}" --artifacts "$WORK/three" --workers 1 \
  >"$WORK/three.out" 2>"$WORK/three.log" || { cat "$WORK/three.log" >&2; fail "mpirun -np 3 baselines"; }
[ "$(ls "$WORK/three/baselines/regression" | grep -c '^v.*\.h5$')" = 1 ] || fail "3 ranks wrote more than one version"
[ "$(grep -c '^wrote ' "$WORK/three.out")" = 1 ] || fail "more than one rank printed its result"
same_numbers "baseline grid, -np 3 vs --workers 1" "$(latest "$WORK/one/baselines/regression")" "$(latest "$WORK/three/baselines/regression")"
pass "baseline grid: mpirun -np 3 == --workers 1 (exact)"

# Controller training with 3 episodes per update (one per rank), then the evaluation trials.
CTRL=(--set controller.episodes=6 --set controller.episodesPerUpdate=3 --set controller.patienceEpisodes=6)
"$AUTOLOSS" train-controller --task regression "${COMMON[@]}" "${CTRL[@]}" --artifacts "$WORK/one" --workers 1 \
  >/dev/null 2>"$WORK/c1.log" || { cat "$WORK/c1.log" >&2; fail "train-controller --workers 1"; }
"${MPIRUN[@]}" -np 3 "$AUTOLOSS" train-controller --task regression "${COMMON[@]}" "${CTRL[@]}" --artifacts "$WORK/three" \
  --workers 2 >/dev/null 2>"$WORK/c3.log" || { cat "$WORK/c3.log" >&2; fail "mpirun -np 3 train-controller"; }
for c in "$WORK"/one/controllers/regression*; do
  same_numbers "controller training $(basename "$c"), -np 3 vs --workers 1" "$(latest "$c")" \
    "$(latest "$WORK/three/controllers/$(basename "$c")")"
done
pass "controller training: mpirun -np 3 --workers 2 == --workers 1 (exact)"

"$AUTOLOSS" evaluate --task regression "${COMMON[@]}" --artifacts "$WORK/one" --workers 1 >/dev/null 2>"$WORK/e1.log" \
  || { cat "$WORK/e1.log" >&2; fail "evaluate --workers 1"; }
"${MPIRUN[@]}" -np 3 "$AUTOLOSS" evaluate --task regression "${COMMON[@]}" --artifacts "$WORK/three" --workers 1 \
  >/dev/null 2>"$WORK/e3.log" || { cat "$WORK/e3.log" >&2; fail "mpirun -np 3 evaluate"; }
same_numbers "evaluation, -np 3 vs --workers 1" "$(latest "$WORK/one/evaluation/regression")" \
  "$(latest "$WORK/three/evaluation/regression")"
pass "evaluation trials: mpirun -np 3 == --workers 1 (exact)"

# 2. More ranks than jobs: a 5-point grid (S1-S3 at one threshold, one DGS, one ratio) on 6 ranks.
SMALL=(--set 'thresholdGrid=[0]' --set dgsRuns=1 --set 'ratioGrid=[0.5]')
"$AUTOLOSS" baselines --task regression "${COMMON[@]}" "${SMALL[@]}" --artifacts "$WORK/small1" --workers 1 >/dev/null \
  2>"$WORK/small1.log" || { cat "$WORK/small1.log" >&2; fail "small grid --workers 1"; }
"${MPIRUN[@]}" -np 6 "$AUTOLOSS" baselines --task regression "${COMMON[@]}" "${SMALL[@]}" --artifacts "$WORK/small3" \
  >/dev/null 2>"$WORK/small3.log" || { cat "$WORK/small3.log" >&2; fail "5 jobs on 6 ranks"; }
same_numbers "5 jobs on 6 ranks" "$(latest "$WORK/small1/baselines/regression")" "$(latest "$WORK/small3/baselines/regression")"
pass "more ranks than jobs: completes with the same numbers"

# 3. A rank that cannot read the data: the job ends with an error naming the file, no hang.
rc=0
MISSING="$WORK/nowhere" "${MPIRUN[@]}" -np 3 -x MISSING sh -c 'if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then exec "$0" "$@" --data-dir "$MISSING"; else exec "$0" "$@"; fi' \
  "$AUTOLOSS" baselines --task regression "${COMMON[@]}" --artifacts "$WORK/bad" \
  >/dev/null 2>"$WORK/bad.log" || rc=$?
[ "$rc" != 0 ] || fail "a rank without data: the job succeeded"
[ "$rc" != 124 ] || fail "a rank without data: the job hung (killed by timeout)"
grep -q "rank 1: error: .*nowhere/regression.h5" "$WORK/bad.log" || { cat "$WORK/bad.log" >&2; fail "no message naming the missing file"; }
[ ! -e "$WORK/bad/baselines/regression/latest" ] || fail "a failed job committed an artifact"
pass "a rank without data: exit $rc, message names the file, nothing committed"

# 4. Rank death: kill -9 rank 1 while the grid runs (longer runs so that it is mid-run).
# About 15 s on 3 ranks (the grid of 12 repeats took 0.5 s on an AVX-512 machine, and the kill a
# second after the ranks start landed after rank 0 had committed): the kill lands mid-run.
LONG=(--set task.maxSteps=3000 --set tuningRepeats=400)
before="$(ls "$WORK/three/baselines/regression" | sort)"
"${MPIRUN[@]}" -np 3 "$AUTOLOSS" baselines --task regression "${COMMON[@]}" "${LONG[@]}" --artifacts "$WORK/three" \
  >/dev/null 2>"$WORK/kill.log" &
launcher=$!
ranks=()
for _ in $(seq 1 100); do  # wait until mpirun has started its three ranks
  mpirun_pid="$(pgrep -P "$launcher" mpirun || true)"
  [ -n "$mpirun_pid" ] && mapfile -t ranks < <(pgrep -P "$mpirun_pid" || true)
  [ "${#ranks[@]}" -ge 3 ] && break
  sleep 0.1
done
[ "${#ranks[@]}" -ge 3 ] || fail "rank death: mpirun did not start 3 ranks"
sleep 1
kill -9 "${ranks[1]}" 2>/dev/null || { cat "$WORK/kill.log" >&2; fail "rank death: rank 1 ended before the kill (workload too short?)"; }
rc=0
wait "$launcher" || rc=$?
[ "$rc" != 0 ] || fail "rank death: the job exited 0"
[ "$rc" != 124 ] || fail "rank death: the job hung (killed by timeout)"
grep -q -e "exited on signal 9" -e "stopped by the MPI launcher" "$WORK/kill.log" || { cat "$WORK/kill.log" >&2; fail "rank death: no clear message"; }
after="$(ls "$WORK/three/baselines/regression" | sort)"
[ "$before" = "$after" ] || fail "rank death: the artifact folder changed (before: $before; after: $after)"
pass "rank death: exit $rc, launcher message, no artifact under a final name"

"${MPIRUN[@]}" -np 3 "$AUTOLOSS" baselines --task regression "${COMMON[@]}" --artifacts "$WORK/three" --workers 1 \
  >/dev/null 2>"$WORK/rerun.log" || { cat "$WORK/rerun.log" >&2; fail "rerun after rank death"; }
same_numbers "rerun after rank death" "$(latest "$WORK/one/baselines/regression")" "$(latest "$WORK/three/baselines/regression")"
pass "rerun after rank death: completes with the reference numbers"

# 5. Rank death during controller training, then the rerun resumes from the last finished update.
# 120 updates: after the first is saved, the kill must land before the last (a loaded machine delays
# the polling loop: with 4 updates the run twice finished first, with 8 the kill came after 6; 12
# updates take a fraction of a second on a fast machine).
RES=(--set controller.episodes=360 --set controller.episodesPerUpdate=3 --set controller.patienceEpisodes=360
  --set task.maxSteps=1500)
"$AUTOLOSS" train-controller --task regression "${COMMON[@]}" "${RES[@]}" --artifacts "$WORK/res1" --workers 1 \
  >/dev/null 2>"$WORK/res1.log" || { cat "$WORK/res1.log" >&2; fail "train-controller reference"; }
"${MPIRUN[@]}" -np 3 "$AUTOLOSS" train-controller --task regression "${COMMON[@]}" "${RES[@]}" --artifacts "$WORK/res3" \
  >/dev/null 2>"$WORK/kill2.log" &
launcher=$!
work="$WORK/res3/controllers/regression/.work"
for _ in $(seq 1 600); do  # until the first update is saved
  ls "$work"/update-*.h5 >/dev/null 2>&1 && break
  kill -0 "$launcher" 2>/dev/null || break
  sleep 0.1
done
mpirun_pid="$(pgrep -P "$launcher" mpirun || true)"
mapfile -t ranks < <([ -n "$mpirun_pid" ] && pgrep -P "$mpirun_pid" || true)
[ "${#ranks[@]}" -ge 3 ] || { cat "$WORK/kill2.log" >&2; fail "controller rank death: the run ended before the kill"; }
kill -9 "${ranks[1]}"
rc=0
wait "$launcher" || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "controller rank death: exit $rc"
[ ! -e "$WORK/res3/controllers/regression/latest" ] || fail "controller rank death: an artifact was committed"
done_updates="$(ls "$work"/update-*.h5 | wc -l)"
"${MPIRUN[@]}" -np 3 "$AUTOLOSS" train-controller --task regression "${COMMON[@]}" "${RES[@]}" --artifacts "$WORK/res3" \
  >/dev/null 2>"$WORK/resume.log" || { cat "$WORK/resume.log" >&2; fail "controller rerun after rank death"; }
grep -q "resuming after episode" "$WORK/resume.log" || { cat "$WORK/resume.log" >&2; fail "the rerun did not resume"; }
same_numbers "controller training resumed after rank death" "$(latest "$WORK/res1/controllers/regression")" \
  "$(latest "$WORK/res3/controllers/regression")"
pass "controller rank death after $done_updates finished update(s): exit $rc; the rerun resumed and equals --workers 1"
# 6. GAN baselines and evaluation, NMT meta-training: -np 3 == --workers 1. The scorer and the GAN
# controllers are trained once and copied, so both sides evaluate the same controllers.
"$AUTOLOSS" prep mnist --data-dir "$DATA" >/dev/null 2>&1 || fail "prep mnist"
"$AUTOLOSS" train-scorer --dataset mnist "${COMMON[@]}" --artifacts "$WORK/gan1" >/dev/null 2>"$WORK/g0.log" \
  || { cat "$WORK/g0.log" >&2; fail "train-scorer mnist"; }
"$AUTOLOSS" gan train-controller "${COMMON[@]}" --artifacts "$WORK/gan1" --workers 1 >/dev/null 2>"$WORK/g0.log" \
  || { cat "$WORK/g0.log" >&2; fail "gan train-controller"; }
cp -r "$WORK/gan1" "$WORK/gan3"
"$AUTOLOSS" gan baselines "${COMMON[@]}" --artifacts "$WORK/gan1" --workers 1 >/dev/null 2>"$WORK/g1.log" \
  || { cat "$WORK/g1.log" >&2; fail "gan baselines --workers 1"; }
"${MPIRUN[@]}" -np 3 "$AUTOLOSS" gan baselines "${COMMON[@]}" --artifacts "$WORK/gan3" --workers 1 \
  >"$WORK/g3.out" 2>"$WORK/g3.log" || { cat "$WORK/g3.log" >&2; fail "mpirun -np 3 gan baselines"; }
[ "$(grep -c '^wrote ' "$WORK/g3.out")" = 1 ] || fail "gan baselines: more than one rank printed its result"
[ "$(ls "$WORK/gan3/baselines/gan-mnist" | grep -c '^v.*\.h5$')" = 1 ] || fail "gan baselines: 3 ranks wrote more than one version"
same_numbers "gan baselines, -np 3 vs --workers 1" "$(latest "$WORK/gan1/baselines/gan-mnist")" \
  "$(latest "$WORK/gan3/baselines/gan-mnist")"
pass "gan baselines: mpirun -np 3 == --workers 1 (exact)"
"$AUTOLOSS" gan calibrate "${COMMON[@]}" --artifacts "$WORK/gan1" --workers 1 >/dev/null 2>"$WORK/g1.log" \
  || { cat "$WORK/g1.log" >&2; fail "gan calibrate --workers 1"; }
"${MPIRUN[@]}" -np 3 "$AUTOLOSS" gan calibrate "${COMMON[@]}" --artifacts "$WORK/gan3" --workers 1 \
  >"$WORK/g3.out" 2>"$WORK/g3.log" || { cat "$WORK/g3.log" >&2; fail "mpirun -np 3 gan calibrate"; }
[ "$(ls "$WORK/gan3/gan-calibration/gan-mnist" | grep -c '^v.*\.h5$')" = 1 ] || fail "gan calibrate: 3 ranks wrote more than one version"
same_numbers "gan calibration, -np 3 vs --workers 1" "$(latest "$WORK/gan1/gan-calibration/gan-mnist")" \
  "$(latest "$WORK/gan3/gan-calibration/gan-mnist")"
pass "gan calibration (and its trainer forecast): mpirun -np 3 == --workers 1 (exact)"
"$AUTOLOSS" gan evaluate "${COMMON[@]}" --artifacts "$WORK/gan1" --workers 1 >/dev/null 2>"$WORK/g1.log" \
  || { cat "$WORK/g1.log" >&2; fail "gan evaluate --workers 1"; }
"${MPIRUN[@]}" -np 3 "$AUTOLOSS" gan evaluate "${COMMON[@]}" --artifacts "$WORK/gan3" --workers 1 \
  >/dev/null 2>"$WORK/g3.log" || { cat "$WORK/g3.log" >&2; fail "mpirun -np 3 gan evaluate"; }
same_numbers "gan evaluation, -np 3 vs --workers 1" "$(latest "$WORK/gan1/evaluation/gan-mnist")" \
  "$(latest "$WORK/gan3/evaluation/gan-mnist")"
g1="$(latest "$WORK/gan1/evaluation/gan-mnist")"
g3="$(latest "$WORK/gan3/evaluation/gan-mnist")"
ls "${g3%.h5}-grids"/*.png >/dev/null 2>&1 || fail "gan evaluation under mpirun wrote no sample grids"
diff -r "${g1%.h5}-grids" "${g3%.h5}-grids" >&2 || fail "gan evaluation: the sample grids differ between -np 3 and --workers 1"
pass "gan evaluation: mpirun -np 3 == --workers 1 (exact, grids included)"

"$AUTOLOSS" prep nmt-tr-en --data-dir "$DATA" >/dev/null 2>&1 || fail "prep nmt-tr-en"
NMT=(--set controllerSeeds=2)
"$AUTOLOSS" nmt train "${COMMON[@]}" "${NMT[@]}" --artifacts "$WORK/nmt1" --workers 1 >/dev/null 2>"$WORK/n1.log" \
  || { cat "$WORK/n1.log" >&2; fail "nmt train --workers 1"; }
"${MPIRUN[@]}" -np 3 "$AUTOLOSS" nmt train "${COMMON[@]}" "${NMT[@]}" --artifacts "$WORK/nmt3" --workers 1 \
  >"$WORK/n3.out" 2>"$WORK/n3.log" || { cat "$WORK/n3.log" >&2; fail "mpirun -np 3 nmt train"; }
[ "$(grep -c '^wrote ' "$WORK/n3.out")" = 1 ] || fail "nmt train: more than one rank printed its result"
same_numbers "nmt meta-training, -np 3 vs --workers 1" "$(latest "$WORK/nmt1/nmt/nmt-tr-en-autoloss")" \
  "$(latest "$WORK/nmt3/nmt/nmt-tr-en-autoloss")"
[ ! -e "$WORK/nmt3/nmt/nmt-tr-en-autoloss/.work" ] || fail "nmt train left its .work folder"
pass "nmt meta-training (2 controllers): mpirun -np 3 == --workers 1 (exact)"
echo "[mpi] all MPI checks passed" >&2
