#!/usr/bin/env bash
# Benchmark: pycache-guard against the git pipelines a user would write instead.
#
#   bench/run.sh                       # 10,000 and 100,000 tracked files
#   bench/run.sh 10000 100000 1000000  # add the 1M-file repository (~100 MB index, slow to build)
#
# For each size it builds a synthetic Python-like repository in a temporary folder, fast and
# without a checkout: `git fast-import` of one commit whose paths share a few blobs, then
# `git read-tree HEAD` to fill the index, then 10 staged changes (3 of them bytecode) with
# `git update-index --index-info`. Then, in one hyperfine run per size, side by side:
#   check (staged)  vs  git diff --cached --name-only --diff-filter=ACMR | grep -E RE
#   check --all     vs  git ls-files | grep -E RE
# and, without a shell in between (startup cost), `check` vs `git rev-parse --git-dir`.
# Peak memory (max RSS, /usr/bin/time) of `check` against `git diff --cached`.
# The ignore-rule audit that every check runs (a root .gitignore and one per service, the only
# files written to disk) is timed inside the process: the median of `check -v`'s own figure.
# Then, on a repository of 10,000 files and a history of 10,000 more commits:
#   check --range BASE..main  vs  git log --format= --name-only --diff-filter=AMT BASE..main | grep -E RE
# (and their peak memory: check --range against git log alone)
# twice: with the history as fast-import packed it, and after `git repack -a -d -f`.
# Then large ignore files: a repository whose only file is a `.gitignore` without
# a bytecode rule, made of the github/gitignore templates (tests/fixtures): its first 500
# lines, all of it (8,000 lines), and 188 copies of it (1.5 million lines, 30 MB):
#   check --all  and  fix-gitignore --dry-run  vs  git check-ignore --no-index -q <bytecode path>
# (git reads and parses the same file), the three alternating, one hyperfine run per round.
# Prints a Markdown table with the medians and the ratios (tool / git; smaller is better).
#
# Environment: INDEX_VERSION=4 writes the index in version 4 (default: git's default, 2);
# NO_RANGE=1 leaves out the --range repository; ONLY_IGNORE_FILES=1 runs the large ignore
# files alone (no SIZES, no --range); ONLY_RANGE=1 runs the --range repository alone;
# ROUNDS sets the large ignore files' rounds (default 21);
# KEEP=1 keeps the repositories (their folder is printed); CARGO_TARGET_DIR is honoured.
# Needs git, cargo, hyperfine, jq and GNU time (`apt-get install -y hyperfine jq time`).
# `clean` has a benchmark of its own: bench/clean.sh (against the find idiom and pyclean).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
. bench/lib.sh
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)
RE='(^|/)__pycache__/|\.py[co]$'

# git as the benchmark sees it: no system or user configuration, no inherited repository.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C

need_tools() {
    local missing=()
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    command -v jq >/dev/null || missing+=(jq)
    [ -x /usr/bin/time ] || missing+=(time)
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing ${missing[*]}" >&2
        apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "bench/run.sh needs: ${missing[*]} (Debian/Ubuntu: sudo apt-get install -y ${missing[*]})" >&2
        exit 2
    fi
}

build_tool() {
    cargo build --release --quiet
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/pycache-guard"
    BIN=$(realpath "$BIN")
}



make_repo() { # $1 = folder, $2 = number of tracked files
    git init -q -b main "$1"
    (
        cd "$1"
        fast_import_stream "$2" | git fast-import --quiet
        git read-tree HEAD
        # No checkout, but git (and the audit) read ignore files from the worktree.
        git ls-files -z -- .gitignore '*/.gitignore' | git checkout-index -z -f --stdin
        [ -z "${INDEX_VERSION:-}" ] || git update-index --index-version "$INDEX_VERSION"
        stage_changes
        local staged
        staged=$(git diff --cached --name-only | wc -l)
        [ "$staged" = 10 ] || { echo "expected 10 staged changes, got $staged" >&2; exit 1; }
    )
}


