"""The subsidy page of the demo: every claim of the year, its events, and the head hash that
`subsidy verify` prints (so a printed copy can be checked later)."""

from __future__ import annotations

import json
import re

from conftest import run_process


def test_demo_subsidy_page_shows_claims_and_the_verified_head(tmp_path):
    proc = run_process("demo", "--out", tmp_path / "reports", "--demo-home", tmp_path / "demo-home",
                       timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "reports" / "subsidies.html").read_text(encoding="utf-8")
    verify = run_process("subsidy", "verify", "--json", home=tmp_path / "demo-home")
    head = json.loads(verify.stdout)["head"]
    assert head and head in page
    listed = json.loads(run_process("subsidy", "list", "--year", "2013", "--json",
                                    home=tmp_path / "demo-home").stdout)
    assert listed and all(c["id"] in page for c in listed)
    assert len(set(re.findall(r"2013-\d{4}", page))) == len(listed)
    assert 'href="subsidies.html"' in (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
