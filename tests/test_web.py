"""The pages over HTTP (ipmonitor.web): the WSGI app in a real waitress server on 127.0.0.1, asked
over real sockets — raw bytes for the path attacks, so that no client library tidies them first."""

from __future__ import annotations

import email.utils
import os
import socket
import threading
from pathlib import Path

import httpx
import pytest

from ipmonitor.publish import Build
from ipmonitor.web import PagesApp, WebServer, byte_range, check_password, hash_password, parse_hash

INDEX = "<!doctype html><html lang=\"zh-CN\"><title>宿豫区 2013 年专利工作进度</title><p>申请量 355 件</p></html>"
SECRET = "top-secret-outside-the-reports"
XLSX = b"PK\x03\x04" + bytes(range(256)) * 4          # what an .xlsx starts with, 1028 bytes


def write_pages(folder: Path, tag: str = "") -> None:
    (folder / "index.html").write_text(INDEX + tag, encoding="utf-8")
    (folder / "style.css").write_text("body{margin:0}", encoding="utf-8")
    (folder / "progress.json").write_text('{"year": 2013}', encoding="utf-8")
    (folder / "exports").mkdir()
    (folder / "exports" / "filings-2013.csv").write_bytes("\ufeff申请号,专利名称\n".encode("utf-8"))
    (folder / "exports" / "progress-2013.xlsx").write_bytes(XLSX)
    (folder / "archive" / "2013-W26").mkdir(parents=True)
    (folder / "archive" / "index.html").write_text("<p>每周存档</p>", encoding="utf-8")
    (folder / "archive" / "2013-W26" / "index.html").write_text("<p>第26周</p>" + tag, encoding="utf-8")
    (folder / "empty").mkdir()
    (folder / "empty" / "note.txt").write_text("a folder without index.html", encoding="utf-8")


