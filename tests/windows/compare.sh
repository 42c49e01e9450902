#!/usr/bin/env bash
# The Windows build, run under wine, against the Linux build on the same repositories, made
# by the Linux git: each command's exit code, standard output and standard error (its
# findings, its diff, its hints) must be equal, and so must what it leaves on disk (the
# .gitignore's bytes, the files clean kept, the hook install wrote).
#
#   bash tests/windows/compare.sh LINUX_BINARY WINDOWS_EXE
#
# Needs wine64 and the mingw-w64 C compiler (for the stand-in DLL, see bcryptprimitives.c).
# Before comparing anything it makes sure that the comparison can fail: a pair of commands
# that differ must be reported as different, or the script stops.
set -euo pipefail

linux=$(realpath "$1")
windows_exe=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)

scratch=$(mktemp -d)
# (wineserver -k fails when no server runs; under set -e that must not become the exit code)
trap 'wineserver -k 2>/dev/null || true; rm -rf "$scratch"' EXIT

# The exe beside the stand-in DLL: Windows looks for a DLL in the program's folder first.
mkdir "$scratch/bin"
cp "$windows_exe" "$scratch/bin/pycache-guard.exe"
x86_64-w64-mingw32-gcc -O2 -shared -o "$scratch/bin/bcryptprimitives.dll" "$here/bcryptprimitives.c" -lbcrypt
windows=$scratch/bin/pycache-guard.exe

export WINEDEBUG=-all WINEPREFIX=${WINEPREFIX:-$scratch/wine} WINEDLLOVERRIDES="mscoree,mshtml="
# git isolated from this machine, with fixed identities and dates, as in tests/it/support.rs.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GITHUB_ACTIONS
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$scratch/gitconfig HOME=$scratch
export GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
export NO_COLOR=1 CI=1
printf '[user]\n\tname = Test\n\temail = test@example.invalid\n[init]\n\tdefaultBranch = main\n' >"$GIT_CONFIG_GLOBAL"

# The first start makes wine's prefix (some seconds); the rest reuse it.
wine "$windows" --version >/dev/null

compared=0
failed=0

# How a Windows path the program prints reads on Linux: Z:\tmp\x or Z:/tmp/x is /tmp/x.
normalise() {
  tr -d '\r' | perl -pe 's{Z:([\\/][^\s:]*)}{my $p = $1; $p =~ tr|\\|/|; $p}ge' | timings
}

# How long something took (-v) differs from run to run.
timings() {
  sed -E 's#[0-9]+\.[0-9]+ ms#N ms#g'
}

# run_both NAME WINDOWS_ARGS -- LINUX_ARGS: each binary in the current folder; the outputs
# land in $scratch/out/NAME.{linux,windows}.{rc,out,err}.
run_both() {
  local name=$1
  shift
  local windows_args=() linux_args=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do windows_args+=("$1"); shift; done
  shift
  linux_args=("$@")
  mkdir -p "$scratch/out"
  local rc=0
  "$linux" "${linux_args[@]}" >"$scratch/out/$name.linux.out" 2>"$scratch/out/$name.linux.rawerr" </dev/null || rc=$?
  timings <"$scratch/out/$name.linux.rawerr" >"$scratch/out/$name.linux.err"
  echo "$rc" >"$scratch/out/$name.linux.rc"
  rc=0
  wine "$windows" "${windows_args[@]}" >"$scratch/out/$name.windows.raw" 2>"$scratch/out/$name.windows.rawerr" </dev/null || rc=$?
  echo "$rc" >"$scratch/out/$name.windows.rc"
  normalise <"$scratch/out/$name.windows.raw" >"$scratch/out/$name.windows.out"
  normalise <"$scratch/out/$name.windows.rawerr" >"$scratch/out/$name.windows.err"
}

# differs NAME: whether the two runs of NAME differ in exit code, stdout or stderr (printed).
differs() {
  local name=$1 part different=1
  for part in rc out err; do
    if ! diff -u --label "linux $part" --label "windows $part" \
      "$scratch/out/$name.linux.$part" "$scratch/out/$name.windows.$part" >"$scratch/out/$name.$part.diff"; then
      different=0
    fi
  done
  return $different
}

# same NAME ARGS...: the same arguments to both binaries must give the same answer.
same() {
  local name=$1
  shift
  run_both "$name" "$@" -- "$@"
  same_result "$name"
}

# same_result NAME: the runs of NAME agree; else their differences are printed.
same_result() {
  local name=$1
  compared=$((compared + 1))
  if differs "$name"; then
    failed=$((failed + 1))
    echo "DIFFERENT: $name" >&2
    cat "$scratch/out/$name".*.diff >&2
  else
    echo "same: $name (exit $(cat "$scratch/out/$name.linux.rc"))"
  fi
}

# same_files NAME A B: two folders' files, after each binary changed one, hold the same bytes.
same_files() {
  local name=$1 a=$2 b=$3
  compared=$((compared + 1))
  if diff -r --exclude=.git "$a" "$b" >"$scratch/out/$name.files.diff" 2>&1 &&
    diff <(cd "$a" && find . -path ./.git -prune -o -print | sort) <(cd "$b" && find . -path ./.git -prune -o -print | sort) >>"$scratch/out/$name.files.diff"; then
    echo "same: $name (files)"
  else
    failed=$((failed + 1))
    echo "DIFFERENT: $name (files)" >&2
    cat "$scratch/out/$name.files.diff" >&2
  fi
}

