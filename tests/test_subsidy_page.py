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


def test_subsidy_page_speaks_in_words_and_local_times(tmp_path):
    proc = run_process("demo", "--out", tmp_path / "reports", "--demo-home", tmp_path / "demo-home",
                       timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "reports" / "subsidies.html").read_text(encoding="utf-8")
    claims = page[page.index('id="claims"'):]
    for word in ("已申报", "已批准", "已拨付", "凭证号", "申请金额"):
        assert word in claims, word
    assert re.search(r"金额 \d{1,3}(,\d{3})* 元", claims)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", claims)        # local times in words
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", claims)                # never an ISO time
    for field in ("amount=", "paid_on=", "voucher=", "submitted<", "UTC"):
        assert field not in claims, field
