"""The scheduled jobs of `ipmonitor serve`: each a few lines over the core, run and recorded by jobs.runner.

Nothing lives in this file on purpose: an editable install made before it
existed maps `jobs` as a namespace package, and every module still works.
"""
