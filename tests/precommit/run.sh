#!/usr/bin/env bash
# Acceptance tests for the wheel and .pre-commit-hooks.yaml: the hooks through the real
# pre-commit framework and prek, installed from PyPI into a virtualenv, against scratch
# repositories.
#
#   bash tests/precommit/run.sh            (from .ci/run, after cargo test)
#
# Needs python3 with venv and pip, git, and the Rust toolchain; network to PyPI and crates.io.
# Prints "N passed, N failed" and the first-run time of each kind of hook.
#
# 1. The wheel: maturin (from PyPI) builds it from python/pyproject.toml into a folder; it is
#    installed offline (PIP_NO_INDEX, that folder as --find-links) into a fresh virtualenv,
#    with uv (`uvx`, `uv tool install`) and with pipx (`run`, `install`), all offline, and
#    run with no cargo/rustc on PATH.
# 2. The `language: python` hooks (the default ids), through pre-commit and prek, by
#    `try-repo` and from a .pre-commit-config.yaml, again with no Rust on PATH and no index:
#    a folder holding the built wheel (and setuptools, which building the root placeholder
#    package needs, as PyPI would serve it) stands in for PyPI through PIP_FIND_LINKS /
#    UV_FIND_LINKS with PIP_NO_INDEX / UV_OFFLINE.
# 3. The `-src` hooks (`language: rust`): the framework builds this checkout with
#    `cargo install`. `pre-commit try-repo` uses a fresh store on every call, so it builds the
#    hook environment each time; prek's try-repo does too. To keep CI short, the wheel and
#    every pre-commit build share one CARGO_TARGET_DIR (dependencies are compiled once) and
#    the release profile is relaxed to opt-level 0 without LTO through CARGO_PROFILE_RELEASE_*
#    (the same sources and install path users get, only less optimised). Runs through a
#    .pre-commit-config.yaml share PRE_COMMIT_HOME / PREK_HOME, so they build once. prek sets
#    its own cargo target folder, so it runs one `-src` try-repo scenario and the rest through
#    a config.
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
tools=(pre-commit prek maturin uv pipx)
all_installed() {
    local tool
    for tool in "${tools[@]}"; do [ -x "$venv/bin/$tool" ] || return 1; done
}
if ! all_installed; then
    echo "== installing ${tools[*]} from PyPI into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${tools[@]}"
fi
echo "== $("$venv/bin/pre-commit" --version), $("$venv/bin/prek" --version), $("$venv/bin/maturin" --version), $("$venv/bin/uv" --version), pipx $("$venv/bin/pipx" --version)"

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
elapsed=0
first_runs=()

# The version every package and hook must carry: the crate's.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$checkout/Cargo.toml" | head -n 1)

# Runs a framework command the way a user would, with the shared build settings (the
# `-src` hooks, and maturin).
framework() {
    env CARGO_TARGET_DIR="$hook_target" CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
        CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 "$@"
}

# PATH without any folder that holds cargo or rustc (and without rustup's variables): what a
# Python developer without a Rust toolchain has. The tools' virtualenv stays first (prek
# finds uv there).
no_rust_path=$(
    IFS=:
    for dir in $PATH; do
        [ -n "$dir" ] && [ ! -e "$dir/cargo" ] && [ ! -e "$dir/rustc" ] && printf '%s:' "$dir"
    done
)
no_rust_path="$venv/bin:${no_rust_path%:}"
wheels="$work/wheels"     # what maturin built
index="$work/index"       # stands in for PyPI: the wheel, and setuptools for the placeholder

# Runs a command with no Rust on PATH and no package index but the stand-in folder (the
# `language: python` hooks, and the wheel's own install).
wheel_env() {
    env -u CARGO_HOME -u RUSTUP_HOME -u CARGO_TARGET_DIR PATH="$no_rust_path" \
        PIP_NO_INDEX=1 PIP_FIND_LINKS="$index" PIP_CACHE_DIR="$work/pip-cache" PIP_DISABLE_PIP_VERSION_CHECK=1 \
        UV_OFFLINE=1 UV_FIND_LINKS="$index" UV_CACHE_DIR="$work/uv-cache" \
        UV_TOOL_DIR="$work/uv-tools" UV_TOOL_BIN_DIR="$work/uv-bin" UV_PYTHON_DOWNLOADS=never \
        PIPX_HOME="$work/pipx-home" PIPX_BIN_DIR="$work/pipx-bin" PIPX_MAN_DIR="$work/pipx-man" "$@"
}

