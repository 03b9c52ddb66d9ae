"""The mail job: the week's headline to `[mail] to`, after each report run or on its own schedule."""

from __future__ import annotations

import os

from ipmonitor import app, clock
from ipmonitor.errors import MailFailed
from ipmonitor.mail import compose, send
from ipmonitor.words import say

from .context import Context, Result


def run(home: app.Home, ctx: Context) -> Result:
    settings = home.settings
    lang = getattr(settings, "language", "zh-CN")
    m = settings.mail
    if m is None:
        return Result("skipped", 0, say("mail.no_settings", lang))
    password = None
    if m.password_env:
        password = os.environ.get(m.password_env)
        if not password:
            raise MailFailed(say("mail.fail.no_password", lang, env=m.password_env))
    today = home.today()
    doc = app.progress(home, today.year, today)
    xlsx = settings.path("reports") / "exports" / f"progress-{today.year}.xlsx"
    msg = compose(doc, sender=m.sender, to=list(m.to), url=settings.web.public_url, attachment=xlsx,
                  lang=lang, now=clock.now(settings.tz))
    sent = send(msg, host=m.host, port=m.port, user=m.user, password=password, starttls=m.starttls, lang=lang)
    attached = any(p.get_filename() == xlsx.name for p in msg.iter_attachments())
    return Result("ok", len(sent), say("mail.sent", lang, year=today.year, n=len(sent), to=", ".join(sent))
                  + (say("mail.sent_with", lang, name=xlsx.name) if attached else ""))
