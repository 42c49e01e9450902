#!/usr/bin/env bash
# Acceptance tests for .pre-commit-hooks.yaml: the hooks through the real pre-commit framework
# and prek, installed from PyPI into a virtualenv, against scratch repositories.
#
#   bash tests/precommit/run.sh            (from .ci/run, after cargo test)
#
# Needs python3 with venv and pip, git, and the Rust toolchain; network to PyPI and crates.io
# (the frameworks build this checkout with `cargo install`). Prints "N passed, N failed".
#
# Build time: `pre-commit try-repo` uses a fresh store on every call, so it builds the hook
# environment (`cargo install --path .`) each time; prek's try-repo does too. To keep CI
# short, every pre-commit build shares one CARGO_TARGET_DIR (dependencies are compiled once)
# and the release profile is relaxed to opt-level 0 without LTO through CARGO_PROFILE_RELEASE_*
# (the same source and install path users get, only less optimised). Runs through a
# .pre-commit-config.yaml share PRE_COMMIT_HOME / PREK_HOME, so they build once. prek sets its
# own cargo target folder, so it runs one try-repo scenario and the rest through a config.
set -euo pipefail

checkout=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pycache-guard-precommit.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Keep the runner's git settings and any outer hook's variables out of the scratch repositories.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY PRE_COMMIT
unset PRE_COMMIT_FROM_REF PRE_COMMIT_TO_REF PRE_COMMIT_LOCAL_BRANCH PRE_COMMIT_REMOTE_NAME
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$work/gitconfig"
cat >"$GIT_CONFIG_GLOBAL" <<'EOF'
[user]
	name = Acceptance
	email = acceptance@example.invalid
[init]
	defaultBranch = main
[advice]
	detachedHead = false
EOF

venv=${PYCACHE_GUARD_VENV:-$work/venv}
if [ ! -x "$venv/bin/pre-commit" ] || [ ! -x "$venv/bin/prek" ]; then
    echo "== installing pre-commit and prek from PyPI into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check pre-commit prek
fi
echo "== $("$venv/bin/pre-commit" --version), $("$venv/bin/prek" --version)"

hook_target="${CARGO_TARGET_DIR:-$checkout/target}/precommit-hooks"
export PRE_COMMIT_HOME="$work/pre-commit-home" PREK_HOME="$work/prek-home"
rev=$(git -C "$checkout" rev-parse HEAD)
if [ -n "$(git -C "$checkout" status --porcelain --untracked-files=no)" ]; then
    echo "note: $checkout has uncommitted changes: try-repo uses them, config runs use HEAD $rev"
fi

passed=0
failed=0
skipped=0
log="$work/last.log"

# Runs a framework command the way a user would, with the shared build settings.
framework() {
    env CARGO_TARGET_DIR="$hook_target" CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
        CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 "$@"
}

# expect NAME CODE NEEDLE -- COMMAND...: COMMAND exits CODE and its output holds NEEDLE.
expect() {
    local name=$1 code=$2 needle=$3
    shift 4
    local start=$SECONDS status=0
    "$@" >"$log" 2>&1 </dev/null || status=$?
    if [ "$status" -eq "$code" ] && { [ -z "$needle" ] || grep -qF -- "$needle" "$log"; }; then
        passed=$((passed + 1))
        echo "ok   $name ($((SECONDS - start))s)"
    else
        failed=$((failed + 1))
        echo "FAIL $name: exit $status (wanted $code), output should hold: $needle"
        sed 's/^/     | /' "$log"
    fi
}

# in_dir DIR COMMAND...: runs COMMAND (a function too) in DIR.
in_dir() {
    local dir=$1
    shift
    (cd "$dir" && "$@")
}

check() {
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name: $*"
    fi
}

# A new scratch repository with one ordinary commit; prints its path.
scratch() {
    local dir="$work/$1"
    git init -q "$dir"
    printf 'hello\n' >"$dir/README.md"
    printf '*.log\n' >"$dir/.gitignore"
    git -C "$dir" add README.md .gitignore
    git -C "$dir" commit -q -m initial
    echo "$dir"
}

