"""The weekly mail to the leaders: the year's headline (plain text and HTML), the link, the Excel file.

The numbers are the progress document of `progress --json` (the pages' numbers); the words are
Chinese unless `[district] language = "en"`. Sending uses smtplib; every failure to send
(connection, TLS, authentication, a refused sender or recipient, a 4xx/5xx) is raised as
MailFailed with one line that never contains the password.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import html
import smtplib
import ssl
import time
from decimal import ROUND_HALF_UP, Decimal
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from . import clock
from .errors import MailFailed
from .ledger import anchor_line
from .words import say

TIMEOUT = 30                  # seconds for the connection and each SMTP reply
MAX_ATTACHMENT = 10 * 1024 * 1024   # bigger exports are not attached (the body says where to get them)
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")

def whole(x) -> int:
    """A count for people: half-up to a whole number (196.5 → 197)."""
    return int(Decimal(str(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def say_date(d: dt.date, lang: str) -> str:
    return say("label.date", lang, year=d.year, month=d.month, day=d.day)


def status_word(code: str | None, lang: str) -> str:
    return say(f"status.{code or 'none'}", lang)


def goal_phrases(goal: dict, lang: str) -> list[str]:
    """The phrases of one goal (all filings or inventions), in order."""
    count, target = goal["count"], goal.get("goal")
    if target:
        parts = [say("mail.of_goal", lang, count=count, goal=target, percent=f"{count * 100 / target:.1f}%")]
    else:
        parts = [say("mail.count", lang, count=count)]
    if goal.get("expected") is not None:
        parts.append(say("mail.expected", lang, n=whole(goal["expected"])))
    if goal.get("projected") is not None:
        parts.append(say("mail.projected", lang, n=whole(goal["projected"])))
    gap = goal.get("gap")
    if gap is not None:
        n = whole(abs(gap))
        parts.append(say("mail.level", lang) if n == 0 else say("mail.behind" if gap < 0 else "mail.ahead", lang, n=n))
    if goal.get("needed_per_week") is not None:
        parts.append(say("mail.needed", lang, n=f"{goal['needed_per_week']:.1f}"))
    return parts


def headline(doc: dict, lang: str = "zh-CN") -> dict:
    """What the mail says, as data: subject, title, as-of, one row per goal, the extra lines."""
    date = say_date(dt.date.fromisoformat(doc["as_of"]), lang)
    rows = [{"label": say(f"mail.{key}", lang), "status": status_word(doc[key].get("status"), lang),
             "phrases": goal_phrases(doc[key], lang)} for key in ("filings", "invention")]
    extra = []
    prev = doc.get("previous_year")
    if prev:
        extra.append(say("mail.previous", lang, filings=prev["filings"], invention=prev["invention"]))
    if doc.get("weekly"):
        last = doc["weekly"][-1]
        extra.append(say("mail.this_week", lang, new=last["new"], invention=last["invention_new"]))
    if "subsidy_head" in doc:   # the subsidy log's anchor (docs/reliability.md): kept outside the database
        extra.append(anchor_line(doc["subsidy_head"], lang))
    return {
        "subject": say("mail.subject", lang, district=doc["district"], year=doc["year"], date=date,
                       status=status_word(doc["filings"].get("status"), lang)),
        "title": say("mail.title", lang, district=doc["district"], year=doc["year"]),
        "as_of": say("mail.as_of", lang, date=date), "rows": rows, "extra": extra,
    }


def compose(doc: dict, *, sender: str, to: list[str], url: str | None = None,
            attachment: Path | None = None, lang: str = "zh-CN",
            now: dt.datetime | None = None) -> EmailMessage:
    """The message: plain text and HTML alternatives, and the workbook when it exists."""
    h = headline(doc, lang)
    sep = say("label.list_sep", lang)
    data, note = None, None
    if attachment is not None:
        data = _read(attachment)
        if data is not None and len(data) > MAX_ATTACHMENT:
            data, note = None, say("mail.too_big", lang, name=attachment.name)
        elif data is not None:
            note = say("mail.attached", lang, name=attachment.name)

    text = [h["title"], h["as_of"], ""]
    for r in h["rows"]:
        text += [say("mail.heading", lang, label=r["label"], status=r["status"]), "  " + sep.join(r["phrases"])]
    text += ["", *h["extra"]]
    if url:
        text += ["", say("mail.link", lang, url=url)]
    if note:
        text += ["", note]
    text += ["", "—— " + say("mail.footer", lang)]

    e = html.escape
    rows = "".join(
        f'<tr><th style="text-align:left;padding:4px 12px 4px 0">{e(r["label"])}</th>'
        f'<td style="padding:4px 12px 4px 0"><strong>{e(r["status"])}</strong></td>'
        f'<td style="padding:4px 0">{e(sep.join(r["phrases"]))}</td></tr>' for r in h["rows"])
    link = (f'<p><a href="{e(url)}">{e(say("mail.link_html", lang))}</a>{e(say("mail.url_aside", lang, url=url))}</p>'
            if url else "")
    body = (f'<!doctype html><html lang="{e(lang)}"><head><meta charset="utf-8"><title>{e(h["title"])}</title>'
            f'</head><body style="font-family:sans-serif;line-height:1.5">'
            f'<h1 style="font-size:20px">{e(h["title"])}</h1><p>{e(h["as_of"])}</p>'
            f'<table style="border-collapse:collapse">{rows}</table>'
            + "".join(f"<p>{e(x)}</p>" for x in h["extra"]) + link
            + (f"<p>{e(note)}</p>" if note else "")
            + f'<p style="color:#555">{e(say("mail.footer", lang))}</p></body></html>')

    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = h["subject"]
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = email.utils.format_datetime(now or clock.utc_now())
    msg["Message-ID"] = email.utils.make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    msg.set_content("\n".join(text) + "\n", charset="utf-8")
    msg.add_alternative(body, subtype="html", charset="utf-8")
    if data is not None:
        msg.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=attachment.name)
    return msg


def _read(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist (read once: a page swap may rename it)."""
    for _ in range(3):
        try:
            return path.read_bytes()
        except FileNotFoundError:
            if not path.parent.exists():   # the swap's gap: the folder is back a moment later
                time.sleep(0.05)
                continue
            return None
    return None


