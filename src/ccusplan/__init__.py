"""ccusplan — plan CO2 capture, transport and storage (CCUS) build-out with MILP."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ccusplan")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
