#!/usr/bin/env bash
# Every shape of repository git makes, in one run: {SHA-1, SHA-256} objects x {files, reftable}
# refs (`git init --object-format=... --ref-format=...`, git 2.45+), each shape's cost as a
# ratio to SHA-1 + files (the goal, in docs/performance.md: SHA-256 + reftable within 1.15x).
#
#   bench/shapes.sh                          # SOURCES=100000 COMMITS=10000 RUNS=10
#   RUNS=0 bench/shapes.sh                   # instructions only, no hyperfine
#   SOURCES=10000 COMMITS=1000 bench/shapes.sh
#
# For each shape, made from the same fast-import streams (so the same paths, contents and
# commits; only the ids and the ref storage differ):
#   - a repository of SOURCES tracked files laid out like bench/run.sh's (services / packages
#     / modules, 20 files a folder, a root .gitignore and one per service), no checkout, the
#     index filled by `git read-tree HEAD`, then 10 staged changes of which 3 are bytecode
#     (bench/run.sh's `git update-index --index-info` of one blob, as there is no work tree);
#     measured: `check` (the staged check, as the pre-commit hook runs it) and `check --all`;
#   - a history: 10,000 files, then COMMITS commits that each change a file (every 1,000th
#     adds a bytecode file, the one after deletes every other of them), as fast-import packed
#     it; measured: `check --range ROOT..main` (ROOT the first commit), and the same pinned to
#     one CPU with taskset (one worker: its count does not depend on which worker got which
#     block of commits, as the parallel walk's does).
# Each command runs as `pycache-guard -C <repo> ... --no-prompt` and exits 1 (bytecode found);
# the script checks that every shape reports the same paths as SHA-1 + files.
# Counted: instructions by callgrind (all threads; repeatable whatever else the machine does)
# and, unless RUNS=0, hyperfine's median of RUNS runs (the four shapes of a command in one
# hyperfine run, so the machine's load falls on each alike). Needs git 2.45+, cargo, valgrind,
# and hyperfine and jq when RUNS > 0.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
. bench/lib.sh
SOURCES=${SOURCES:-100000}
COMMITS=${COMMITS:-10000}
RUNS=${RUNS:-10}

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_DEFAULT_HASH GIT_DEFAULT_REF_FORMAT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C

for tool in git valgrind callgrind_annotate; do
    command -v "$tool" >/dev/null || { echo "bench/shapes.sh needs $tool" >&2; exit 2; }
done
if [ "$RUNS" -gt 0 ]; then
    for tool in hyperfine jq; do
        command -v "$tool" >/dev/null || { echo "bench/shapes.sh needs $tool (or RUNS=0)" >&2; exit 2; }
    done
fi

cargo build --release --quiet
BIN=$(realpath "${CARGO_TARGET_DIR:-$ROOT/target}/release/pycache-guard")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pycache-guard-shapes.XXXXXX")
[ -n "${KEEP:-}" ] && echo "work folder kept: $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT

SHAPES=("sha1 files" "sha1 reftable" "sha256 files" "sha256 reftable")




make_shape() { # $1 = folder, $2 = object format, $3 = ref format, $4 = the tree's stream file
    git init -q -b main --object-format="$2" --ref-format="$3" "$1"
    (cd "$1" && git fast-import --quiet <"$4" && git read-tree HEAD &&
        git ls-files -z -- .gitignore '*/.gitignore' | git checkout-index -z -f --stdin)
}

echo "== the streams: $SOURCES files; 10,000 files and $COMMITS commits" >&2
fast_import_stream "$SOURCES" >"$WORK/tree.stream"
fast_import_stream 10000 >"$WORK/small.stream"
history_stream "$COMMITS" >"$WORK/history.stream"

for shape in "${SHAPES[@]}"; do
    read -r hash refs <<<"$shape"
    name=$hash-$refs
    echo "== $name: $SOURCES files, then the history" >&2
    make_shape "$WORK/$name" "$hash" "$refs" "$WORK/tree.stream"
    (cd "$WORK/$name" && stage_changes &&
        [ "$(git diff --cached --name-only | wc -l)" = 10 ]) || { echo "$name: expected 10 staged changes" >&2; exit 1; }
    make_shape "$WORK/$name-history" "$hash" "$refs" "$WORK/small.stream"
    (cd "$WORK/$name-history" && git fast-import --quiet --force <"$WORK/history.stream")
    [ "$(git -C "$WORK/$name" rev-parse --show-object-format)" = "$hash" ] &&
        [ "$(git -C "$WORK/$name-history" rev-parse --show-ref-format)" = "$refs" ] ||
        { echo "$name: not the shape asked for" >&2; exit 1; }
done

ROOT_COMMIT=() # per shape, the history's first commit
for shape in "${SHAPES[@]}"; do
    read -r hash refs <<<"$shape"
    ROOT_COMMIT+=("$(git -C "$WORK/$hash-$refs-history" rev-list --max-parents=0 main)")
done