# runner_for SUFFIX: how the hooks with that id suffix are run ("" the wheel, -src cargo).
runner_for() {
    if [ "$1" = -src ]; then echo framework; else echo wheel_env; fi
}

# expect NAME CODE NEEDLE -- COMMAND...: COMMAND exits CODE and its output holds NEEDLE.
expect() {
    local name=$1 code=$2 needle=$3
    shift 4
    local start=$SECONDS status=0
    "$@" >"$log" 2>&1 </dev/null || status=$?
    elapsed=$((SECONDS - start))
    if [ "$status" -eq "$code" ] && { [ -z "$needle" ] || grep -qF -- "$needle" "$log"; }; then
        passed=$((passed + 1))
        echo "ok   $name (${elapsed}s)"
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

# first_run LABEL: records how long the scenario that just ran took (the hook environment's
# first installation included), for the summary.
first_run() {
    first_runs+=("$1: ${elapsed}s")
}

# ---------------------------------------------------------------------------------------
# The wheel: built once, installed offline, run with no Rust on PATH
# ---------------------------------------------------------------------------------------
echo "== maturin build (shares the -src hooks' target folder and relaxed profile)"
start=$SECONDS
(cd "$checkout/python" && framework "$venv/bin/maturin" build --release --locked --out "$wheels") >"$log" 2>&1 ||
    { cat "$log"; echo "FAIL maturin build"; exit 1; }
echo "ok   built $(cd "$wheels" && ls) ($((SECONDS - start))s)"
mkdir -p "$index"
cp "$wheels"/*.whl "$index/"
"$venv/bin/pip" download --quiet --disable-pip-version-check --only-binary :all: --no-deps -d "$index" setuptools

check "no cargo or rustc on the offline PATH" \
    env PATH="$no_rust_path" sh -c '! command -v cargo >/dev/null && ! command -v rustc >/dev/null'
wheel_venv="$work/wheel-venv"
python3 -m venv "$wheel_venv"
expect "wheel: pip installs it offline from the folder it was built into" 0 "Successfully installed pycache-guard-$version" -- \
    wheel_env PIP_FIND_LINKS="$wheels" "$wheel_venv/bin/pip" install "pycache-guard==$version"
expect "wheel: pycache-guard --version" 0 "pycache-guard $version" -- \
    wheel_env "$wheel_venv/bin/pycache-guard" --version
expect "wheel: python -m pycache_guard --version" 0 "pycache-guard $version" -- \
    wheel_env "$wheel_venv/bin/python" -m pycache_guard --version
repo=$(scratch wheel-direct)
add_file "$repo" "pkg/__pycache__/m.cpython-311.pyc"
expect "wheel: python -m pycache_guard passes arguments and the exit code on" 1 "pkg/__pycache__/m.cpython-311.pyc: error" -- \
    in_dir "$repo" wheel_env "$wheel_venv/bin/python" -m pycache_guard check --no-prompt
expect "wheel: uvx runs it offline" 0 "pycache-guard $version" -- \
    wheel_env UV_FIND_LINKS="$wheels" "$venv/bin/uv" tool run "pycache-guard@$version" --version
expect "wheel: uv tool install, offline" 0 "" -- \
    wheel_env UV_FIND_LINKS="$wheels" "$venv/bin/uv" tool install "pycache-guard==$version"
expect "wheel: the uv-installed binary runs" 0 "pycache-guard $version" -- \
    wheel_env "$work/uv-bin/pycache-guard" --version
expect "wheel: pipx run, offline" 0 "pycache-guard $version" -- \
    wheel_env UV_FIND_LINKS="$wheels" PIP_FIND_LINKS="$wheels" "$venv/bin/pipx" run --spec "pycache-guard==$version" pycache-guard --version
expect "wheel: pipx install, offline" 0 "" -- \
    wheel_env UV_FIND_LINKS="$wheels" PIP_FIND_LINKS="$wheels" "$venv/bin/pipx" install "pycache-guard==$version"
expect "wheel: the pipx-installed binary runs" 0 "pycache-guard $version" -- \
    wheel_env "$work/pipx-bin/pycache-guard" --version

# ---------------------------------------------------------------------------------------
# action.yml: its two shell steps, as a runner would run them (GitHub's variables set by hand)
# ---------------------------------------------------------------------------------------
# action_step N DIR VAR=VALUE...: runs the `run:` script of step N of the composite action in
# DIR, with bash as GitHub runs it, the step's `env:` given as arguments.
action_step() {
    local step=$1 dir=$2
    shift 2
    "$venv/bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["runs"]["steps"][int(sys.argv[2])]["run"])' \
        "$checkout/action.yml" "$step" >"$work/action-step-$step.sh" || return 1
    (cd "$dir" && wheel_env RUNNER_TEMP="$work/runner-temp" GITHUB_PATH="$work/github-path" \
        GITHUB_OUTPUT="$work/github-output" GITHUB_ACTIONS=true "$@" \
        bash --noprofile --norc -eo pipefail "$work/action-step-$step.sh")
}
mkdir -p "$work/runner-temp"
repo=$(scratch action)
base=$(git -C "$repo" rev-parse HEAD)
add_file "$repo" "pkg/__pycache__/m.cpython-311.pyc"
git -C "$repo" commit -q --no-verify -m "bytecode"
git -C "$repo" rm -q -r --cached pkg
git -C "$repo" commit -q --no-verify -m "untracked again"
head=$(git -C "$repo" rev-parse HEAD)
expect "action: installs the wheel of its version input, offline" 0 "" -- \
    action_step 0 "$repo" VERSION="$version" PIP_FIND_LINKS="$wheels"
action_bin=$(head -n 1 "$work/github-path" 2>/dev/null || true)
check "action: the wheel's folder is added to GITHUB_PATH" test -x "$action_bin/pycache-guard"
action_path="$action_bin:$no_rust_path"
expect "action: a pull request whose commits added bytecode fails, with annotations" 1 \
    "::error file=pkg/__pycache__/m.cpython-311.pyc" -- \
    action_step 1 "$repo" PATH="$action_path" MODE=auto FORMAT=human SARIF_FILE=x.sarif STRICT=false \
    EVENT=pull_request BASE="$base" HEAD="$head"
expect "action: format sarif writes the file for upload" 0 "" -- \
    action_step 1 "$repo" PATH="$action_path" MODE=all FORMAT=sarif SARIF_FILE=out.sarif STRICT=false EVENT=push BASE= HEAD=
check "action: ... a SARIF 2.1.0 document, named in the step's outputs" sh -c \
    "grep -qF '\"version\": \"2.1.0\"' '$repo/out.sarif' && grep -qxF 'sarif-file=out.sarif' '$work/github-output'"
expect "action: a push (no pull request) of a clean tree passes" 0 "pycache-guard $version" -- \
    action_step 1 "$repo" PATH="$action_path" MODE=auto FORMAT=human SARIF_FILE=x.sarif STRICT=false EVENT=push BASE= HEAD=

# The release workflow only runs on GitHub; here it is at least read as YAML and its matrix
# checked: tests on three systems, every wheel the README promises, the sdist.
check "release.yml: cargo test on Linux, macOS, Windows; wheels for every platform; sdist" \
    "$venv/bin/python" -c '
import sys, yaml
jobs = yaml.safe_load(open(sys.argv[1]))["jobs"]
assert jobs["test"]["strategy"]["matrix"]["os"] == ["ubuntu-latest", "macos-latest", "windows-latest"]
assert jobs["linux"]["strategy"]["matrix"]["target"] == ["x86_64", "aarch64"]
assert jobs["musllinux"]["strategy"]["matrix"]["target"] == ["x86_64", "aarch64"]
assert [t["target"] for t in jobs["macos"]["strategy"]["matrix"]["include"]] == ["x86_64", "aarch64"]
build = lambda job: next(s for s in jobs[job]["steps"] if s.get("uses", "").startswith("PyO3/maturin-action"))["with"]
assert build("windows")["target"] == "x64" and build("sdist")["command"] == "sdist"
assert all(build(job)["working-directory"] == "python" for job in ("linux", "musllinux", "macos", "windows", "sdist"))
' "$checkout/.github/workflows/release.yml"

# ---------------------------------------------------------------------------------------
# try-repo: the scenarios of each hook
# ---------------------------------------------------------------------------------------
# tryrepo_scenarios NAME TOOL SUFFIX: blocking staged bytecode (symlinks and upper case too),
# passing clean files, blocking legacy bytecode under --all-files, fixing .gitignore once,
# blocking a pushed range, through `TOOL try-repo` with the hooks of that id suffix.
tryrepo_scenarios() {
    local name=$1 tool=$2 suffix=$3 run repo base
    run=$(runner_for "$suffix")
    repo=$(scratch "staged-$name")
    add_file "$repo" "pkg/__pycache__/m.cpython-311.pyc"
    add_file "$repo" "pkg/m.py"
    expect "$name: staged bytecode fails with our message (first run)" 1 \
        "pkg/__pycache__/m.cpython-311.pyc: error: bytecode file (inside a __pycache__ folder); fix: git rm --cached" -- \
        in_dir "$repo" "$run" "$tool" try-repo "$checkout" "pycache-guard$suffix"
    first_run "$name try-repo"
    check "$name: the index is left alone" test "$(git -C "$repo" diff --cached --name-only | wc -l)" -eq 2

    repo=$(scratch "names-$name")
    ln -s README.md "$repo/link.pyc"
    git -C "$repo" add -f link.pyc
    add_file "$repo" "OLD.PYC"
    add_file "$repo" "jy\$py.class"
    add_file "$repo" "notes.pyc.txt"
    expect "$name: a symlink, upper case and Jython names all reach the hook" 1 "link.pyc: error" -- \
        in_dir "$repo" "$run" "$tool" try-repo "$checkout" "pycache-guard$suffix"
    check "$name: ... and each is judged" sh -c "grep -qF 'OLD.PYC: error' '$log' && grep -qF 'jy\$py.class: error' '$log' && ! grep -qF 'notes.pyc.txt' '$log'"
    check "$name: ... and nothing else is" test "$(grep -c ': error' "$log")" -eq 3

    repo=$(scratch "clean-$name")
    add_file "$repo" "src/app.py"
    add_file "$repo" "notes.pyc.txt"
    # Nothing staged can be bytecode by name: the framework skips the hook ("no files to check").
    expect "$name: clean staged files pass" 0 "no Python bytecode (pycache-guard)" -- \
        in_dir "$repo" "$run" "$tool" try-repo "$checkout" "pycache-guard$suffix"

    repo=$(scratch "legacy-$name")
    add_file "$repo" "lib/old.pyc"
    add_file "$repo" "lib/old.py"
    git -C "$repo" commit -q --no-verify -m "legacy bytecode"
    expect "$name: --all-files with tracked legacy bytecode fails" 1 "lib/old.pyc: error" -- \
        in_dir "$repo" "$run" "$tool" try-repo "$checkout" "pycache-guard$suffix" --all-files

    repo=$(scratch "push-range-$name")
    base=$(git -C "$repo" rev-parse HEAD)
    add_file "$repo" "a.pyc"
    git -C "$repo" commit -q --no-verify -m "add bytecode"
    git -C "$repo" rm -q a.pyc
    git -C "$repo" commit -q --no-verify -m "remove it again"
    expect "$name: pre-push stage blocks a range whose history added bytecode" 1 "a.pyc: error: bytecode file added by commit" -- \
        in_dir "$repo" "$run" "$tool" try-repo "$checkout" "pycache-guard-pre-push$suffix" --hook-stage pre-push --from-ref "$base" --to-ref HEAD
    expect "$name: pre-push stage passes a clean range" 0 "Passed" -- \
        in_dir "$repo" "$run" "$tool" try-repo "$checkout" "pycache-guard-pre-push$suffix" --hook-stage pre-push --from-ref HEAD --to-ref HEAD

    repo=$(scratch "gitignore-$name")
    expect "$name: gitignore hook adds the rules and reports .gitignore modified" 1 "files were modified by this hook" -- \
        in_dir "$repo" "$run" "$tool" try-repo "$checkout" "pycache-guard-gitignore$suffix" --all-files
    check "$name: .gitignore is the modified file" test "$(git -C "$repo" diff --name-only)" = ".gitignore"
    check "$name: .gitignore now ignores __pycache__/" grep -qxF "__pycache__/" "$repo/.gitignore"
    git -C "$repo" add .gitignore
    expect "$name: gitignore hook passes the second time" 0 "Passed" -- \
        in_dir "$repo" "$run" "$tool" try-repo "$checkout" "pycache-guard-gitignore$suffix" --all-files
}

echo "== pre-commit try-repo, language: python (the wheel; no Rust on PATH, no index)"
tryrepo_scenarios pre-commit "$venv/bin/pre-commit" ""
echo "== prek try-repo, language: python (the wheel; no Rust on PATH, no index)"
tryrepo_scenarios prek "$venv/bin/prek" ""
echo "== pre-commit try-repo, -src (language: rust; each try-repo builds: the first compiles the crate)"
tryrepo_scenarios pre-commit-src "$venv/bin/pre-commit" -src

echo "== prek try-repo, -src (one scenario: prek's own target folder means a full build each time)"
repo=$(scratch prek-src-staged)
add_file "$repo" "x\$py.class"
expect "prek-src: staged bytecode fails with our message (first run)" 1 "x\$py.class: error: bytecode file (Jython bytecode" -- \
    in_dir "$repo" framework "$venv/bin/prek" try-repo "$checkout" pycache-guard-src
first_run "prek-src try-repo"

# ---------------------------------------------------------------------------------------
# From a user's .pre-commit-config.yaml: installed hooks, a real git commit and git push
# ---------------------------------------------------------------------------------------
# config_scenarios NAME TOOL SUFFIX: --all-files over legacy bytecode; then the installed
# pre-push hook blocks a push of history that added bytecode, both as a first push to an
# empty remote (the framework then names no range) and as a new branch next to a clean
# remote branch, and lets a clean push through; the installed pre-commit hook blocks a commit.
config_scenarios() {
    local name=$1 tool=$2 suffix=$3 run repo remote
    run=$(runner_for "$suffix")
    repo=$(scratch "config-$name")
    add_file "$repo" "lib/old.pyc"
    git -C "$repo" commit -q --no-verify -m "legacy bytecode"
    use_config "$repo" "pycache-guard$suffix"
    expect "$name: --all-files with tracked legacy bytecode fails (first run)" 1 "lib/old.pyc: error" -- \
        in_dir "$repo" "$run" "$tool" run --all-files
    first_run "$name config"
    expect "$name: nothing staged passes" 0 "" -- \
        in_dir "$repo" "$run" "$tool" run

    repo=$(scratch "push-$name")
    remote="$work/remote-$name.git"
    git init -q --bare "$remote"
    git -C "$repo" remote add origin "$remote"
    use_config "$repo" "pycache-guard$suffix" "pycache-guard-pre-push$suffix"
    in_dir "$repo" "$run" "$tool" install --hook-type pre-commit --hook-type pre-push >"$log" 2>&1 ||
        { cat "$log"; return 1; }
    add_file "$repo" "build/__pycache__/x.cpython-311.pyc"
    git -C "$repo" commit -q --no-verify -m "bytecode slipped in"
    git -C "$repo" rm -q -r build
    git -C "$repo" commit -q --no-verify -m "and out again"
    expect "$name: first push of a history that added bytecode is blocked" 1 \
        "build/__pycache__/x.cpython-311.pyc: error: bytecode file added by commit" -- \
        in_dir "$repo" "$run" git push origin main
    check "$name: the remote is still empty" test -z "$(git -C "$remote" for-each-ref)"

    git -C "$repo" checkout -q -b clean-main HEAD~2
    expect "$name: a clean first push passes" 0 "" -- \
        in_dir "$repo" "$run" git push origin clean-main:main
    git -C "$repo" fetch -q origin
    git -C "$repo" checkout -q -b feature origin/main
    add_file "$repo" "feature.py"
    add_file "$repo" "feature.pyo"
    git -C "$repo" commit -q --no-verify -m "feature with bytecode"
    git -C "$repo" rm -q --cached feature.pyo
    git -C "$repo" commit -q --no-verify -m "untrack it"
    expect "$name: a new branch whose history added bytecode is blocked" 1 "feature.pyo: error" -- \
        in_dir "$repo" "$run" git push origin feature
    check "$name: the branch did not reach the remote" test -z "$(git -C "$remote" for-each-ref refs/heads/feature)"

    add_file "$repo" "staged.pyc"
    expect "$name: the installed pre-commit hook blocks a commit of bytecode" 1 "staged.pyc: error" -- \
        in_dir "$repo" "$run" git commit -q -m 'try bytecode'
}

echo "== pre-commit from a .pre-commit-config.yaml, language: python"
config_scenarios pre-commit "$venv/bin/pre-commit" ""
echo "== prek from a .pre-commit-config.yaml, language: python"
config_scenarios prek "$venv/bin/prek" ""
echo "== pre-commit from a .pre-commit-config.yaml, -src (one build, in PRE_COMMIT_HOME)"
config_scenarios pre-commit-src "$venv/bin/pre-commit" -src
echo "== prek from a .pre-commit-config.yaml, -src (one build, in PREK_HOME)"
config_scenarios prek-src "$venv/bin/prek" -src

echo "pre-commit framework acceptance done"
echo "first runs (hook environment installed, then the hook run):"
printf '  %s\n' "${first_runs[@]}"
echo "precommit: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