# The audit's own figure (ms) from `check -v`, median of 31 runs in the current repository.
audit_median_ms() {
    # check exits 1 here (bytecode is staged): only its -v line matters.
    for _ in $(seq 31); do { "$BIN" check -v 2>&1 >/dev/null || true; } | sed -n 's/.*ignore-rule audit: .*, \([0-9.]*\) ms/\1/p'; done |
        sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

bench_range() { # appends the --range rows to $RANGE_ROWS
    local repo="$WORK/history" base
    echo "== --range: 10,000 files and 10,000 more commits" >&2
    make_repo "$repo" 10000
    cd "$repo"
    base=$(git rev-parse HEAD)
    history_stream 10000 | git fast-import --quiet --force
    time_range "$base" "as \`git fast-import\` packed it"
    # Deltas computed afresh, newest objects whole: how \`git gc\` packs new commits (and a
    # clone receives them); fast-import's documentation asks for this after an import.
    git repack -a -d -f -q
    time_range "$base" "after \`git repack -a -d -f\`"
    cd "$WORK"
    [ -n "${KEEP:-}" ] || rm -rf "$repo"
}

time_range() { # $1 = the range's base, $2 = how the history is packed
    local json="$WORK/range.json" commits found tool git
    commits=$(git rev-list --count "$1..main")
    hyperfine --style basic -i --warmup 2 --min-runs 15 --export-json "$json" \
        -n 'check --range' "$BIN check --range $1..main" \
        -n 'git log | grep' "git log --format= --name-only --diff-filter=AMT $1..main | grep -E '$RE'" >&2
    found=$({ "$BIN" check -q --range "$1..main" || true; } | wc -l)
    tool=$(median_ms "$json" 0) git=$(median_ms "$json" 1)
    local tool_rss git_rss
    tool_rss=$(peak_kib "$BIN" check --range "$1..main")
    git_rss=$(peak_kib git log --format= --name-only --diff-filter=AMT "$1..main")
    RANGE_ROWS+=("| $(printf "%'d" "$commits") | $2 | $found | $(num "$tool") | $(num "$git") | **$(ratio "$tool" "$git")** \
| $((tool_rss / 1024)) | $((git_rss / 1024)) | **$(ratio "$tool_rss" "$git_rss")** |")
}

bench_ignore_files() { # appends the rows of the large-ignore-file cases to $IGNORE_ROWS
    local templates="$ROOT/tests/fixtures/github-gitignore-templates.gitignore" lines
    [ -f "$templates" ] || { echo "no $templates: large ignore files left out" >&2; return; }
    for lines in 500 8000 1500000; do
        local repo="$WORK/ignore-$lines" times="$WORK/ignore-$lines.times"
        git init -q "$repo"
        case $lines in
            500) head -n 500 "$templates" >"$repo/.gitignore" ;;
            8000) cp "$templates" "$repo/.gitignore" ;;
            *) for _ in $(seq 188); do cat "$templates"; done >"$repo/.gitignore" ;;
        esac
        echo "== .gitignore of $(wc -l <"$repo/.gitignore") lines: ${ROUNDS:-21} alternating rounds" >&2
        cd "$repo"
        : >"$times"
        for round in $(seq 0 "${ROUNDS:-21}"); do
            hyperfine --style none -N -i --runs 1 --export-json "$WORK/round.json" \
                -n git 'git check-ignore --no-index -q __pycache__/m.cpython-312.pyc' \
                -n check "$BIN check --all" -n fix "$BIN fix-gitignore --dry-run" >/dev/null 2>&1
            # Round 0 warms the page cache.
            [ "$round" = 0 ] || jq -r '[.results[].times[0] * 1000] | @tsv' "$WORK/round.json" >>"$times"
        done
        cd "$WORK"
        local git check fix
        git=$(column_median "$times" 1) check=$(column_median "$times" 2) fix=$(column_median "$times" 3)
        IGNORE_ROWS+=("| $(printf "%'d" "$(wc -l <"$repo/.gitignore")") | $(du -h "$repo/.gitignore" | cut -f1) \
| $(num "$git") | $(num "$check") | **$(ratio "$check" "$git")** | $(num "$fix") | **$(ratio "$fix" "$git")** |")
        [ -n "${KEEP:-}" ] || rm -rf "$repo"
    done
}

