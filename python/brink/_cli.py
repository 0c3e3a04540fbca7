"""Finding the ``brink`` command-line binary, the same way everywhere (the
notebook, the tests, the examples): ``$BRINK_BIN``, then ``brink`` on
``PATH``, then ``$CARGO_TARGET_DIR/release/brink``, then
``<repo>/target/release/brink``.
"""

import os
import shutil
from pathlib import Path
from typing import List, Optional, Union


def cli_candidates(repo: Optional[Union[str, Path]] = None) -> List[Path]:
    """The places :func:`find_cli` looks, in order (those that apply)."""
    out = []
    env = os.environ.get("BRINK_BIN")
    if env:
        out.append(Path(env))
    on_path = shutil.which("brink")
    if on_path:
        out.append(Path(on_path))
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        base = Path(target)
        if not base.is_absolute() and repo is not None:
            base = Path(repo) / base  # cargo reads it relative to where it runs
        out.append(base / "release" / "brink")
    if repo is not None:
        out.append(Path(repo) / "target" / "release" / "brink")
    return out


def find_cli(repo: Optional[Union[str, Path]] = None) -> Optional[Path]:
    """The first existing binary of :func:`cli_candidates`, or None.

    ``$BRINK_BIN`` is taken as given: if it is set, it is returned even if
    it does not exist, so that a wrong setting fails loudly rather than
    silently running another binary.
    """
    env = os.environ.get("BRINK_BIN")
    if env:
        return Path(env)
    for p in cli_candidates(repo):
        if p.is_file():
            return p
    return None
