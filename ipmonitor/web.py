"""The pages over HTTP: a read-only WSGI app over the reports folder, served by waitress in `serve`.

Rules (docs/operations.md, "The pages on the intranet"):
- GET and HEAD only (405 with `Allow` otherwise); query strings are ignored;
- a path is split on `/` after waitress's one percent-decoding; a segment that is `.` or `..`,
  starts with a dot, or holds a backslash or NUL is refused (404); nothing is decoded twice;
- every name is opened relative to the folder above it with O_NOFOLLOW: no symbolic link is ever
  followed, so nothing outside the reports folder can be reached;
- a folder serves its index.html (`/archive` redirects to `/archive/`), never a listing; a folder
  without one is 404 (with or without the slash);
- the reports folder is looked up for every request (no cached listing or handle); the page swap
  renames folders, so a lookup that finds the folder gone or replaced half-way starts again;
  a file once open is read whole even if the swap deletes it meanwhile;
- ETag (inode, size, mtime) and Last-Modified with 304s, single byte ranges (206/416),
  `Cache-Control: no-cache` (browsers revalidate: a new week's pages show at once);
- `.csv` and `.xlsx` are downloads (Content-Disposition: attachment), text is UTF-8;
- with `[web] users`, HTTP basic authentication against scrypt hashes (`web-password`).
"""

from __future__ import annotations

import base64
import email.utils
import errno
import hashlib
import hmac
import logging
import os
import secrets
import stat
import threading
import time
import urllib.parse
from pathlib import Path

from .words import say

CHUNK = 256 * 1024
SWAP_RETRIES = 100            # × SWAP_WAIT: how long a request waits out a page swap at most
SWAP_WAIT = 0.01
REALM = "ipmonitor"
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}

