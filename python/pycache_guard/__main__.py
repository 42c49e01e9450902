"""`python -m pycache_guard ARGS`: runs the pycache-guard binary from this wheel with ARGS."""

from __future__ import annotations

import os
import subprocess
import sys

from pycache_guard import find_binary


def main() -> int:
    try:
        binary = find_binary()
    except FileNotFoundError as error:
        print(f"pycache-guard: error: {error}", file=sys.stderr)
        return 2
    if sys.platform == "win32":
        # Windows has no exec: run it and pass its exit code on.
        return subprocess.run([binary, *sys.argv[1:]]).returncode
    os.execv(binary, [binary, *sys.argv[1:]])
    return 0  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