column_median() { # $1 = file of tab-separated numbers, $2 = column
    cut -f"$2" "$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

median_ms() { # $1 = hyperfine JSON, $2 = index of the command
    jq -r ".results[$2].median * 1000" "$1"
}

bench_size() { # $1 = number of tracked files; appends a table row to $ROWS
    local n=$1 repo="$WORK/repo-$1" json="$WORK/times-$1.json" startup="$WORK/startup-$1.json"
    echo "== $n tracked files: building the repository" >&2
    local t0=$SECONDS
    make_repo "$repo" "$n"
    echo "   built in $((SECONDS - t0)) s; index $(du -h "$repo/.git/index" | cut -f1)" >&2
    cd "$repo"
    # The tool exits 1 (bytecode found): -i keeps hyperfine going.
    # Room for more tool cases (e.g. the ignore-rule audit, `check --strict`): add them at
    # the end so the indexes below stay put.
    hyperfine --style basic -i --warmup 3 --min-runs 15 --export-json "$json" \
        -n check "$BIN check" \
        -n 'git diff --cached | grep' "git diff --cached --name-only --diff-filter=ACMR | grep -E '$RE'" \
        -n 'check --all' "$BIN check --all" \
        -n 'git ls-files | grep' "git ls-files | grep -E '$RE'" >&2
    hyperfine --style basic -N -i --warmup 10 --min-runs 50 --export-json "$startup" \
        -n check "$BIN check" -n 'git rev-parse --git-dir' 'git rev-parse --git-dir' >&2
    local tool_rss git_rss audit audit_files
    tool_rss=$(peak_kib "$BIN" check)
    git_rss=$(peak_kib git diff --cached --name-only --diff-filter=ACMR)
    audit=$(audit_median_ms)
    audit_files=$(git ls-files -- .gitignore '*/.gitignore' | wc -l)
    cd "$WORK"

    local staged diff all lsfiles bare revparse
    staged=$(median_ms "$json" 0) diff=$(median_ms "$json" 1)
    all=$(median_ms "$json" 2) lsfiles=$(median_ms "$json" 3)
    bare=$(median_ms "$startup" 0) revparse=$(median_ms "$startup" 1)
    ROWS+=("| $(printf "%'d" "$n") | $(du -h "$repo/.git/index" | cut -f1) \
| $(num "$staged") | $(num "$diff") | **$(ratio "$staged" "$diff")** \
| $(num "$all") | $(num "$lsfiles") | **$(ratio "$all" "$lsfiles")** \
| $(num "$bare") | $(num "$revparse") | **$(ratio "$bare" "$revparse")** \
| $((tool_rss / 1024)) | $((git_rss / 1024)) | **$(ratio "$tool_rss" "$git_rss")** \
| $audit_files | **$audit** |")
    [ -n "${KEEP:-}" ] || rm -rf "$repo"
}

need_tools
build_tool
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pycache-guard-bench.XXXXXX")
[ -n "${KEEP:-}" ] && echo "repositories kept in $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT
ROWS=()
RANGE_ROWS=()
IGNORE_ROWS=()
if [ -n "${ONLY_RANGE:-}" ]; then
    bench_range
elif [ -z "${ONLY_IGNORE_FILES:-}" ]; then
    for n in "${SIZES[@]}"; do bench_size "$n"; done
    [ -n "${NO_RANGE:-}" ] || bench_range
fi
[ -n "${ONLY_RANGE:-}" ] || bench_ignore_files

echo
echo "pycache-guard $("$BIN" --version | cut -d' ' -f2) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))," \
    "$(git --version), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg);" \
    "index version ${INDEX_VERSION:-2}; median wall time in ms (whole process: hyperfine -N, no shell);" \
    "peak memory (max RSS) in MiB; ratio = tool / git"
echo
if [ "${#ROWS[@]}" -gt 0 ]; then
echo "| tracked files | index | \`check\` | \`git diff --cached \\| grep\` | ratio | \`check --all\` | \`git ls-files \\| grep\` | ratio | whole process: \`check\` | \`git rev-parse --git-dir\` | ratio | peak MiB: \`check\` | \`git diff --cached\` | ratio | .gitignore files | audit ms (in process) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
fi
if [ "${#RANGE_ROWS[@]}" -gt 0 ]; then
    echo
    echo "| commits in the range | history packed | paths reported | \`check --range\` | \`git log --name-only --diff-filter=AMT \\| grep\` | ratio | peak MiB: \`check --range\` | \`git log --name-only\` | ratio |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${RANGE_ROWS[@]}"
fi
if [ "${#IGNORE_ROWS[@]}" -gt 0 ]; then
    echo
    echo "| .gitignore lines | size | \`git check-ignore --no-index\` | \`check --all\` | ratio | \`fix-gitignore --dry-run\` | ratio |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${IGNORE_ROWS[@]}"
fi