# The command of row $1 ("check", "all" or "range") for shape number $2, as words.
command_of() {
    read -r hash refs <<<"${SHAPES[$2]}"
    case $1 in
        check) echo "-C $WORK/$hash-$refs check --no-prompt" ;;
        all) echo "-C $WORK/$hash-$refs check --all --no-prompt" ;;
        range) echo "-C $WORK/$hash-$refs-history check --range ${ROOT_COMMIT[$2]}..main --no-prompt" ;;
        range1) echo "-C $WORK/$hash-$refs-history check --range ${ROOT_COMMIT[$2]}..main --no-prompt" ;;
    esac
}

masked() { sed 's/\b[0-9a-f]\{7,64\}\b/ID/g'; }
commas() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }

instructions() { # "$@" = the command: [taskset -c 0] pycache-guard ARGS
    local pin=()
    [ "$1" = taskset ] && { pin=("$1" "$2" "$3"); shift 3; }
    rm -f "$WORK/out"
    "${pin[@]}" valgrind --tool=callgrind --callgrind-out-file="$WORK/out" "$@" >/dev/null 2>&1 || true
    callgrind_annotate "$WORK/out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); print $1; done = 1 }'
}

LABELS=("\`check\` (staged), $(commas "$SOURCES") files" "\`check --all\`, $(commas "$SOURCES") files"
    "\`check --range ROOT..main\`, $(commas "$COMMITS") commits"
    "\`check --range ROOT..main\`, $(commas "$COMMITS") commits, one worker (\`taskset -c 0\`)")
ROW_NAMES=(check all range range1)
# The walk deals blocks of commits to one worker a core, each with its share of the object
# caches; the last row pins the process to one CPU: one worker, the whole cache, and a count
# that does not depend on which worker got which block.
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
ROWS=()
ROWS_TO_RUN=(0 1 2)
[ ${#PIN[@]} -gt 0 ] && ROWS_TO_RUN+=(3)
for i in "${ROWS_TO_RUN[@]}"; do
    row=${ROW_NAMES[$i]}
    pin=()
    [ "$row" = range1 ] && pin=("${PIN[@]}")
    echo "== $row" >&2
    # Same exit code and same findings in every shape (commit ids aside: they differ by format).
    read -ra words <<<"$(command_of "$row" 0)"
    status=0; "${pin[@]}" "$BIN" "${words[@]}" -q 2>&1 | masked >"$WORK/expected" || status=$?
    [ "$status" = 1 ] || { echo "$row: exit $status in sha1-files, expected 1" >&2; exit 1; }
    paths=$(wc -l <"$WORK/expected")
    for s in 1 2 3; do
        read -ra words <<<"$(command_of "$row" "$s")"
        status=0; "${pin[@]}" "$BIN" "${words[@]}" -q 2>&1 | masked >"$WORK/got" || status=$?
        [ "$status" = 1 ] && cmp -s "$WORK/expected" "$WORK/got" ||
            { echo "$row: ${SHAPES[$s]} differs from sha1 files (exit $status)" >&2; diff "$WORK/expected" "$WORK/got" >&2 || true; exit 1; }
    done
    if [ "$RUNS" -gt 0 ]; then
        args=()
        for s in 0 1 2 3; do args+=(-n "$s" "${pin[*]} $BIN $(command_of "$row" "$s")"); done
        hyperfine -N -i --style none --warmup 2 --runs "$RUNS" --export-json "$WORK/times.json" "${args[@]}" >/dev/null 2>&1 ||
            { echo "$row: hyperfine failed" >&2; exit 1; }
    fi
    base_count= base_ms=
    for s in 0 1 2 3; do
        read -r hash refs <<<"${SHAPES[$s]}"
        read -ra words <<<"$(command_of "$row" "$s")"
        count=$(instructions "${pin[@]}" "$BIN" "${words[@]}")
        [ -n "$base_count" ] || base_count=$count
        line="| ${LABELS[$i]} | ${hash/sha/SHA-} + $refs | $paths | $(commas "$count") | **$(awk -v a="$count" -v b="$base_count" 'BEGIN { printf "%.3f", a / b }')** |"
        if [ "$RUNS" -gt 0 ]; then
            ms=$(jq -r --arg n "$s" '.results[] | select(.command == $n) | .median * 1000' "$WORK/times.json")
            [ -n "$base_ms" ] || base_ms=$ms
            line+=" $(num "$ms") | $(ratio "$ms" "$base_ms") |"
        fi
        ROWS+=("$line")
        echo "$line" >&2
    done
done

echo "Every shape, one run: instructions by callgrind, ratio to SHA-1 + files$([ "$RUNS" -gt 0 ] && echo "; hyperfine median of $RUNS runs")"
echo "($(git --version), $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$ROOT" rev-parse --short HEAD))"
echo
if [ "$RUNS" -gt 0 ]; then
    echo "| command | shape | paths reported | instructions | / SHA-1 + files | median ms | / SHA-1 + files |"
    echo "|---|---|---:|---:|---:|---:|---:|"
else
    echo "| command | shape | paths reported | instructions | / SHA-1 + files |"
    echo "|---|---|---:|---:|---:|"
fi
printf '%s\n' "${ROWS[@]}"
