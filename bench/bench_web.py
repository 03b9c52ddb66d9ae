"""The pages over HTTP: ipmonitor.web.PagesApp against WhiteNoise (autorefresh on and off), each over
waitress on 127.0.0.1, and what each does with the cases the spec forbids.

    .venv/bin/python bench/bench_web.py [--requests N] [--pages N]

Needs `pip install whitenoise` (not a dependency of ipmonitor: this script measured the choice).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ipmonitor.publish import Build  # noqa: E402
from ipmonitor.web import PagesApp, WebServer  # noqa: E402


def make_site(out: Path, pages: int, tag: str) -> None:
    with Build(out) as b:
        (b.tmp / "index.html").write_text(f"<!doctype html><p>{tag}</p>" + "x" * (40_000 + len(tag)),
                                          encoding="utf-8")
        if tag == "NEW":
            (b.tmp / "fresh.html").write_text("a page the new set adds", encoding="utf-8")
        (b.tmp / "enterprise").mkdir()
        for i in range(pages):
            (b.tmp / "enterprise" / f"E{i:05d}.html").write_text(f"{tag} {i}" + "y" * 3000, encoding="utf-8")
        b.commit()


def timed(url: str, paths: list[str], n: int) -> float:
    with httpx.Client(base_url=url, trust_env=False) as c:
        for p in paths[:10]:
            c.get(p)
        t0 = time.perf_counter()
        for i in range(n):
            r = c.get(paths[i % len(paths)])
            assert r.status_code == 200, (paths[i % len(paths)], r.status_code)
        return n / (time.perf_counter() - t0)


def cpu_per_request(app, paths: list[str], n: int) -> float:
    """CPU microseconds the app itself takes for one GET (called directly, body consumed)."""
    def start_response(status, headers, exc_info=None):
        assert status.startswith("200"), status
    t0 = time.process_time()
    for i in range(n):
        env = {"REQUEST_METHOD": "GET", "PATH_INFO": paths[i % len(paths)], "QUERY_STRING": "",
               "SERVER_NAME": "x", "SERVER_PORT": "80", "wsgi.url_scheme": "http", "HTTP_HOST": "x"}
        body = app(env, start_response)
        for _ in body:
            pass
        getattr(body, "close", lambda: None)()
    return (time.process_time() - t0) / n * 1e6


def probe(url: str, site: Path) -> dict:
    """What the server answers to the forbidden cases and after a page swap."""
    out = {}
    with httpx.Client(base_url=url, trust_env=False) as c:
        out["dot-file"] = c.get("/.secret").status_code
        out["symlink out"] = c.get("/out.txt").status_code
        etag = c.get("/").headers.get("etag")
        make_site(site, 3, "NEW")
        out["old ETag after swap"] = c.get("/", headers={"If-None-Match": etag}).status_code
        r = c.get("/")
        out["after swap"] = (f"{r.status_code} {'new' if 'NEW' in r.text else 'old'}"
                             f"{'' if r.content == (site / 'index.html').read_bytes() else ', wrong bytes'}")
        out["new file after swap"] = c.get("/fresh.html").status_code
    return out


def not_found(environ, start_response):
    start_response("404 Not Found", [("Content-Length", "0")])
    return []


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--pages", type=int, default=5000)
    args = ap.parse_args()
    from whitenoise import WhiteNoise

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "secret.txt").write_text("secret", encoding="utf-8")
        paths = ["/", *(f"/enterprise/E{i:05d}.html" for i in range(0, args.pages, 97))]
        rows = []
        for label, factory in [
            ("ipmonitor.web.PagesApp", lambda site: PagesApp(site)),
            ("WhiteNoise autorefresh=True", lambda site: WhiteNoise(not_found, root=str(site), autorefresh=True,
                                                                    index_file=True)),
            ("WhiteNoise autorefresh=False", lambda site: WhiteNoise(not_found, root=str(site), index_file=True)),
        ]:
            site = tmp / label.split()[0].replace(".", "_") / "reports"
            site.parent.mkdir(exist_ok=True)
            make_site(site, args.pages, "OLD")
            (site / ".secret").write_text("dot", encoding="utf-8")
            os.symlink(tmp / "secret.txt", site / "out.txt")
            t0 = time.perf_counter()
            app = factory(site)
            start = time.perf_counter() - t0
            cpu = cpu_per_request(app, paths, args.requests)
            server = WebServer(app, "127.0.0.1", 0).start()
            url = f"http://127.0.0.1:{server.port}"
            try:
                rate = timed(url, paths, args.requests)
                found = probe(url, site)
            finally:
                server.close()
            rows.append((label, start, cpu, rate, found))
        print(f"{args.pages} entity pages, {args.requests} GETs over one keep-alive connection\n")
        print("| app | start (s) | app CPU per GET (µs) | GET/s over HTTP | dot-file | symlink out "
              "| index after swap | old ETag after swap | new file after swap |")
        print("|---|---|---|---|---|---|---|---|---|")
        for label, start, cpu, rate, f in rows:
            print(f"| {label} | {start:.2f} | {cpu:.0f} | {rate:.0f} | {f['dot-file']} | {f['symlink out']} | "
                  f"{f['after swap']} | {f['old ETag after swap']} | {f['new file after swap']} |")


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
