#!/usr/bin/env bash
# Integration test, run by `make test` after the unit tests: the whole pipeline (prep, scorers,
# controllers, baselines, transfer, report) on the smoke profile, end to end through the real
# `autoloss` binary and scripts/pipeline.sh, on synthetic raw data (scripts/make_smoke_data.py; no
# download). Everything goes to a temp dir; the user's data/, artifacts/ and .stamps/ are untouched.
#
# Checks: every stage succeeds; the artifacts each stage should write exist and open; the report
# is self-contained; `autoloss inspect` and h5dump read a controller trace; a second `all` run
# skips every stage as up to date; a broken raw file fails prep with a message naming the file.
# Prints the wall time of the pipeline run (the smoke profile's target is under 5 minutes).
# Env: AUTOLOSS (binary; default: builds .build/release/autoloss), KEEP_SMOKE=1 keeps the temp dir.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ -z "${AUTOLOSS:-}" ]; then
  echo "[smoke] building release ..." >&2
  swift build -c release >&2
  export AUTOLOSS="$ROOT/.build/release/autoloss"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/autoloss-smoke-XXXXXX")"
cleanup() { if [ "${KEEP_SMOKE:-0}" = 1 ]; then echo "[smoke] kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
export DATA_DIR="$WORK/data" ARTIFACTS="$WORK/artifacts" STAMPS_DIR="$WORK/stamps"

fail() { echo "[smoke] FAILED: $*" >&2; exit 1; }

python3 scripts/make_smoke_data.py "$DATA_DIR"

start=$SECONDS
scripts/pipeline.sh smoke all >"$WORK/run1.log" 2>&1 || { tail -40 "$WORK/run1.log" >&2; fail "pipeline.sh smoke all (log above)"; }
elapsed=$((SECONDS - start))
echo "[smoke] pipeline smoke all: ${elapsed} s (target < 300 s)" >&2
grep '^== stage .* done in' "$WORK/run1.log" >&2

# Every dataset prep writes, and the latest version of every artifact each stage writes.
for name in regression classification classification-seed4 mnist fashion-mnist nmt-tr-en nmt-de-en; do
  [ -s "$DATA_DIR/$name.h5" ] || fail "prep did not write $DATA_DIR/$name.h5"
done
expected=(
  scorers/mnist scorers/fashion-mnist known-answer/suite
  controllers/regression controllers/classification controllers/gan-mnist-c1 controllers/gan-mnist-c2 gan-calibration/gan-mnist
  baselines/regression baselines/classification baselines/gan-mnist
  evaluation/regression evaluation/classification evaluation/gan-mnist
  transfer/classification transfer/gan-mnist
  ablation/regression ablation/classification lambda-sweep/regression lambda-sweep/classification
  nmt/nmt-tr-en-autoloss nmt/nmt-tr-en-baselines nmt/nmt-tr-en-transfer
  nmt/nmt-de-en-autoloss nmt/nmt-de-en-baselines nmt/nmt-de-en-transfer
)
for a in "${expected[@]}"; do
  [ -s "$ARTIFACTS/$a/latest" ] || fail "no artifact $ARTIFACTS/$a/latest (found: $(cd "$ARTIFACTS" && find . -name latest | sort | tr '\n' ' '))"
  file="$ARTIFACTS/$a/$(cat "$ARTIFACTS/$a/latest")"  # `latest` names the newest version
  h5dump -H "$file" >/dev/null || fail "h5dump cannot read $file"
done
ls "$ARTIFACTS"/evaluation/gan-mnist/v*-grids/*.png >/dev/null 2>&1 \
  || fail "no PNG sample grids beside the GAN evaluation artifact"

# The report: self-contained HTML (inline SVG, embedded PNG, no network) and markdown.
html="$(ls -d "$ARTIFACTS"/report/v*/ | tail -1)index.html"
[ -s "$html" ] || fail "no report index.html"
grep -q "<svg" "$html" || fail "report has no inline SVG chart"
grep -q "data:image/png;base64," "$html" || fail "report embeds no PNG grid"
if grep -Eq '(src|href)="(https?:)?//' "$html"; then fail "report refers to the network"; fi
[ -s "$(dirname "$html")/report.md" ] || fail "no report.md"

# Traces are inspectable by our tool and by h5dump.
trace="$ARTIFACTS/controllers/regression/$(cat "$ARTIFACTS/controllers/regression/latest")"
"$AUTOLOSS" inspect "$trace" >"$WORK/inspect.txt" || fail "autoloss inspect $trace"
grep -qi "episode" "$WORK/inspect.txt" || fail "autoloss inspect shows no episodes"
"$AUTOLOSS" inspect "$trace" --episode 0 >/dev/null || fail "autoloss inspect --episode 0"
"$AUTOLOSS" inspect "$ARTIFACTS/controllers/regression" >"$WORK/inspect-folder.txt" || fail "autoloss inspect FOLDER"
grep -q "^file: $trace" "$WORK/inspect-folder.txt" || fail "autoloss inspect FOLDER does not show the latest version"

# A second run finds every stage up to date.
scripts/pipeline.sh smoke all >"$WORK/run2.log" 2>&1 || { cat "$WORK/run2.log" >&2; fail "second pipeline run"; }
skipped=$(grep -c 'up to date' "$WORK/run2.log" || true)
[ "$skipped" = 6 ] || { cat "$WORK/run2.log" >&2; fail "second run skipped $skipped of 6 stages"; }

# A truncated raw file fails prep, names the file, and leaves the finished artifact in place.
before="$(sha256sum "$DATA_DIR/mnist.h5")"
truncate -s 1000 "$DATA_DIR/raw/mnist/train-images-idx3-ubyte.gz"
if "$AUTOLOSS" prep mnist --data-dir "$DATA_DIR" 2>"$WORK/bad.txt"; then fail "prep accepted a truncated file"; fi
grep -q "train-images-idx3-ubyte.gz" "$WORK/bad.txt" || fail "prep error does not name the file: $(cat "$WORK/bad.txt")"
[ "$before" = "$(sha256sum "$DATA_DIR/mnist.h5")" ] || fail "failed prep changed data/mnist.h5"

echo "[smoke] OK: pipeline end to end in ${elapsed} s, artifacts and report checked, rerun skipped all stages" >&2