@pytest.fixture
def site(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    write_pages(reports)
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "index.html").write_text(SECRET, encoding="utf-8")
    (reports / ".secret").write_text(SECRET, encoding="utf-8")
    (reports / ".hidden").mkdir()
    (reports / ".hidden" / "index.html").write_text(SECRET, encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", reports / "out.txt")
    os.symlink(tmp_path / "outside", reports / "outdir")
    os.symlink("index.html", reports / "alias.html")          # even a link that stays inside
    return reports


def serve(app):
    return WebServer(app, "127.0.0.1", 0).start()


@pytest.fixture
def server(site):
    s = serve(PagesApp(site))
    yield s
    s.close()


def raw(port: int, request: bytes) -> tuple[int, dict, bytes]:
    """Send bytes as they are; (status, headers lower-cased, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), headers, body


def get_raw(port: int, target: str, method: str = "GET") -> tuple[int, dict, bytes]:
    return raw(port, f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode("latin-1"))


def client(server, **kw) -> httpx.Client:
    return httpx.Client(base_url=f"http://127.0.0.1:{server.port}", trust_env=False, **kw)


def test_get_and_head_with_type_length_etag_and_dates(server, site):
    with client(server) as c:
        r = c.get("/")
        assert r.status_code == 200
        assert r.text == INDEX
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["content-length"] == str(len(INDEX.encode("utf-8")))
        st = os.stat(site / "index.html")
        assert r.headers["etag"] == f'"{st.st_ino:x}-{st.st_size:x}-{st.st_mtime_ns:x}"'
        assert r.headers["last-modified"] == email.utils.formatdate(st.st_mtime, usegmt=True)
        assert r.headers["cache-control"] == "no-cache"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert c.get("/index.html").text == INDEX

        h = c.head("/")
        assert h.status_code == 200 and h.content == b""
        assert h.headers["content-length"] == r.headers["content-length"]
        assert h.headers["etag"] == r.headers["etag"]

        assert c.get("/style.css").headers["content-type"] == "text/css; charset=utf-8"
        assert c.get("/progress.json").headers["content-type"] == "application/json; charset=utf-8"
        assert c.get("/archive/2013-W26/").text == "<p>第26周</p>"
        assert c.get("/index.html?week=26").text == INDEX        # a query string changes nothing


def test_csv_and_xlsx_are_downloads(server):
    with client(server) as c:
        csv = c.get("/exports/filings-2013.csv")
        assert csv.headers["content-type"] == "text/csv; charset=utf-8"
        assert csv.headers["content-disposition"] == \
            "attachment; filename=\"filings-2013.csv\"; filename*=UTF-8''filings-2013.csv"
        assert csv.content == "\ufeff申请号,专利名称\n".encode("utf-8")
        x = c.get("/exports/progress-2013.xlsx")
        assert x.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert x.headers["content-disposition"].startswith('attachment; filename="progress-2013.xlsx"')
        assert x.content == XLSX


def test_conditional_requests_answer_304(server):
    with client(server) as c:
        r = c.get("/")
        etag, modified = r.headers["etag"], r.headers["last-modified"]
        for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"other", W/{etag}'},
                        {"If-None-Match": "*"}, {"If-Modified-Since": modified}):
            n = c.get("/", headers=headers)
            assert n.status_code == 304, headers
            assert n.content == b"" and n.headers["etag"] == etag
        assert c.get("/", headers={"If-None-Match": '"stale"'}).status_code == 200
        assert c.get("/", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
        # If-None-Match decides when both are sent (RFC 9110)
        assert c.get("/", headers={"If-None-Match": '"stale"', "If-Modified-Since": modified}).status_code == 200


def test_byte_ranges(server):
    with client(server) as c:
        r = c.get("/exports/progress-2013.xlsx", headers={"Range": "bytes=0-9"})
        assert r.status_code == 206
        assert r.headers["content-range"] == "bytes 0-9/1028" and r.content == XLSX[:10]
        assert c.get("/exports/progress-2013.xlsx", headers={"Range": "bytes=1000-"}).content == XLSX[1000:]
        tail = c.get("/exports/progress-2013.xlsx", headers={"Range": "bytes=-4"})
        assert tail.headers["content-range"] == "bytes 1024-1027/1028" and tail.content == XLSX[-4:]
        assert c.get("/exports/progress-2013.xlsx", headers={"Range": "bytes=1020-5000"}).content == XLSX[1020:]
        bad = c.get("/exports/progress-2013.xlsx", headers={"Range": "bytes=1028-"})
        assert bad.status_code == 416 and bad.headers["content-range"] == "bytes */1028"
        several = c.get("/exports/progress-2013.xlsx", headers={"Range": "bytes=0-1,5-6"})
        assert several.status_code == 200 and several.content == XLSX          # the whole file instead
        etag = c.get("/exports/progress-2013.xlsx").headers["etag"]
        same = c.get("/exports/progress-2013.xlsx", headers={"Range": "bytes=0-3", "If-Range": etag})
        assert same.status_code == 206 and same.content == b"PK\x03\x04"
        changed = c.get("/exports/progress-2013.xlsx", headers={"Range": "bytes=0-3", "If-Range": '"old"'})
        assert changed.status_code == 200 and changed.content == XLSX


@pytest.mark.parametrize("text,size,expected", [
    ("bytes=0-0", 10, (0, 0)), ("bytes=9-", 10, (9, 9)), ("bytes=-20", 10, (0, 9)),
    ("bytes=10-", 10, "unsatisfiable"), ("bytes=-0", 10, "unsatisfiable"), ("bytes=5-2", 10, None),
    ("items=0-1", 10, None), ("bytes=a-b", 10, None), ("bytes=1", 10, None), (None, 10, None),
])
def test_range_header_parsing(text, size, expected):
    assert byte_range(text, size) == expected


ESCAPES = [
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt", "/..%2fsecret.txt", "/%2E%2E%2Fsecret.txt",
    "/archive/../../secret.txt", "/archive/2013-W26/..%2f..%2f..%2fsecret.txt",
    "/%252e%252e%252fsecret.txt", "/%252e%252e/secret.txt",              # double-encoded
    "/..\\secret.txt", "/%5c..%5csecret.txt", "/archive\\..\\..\\secret.txt",
    "//secret.txt", "/./../secret.txt", "/%00/../secret.txt", "/index.html%00.txt",
    "/out.txt", "/outdir/", "/outdir/index.html", "/alias.html",          # symbolic links
    "/.secret", "/%2esecret", "/.hidden/", "/.hidden/index.html", "/archive/.%2e/.secret",
    "/empty/", "/empty/note", "/nothing.html", "/archive/2013-W27/",
]


@pytest.mark.parametrize("target", ESCAPES)
def test_nothing_outside_the_reports_no_links_no_dot_files_no_listings(server, target):
    status, headers, body = get_raw(server.port, target)
    assert status == 404, (target, status, body[:200])
    assert SECRET.encode() not in body
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "找不到这个页面" in body.decode("utf-8")
    assert b"note.txt" not in body                                       # no listing of /empty/


def test_absolute_paths_and_absolute_form_targets(server, tmp_path):
    for target in (f"{tmp_path}/secret.txt", f"/{tmp_path}/secret.txt", "/etc/passwd",
                   f"http://127.0.0.1:{server.port}/../secret.txt", f"http://127.0.0.1/{tmp_path}/secret.txt"):
        status, _, body = get_raw(server.port, target)
        assert status in (400, 404), target                              # waitress refuses some forms itself
        assert SECRET.encode() not in body and b"root:" not in body


def test_a_folder_named_without_slash_redirects_to_its_index(server):
    status, headers, _ = get_raw(server.port, "/archive/2013-W26")
    assert status == 301 and headers["location"] == "2013-W26/"
    status, _, body = get_raw(server.port, "/archive/")
    assert status == 200 and body.decode("utf-8") == "<p>每周存档</p>"
    assert get_raw(server.port, "/empty")[0] == 404 and get_raw(server.port, "/empty/")[0] == 404
    assert get_raw(server.port, "/outdir")[0] == 404                    # a link to a folder: not even a redirect


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "MKCOL"])
def test_only_get_and_head(server, site, method):
    status, headers, body = raw(server.port, f"{method} /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                                             f"Connection: close\r\n\r\nabcd".encode("ascii"))
    assert status == 405 and headers["allow"] == "GET, HEAD"
    assert "不能这样访问" in body.decode("utf-8")
    assert (site / "index.html").read_text(encoding="utf-8") == INDEX


def test_basic_authentication(site):
    s = serve(PagesApp(site, users={"leader": hash_password("春天 2013!"), "officer": hash_password("x")}))
    try:
        with client(s) as c:
            r = c.get("/")
            assert r.status_code == 401
            assert r.headers["www-authenticate"] == 'Basic realm="ipmonitor", charset="UTF-8"'
            assert INDEX not in r.text and "需要登录" in r.text
            assert c.get("/", auth=("leader", "wrong")).status_code == 401
            assert c.get("/", auth=("nobody", "春天 2013!")).status_code == 401
            assert c.get("/", auth=("officer", "春天 2013!")).status_code == 401
            for _ in range(2):                                           # the second from the remembered pair
                ok = c.get("/", auth=("leader", "春天 2013!"))
                assert ok.status_code == 200 and ok.text == INDEX
            assert c.get("/exports/progress-2013.xlsx", auth=("officer", "x")).content == XLSX
            assert c.get("/", headers={"Authorization": "Basic !!!"}).status_code == 401
            assert c.get("/", headers={"Authorization": "Bearer abc"}).status_code == 401
            # a method that is not allowed is refused before anything else
            assert c.post("/", auth=("leader", "春天 2013!")).status_code == 405
    finally:
        s.close()


def test_password_hashes():
    h = hash_password("春天 2013!", salt=b"0123456789abcdef")
    assert h.startswith("scrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$")
    assert check_password("春天 2013!", h) and not check_password("春天 2013", h)
    assert hash_password("春天 2013!") != hash_password("春天 2013!")     # salted
    n, r, p, salt, key = parse_hash(h)
    assert (n, r, p, salt, len(key)) == (16384, 8, 1, b"0123456789abcdef", 32)
    for bad in ("", "plain", "scrypt$3$8$1$AAAAAAAAAAA=$" + "A" * 44, "pbkdf2$1$2$3$4$5",
                "scrypt$16384$8$1$not base64$AAAA"):
        with pytest.raises(ValueError):
            parse_hash(bad)


def test_no_pages_yet(tmp_path):
    s = serve(PagesApp(tmp_path / "reports"))
    try:
        status, _, body = get_raw(s.port, "/")
        assert status == 404 and "还没有页面" in body.decode("utf-8")
    finally:
        s.close()


def test_a_page_swap_during_a_stream_of_requests(tmp_path):
    """Readers never see a missing page or a mix: every answer is the old set or the new one, whole."""
    reports = tmp_path / "reports"
    with Build(reports) as b:
        write_pages(b.tmp, "0")
        b.commit()
    s = serve(PagesApp(reports))
    stop = threading.Event()
    seen, bad = [], []

    def read():
        with client(s) as c:
            while not stop.is_set():
                for path, page in (("/", INDEX), ("/archive/2013-W26/index.html", "<p>第26周</p>")):
                    r = c.get(path)
                    tag = r.text.removeprefix(page)
                    if r.status_code != 200 or not tag.isdigit() or r.headers["content-length"] != \
                            str(len(r.content)):
                        bad.append((path, r.status_code, r.text[:80]))
                    seen.append(tag)
    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        for i in range(1, 101):
            with Build(reports) as b:
                write_pages(b.tmp, str(i))
                b.commit()
    finally:
        stop.set()
        for t in readers:
            t.join(30)
        s.close()
    assert bad == []
    assert len(seen) > 80 and len(set(seen)) > 5                       # the swaps happened while reading
    assert max(int(t) for t in seen) <= 100


def test_close_stops_the_server_and_frees_the_port(site):
    s = serve(PagesApp(site))
    port = s.port
    with client(s) as c:
        assert c.get("/").status_code == 200
    s.close()
    assert not s.thread.is_alive()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    again = WebServer(PagesApp(site), "127.0.0.1", port).start()      # the port can be taken again
    again.close()


def test_a_port_in_use_fails_at_once(site):
    s = serve(PagesApp(site))
    try:
        with pytest.raises(OSError):
            WebServer(PagesApp(site), "127.0.0.1", s.port)
    finally:
        s.close()

