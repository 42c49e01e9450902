"""pycache-guard: the binary ships in this wheel's scripts; `find_binary()` locates it."""

from __future__ import annotations

import os
import sys
import sysconfig

__all__ = ["find_binary"]


def find_binary() -> str:
    """The path of the pycache-guard binary this wheel installed.

    pip puts it in the scripts folder of the scheme it installed into: the environment's
    (a virtualenv, pipx, uv tool), the user's (`pip install --user`), or `<target>/bin` for
    `pip install --target`.
    """
    name = "pycache-guard" + (sysconfig.get_config_var("EXE") or "")
    folders = [sysconfig.get_path("scripts")]
    user_scheme = {"posix": "posix_user", "nt": "nt_user"}.get(os.name)
    if sys.platform == "darwin" and sys._framework:  # type: ignore[attr-defined]
        user_scheme = "osx_framework_user"
    if user_scheme:
        folders.append(sysconfig.get_path("scripts", scheme=user_scheme))
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folders.append(os.path.join(package_root, "bin"))
    for folder in folders:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(f"{name} is not in any of {', '.join(folders)}; reinstall the pycache-guard wheel")