def send(msg: EmailMessage, *, host: str, port: int, user: str | None = None, password: str | None = None,
         starttls: bool = False, timeout: float = TIMEOUT, lang: str = "zh-CN") -> list[str]:
    """Deliver `msg` to its To addresses; returns them. Raises MailFailed (one line, no password)."""
    where = f"{host}:{port}"

    def failed(key: str, **fmt) -> MailFailed:
        return MailFailed(say(f"mail.fail.{key}", lang, where=where, **fmt))
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as s:
            s.ehlo()
            if starttls:
                s.starttls(context=ssl.create_default_context())
                s.ehlo()
            if user:
                _login(s, user, password or "")
            refused = s.send_message(msg)
    except smtplib.SMTPAuthenticationError as e:
        raise failed("login", user=user, reply=_reply(e)) from None
    except smtplib.SMTPRecipientsRefused as e:
        raise failed("recipients", to=", ".join(e.recipients),
                     reply=_reply(next(iter(e.recipients.values())))) from None
    except smtplib.SMTPSenderRefused as e:
        raise failed("sender", sender=e.sender, reply=_reply(e)) from None
    except smtplib.SMTPNotSupportedError as e:
        raise failed("unsupported", reply=str(e)) from None
    except smtplib.SMTPResponseException as e:
        raise failed("reply", reply=_reply(e)) from None
    except ssl.SSLError as e:
        raise failed("tls", reply=str(e.reason or e)) from None
    except TimeoutError:
        raise failed("timeout", seconds=f"{timeout:g}") from None
    except smtplib.SMTPServerDisconnected as e:
        raise (failed("timeout", seconds=f"{timeout:g}") if "timed out" in str(e) else failed("dropped")) from None
    except (OSError, smtplib.SMTPException) as e:
        raise failed("connect", reply=getattr(e, "strerror", None) or str(e)) from None
    if refused:
        raise failed("partial", to=", ".join(refused), reply=_reply(next(iter(refused.values()))))
    return [a.addr_spec for a in msg["To"].addresses]


def _login(s: smtplib.SMTP, user: str, password: str) -> None:
    try:
        s.login(user, password)
    except UnicodeEncodeError:     # smtplib sends credentials as ASCII; AUTH PLAIN is UTF-8 (RFC 4616)
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
        code, reply = s.docmd("AUTH", f"PLAIN {token}")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply) from None


def _reply(e) -> str:
    """An SMTP reply as `550 text`, whether given as an exception or a (code, message) pair."""
    code, text = (e.smtp_code, e.smtp_error) if hasattr(e, "smtp_code") else e
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(f"{code} {text}".split())
