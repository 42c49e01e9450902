#!/usr/bin/env bash
# Benchmark of `pycache-guard clean` against what people run instead:
#   the find idiom:  find . -name __pycache__ -type d -prune -exec rm -rf {} +; find . -name '*.py[co]' -delete
#   pyclean:         pyclean .   (from PyPI, installed into a virtualenv here)
#
#   bench/clean.sh              # 11 rounds
#   ROUNDS=21 bench/clean.sh
#
# The tree: a git repository of 100,000 tracked source files (20 a folder, 5,000 folders,
# laid out like bench/run.sh's monorepo of services), 20,000 bytecode files in one
# `__pycache__` folder per source folder, 3,000 stray `*.pyc` beside the sources, and 10
# tracked `*.pyc` fixtures that must survive. The bytecode is ignored by `.gitignore`, as in
# a real project. It is made once; every timed run gets a fresh hard-linked copy
# (`cp -al`, then `sync`, outside the timing) and the tools take turns, round after round,
# each round starting with the next tool, so that a change in the machine's load falls on
# all of them alike. Each run is timed by bash
# (`EPOCHREALTIME`, microseconds) around the whole command. Prints the medians, the ratios
# and what each left behind (tracked fixtures deleted, bytecode missed).
#
# Environment: ROUNDS (default 11); KEEP=1 keeps the work folder; PYCLEAN_VENV reuses a
# virtualenv that has pyclean; CARGO_TARGET_DIR is honoured. Needs git, cargo, python3.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-11}
SOURCES=100000 PER_FOLDER=20 BYTECODE_PER_FOLDER=4 STRAY=3000 FIXTURES=10

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C

cargo build --release --quiet
BIN=$(realpath "${CARGO_TARGET_DIR:-$ROOT/target}/release/pycache-guard")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pycache-guard-clean.XXXXXX")
[ -n "${KEEP:-}" ] && echo "work folder kept: $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT

VENV=${PYCLEAN_VENV:-$WORK/venv}
if [ ! -x "$VENV/bin/pyclean" ]; then
    echo "== installing pyclean into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q pyclean
fi
PYCLEAN=$VENV/bin/pyclean

make_tree() { # $1 = folder
    mkdir -p "$1"
    python3 - "$1" "$SOURCES" "$PER_FOLDER" "$BYTECODE_PER_FOLDER" "$STRAY" "$FIXTURES" <<'EOF'
import os, sys
top, sources, per_folder, per_cache, stray, fixtures = sys.argv[1], *map(int, sys.argv[2:])
source = b"import os\n\ndef f():\n    return os.sep\n" * 8
pyc = b"\xcb\r\r\n" + b"\0" * 12 + bytes(range(256)) * 6  # about the size of a small module's bytecode
def write(path, data):
    with open(os.path.join(top, path), "wb") as f:
        f.write(data)
write(".gitignore", b"__pycache__/\n*.py[cod]\n*$py.class\n")
folders = sources // per_folder
for n in range(folders):
    folder = "services/svc_%03d/src/svc_%03d/pkg_%02d/sub_%d" % (n // 250, n // 250, n % 250 // 5, n % 5)
    os.makedirs(os.path.join(top, folder, "__pycache__"))
    for f in range(per_folder):
        write("%s/module_%02d.py" % (folder, f), source)
    for f in range(per_cache):
        write("%s/__pycache__/module_%02d.cpython-312.pyc" % (folder, f), pyc)
    if n < stray:
        write("%s/legacy_%02d.pyc" % (folder, n % 100), pyc)
os.makedirs(os.path.join(top, "tests/fixtures"))
for f in range(fixtures):
    write("tests/fixtures/golden_%02d.pyc" % f, pyc)
EOF
    (
        cd "$1"
        git init -q -b main .
        git add -A
        git add -f tests/fixtures
        git -c user.name=Bench -c user.email=bench@example.invalid commit -q -m tree
    )
}

echo "== building the tree" >&2
t0=$SECONDS
make_tree "$WORK/master"
echo "   built in $((SECONDS - t0)) s: $(git -C "$WORK/master" ls-files | wc -l) tracked files," \
    "$(find "$WORK/master" -path '*/.git' -prune -o \( -name '*.py[co]' -print \) | wc -l) bytecode files on disk" >&2

TOOLS=(clean find pyclean)
run_tool() { # $1 = tool; runs it in the current folder
    case $1 in
        clean) "$BIN" -q clean ;;
        find) find . -name __pycache__ -type d -prune -exec rm -rf {} +; find . -name '*.py[co]' -delete ;;
        pyclean) "$PYCLEAN" -q . ;;
    esac
}

# What a tool left behind in a fresh copy: bytecode still on disk outside .git, and the
# tracked files git now misses.
aftermath() { # $1 = tool
    local copy="$WORK/copy"
    rm -rf "$copy" && cp -al "$WORK/master" "$copy"
    (cd "$copy" && run_tool "$1" >/dev/null 2>&1 || true)
    local left deleted
    left=$(find "$copy" -path "$copy/.git" -prune -o \( \( -name '*.py[co]' -o -name __pycache__ \) -print \) | wc -l)
    deleted=$(git -C "$copy" status --porcelain | grep -c '^ D' || true)
    echo "$left $deleted"
}

declare -A TIMES
for round in $(seq "$ROUNDS"); do
    # Each round starts with the next tool: none always runs right after the previous
    # round's copy was deleted (on a disk, the journal may still be busy with it).
    for i in 0 1 2; do
        tool=${TOOLS[$(((round + i) % 3))]}
        rm -rf "$WORK/copy" && cp -al "$WORK/master" "$WORK/copy"
        sync
        cd "$WORK/copy"
        start=$EPOCHREALTIME
        run_tool "$tool" >/dev/null 2>&1 || true
        end=$EPOCHREALTIME
        cd "$WORK"
        TIMES[$tool]+="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) * 1000 }') "
    done
    echo "   round $round/$ROUNDS done (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

CLEAN=$(echo "${TIMES[clean]}" | median)
FIND=$(echo "${TIMES[find]}" | median)
PYC=$(echo "${TIMES[pyclean]}" | median)

echo
echo "pycache-guard $("$BIN" --version | cut -d' ' -f2) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))," \
    "pyclean $("$PYCLEAN" --version 2>&1 | tr -dc '0-9.' ), $(find --version | head -1), $(nproc) cores," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg); $ROUNDS alternating rounds, median wall time in ms"
echo
echo "| tool | median ms | all runs (ms) | \`clean\` / tool | bytecode files left | tracked files deleted (\`git status\`) |"
echo "|---|---:|---|---:|---:|---:|"
for tool in "${TOOLS[@]}"; do
    m=$(echo "${TIMES[$tool]}" | median)
    read -r left deleted < <(aftermath "$tool")
    echo "| $tool | $m | ${TIMES[$tool]% } | **$(ratio "$CLEAN" "$m")** | $left | $deleted |"
done
echo
echo "($FIXTURES of the bytecode files are tracked fixtures: clean keeps them, and names them.)"
echo "goals: clean / find = $(ratio "$CLEAN" "$FIND") (≤ 1), clean / pyclean = $(ratio "$CLEAN" "$PYC") (≤ 0.25)"
