"""The scheduled jobs of `ipmonitor serve`: one layer above the core (it imports `ipmonitor.*`, never
`ipmonitor.cli`), imported only by the CLI. schedule.py builds the scheduler; runner.py runs and
records one job; inbox.py, fetch.py, report.py and backup.py are each a few lines over the core."""