new_repo() {
  rm -rf "$1"
  mkdir -p "$1"
  git -C "$1" init -q
}

# A repository with history: bytecode committed and later removed, a CRLF .gitignore
# without bytecode rules, staged bytecode, and untracked bytecode on disk.
repo=$scratch/repo
new_repo "$repo"
cd "$repo"
mkdir -p pkg/__pycache__ pkg/sub/__pycache__ tests/fixtures
printf 'node_modules/\r\ndist/\r\n' >.gitignore
echo 'x = 1' >pkg/a.py
echo 'legacy' >pkg/__pycache__/a.cpython-312.pyc
git add -A && git commit -q -m "add a, with its bytecode"
git rm -q --cached pkg/__pycache__/a.cpython-312.pyc && git commit -q -m "untrack the bytecode"
echo 'y = 2' >pkg/b.py
git add pkg/b.py && git commit -q -m "add b"
echo 'staged' >pkg/b.pyc
echo 'fixture' >tests/fixtures/old.pyc
git add -f pkg/b.pyc tests/fixtures/old.pyc
echo 'untracked' >pkg/sub/__pycache__/s.cpython-312.pyc
echo 'untracked' >pkg/sub/loose.pyo
printf '[tool.pycache-guard]\nallow = ["tests/fixtures/*.pyc"]\n' >pyproject.toml

# First: the comparison sees a difference where there is one (a blocking check against one
# that passes), or nothing it says can be trusted.
run_both self-test check --all -- check --all tests/fixtures/old.pyc
if ! differs self-test; then
  echo "the comparison cannot fail: 'check --all' and a passing check compared as equal" >&2
  exit 1
fi
echo "the comparison can fail: a difference in exit code and findings is seen"

same staged check
same staged-verbose -v check
same all check --all
same all-json check --all --format json
same all-github check --all --format github
same all-strict check --all --strict
same rev check --rev HEAD~2
same rev-json check --rev HEAD~2 --format json
same range check --range HEAD~2..HEAD
same range-json check --range HEAD~2..HEAD --format json
same range-unknown check --range HEAD~3..HEAD
same paths check pkg/b.pyc pkg/a.py tests/fixtures/old.pyc
# A path given the Windows way is git's path with `/`.
run_both paths-backslash check 'pkg\b.pyc' 'pkg\sub\__pycache__\s.cpython-312.pyc' -- check pkg/b.pyc pkg/sub/__pycache__/s.cpython-312.pyc
same_result paths-backslash
same fix-dry-run fix-gitignore --dry-run
same fix-check fix-gitignore --check
same clean-dry-run clean --dry-run
same clean-dry-run-sub clean --dry-run pkg/sub

# What the writing commands leave behind: each binary on its own copy of the repository.
for command in fix-gitignore "fix-gitignore --untrack" clean install; do
  name=${command// /-}
  rm -rf "$scratch/linux-copy" "$scratch/windows-copy"
  cp -a "$repo" "$scratch/linux-copy"
  cp -a "$repo" "$scratch/windows-copy"
  rc=0
  (cd "$scratch/linux-copy" && "$linux" $command >"$scratch/out/$name.linux.out" 2>"$scratch/out/$name.linux.err") || rc=$?
  echo "$rc" >"$scratch/out/$name.linux.rc"
  rc=0
  (cd "$scratch/windows-copy" && wine "$windows" $command >"$scratch/out/$name.windows.raw" 2>"$scratch/out/$name.windows.rawerr") || rc=$?
  echo "$rc" >"$scratch/out/$name.windows.rc"
  # The copies' own folder names are the one difference allowed in what is printed.
  for side in linux windows; do
    for part in out err; do
      file=$scratch/out/$name.$side.$part
      [ "$side" = linux ] || normalise <"$scratch/out/$name.windows.raw${part/out/}" >"$file"
      sed -i "s#$scratch/$side-copy#REPO#g" "$file"
    done
  done
  same_result "$name"
  # The hook remembers the binary that wrote it: that line names each one's own.
  for side in linux windows; do
    hook=$scratch/$side-copy/.git/hooks/pre-commit
    [ ! -f "$hook" ] || sed -i "s#^installed_by=.*#installed_by=BINARY#" "$hook"
  done
  same_files "$name" "$scratch/linux-copy" "$scratch/windows-copy"
  diff <(cd "$scratch/linux-copy" && git ls-files -s) <(cd "$scratch/windows-copy" && git ls-files -s) >/dev/null ||
    { failed=$((failed + 1)); echo "DIFFERENT: $name (the index)" >&2; }
  # fix-gitignore kept the file's CRLF line endings, on Windows as on Linux.
  if [ "$command" = fix-gitignore ] && ! grep -q $'^__pycache__/\r$' "$scratch/windows-copy/.gitignore"; then
    failed=$((failed + 1))
    echo "DIFFERENT: fix-gitignore did not keep the CRLF line endings" >&2
  fi
  if [ -f "$scratch/windows-copy/.git/hooks/pre-commit" ]; then
    same_files "$name-hooks" "$scratch/linux-copy/.git/hooks" "$scratch/windows-copy/.git/hooks"
  fi
done
# Outside any repository, named files are still judged.
mkdir -p "$scratch/plain/__pycache__"
cd "$scratch/plain"
same outside check __pycache__/m.cpython-312.pyc m.py

echo "windows: $compared compared, $failed different"
[ "$failed" -eq 0 ]
