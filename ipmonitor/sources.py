"""Fetching the agencies' exports over HTTP (httpx): conditional, streamed, atomic, retried.

Per source: one GET with the ETag / Last-Modified of the last success; the
body streams into a dot-named temporary file in inbox/ (which the inbox job
ignores) and is renamed to `<source>-<UTC timestamp>.<ext>` only when complete
and fsynced. Connection errors, read timeouts and 5xx are retried a bounded
number of times with backoff; 4xx is reported, not retried. The bearer token
is read from the environment for each request and never stored, logged or
put into a message (a validator — ETag, Last-Modified — that echoes it is
not kept).

Limits: the bytes written (after httpx undoes gzip/deflate, so a bomb is
counted at its real size) may not pass `[import] max_file_mb`; all attempts
at one source share `[jobs.fetch] deadline` seconds (a trickling server is cut
off); an HTML page is refused by its content type and by its first bytes.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from . import app, clock, words
from .config import FETCH_DEADLINE, Settings, Source
from .errors import FetchFailed, FetchRetryable, UsageError
from .files import fsync_dir, place, temp_file
from .inbox import INBOX
from .store import records, runs

TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=30.0, pool=10.0)
PART_MAX_AGE = 3600.0          # seconds; an older leftover temporary download is removed
HTML_TYPES = ("text/html", "application/xhtml+xml")
SNIFF_BYTES = 1024
XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "application/vnd.ms-excel"}


@dataclass(frozen=True)
class Retry:
    """`attempts` in all; between them first_delay·factor^n seconds (at most max_delay). A 5xx's
    Retry-After is honoured up to max_retry_after; a longer one ends this run's tries."""
    attempts: int = 4
    first_delay: float = 1.0
    factor: float = 3.0
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, failed: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait after the `failed`-th failed attempt, or None: give up."""
        if failed >= self.attempts or (retry_after is not None and retry_after > self.max_retry_after):
            return None
        backoff = min(self.first_delay * self.factor ** (failed - 1), self.max_delay)
        return backoff if retry_after is None else max(retry_after, backoff)

    def schedule(self) -> list[float]:
        return [self.delay(n) for n in range(1, self.attempts)]


RETRY = Retry()


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    now = now or clock.utc_now()
    return max(0.0, (when - now).total_seconds())


def extension(url: str, content_type: str | None, head: bytes = b"") -> str:
    """.xlsx or .csv: from the URL's path, else the content type, else the first bytes."""
    path = urlsplit(url).path.lower()
    for ext in (".xlsx", ".csv"):
        if path.endswith(ext):
            return ext
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in XLSX_TYPES or head.startswith(b"PK\x03\x04"):
        return ".xlsx"
    return ".csv"


