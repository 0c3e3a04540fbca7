"""brink: Monte Carlo simulation of crises where parties negotiate while
they fight, from Python. See ``brink._api`` for the API and
``docs/outputs.md`` for every column."""

from ._api import *  # noqa: F401,F403
from ._api import __all__ as _api_all
from ._brink import __version__

__all__ = list(_api_all) + ["__version__"]
