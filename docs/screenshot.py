"""Screenshot of the demo's overview page for the README: docs/overview.png, 1280 px wide.

    .venv/bin/python docs/screenshot.py [--chromium /usr/bin/chromium]

Runs `ipmonitor demo` on the bundled seeds in a temporary folder, opens the
overview over file:// in headless Chromium (Debian's package, driven by
playwright) and saves a full-page screenshot. Fails on any console error,
page error or request that leaves the page.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--out", type=Path, default=DOCS / "overview.png")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ipmonitor-shot-") as tmp:
        run = subprocess.run([sys.executable, "-m", "ipmonitor", "demo", "--out", "reports"], cwd=tmp,
                             capture_output=True, text=True, check=False)
        if run.returncode != 0:
            sys.exit(f"ipmonitor demo failed:\n{run.stderr}")
        index = Path(run.stdout.strip().splitlines()[-1])
        problems: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=a.chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("request", lambda r: r.url.startswith(("file:", "data:")) or problems.append(r.url))
            page.goto(index.as_uri(), wait_until="load")
            page.screenshot(path=str(a.out), full_page=True)
            browser.close()
        if problems:
            sys.exit("the page had problems: " + "; ".join(problems))
    print(a.out)


if __name__ == "__main__":
    main()
