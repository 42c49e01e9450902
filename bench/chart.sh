#!/usr/bin/env bash
# The README's speed picture, measured: docs/speed.svg, a bar chart drawn from the medians
# this script measures in one run (nothing in the picture is typed in by hand).
#
#   bench/chart.sh               # 10,000 tracked files, 20,000 bytecode files to clean
#   SOURCES=50000 bench/chart.sh
#
# Two comparisons, each in one hyperfine run so that the machine's load falls on all alike:
#   the commit hook, with 10 staged changes of which 3 are bytecode, in a repository of
#   SOURCES tracked files:
#     pycache-guard check                       (what the native hook runs)
#     pre-commit run no-bytecode                (the usual `language: fail` local hook)
#     pre-commit run pycache-guard              (our hook as the framework runs it)
#     git diff --cached --name-only | grep -E   (the shell one-liner)
#   cleaning a tree of SOURCES source files with 4 bytecode files beside every 20 (fresh
#   hard-linked copy before each run, outside the timing):
#     pycache-guard clean
#     find . -name __pycache__ -type d -prune -exec rm -rf {} +; find . -name '*.py[co]' -delete
#     pyclean .
# Writes docs/speed.svg and prints the medians as a Markdown table.
#
# Environment: SOURCES (default 10000), RUNS (default 21), KEEP=1 keeps the work folder,
# BENCH_VENV reuses a virtualenv that has pre-commit and pyclean, CARGO_TARGET_DIR is
# honoured. Needs git, cargo, python3, hyperfine and jq (installed with apt-get when root).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
. bench/lib.sh
SOURCES=${SOURCES:-10000}
RUNS=${RUNS:-21}
RE='(^|/)__pycache__/|\.py[co]$'

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C

for tool in hyperfine jq; do
    command -v "$tool" >/dev/null && continue
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq hyperfine jq >/dev/null
    else
        echo "bench/chart.sh needs hyperfine and jq (sudo apt-get install -y hyperfine jq)" >&2
        exit 2
    fi
done

cargo build --release --quiet
BIN=$(realpath "${CARGO_TARGET_DIR:-$ROOT/target}/release/pycache-guard")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pycache-guard-chart.XXXXXX")
[ -n "${KEEP:-}" ] && echo "work folder kept: $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT

VENV=${BENCH_VENV:-$WORK/venv}
if [ ! -x "$VENV/bin/pre-commit" ] || [ ! -x "$VENV/bin/pyclean" ]; then
    echo "== installing pre-commit and pyclean into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q pre-commit pyclean
fi
export PRE_COMMIT_HOME=$WORK/pre-commit-home

