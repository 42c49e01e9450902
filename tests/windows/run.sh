#!/usr/bin/env bash
# The Windows build, checked from Linux: clippy for the Windows target, the release build
# cross-compiled with mingw-w64, the unit tests of both crates run under wine, and the
# release .exe compared under wine with the Linux binary on repositories the Linux git made
# (compare.sh). Installs what it needs when it is missing: Debian's gcc-mingw-w64-x86-64 and
# wine64, and rustup's x86_64-pc-windows-gnu target.
set -euo pipefail
cd "$(dirname "$0")/../.."

target=x86_64-pc-windows-gnu

if ! command -v x86_64-w64-mingw32-gcc >/dev/null || ! command -v wine >/dev/null; then
  sudo=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gcc-mingw-w64-x86-64 wine64 >/dev/null
fi
rustup target list --installed | grep -qx "$target" || rustup target add "$target"

echo "== cargo clippy --target $target"
cargo clippy --workspace --all-targets --locked --target "$target" -- -D warnings
echo "== cargo build --release --target $target"
cargo build --release --locked --target "$target"

scratch=$(mktemp -d)
# (wineserver -k fails when no server runs; under set -e that must not become the exit code)
trap 'WINEPREFIX="$scratch/wine" wineserver -k 2>/dev/null || true; rm -rf "$scratch"' EXIT
export WINEDEBUG=-all WINEPREFIX=$scratch/wine WINEDLLOVERRIDES="mscoree,mshtml="
# wine 8 lacks the DLL Rust's standard library takes random numbers from (see
# bcryptprimitives.c): a stand-in beside each program lets it start.
x86_64-w64-mingw32-gcc -O2 -shared -o "$scratch/bcryptprimitives.dll" tests/windows/bcryptprimitives.c -lbcrypt
wine "$scratch/bcryptprimitives.dll" >/dev/null 2>&1 || true # makes wine's prefix, once

echo "== the unit tests of both crates, under wine"
# The integration suite drives the Linux git and stays Unix-only; compare.sh covers the commands.
cargo test --workspace --lib --locked --target "$target" --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("reason") == "compiler-artifact" and message.get("executable"):
        print(message["executable"])' >"$scratch/tests"
[ -s "$scratch/tests" ] || { echo "no unit-test programs were built for $target" >&2; exit 1; }
# The reftable reader's tests make their tables with the git binary, which wine cannot start
# (it runs Windows programs only): they are left out here, named, and run on Linux and on the
# release workflow's Windows runner.
needs_git=(--skip refs::reftable::tests::)
while read -r program; do
  cp "$scratch/bcryptprimitives.dll" "$(dirname "$program")/"
  echo "-- $(basename "$program") (left out: ${needs_git[*]})"
  rc=0
  wine "$program" -q "${needs_git[@]}" >"$scratch/test-output" 2>&1 || rc=$?
  tr -d '\r' <"$scratch/test-output" | grep -E '^(test result|failures:|---- |thread .* panicked)' || true
  [ "$rc" -eq 0 ] || { echo "unit tests failed under wine (exit $rc): $program" >&2; exit 1; }
done <"$scratch/tests"

echo "== the Windows binary under wine, against the Linux one"
cargo build --locked
bash tests/windows/compare.sh target/debug/pycache-guard "target/$target/release/pycache-guard.exe"
