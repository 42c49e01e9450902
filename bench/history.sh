#!/usr/bin/env bash
# Benchmark: `check --range` over a real repository's history, against `git log`.
#
#   bench/history.sh /path/to/repo [branch]    # default branch: main
#
# The range is ROOT..BRANCH, ROOT being the branch's oldest root commit: its whole history
# but that commit. Times (hyperfine, no shell, median of 10 after 2 warm-ups)
#   check --range ROOT..BRANCH  vs  git log --format= --name-only ROOT..BRANCH
# and their peak memory (the largest max RSS of three runs, GNU time). Any repository will
# do, bare or not, partial clones included (the trees are all that is read); the figures in
# docs/performance.md are from pip's and numpy's histories. Prints one Markdown row, named by
# $NAME (default: the folder's name).
#
# Needs git, cargo, hyperfine, jq and GNU time. CARGO_TARGET_DIR is honoured.
set -euo pipefail

REPO=$(cd "${1:?usage: bench/history.sh /path/to/repo [branch]}" && pwd)
BRANCH=${2:-main}
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/pycache-guard
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pycache-guard-history.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$REPO"

root=$(git rev-list --max-parents=0 "$BRANCH" | tail -n1)
range="$root..$BRANCH"
commits=$(git rev-list --count "$range")
hyperfine -N --style basic -i --warmup 2 --runs 10 --export-json "$WORK/times.json" \
    -n 'check --range' "$BIN check --range $range" \
    -n 'git log --name-only' "git log --format= --name-only $range" >&2
tool=$(jq -r '.results[0].median * 1000' "$WORK/times.json")
git=$(jq -r '.results[1].median * 1000' "$WORK/times.json")
tool_rss=$(peak_kib "$BIN" check --range "$range")
git_rss=$(peak_kib git log --format= --name-only "$range")

echo "| repository | commits | \`check --range\` ms | \`git log --name-only\` ms | ratio | peak MiB: \`check --range\` | \`git log --name-only\` | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
printf '| %s | %s | %.0f | %.0f | **%s** | %d | %d | **%s** |\n' "${NAME:-$(basename "$REPO")}" \
    "$(printf "%'d" "$commits")" "$tool" "$git" "$(ratio "$tool" "$git")" \
    $((tool_rss / 1024)) $((git_rss / 1024)) "$(ratio "$tool_rss" "$git_rss")"