# Writes and commits a .pre-commit-config.yaml that uses this checkout at HEAD.
use_config() {
    local dir=$1
    shift
    {
        echo "repos:"
        echo "  - repo: $checkout"
        echo "    rev: $rev"
        echo "    hooks:"
        for id in "$@"; do echo "      - id: $id"; done
    } >"$dir/.pre-commit-config.yaml"
    git -C "$dir" add .pre-commit-config.yaml
    git -C "$dir" commit -q --no-verify -m "use pycache-guard hooks"
}

add_file() { # add_file DIR PATH: writes and stages it
    mkdir -p "$(dirname "$1/$2")"
    printf 'content of %s\n' "$2" >"$1/$2"
    git -C "$1" add -f -- "$2"
}

# ---------------------------------------------------------------------------------------
# pre-commit, through try-repo
# ---------------------------------------------------------------------------------------
echo "== pre-commit try-repo (first build compiles the dependencies: a few minutes)"
repo=$(scratch staged)
add_file "$repo" "pkg/__pycache__/m.cpython-311.pyc"
add_file "$repo" "pkg/m.py"
expect "pre-commit: staged bytecode fails with our message" 1 \
    "pkg/__pycache__/m.cpython-311.pyc: error: bytecode file (inside a __pycache__ folder); fix: git rm --cached" -- \
    in_dir "$repo" framework "$venv/bin/pre-commit" try-repo "$checkout" pycache-guard
check "pre-commit: the index is left alone" test "$(git -C "$repo" diff --cached --name-only | wc -l)" -eq 2

repo=$(scratch clean)
add_file "$repo" "src/app.py"
add_file "$repo" "notes.pyc.txt"
expect "pre-commit: clean staged files pass" 0 "Passed" -- \
    in_dir "$repo" framework "$venv/bin/pre-commit" try-repo "$checkout" pycache-guard

repo=$(scratch legacy)
add_file "$repo" "lib/old.pyc"
add_file "$repo" "lib/old.py"
git -C "$repo" commit -q --no-verify -m "legacy bytecode"
expect "pre-commit: --all-files with tracked legacy bytecode fails" 1 "lib/old.pyc: error" -- \
    in_dir "$repo" framework "$venv/bin/pre-commit" try-repo "$checkout" pycache-guard --all-files

repo=$(scratch push-range)
base=$(git -C "$repo" rev-parse HEAD)
add_file "$repo" "a.pyc"
git -C "$repo" commit -q --no-verify -m "add bytecode"
git -C "$repo" rm -q a.pyc
git -C "$repo" commit -q --no-verify -m "remove it again"
expect "pre-commit: pre-push stage blocks a range whose history added bytecode" 1 "a.pyc: error: bytecode file added by commit" -- \
    in_dir "$repo" framework "$venv/bin/pre-commit" try-repo "$checkout" pycache-guard-pre-push --hook-stage pre-push --from-ref $base --to-ref HEAD
expect "pre-commit: pre-push stage passes a clean range" 0 "Passed" -- \
    in_dir "$repo" framework "$venv/bin/pre-commit" try-repo "$checkout" pycache-guard-pre-push --hook-stage pre-push --from-ref HEAD --to-ref HEAD

# The gitignore hook needs `fix-gitignore`, which is being built on another branch.
if (cd "$checkout" && cargo run --quiet --locked -- fix-gitignore --help) >/dev/null 2>&1; then
    repo=$(scratch gitignore)
    expect "pre-commit: gitignore hook adds the rules and reports .gitignore modified" 1 "files were modified by this hook" -- \
        in_dir "$repo" framework "$venv/bin/pre-commit" try-repo "$checkout" pycache-guard-gitignore --all-files
    check "pre-commit: .gitignore is the modified file" test "$(git -C "$repo" diff --name-only)" = ".gitignore"
    git -C "$repo" add .gitignore
    expect "pre-commit: gitignore hook passes the second time" 0 "Passed" -- \
        in_dir "$repo" framework "$venv/bin/pre-commit" try-repo "$checkout" pycache-guard-gitignore --all-files