TYPES = {
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".ico": "image/x-icon", ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DOWNLOADS = (".csv", ".xlsx")

PAGES = {404: "web.not_found", 405: "web.not_allowed", 401: "web.login", 416: "web.bad_range",
         "nopages": "web.no_pages"}          # the words (ipmonitor/words.py) of each answer page
REASONS = {200: "OK", 206: "Partial Content", 301: "Moved Permanently", 304: "Not Modified",
           401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
           416: "Range Not Satisfiable", 503: "Service Unavailable"}


# --- password hashes ----------------------------------------------------------------------------------

def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$16384$8$1$<salt>$<key>` (base64): everything needed to check the password again."""
    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode("ascii")   # noqa: E731
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${b64(salt)}${b64(key)}"


def parse_hash(text: str) -> tuple[int, int, int, bytes, bytes]:
    """(n, r, p, salt, key) of a hash made by hash_password; ValueError when it is not one."""
    parts = str(text).split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("not a scrypt hash")
    n, r, p = (int(x) for x in parts[1:4])
    if n < 2 or n & (n - 1) or n > 2 ** 20 or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise ValueError("scrypt parameters out of range")
    salt, key = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    if len(salt) < 8 or len(key) < 16:
        raise ValueError("salt or key too short")
    return n, r, p, salt, key


def check_password(password: str, hashed: str) -> bool:
    n, r, p, salt, key = parse_hash(hashed)
    got = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024,
                         dklen=len(key))
    return hmac.compare_digest(got, key)


class BasicAuth:
    """Checks `Authorization: Basic …` against {user: hash}. A scrypt check costs ~50 ms, so a
    successful pair is remembered (as an HMAC under a key that lives only in this process) and
    later requests compare digests; failures are never remembered."""

    def __init__(self, users: dict[str, str]):
        self.users = dict(users)
        self._key = secrets.token_bytes(32)
        self._ok: set[bytes] = set()
        self._lock = threading.Lock()
        self._dummy = hash_password(secrets.token_hex(8))   # unknown users cost the same time

    def allows(self, header: str | None) -> bool:
        if not header or not header[:6].lower() == "basic ":
            return False
        try:
            user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        mark = hmac.new(self._key, f"{user}\0{password}".encode(), hashlib.sha256).digest()
        with self._lock:
            if any(hmac.compare_digest(mark, m) for m in self._ok):
                return True
        hashed = self.users.get(user)
        ok = check_password(password, hashed or self._dummy) and hashed is not None
        if ok:
            with self._lock:
                if len(self._ok) > 256:
                    self._ok.clear()
                self._ok.add(mark)
        return ok


# --- finding a file -----------------------------------------------------------------------------------

class NotFound(Exception):
    pass


class Redirect(Exception):
    pass


def split_path(path_info: str) -> list[str] | None:
    """The segments of a request path, or None when the path is refused."""
    try:
        path = path_info.encode("latin-1").decode("utf-8")     # PEP 3333: bytes as latin-1
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    parts = [p for p in path.split("/") if p]
    for p in parts:
        if p.startswith(".") or "\\" in p or "\0" in p:
            return None
    return parts


_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def open_file(root: str, parts: list[str], trailing_slash: bool) -> tuple[int, os.stat_result, str]:
    """(fd, stat, file name) of the regular file the segments name under root, walking folder by
    folder without following any link. Raises NotFound, or Redirect for a folder named without `/`."""
    fds = []
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        fds.append(fd)
        for p in parts[:-1]:
            fd = os.open(p, _DIR, dir_fd=fd)
            fds.append(fd)
        name = parts[-1] if parts else ""
        if name:
            f = os.open(name, _FILE, dir_fd=fd)
            st = os.fstat(f)
            if stat.S_ISDIR(st.st_mode):
                fds.append(f)
                if not trailing_slash:      # `/archive` → `/archive/`, when there is a page to see
                    inner = os.stat("index.html", dir_fd=f, follow_symlinks=False)
                    raise Redirect(name + "/") if stat.S_ISREG(inner.st_mode) else NotFound()
                fd, name = f, ""
            elif stat.S_ISREG(st.st_mode):
                return f, st, name
            else:
                os.close(f)
                raise NotFound()
        f = os.open("index.html", _FILE, dir_fd=fd)
        st = os.fstat(f)
        if not stat.S_ISREG(st.st_mode):
            os.close(f)
            raise NotFound()
        return f, st, "index.html"
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EACCES, errno.ENAMETOOLONG,
                       errno.EINVAL):
            raise NotFound() from None
        raise
    finally:
        for d in fds:
            os.close(d)


def _identity(path: str):
    try:
        st = os.stat(path)
        return st.st_dev, st.st_ino
    except OSError:
        return None


def _swapping(root: str, seen) -> bool:
    """Was the reports folder renamed away or replaced while we looked (the page swap)?"""
    now = _identity(root)
    if now is None:          # gone: is a build's folder beside it (`.reports.old-…`, `.reports.new-…`)?
        head, name = os.path.split(root.rstrip("/"))
        try:
            return any(e.name.startswith(f".{name}.") and e.is_dir(follow_symlinks=False)
                       for e in os.scandir(head))
        except OSError:
            return False
    return now != seen


def find(root: str, parts: list[str], trailing_slash: bool):
    for _ in range(SWAP_RETRIES):
        seen = _identity(root)
        try:
            return open_file(root, parts, trailing_slash)
        except NotFound:
            if not _swapping(root, seen):
                raise
        time.sleep(SWAP_WAIT)
    raise NotFound()


# --- the HTTP side ------------------------------------------------------------------------------------

def etag_of(st: os.stat_result) -> str:
    return f'"{st.st_ino:x}-{st.st_size:x}-{st.st_mtime_ns:x}"'


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    strong = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == strong for t in header.split(","))


def not_modified(environ, etag: str, mtime: float) -> bool:
    inm = environ.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        return _etag_matches(inm, etag)
    ims = environ.get("HTTP_IF_MODIFIED_SINCE")
    if ims:
        try:
            return int(mtime) <= email.utils.parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


def byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(first, last) of a single `bytes=` range, "unsatisfiable", or None (serve it all)."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None                                # other units, several ranges: the whole file
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if first == "":
            n = int(last)
            if n <= 0:
                return "unsatisfiable"
            return max(0, size - n), size - 1
        a = int(first)
        b = int(last) if last else size - 1
    except ValueError:
        return None
    if a >= size:
        return "unsatisfiable"
    if a < 0 or b < a:
        return None
    return a, min(b, size - 1)


class FileBody:
    """The bytes [start, start+length) of an open fd, read in chunks; closes the fd at the end."""

    def __init__(self, fd: int, start: int, length: int):
        self.fd, self.pos, self.left = fd, start, length

    def __iter__(self):
        while self.left > 0:
            chunk = os.pread(self.fd, min(CHUNK, self.left), self.pos)
            if not chunk:
                break
            self.pos += len(chunk)
            self.left -= len(chunk)
            yield chunk

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urllib.parse.quote(name)}"


class PagesApp:
    """The WSGI application. `root` is the reports folder, looked up anew for every request."""

    def __init__(self, root: Path, users: dict[str, str] | None = None, lang: str = "zh-CN"):
        self.root = os.path.abspath(root)
        self.auth = BasicAuth(users) if users else None
        self.lang = "en" if lang.lower().startswith("en") else "zh-CN"

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return self._page(start_response, 405, method, [("Allow", "GET, HEAD")])
        if self.auth and not self.auth.allows(environ.get("HTTP_AUTHORIZATION")):
            return self._page(start_response, 401, method,
                              [("WWW-Authenticate", f'Basic realm="{REALM}", charset="UTF-8"')])
        path = environ.get("PATH_INFO", "") or "/"
        parts = split_path(path)
        if parts is None:
            return self._page(start_response, 404, method)
        try:
            fd, st, name = find(self.root, parts, path.endswith("/"))
        except Redirect as r:
            return self._redirect(start_response, str(r.args[0]))
        except NotFound:
            return self._page(start_response, 404 if os.path.isdir(self.root) else "nopages", method)
        return self._file(environ, start_response, method, fd, st, name)

    def _file(self, environ, start_response, method, fd, st, name):
        ext = os.path.splitext(name)[1].lower()
        etag = etag_of(st)
        headers = [("ETag", etag), ("Last-Modified", email.utils.formatdate(st.st_mtime, usegmt=True)),
                   ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff")]
        if not_modified(environ, etag, st.st_mtime):
            os.close(fd)
            start_response("304 Not Modified", headers)
            return []
        headers += [("Content-Type", TYPES.get(ext, "application/octet-stream")), ("Accept-Ranges", "bytes")]
        if ext in DOWNLOADS:
            headers.append(("Content-Disposition", _disposition(name)))
        size, status, start = st.st_size, "200 OK", 0
        if_range = environ.get("HTTP_IF_RANGE")
        wanted = byte_range(environ.get("HTTP_RANGE"), size)
        if wanted is not None and if_range and not _etag_matches(if_range, etag) \
                and if_range.strip() != headers[1][1]:
            wanted = None                                   # changed since: send it all
        if wanted == "unsatisfiable":
            os.close(fd)
            return self._page(start_response, 416, method, [("Content-Range", f"bytes */{size}")])
        length = size
        if wanted is not None:
            start, last = wanted
            length = last - start + 1
            status = "206 Partial Content"
            headers.append(("Content-Range", f"bytes {start}-{last}/{size}"))
        headers.append(("Content-Length", str(length)))
        start_response(status, headers)
        if method == "HEAD":
            os.close(fd)
            return []
        return FileBody(fd, start, length)

    def _redirect(self, start_response, location: str):
        start_response("301 Moved Permanently", [("Location", urllib.parse.quote(location)),
                                                 ("Content-Length", "0"), ("Cache-Control", "no-cache")])
        return []

    def _page(self, start_response, code, method, extra=()):
        title, text = say(f"{PAGES[code]}.title", self.lang), say(f"{PAGES[code]}.text", self.lang)
        status = 404 if code == "nopages" else code
        body = (f'<!doctype html><html lang="{self.lang}"><meta charset="utf-8">'
                f"<title>{title}</title><h1>{title}</h1><p>{text}</p></html>\n").encode()
        start_response(f"{status} {REASONS[status]}",
                       [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
                        ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff"), *extra])
        return [] if method == "HEAD" else [body]


# --- the server ---------------------------------------------------------------------------------------

class WebServer:
    """waitress on `host:port` in a thread of its own; `close()` stops it (within a second or so)."""

    def __init__(self, app, host: str, port: int, threads: int = 4, log: logging.Logger | None = None):
        from waitress.server import create_server

        wlog = logging.getLogger("waitress")
        if log is not None:
            wlog.handlers[:] = list(log.handlers)
            wlog.propagate = False
        wlog.setLevel(logging.ERROR)
        # `create_server` binds here: a port in use raises OSError before anything else starts.
        self.server = create_server(app, host=host, port=port, threads=threads, ident="ipmonitor",
                                    clear_untrusted_proxy_headers=True, channel_timeout=30,
                                    expose_tracebacks=False)
        self.host, self.port = host, self.server.effective_port
        self.thread = threading.Thread(target=self._run, name="web", daemon=True)

    def _run(self):
        try:
            self.server.run()
        except (OSError, ValueError):      # the sockets closed under the loop by close()
            pass

    def start(self) -> WebServer:
        self.thread.start()
        return self

    def close(self, timeout: float = 2.0) -> None:
        """Close every socket from inside the server's loop (woken by its trigger), so the loop
        ends at once; then let the request threads finish (`timeout` at most)."""
        smap = self.server._map

        def close_all():
            for d in list(smap.values()):
                try:
                    d.handle_close()
                except OSError:
                    pass
        if self.thread.is_alive():
            self.server.trigger.pull_trigger(close_all)
            self.thread.join(timeout)
        if smap:
            close_all()
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=timeout)