# A tree of $SOURCES modules, 20 a folder; with "bytecode", 4 cached modules in a
# __pycache__ beside every folder's sources, ignored by .gitignore as in a real project.
make_tree() { # $1 = folder, $2 = with-bytecode|sources-only
    mkdir -p "$1"
    python3 - "$1" "$SOURCES" "$2" <<'EOF'
import os, sys
top, sources, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
source = b"import os\n\ndef f():\n    return os.sep\n" * 8
pyc = b"\xcb\r\r\n" + b"\0" * 12 + bytes(range(256)) * 6
def write(path, data):
    with open(os.path.join(top, path), "wb") as f:
        f.write(data)
write(".gitignore", b"__pycache__/\n*.py[cod]\n*$py.class\n")
for n in range(max(1, sources // 20)):
    folder = "services/svc_%03d/pkg_%02d/sub_%d" % (n // 250, n % 250 // 5, n % 5)
    os.makedirs(os.path.join(top, folder, "__pycache__"))
    for f in range(20):
        write("%s/module_%02d.py" % (folder, f), source)
    if kind == "with-bytecode":
        for f in range(4):
            write("%s/__pycache__/module_%02d.cpython-312.pyc" % (folder, f), pyc)
EOF
    git -C "$1" init -q -b main
    git -C "$1" add -A
    git -C "$1" -c user.name=Bench -c user.email=bench@example.invalid commit -q -m tree
}

echo "== the commit hook: $SOURCES tracked files, 10 staged changes, 3 of them bytecode" >&2
HOOK=$WORK/hook
make_tree "$HOOK" sources-only
# The usual local hook, and ours as the framework runs it (the same entry and files pattern as
# .pre-commit-hooks.yaml, the built binary in place of the wheel).
cat >"$HOOK/.pre-commit-config.yaml" <<EOF
repos:
  - repo: local
    hooks:
      - id: no-bytecode
        name: no Python bytecode
        entry: Python bytecode must not be committed
        language: fail
        files: '(^|/)__pycache__/|\\.py[co]$'
      - id: pycache-guard
        name: no Python bytecode (pycache-guard)
        entry: $BIN check
        language: system
        files: '(?i)(^|/)__pycache__(/|$)|\\.py[co]$|\\\$py\\.class$'
EOF
git -C "$HOOK" add .pre-commit-config.yaml
git -C "$HOOK" -c user.name=Bench -c user.email=bench@example.invalid commit -q -m hooks
stage_ten_changes "$HOOK"
(cd "$HOOK" && "$VENV/bin/pre-commit" run >/dev/null 2>&1 || true) # warm its cache once

# Every command exits 1 here (bytecode is staged): -i keeps hyperfine going.
hyperfine -N -i -w 3 -r "$RUNS" --export-json "$WORK/hook.json" \
    -n "pycache-guard check (git hook)" "$BIN -C $HOOK check --no-prompt" \
    -n "pre-commit: language: fail" "sh -c 'cd $HOOK && exec $VENV/bin/pre-commit run no-bytecode'" \
    -n "pre-commit: pycache-guard" "sh -c 'cd $HOOK && exec $VENV/bin/pre-commit run pycache-guard'" \
    -n "git diff --cached | grep" "sh -c 'git -C $HOOK diff --cached --name-only --diff-filter=ACMR | grep -E \"$RE\"'" \
    >&2

echo "== clean: $SOURCES source files, $((SOURCES / 20 * 4)) bytecode files" >&2
make_tree "$WORK/master" with-bytecode
fresh="sh -c 'rm -rf $WORK/copy && cp -al $WORK/master $WORK/copy && sync'"
hyperfine -N -i -w 1 -r "$RUNS" --prepare "$fresh" --export-json "$WORK/clean.json" \
    -n "pycache-guard clean" "$BIN -q -C $WORK/copy clean" \
    -n "find … -delete" "sh -c 'cd $WORK/copy && find . -name __pycache__ -type d -prune -exec rm -rf {} + && find . -name \"*.py[co]\" -delete'" \
    -n "pyclean" "sh -c 'cd $WORK/copy && exec $VENV/bin/pyclean -q .'" \
    >&2

thousands() { python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$1"; }
medians() { jq -r '.results[] | "\(.command)\t\(.median * 1000)"' "$1"; }
{
    echo "title	A commit hook: $(thousands "$SOURCES") tracked files, 10 staged changes, 3 of them bytecode"
    medians "$WORK/hook.json"
    echo "title	Deleting $(thousands $((SOURCES / 20 * 4))) bytecode files from a tree of $(thousands "$SOURCES") modules"
    medians "$WORK/clean.json"
} >"$WORK/figures.tsv"

echo "| comparison | command | median ms |"
echo "|---|---|---:|"
awk -F'\t' '$1 == "title" { t = $2; next } { c = $1; gsub(/\|/, "\\|", c); printf "| %s | %s | %.1f |\n", t, c, $2 }' "$WORK/figures.tsv"

python3 bench/svg_chart.py "$WORK/figures.tsv" \
    "pycache-guard $("$BIN" --version | cut -d' ' -f2), $(nproc) cores, median of $RUNS runs, hyperfine" \
    >"$ROOT/docs/speed.svg"
echo "wrote docs/speed.svg" >&2
