"""ipmonitor: import patent agencies' exports, attribute filings to the district's entities,
measure progress against the year's goals, and publish it."""

__all__ = ["__version__"]
__version__ = "0.1.0"
