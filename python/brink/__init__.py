"""brink: Monte Carlo simulation of crises where parties negotiate while
they fight, from Python.

- Run the engine in-process: ``run``, ``sweep``, ``run_shard``, ``params``,
  ``calibrate`` (ABC-SMC, as ``brink calibrate``)
  (``brink._api``, over the compiled ``brink._brink``); same numbers as the
  CLI for the same seed and overrides.
- Read the CLI's output directories: ``read_run``, and the notebook's
  reductions ``survival`` and ``fan`` (``brink._read``).
- Find the CLI: ``find_cli`` (``$BRINK_BIN``, ``PATH``,
  ``$CARGO_TARGET_DIR``, then the repository's ``target/``).

``docs/outputs.md`` documents every column.
"""

from ._api import *  # noqa: F401,F403
from ._api import __all__ as _api_all
from ._brink import __version__
from ._cli import cli_candidates, find_cli
from ._read import Run, fan, read_run, survival

__all__ = list(_api_all) + ["Run", "read_run", "survival", "fan", "find_cli", "cli_candidates", "__version__"]
