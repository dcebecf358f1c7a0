"""cms-sync: an article series as markdown in git, published to WordPress."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cms-sync")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
