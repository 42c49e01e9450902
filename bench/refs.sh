#!/usr/bin/env bash
# The hook in a repository with many refs: reftable refs against the same repository with
# files refs after `git pack-refs --all`, in the same run. Both read HEAD and nothing else of
# the refs; the reftable reader seeks (ref index, restart points) instead of reading every
# table, so the two should be within a few percent.
#
#   bench/refs.sh                  # REFS=100000 SOURCES=10000
#   REFS=1000000 bench/refs.sh
#
# The repository: SOURCES tracked files laid out like bench/run.sh's, a .gitignore that
# covers bytecode, REFS tags and branches (half each) made by one `git update-ref --stdin`,
# then 10 staged changes of which 3 are bytecode (bench/lib.sh). Its copy is converted with
# `git refs migrate --ref-format=reftable` (git 2.46+): the same objects, index and refs.
# Then a third copy whose reftable stack holds 30 tables more (one ref updated or deleted
# by each, git's automatic compaction turned off), the shape between two compactions.
# hyperfine runs the three one after the other; on a busy machine trust the instruction counts.
# Measured: `pycache-guard -C <repo> check` as the pre-commit hook runs it (exit 1: bytecode
# staged),
# wall time by hyperfine and instructions by callgrind (repeatable whatever else the
# machine does). Needs git 2.46+, python3, hyperfine and valgrind.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
. bench/lib.sh
SOURCES=${SOURCES:-10000}
REFS=${REFS:-100000}
RUNS=${RUNS:-60}

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_DEFAULT_REF_FORMAT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C

cargo build --release --quiet
BIN=$(realpath "${CARGO_TARGET_DIR:-$ROOT/target}/release/pycache-guard")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pycache-guard-refs.XXXXXX")
[ -n "${KEEP:-}" ] && echo "work folder kept: $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT
FILES=$WORK/files
mkdir -p "$FILES"
python3 - "$FILES" "$SOURCES" <<'PY'
import os, sys
top, sources = sys.argv[1], int(sys.argv[2])
def write(path, data):
    os.makedirs(os.path.dirname(os.path.join(top, path)) or top, exist_ok=True)
    with open(os.path.join(top, path), "w") as f:
        f.write(data)
write(".gitignore", "__pycache__/\n*.py[cod]\n*$py.class\n")
for n in range(max(1, sources // 20)):
    folder = "services/svc_%03d/pkg_%02d/sub_%d" % (n // 250, n % 250 // 5, n % 5)
    for f in range(20):
        write("%s/module_%02d.py" % (folder, f), "import os\n")
PY
git -C "$FILES" init -q -b main --ref-format=files
git -C "$FILES" add -A
git -C "$FILES" -c user.name=Bench -c user.email=bench@example.invalid commit -q -m tree
head=$(git -C "$FILES" rev-parse HEAD)
awk -v n="$REFS" -v id="$head" 'BEGIN {
    for (i = 0; i < n; i++) printf "create refs/%s/r%07d %s\n", (i % 2 ? "tags" : "heads/topic"), i, id
}' | git -C "$FILES" update-ref --stdin
git -C "$FILES" pack-refs --all
stage_ten_changes "$FILES"

# git 2.47's `refs migrate` does not migrate reflogs, and the hook reads none.
rm -rf "$FILES/.git/logs"
REFTABLE=$WORK/reftable
cp -a "$FILES" "$REFTABLE"
git -C "$REFTABLE" refs migrate --ref-format=reftable
STACK=$WORK/stack
cp -a "$REFTABLE" "$STACK"
other=$(git -C "$STACK" -c user.name=Bench -c user.email=bench@example.invalid commit-tree -m other "$head^{tree}")
for i in $(seq 1 30); do
    if [ $((i % 3)) = 0 ]; then
        GIT_TEST_REFTABLE_AUTOCOMPACTION=false git -C "$STACK" update-ref -d "refs/tags/r$(printf %07d $((i * 2 + 1)))"
    else
        GIT_TEST_REFTABLE_AUTOCOMPACTION=false git -C "$STACK" update-ref "refs/heads/topic/r$(printf %07d $((i * 2)))" "$other"
    fi
done
for repo in "$FILES" "$REFTABLE" "$STACK"; do
    [ "$(cd "$repo" && "$BIN" check --no-prompt >/dev/null 2>&1; echo $?)" = 1 ] || { echo "check did not find the staged bytecode in $repo" >&2; exit 1; }
done

instructions() { # $1 = the repository
    rm -f "$WORK/out"
    (cd "$1" && valgrind --tool=callgrind --callgrind-out-file="$WORK/out" "$BIN" check --no-prompt >/dev/null 2>&1) || true
    callgrind_annotate "$WORK/out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); print $1; done = 1 }'
}

hyperfine -N -i --warmup 5 --runs "$RUNS" --export-json "$WORK/times.json" \
    -n files "$BIN -C $FILES check --no-prompt" \
    -n reftable "$BIN -C $REFTABLE check --no-prompt" \
    -n stack "$BIN -C $STACK check --no-prompt" >/dev/null
mean() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .mean * 1000' "$WORK/times.json"; }
median() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$WORK/times.json"; }

echo "$SOURCES tracked files, $REFS refs, 10 staged changes (3 bytecode): \`pycache-guard check\`, $RUNS runs each"
echo "(files: \`git pack-refs --all\`; reftable: \`git refs migrate\`, one table; stack: 30 tables more)"
echo
echo "| refs | tables | mean ms | median ms | median / files | instructions | / files |"
echo "|---|---:|---:|---:|---:|---:|---:|"
base_median=$(median files)
base_count=$(instructions "$FILES")
for name in files reftable stack; do
    repo=$WORK/$name
    tables=-
    [ -f "$repo/.git/reftable/tables.list" ] && tables=$(wc -l <"$repo/.git/reftable/tables.list")
    count=$(instructions "$repo")
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$tables" "$(num "$(mean "$name")")" \
        "$(num "$(median "$name")")" "$(ratio "$(median "$name")" "$base_median")" "$count" \
        "$(awk -v a="$count" -v b="$base_count" 'BEGIN { printf "%.3f", a / b }')"
done
