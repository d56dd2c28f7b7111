#!/usr/bin/env bash
# Fault-injection test, run by `make test` after the smoke test: kill -9 at random moments of the
# smoke pipeline, rerun, and check that the result equals an uninterrupted run.
#
#  1. Reference: `scripts/pipeline.sh smoke all` uninterrupted on synthetic data
#     (scripts/make_smoke_data.py) in a temp dir; its per-stage times set the kill windows. While it
#     runs, a second pipeline on the same artifacts folder must fail at once naming the first's pid.
#  2. Kills: for each stage in order, KILLS_PER_STAGE times (default 2, so 12 kills): start
#     `pipeline.sh smoke all` in its own process group on a second folder, wait until it reaches the
#     stage, sleep a delay drawn uniformly in [0, that stage's reference time) (fixed seed FAULT_SEED,
#     default 16), and kill -9 the whole group. The next iteration is the rerun of the killed one and
#     must get past the killed stage. After each kill: no artifact under a final name is truncated
#     (h5dump reads every vNNNN.h5 and data/*.h5, every `latest` names an existing file).
#  3. A final rerun completes; then: no temporary (`*.tmp*`) file is left anywhere, and every
#     data file and latest artifact equals the reference run's dataset by dataset
#     (scripts/fault_compare.py; created_at/provenance attributes and '*seconds*' timings ignored).
#  3b. NMT meta-training: `nmt train` (5 meta-episodes, 2 controllers) is killed (kill -9) right
#     after its first meta-episode snapshot; the rerun must resume after a saved meta-episode and
#     equal an uninterrupted run (scripts/fault_compare.py).
#  4. Concurrency: two `autoloss` writers on one artifact folder (one holding its lock): the second
#     fails naming the holder, or waits and writes the next version; no version is written twice.
#  5. Disk full: an `autoloss` write under `ulimit -f` fails with a clear error, keeps `latest`.
#  6. Determinism: scripts/determinism_test.sh with the reference run (--workers 1 vs 2).
# Prints each kill (stage, delay, what ran at the kill) and the wall times.
# Env: AUTOLOSS (binary; default: builds .build/release/autoloss), FAULT_SEED, KILLS_PER_STAGE,
#      KEEP_FAULT=1 keeps the temp dir.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ -z "${AUTOLOSS:-}" ]; then
  echo "[fault] building release ..." >&2
  swift build -c release >&2
  export AUTOLOSS="$ROOT/.build/release/autoloss"
