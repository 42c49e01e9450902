#!/usr/bin/env bash
# Instructions executed on the hook path, counted by callgrind: repeatable to the last digit
# for the same binary and input, whatever else the machine is doing, so a change to the hook
# path can be held to a small percentage where wall time cannot.
#
#   bench/callgrind.sh                         # the binary built from this checkout
#   bench/callgrind.sh OLD_BINARY NEW_BINARY   # two builds side by side, with the ratio
#   SOURCES=100000 bench/callgrind.sh
#
# The repository: SOURCES tracked files (default 10,000) laid out like bench/run.sh's, a
# .gitignore that covers bytecode, then 10 staged changes of which 3 are bytecode. Counted:
#   check            the staged check, as the pre-commit hook runs it (exit 1: bytecode staged)
#   check --all      every tracked file
# plus any EXTRA_ARGS (e.g. EXTRA_ARGS="--debris all") as a third row per binary. With
# DEBRIS_RULES=1 the .gitignore also covers every debris category (the state after
# `fix-gitignore --debris all`), so that `check --debris all` is measured without warnings.
# Needs git, python3 and valgrind (installed with apt-get when root).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
. bench/lib.sh
SOURCES=${SOURCES:-10000}

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C

if ! command -v valgrind >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
    else
        echo "bench/callgrind.sh needs valgrind (sudo apt-get install -y valgrind)" >&2
        exit 2
    fi
fi

BINARIES=()
for bin in "$@"; do BINARIES+=("$(realpath "$bin")"); done
if [ ${#BINARIES[@]} -eq 0 ]; then
    cargo build --release --quiet
    BINARIES=("$(realpath "${CARGO_TARGET_DIR:-$ROOT/target}/release/pycache-guard")")
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pycache-guard-callgrind.XXXXXX")
[ -n "${KEEP:-}" ] && echo "work folder kept: $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT
REPO=$WORK/repo
mkdir -p "$REPO"
python3 - "$REPO" "$SOURCES" <<'EOF'
import os, sys
top, sources = sys.argv[1], int(sys.argv[2])
def write(path, data):
    os.makedirs(os.path.dirname(os.path.join(top, path)) or top, exist_ok=True)
    with open(os.path.join(top, path), "w") as f:
        f.write(data)
debris = ".pytest_cache/\n.mypy_cache/\n.dmypy.json\n.ruff_cache/\n.ipynb_checkpoints/\n.hypothesis/\n.coverage\n.coverage.*\nhtmlcov/\ncoverage.xml\n.tox/\n.nox/\n*.egg-info/\n.eggs/\n"
write(".gitignore", "__pycache__/\n*.py[cod]\n*$py.class\n" + (debris if os.environ.get("DEBRIS_RULES") == "1" else ""))
for n in range(max(1, sources // 20)):
    folder = "services/svc_%03d/pkg_%02d/sub_%d" % (n // 250, n % 250 // 5, n % 5)
    for f in range(20):
        write("%s/module_%02d.py" % (folder, f), "import os\n")
EOF
git -C "$REPO" init -q -b main
git -C "$REPO" add -A
git -C "$REPO" -c user.name=Bench -c user.email=bench@example.invalid commit -q -m tree
stage_ten_changes "$REPO"

# Instructions executed by one run of "$@" in the repository (all threads).
instructions() {
    rm -f "$WORK/out"
    (cd "$REPO" && valgrind --tool=callgrind --callgrind-out-file="$WORK/out" "$@" >/dev/null 2>&1) || true
    callgrind_annotate "$WORK/out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); print $1; done = 1 }'
}

ROWS=("check" "check --all")
[ -n "${EXTRA_ARGS:-}" ] && ROWS+=("check $EXTRA_ARGS")
echo "$SOURCES tracked files, 10 staged changes (3 bytecode); instructions executed (callgrind)"
echo
printf '| command |'; for bin in "${BINARIES[@]}"; do printf ' %s |' "$bin"; done
[ ${#BINARIES[@]} -eq 2 ] && printf ' second / first |'
echo
printf '|---|'; for _ in "${BINARIES[@]}"; do printf -- '---:|'; done
[ ${#BINARIES[@]} -eq 2 ] && printf -- '---:|'
echo
for row in "${ROWS[@]}"; do
    read -ra words <<<"$row"
    printf '| `%s` |' "$row"
    counts=()
    for bin in "${BINARIES[@]}"; do
        count=$(instructions "$bin" "${words[@]}" --no-prompt)
        counts+=("$count")
        printf ' %s |' "$count"
    done
    [ ${#BINARIES[@]} -eq 2 ] && awk -v a="${counts[0]}" -v b="${counts[1]}" 'BEGIN { printf " %.4f |", b / a }'
    echo
done
