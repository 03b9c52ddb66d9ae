"""The report job: rebuild the pages for the current year and the week's archive snapshot."""

from __future__ import annotations

from ipmonitor import app

from .context import Context, Result


def run(home: app.Home, ctx: Context) -> Result:
    from ipmonitor.render import build_pages  # the pages capability; imported when the job runs

    today = home.today()
    index = build_pages(home, year=today.year, as_of=today, out=home.settings.path("reports"))
    return Result("ok", 1, f"pages for {today.year} as of {today.isoformat()} in {index.parent}")