fi
SEED="${FAULT_SEED:-16}"
PER_STAGE="${KILLS_PER_STAGE:-2}"
STAGES=(prep scorers controllers baselines transfer report)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/autoloss-fault-XXXXXX")"
RUNNING=""
cleanup() {
  if [ -n "$RUNNING" ] && kill -0 -- "-$RUNNING" 2>/dev/null; then kill -9 -- "-$RUNNING" 2>/dev/null || true; fi
  if [ "${KEEP_FAULT:-0}" = 1 ]; then echo "[fault] kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
fail() { echo "[fault] FAILED: $*" >&2; exit 1; }
t0=$SECONDS

# Pipeline environment for a run rooted at $1.
use() { export DATA_DIR="$1/data" ARTIFACTS="$1/artifacts" STAMPS_DIR="$1/stamps"; }

# Every file under a final name opens; every `latest` names an existing version.
check_final_files() {
  local root="$1" f
  while IFS= read -r f; do
    h5dump -H "$f" >/dev/null 2>&1 || fail "truncated or unreadable file under a final name: $f"
  done < <(find "$root/data" "$root/artifacts" -name '*.h5' ! -name '.*' 2>/dev/null)
  while IFS= read -r f; do
    [ -e "$(dirname "$f")/$(cat "$f")" ] || fail "$f names a missing version: $(cat "$f")"
  done < <(find "$root/artifacts" -name latest 2>/dev/null)
}

# --- 1. reference run, and a second pipeline on the same folder while it runs ---------------------
REF="$WORK/ref"
python3 scripts/make_smoke_data.py "$REF/data" >/dev/null
use "$REF"
start=$SECONDS
setsid scripts/pipeline.sh smoke all >"$WORK/ref.log" 2>&1 &
RUNNING=$!
for _ in $(seq 100); do [ -s "$ARTIFACTS/.pipeline.lock" ] && break; sleep 0.1; done
if scripts/pipeline.sh smoke all >"$WORK/second.log" 2>&1; then fail "a second pipeline on the same folder ran"; fi
grep -q "in use by another pipeline run (pid $RUNNING " "$WORK/second.log" \
  || fail "the second pipeline's message does not name the holder pid $RUNNING: $(cat "$WORK/second.log")"
echo "[fault] a second pipeline on the same folder failed: $(tail -1 "$WORK/second.log")" >&2
wait "$RUNNING" || { tail -30 "$WORK/ref.log" >&2; fail "reference pipeline run"; }
RUNNING=""
echo "[fault] reference run: $((SECONDS - start)) s" >&2
declare -A DURATION
for s in "${STAGES[@]}"; do
  d="$(sed -n "s/^== stage $s done in \([0-9]*\) s$/\1/p" "$WORK/ref.log")"
  DURATION[$s]=$(( ${d:-1} > 0 ? ${d:-1} : 1 ))
done

# --- 2. kills ---------------------------------------------------------------------------------------
RUN="$WORK/run"
mkdir -p "$RUN"
cp -r "$REF/data" "$RUN/data"
find "$RUN/data" -maxdepth 1 -type f -delete  # keep data/raw only: prep runs again
use "$RUN"
RANDOM=$SEED
kills=0
for s in "${STAGES[@]}"; do
  for k in $(seq "$PER_STAGE"); do
    # A delay in [0, stage time) with millisecond resolution from bash's seeded generator.
    delay_ms=$(( (RANDOM * 32768 + RANDOM) % (DURATION[$s] * 1000) ))
    log="$WORK/kill-$s-$k.log"
    : >"$log"
    setsid scripts/pipeline.sh smoke all >"$log" 2>&1 &
    RUNNING=$!
    # Wait until the run reaches stage $s or a later one (a stage the previous run finished is
    # skipped as up to date; the kill then lands in the first unfinished stage).
    later="$(printf '%s\n' "${STAGES[@]}" | sed -n "/^$s\$/,\$p" | paste -sd'|')"
    while ! grep -Eq "^== stage ($later) \(profile" "$log"; do
      if ! kill -0 "$RUNNING" 2>/dev/null; then
        wait "$RUNNING" || { tail -20 "$log" >&2; fail "the rerun failed before reaching stage $s (kill $((kills + 1)))"; }
        break
      fi
      sleep 0.05
    done
    if ! kill -0 "$RUNNING" 2>/dev/null; then
      echo "[fault] no kill: every stage from $s on was already finished" >&2
      RUNNING=""
      continue
    fi
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    at="$(grep -E '^(== stage|\+ autoloss)' "$log" | tail -1)"
    if kill -0 "$RUNNING" 2>/dev/null; then
      kill -9 -- "-$RUNNING"
      wait "$RUNNING" 2>/dev/null || true
      while kill -0 -- "-$RUNNING" 2>/dev/null; do sleep 0.05; done
      kills=$((kills + 1))
      echo "[fault] kill $kills: stage $s after ${delay_ms} ms, at: ${at:-start}" >&2
    else
      wait "$RUNNING" || { tail -20 "$log" >&2; fail "pipeline run failed before kill point (stage $s)"; }
      echo "[fault] no kill: the run finished within ${delay_ms} ms of reaching stage $s" >&2
    fi
    RUNNING=""
    check_final_files "$RUN"
  done
done

# --- 3. final rerun, leftovers, comparison ------------------------------------------------------------
start=$SECONDS
scripts/pipeline.sh smoke all >"$WORK/final.log" 2>&1 || { tail -30 "$WORK/final.log" >&2; fail "the final rerun"; }
echo "[fault] final rerun: $((SECONDS - start)) s" >&2
check_final_files "$RUN"
leftovers="$(find "$RUN" -name '*.tmp*' -o -name '.tmp-*' | sort)"
[ -z "$leftovers" ] || fail "temporary files left after the rerun: $leftovers"
[ ! -e "$ARTIFACTS/controllers/regression/.work" ] || fail "controller training left its .work folder"
python3 scripts/fault_compare.py "$REF" "$RUN" || fail "the rerun's numbers differ from the reference run"
echo "[fault] $kills kills survived; artifacts equal the reference run" >&2

# --- 3b. NMT meta-training killed after a meta-episode snapshot, resumed ------------------------------
NMTR=(nmt train --profile smoke --data-dir "$DATA_DIR" --workers 1 --quiet --set metaEpisodes=5 --set controllerSeeds=2)
"$AUTOLOSS" "${NMTR[@]}" --artifacts "$WORK/nmt-ref/artifacts" >/dev/null 2>"$WORK/nmt-ref.log" \
  || { tail -5 "$WORK/nmt-ref.log" >&2; fail "nmt train reference"; }
setsid "$AUTOLOSS" "${NMTR[@]}" --artifacts "$WORK/nmt-kill/artifacts" >/dev/null 2>"$WORK/nmt-kill.log" &
RUNNING=$!
nwork="$WORK/nmt-kill/artifacts/nmt/nmt-tr-en-autoloss/.work"
while [ ! -e "$nwork/meta-0000.h5" ] && kill -0 "$RUNNING" 2>/dev/null; do sleep 0.02; done
kill -9 -- "-$RUNNING" 2>/dev/null || true
wait "$RUNNING" 2>/dev/null || true
RUNNING=""
saved="$(ls "$nwork" 2>/dev/null | grep -c '^meta-.*\.h5$' || true)"
[ ! -e "$WORK/nmt-kill/artifacts/nmt/nmt-tr-en-autoloss/latest" ] \
  || fail "nmt train finished before the kill (no kill point; raise metaEpisodes)"
[ "$saved" -ge 1 ] || fail "nmt train: no meta-episode snapshot before the kill"
"$AUTOLOSS" "${NMTR[@]}" --artifacts "$WORK/nmt-kill/artifacts" >/dev/null 2>"$WORK/nmt-resume.log" \
  || { tail -5 "$WORK/nmt-resume.log" >&2; fail "nmt train rerun after the kill"; }
grep -q "resuming after meta-episode" "$WORK/nmt-resume.log" || fail "nmt train: the rerun did not resume"
[ ! -e "$nwork" ] || fail "nmt train left its .work folder"
python3 scripts/fault_compare.py "$WORK/nmt-ref" "$WORK/nmt-kill" || fail "resumed nmt train differs from the uninterrupted run"
echo "[fault] nmt train killed with $saved of 5 meta-episodes saved: $(grep -o 'resuming after meta-episode [0-9]*' "$WORK/nmt-resume.log"); equals the uninterrupted run" >&2

# --- 4. two writers on one artifact folder ------------------------------------------------------------
folder="$ARTIFACTS/baselines/regression"
before="$(cat "$folder/latest")"
echo "pid 4242 (a test holder), since now" >"$folder/.lock"
flock -x "$folder/.lock" sleep 5 &
holder=$!
sleep 0.3
if AUTOLOSS_LOCK_TIMEOUT=1 "$AUTOLOSS" baselines --task regression --profile smoke --artifacts "$ARTIFACTS" \
  --data-dir "$DATA_DIR" >"$WORK/locked.log" 2>&1; then
  fail "a writer ignored the folder lock"
fi
grep -q "locked by another process (pid 4242 (a test holder)" "$WORK/locked.log" \
  || fail "the lock error does not name the holder: $(tail -3 "$WORK/locked.log")"
echo "[fault] writer on a locked folder: $(grep -o 'locked by another process.*' "$WORK/locked.log" | head -1 | cut -c1-120)" >&2
wait "$holder"
[ "$(cat "$folder/latest")" = "$before" ] || fail "a failed writer moved latest"
# Two processes writing the same artifact at once get different versions.
for i in 1 2; do
  "$AUTOLOSS" baselines --task regression --profile smoke --artifacts "$ARTIFACTS" --data-dir "$DATA_DIR" \
    >"$WORK/twin-$i.log" 2>&1 &
  eval "twin$i=\$!"
done
wait "$twin1" || fail "first concurrent writer: $(tail -3 "$WORK/twin-1.log")"
wait "$twin2" || fail "second concurrent writer: $(tail -3 "$WORK/twin-2.log")"
versions="$(ls "$folder" | grep -c '^v[0-9]*\.h5$')"
n_before="$(ls "$REF/artifacts/baselines/regression" | grep -c '^v[0-9]*\.h5$')"
[ "$versions" -ge $((n_before + 2)) ] || fail "two concurrent writers made $versions versions (expected >= $((n_before + 2)))"
for f in "$folder"/v*.h5; do h5dump -H "$f" >/dev/null || fail "unreadable $f"; done
echo "[fault] two concurrent writers: $versions versions in $folder, all readable" >&2

# --- 5. disk full (file-size limit; works as root, where permission bits do not stop writes) -------
before="$(cat "$folder/latest")"
count_before="$(ls "$folder" | grep -c '^v[0-9]*\.h5$')"
if (trap '' XFSZ; ulimit -f 8; exec "$AUTOLOSS" baselines --task regression --profile smoke \
  --artifacts "$ARTIFACTS" --data-dir "$DATA_DIR") >"$WORK/full.log" 2>&1; then
  fail "a write past the file-size limit succeeded"
fi
grep -q "$folder" "$WORK/full.log" || fail "the disk-full error does not name the folder: $(tail -3 "$WORK/full.log")"
echo "[fault] write past a 8 KiB file-size limit: $(grep -m1 "$folder" "$WORK/full.log" | cut -c1-160)" >&2
[ "$(cat "$folder/latest")" = "$before" ] || fail "a failed write moved latest"
[ "$(ls "$folder" | grep -c '^v[0-9]*\.h5$')" = "$count_before" ] || fail "a failed write left a version"
[ -z "$(find "$folder" -name '.tmp-*')" ] || fail "a failed write left a temporary file"

# --- 6. determinism across worker counts, against the same reference run ------------------------------
scripts/determinism_test.sh "$REF"

echo "[fault] OK: $kills kills survived, numbers equal the reference, locks and disk-full checked in $((SECONDS - t0)) s" >&2