else
    skipped=$((skipped + 1))
    echo "skip gitignore hook scenario: 'pycache-guard fix-gitignore --help' fails (the command is not on this branch yet)"
fi

# ---------------------------------------------------------------------------------------
# pre-commit, installed from a user's .pre-commit-config.yaml: a real git push
# ---------------------------------------------------------------------------------------
# push_scenarios NAME FRAMEWORK: the installed pre-push hook blocks a push of history that
# added bytecode, both as a first push to an empty remote (the framework then names no range)
# and as a new branch next to a clean remote branch, and lets a clean push through.
push_scenarios() {
    local name=$1 tool=$2 repo remote
    repo=$(scratch "push-$name")
    remote="$work/remote-$name.git"
    git init -q --bare "$remote"
    git -C "$repo" remote add origin "$remote"
    use_config "$repo" pycache-guard pycache-guard-pre-push
    in_dir "$repo" framework "$tool" install --hook-type pre-commit --hook-type pre-push >"$log" 2>&1 ||
        { cat "$log"; return 1; }
    add_file "$repo" "build/__pycache__/x.cpython-311.pyc"
    git -C "$repo" commit -q --no-verify -m "bytecode slipped in"
    git -C "$repo" rm -q -r build
    git -C "$repo" commit -q --no-verify -m "and out again"
    expect "$name: first push of a history that added bytecode is blocked" 1 \
        "build/__pycache__/x.cpython-311.pyc: error: bytecode file added by commit" -- \
        in_dir "$repo" framework git push origin main
    check "$name: the remote is still empty" test -z "$(git -C "$remote" for-each-ref)"

    git -C "$repo" checkout -q -b clean-main HEAD~2
    expect "$name: a clean first push passes" 0 "" -- \
        in_dir "$repo" framework git push origin clean-main:main
    git -C "$repo" fetch -q origin
    git -C "$repo" checkout -q -b feature origin/main
    add_file "$repo" "feature.py"
    add_file "$repo" "feature.pyo"
    git -C "$repo" commit -q --no-verify -m "feature with bytecode"
    git -C "$repo" rm -q --cached feature.pyo
    git -C "$repo" commit -q --no-verify -m "untrack it"
    expect "$name: a new branch whose history added bytecode is blocked" 1 "feature.pyo: error" -- \
        in_dir "$repo" framework git push origin feature
    check "$name: the branch did not reach the remote" test -z "$(git -C "$remote" for-each-ref refs/heads/feature)"

    add_file "$repo" "staged.pyc"
    expect "$name: the installed pre-commit hook blocks a commit of bytecode" 1 "staged.pyc: error" -- \
        in_dir "$repo" framework git commit -q -m 'try bytecode'
}

echo "== pre-commit from a .pre-commit-config.yaml (one build, in PRE_COMMIT_HOME)"
push_scenarios pre-commit "$venv/bin/pre-commit"

# ---------------------------------------------------------------------------------------
# prek: one try-repo scenario, the rest through a config (built once, in PREK_HOME)
# ---------------------------------------------------------------------------------------
echo "== prek try-repo"
repo=$(scratch prek-staged)
add_file "$repo" "x\$py.class"
expect "prek: staged bytecode fails with our message" 1 "x\$py.class: error: bytecode file (Jython bytecode" -- \
    in_dir "$repo" framework "$venv/bin/prek" try-repo "$checkout" pycache-guard

echo "== prek from a .pre-commit-config.yaml"
repo=$(scratch prek-config)
add_file "$repo" "lib/old.pyc"
git -C "$repo" commit -q --no-verify -m "legacy bytecode"
use_config "$repo" pycache-guard
expect "prek: --all-files with tracked legacy bytecode fails" 1 "lib/old.pyc: error" -- \
    in_dir "$repo" framework "$venv/bin/prek" run --all-files
expect "prek: nothing staged passes" 0 "" -- \
    in_dir "$repo" framework "$venv/bin/prek" run
push_scenarios prek "$venv/bin/prek"

echo "pre-commit framework acceptance done"
echo "precommit: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