def looks_like_html(head: bytes) -> bool:
    """True when the first bytes of a body are an HTML or XHTML page (a login or error page)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    t = head.lstrip(b"\xef\xbb\xbf \t\r\n\x0c").lower()
    if t.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return True
    return t.startswith((b"<?xml", b"<!--")) and (b"xhtml" in t or b"<html" in t or b"<!doctype html" in t)


def file_name(source: str, now: dt.datetime, ext: str) -> str:
    return f"{source}-{now.astimezone(dt.timezone.utc).strftime('%Y%m%dT%H%M%SZ')}{ext}"


def select(settings: Settings, only: str | None = None) -> tuple[Source, ...]:
    if only is None:
        return settings.sources
    chosen = tuple(s for s in settings.sources if s.name == only)
    if not chosen:
        names = ", ".join(s.name for s in settings.sources) or words.say("cli.fetch.none_names")
        raise UsageError(words.say("error.no_source", name=only, names=names))
    return chosen


def new_client(**kw) -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, follow_redirects=True,
                        headers={"User-Agent": "ipmonitor"}, **kw)


def fetch_all(home: app.Home, only: str | None = None, *, client: httpx.Client | None = None,
              retry: Retry = RETRY, stop: threading.Event | None = None) -> list[dict]:
    """Fetch every configured source (or only the one named); one result dict per source."""
    chosen = select(home.settings, only)
    if not chosen:
        return []
    own = client is None
    client = client or new_client()
    try:
        return [fetch_source(home, s, client=client, retry=retry, stop=stop) for s in chosen]
    finally:
        if own:
            client.close()


def fetch_source(home: app.Home, source: Source, *, client: httpx.Client, retry: Retry = RETRY,
                 stop: threading.Event | None = None) -> dict:
    """One source: `status` new (a file dropped into inbox/), unchanged (same bytes as before),
    not_modified (304) or failed (`error` says why; nothing was dropped)."""
    stop = stop or threading.Event()
    result = {"source": source.name, "status": "failed", "file": None, "bytes": 0,
              "sha256": None, "attempts": 0, "error": None}
    token = None
    if source.token_env:
        token = os.environ.get(source.token_env)
        if not token:
            result["error"] = f"the environment variable {source.token_env} (token_env) is not set"
            return result
    state = runs.fetch_state(home.db, source.name)
    headers = {"Accept": "text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, */*"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if state["etag"]:
        headers["If-None-Match"] = state["etag"]
    if state["last_modified"]:
        headers["If-Modified-Since"] = state["last_modified"]
    inbox = home.settings.path(INBOX)
    inbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    _clean_parts(inbox, source.name)
    limits = Limits(home.settings.max_file_mb * 2**20,
                    time.monotonic() + (home.settings.jobs["fetch"].deadline or FETCH_DEADLINE),
                    home.settings.max_file_mb, home.settings.jobs["fetch"].deadline or FETCH_DEADLINE)

    while True:
        result["attempts"] += 1
        try:
            got = _download(client, source, headers, inbox, stop, limits)
            break
        except FetchRetryable as e:
            wait = retry.delay(result["attempts"], e.retry_after)
            if wait is None:
                why = (f"the server asks to retry after {e.retry_after:.0f} s"
                       if e.retry_after is not None and e.retry_after > retry.max_retry_after
                       else f"gave up after {result['attempts']} attempt(s)")
                result["error"] = _scrub(f"{e}; {why}", token)
                return result
            if time.monotonic() + wait >= limits.deadline_at:
                result["error"] = _scrub(f"{e}; {limits.late()}", token)
                return result
            if stop.wait(wait):
                result["error"] = _scrub(f"{e}; stopped by shutdown before retrying", token)
                return result
        except FetchFailed as e:
            result["error"] = _scrub(str(e), token)
            return result

    if got is None:
        runs.save_fetch_state(home.db, source.name, etag=None, last_modified=None, fetched=False)
        return {**result, "status": "not_modified"}
    tmp, sha, size, etag, last_modified, ext = got
    if token:       # a server that echoes the token in a validator: the validator is not kept
        etag = None if etag and token in etag else etag
        last_modified = None if last_modified and token in last_modified else last_modified
    try:
        if sha == state["sha256"] or records.find_import(home.db, "filings", sha):
            tmp.unlink()
            status, name = "unchanged", None
        else:
            dest = place(tmp, inbox, file_name(source.name, clock.utc_now(), ext))
            fsync_dir(inbox)
            status, name = "new", dest.name
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    runs.save_fetch_state(home.db, source.name, etag=etag, last_modified=last_modified,
                          sha256=sha, file=name, fetched=True)
    return {**result, "status": status, "file": name, "bytes": size, "sha256": sha}


@dataclass(frozen=True)
class Limits:
    """What one source's download may take: bytes written, and a monotonic time to be done by."""
    max_bytes: int
    deadline_at: float
    max_mb: int
    deadline: int

    def timeout(self, base: httpx.Timeout) -> httpx.Timeout:
        """The client's timeouts, none longer than the time left."""
        left = max(0.1, self.deadline_at - time.monotonic())
        cap = lambda t: left if t is None else min(t, left)   # noqa: E731
        return httpx.Timeout(connect=cap(base.connect), read=cap(base.read), write=cap(base.write),
                             pool=cap(base.pool))

    def late(self) -> str:
        return f"the download took longer than [jobs.fetch] deadline = {self.deadline} s; stopped, nothing kept"

    def too_big(self) -> str:
        return f"the download is larger than [import] max_file_mb = {self.max_mb} MB; stopped, nothing kept"


