"""ipmonitor: import patent agencies' exports, attribute filings to the district's entities,
measure progress against the year's goals, and publish it."""

__all__ = ["__version__"]
__version__ = "0.1.0"


def _sqlite_utils_without_pandas() -> None:
    """sqlite-utils imports pandas when it is installed (about half a second at every start) only
    to convert pandas values on insert, which ipmonitor never asks of it: import it with pandas
    hidden, so that start-up pays only for what a command uses."""
    import sys
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        return
    sys.modules["pandas"] = None   # makes `import pandas` raise ImportError, which it handles
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        del sys.modules["pandas"]


_sqlite_utils_without_pandas()