def _download(client: httpx.Client, source: Source, headers: dict, inbox: Path,
              stop: threading.Event, limits: Limits):
    """None for a 304, else (temporary path, sha256, size, etag, last_modified, ext)."""
    if time.monotonic() >= limits.deadline_at:
        raise FetchFailed(limits.late())
    try:
        with client.stream("GET", source.url, headers=headers, timeout=limits.timeout(client.timeout)) as r:
            code = r.status_code
            if code == 304:
                return None
            if code >= 500:
                raise FetchRetryable(f"HTTP {code} {r.reason_phrase}",
                                 parse_retry_after(r.headers.get("Retry-After")))
            if code >= 400:
                raise FetchFailed(f"HTTP {code} {r.reason_phrase} (not retried)")
            if code != 200:
                raise FetchFailed(f"unexpected answer HTTP {code} {r.reason_phrase}")
            if r.headers.get("Content-Type", "").lower().strip().startswith(HTML_TYPES):
                raise FetchFailed(HTML_PAGE)
            length = r.headers.get("Content-Length", "")
            if length.isdigit() and "Content-Encoding" not in r.headers and int(length) > limits.max_bytes:
                raise FetchFailed(limits.too_big())
            return _save(r, source, inbox, stop, limits)
    except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as e:
        raise FetchFailed(f"{type(e).__name__}: {e}") from None
    except httpx.TransportError as e:       # connection errors, timeouts, a cut-off body
        if time.monotonic() >= limits.deadline_at:
            raise FetchFailed(limits.late()) from None
        raise FetchRetryable(f"{type(e).__name__}: {e}") from None
    except httpx.HTTPError as e:            # too many redirects, undecodable body, …
        raise FetchFailed(f"{type(e).__name__}: {e}") from None


HTML_PAGE = "the server answered with an HTML page, not an export (a login page?)"


def _save(r: httpx.Response, source: Source, inbox: Path, stop: threading.Event, limits: Limits):
    fd, tmp = temp_file(inbox, f".{source.name}-", ".part")
    try:
        digest, size, head, sniffed = hashlib.sha256(), 0, b"", False
        with os.fdopen(fd, "wb") as f:
            for chunk in r.iter_bytes():
                if stop.is_set():
                    raise FetchFailed("stopped by shutdown during the download (nothing kept)")
                size += len(chunk)
                if size > limits.max_bytes:
                    raise FetchFailed(limits.too_big())
                if time.monotonic() > limits.deadline_at:
                    raise FetchFailed(limits.late())
                if not sniffed:
                    head += chunk[:SNIFF_BYTES - len(head)]
                    if len(head) >= SNIFF_BYTES:
                        sniffed = True
                        if looks_like_html(head):
                            raise FetchFailed(HTML_PAGE)
                f.write(chunk)
                digest.update(chunk)
            if not sniffed and looks_like_html(head):
                raise FetchFailed(HTML_PAGE)
            f.flush()
            os.fsync(f.fileno())
        length = r.headers.get("Content-Length", "")
        if length.isdigit() and int(length) != r.num_bytes_downloaded:
            raise FetchRetryable(f"incomplete download: {r.num_bytes_downloaded} of {length} bytes")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return (tmp, digest.hexdigest(), size, r.headers.get("ETag"), r.headers.get("Last-Modified"),
            extension(source.url, r.headers.get("Content-Type"), head))


def _clean_parts(inbox: Path, source: str) -> None:
    """Remove this source's temporary downloads left by a process that was killed."""
    cutoff = clock.file_time() - PART_MAX_AGE
    for part in inbox.glob(f".{source}-*.part"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
        except FileNotFoundError:
            pass


def _scrub(text: str, token: str | None) -> str:
    return text.replace(token, "***") if token else text


def summary(results: list[dict]) -> tuple[str, int, str]:
    """(outcome, items, message) of one fetch run: failed when a source failed."""
    if not results:
        return "ok", 0, words.say("cli.fetch.none")
    message = words.say("label.parts_sep").join(
        words.say("fetch.source", source=r["source"], what=words.say("fetch." + r["status"], **{
            k: r.get(k) for k in ("file", "bytes", "error")})) for r in results)
    outcome = "failed" if any(r["status"] == "failed" for r in results) else "ok"
    return outcome, sum(r["status"] == "new" for r in results), message
