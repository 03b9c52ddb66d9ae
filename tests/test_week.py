"""The officer's week (issue 10): corrections that stick, undo, overrides, agencies, homes.

Every test runs real files through the command line into real SQLite homes; the expected
numbers are worked out from the rules of filings.md §4, §7, §8 and cli.md.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CONFIG, Cli
from ipmonitor.ids import application_check_char, credit_check_char


def no(year: int, kind: int, serial: int) -> str:
    digits = f"{year}{kind}{serial:07d}"
    return f"{digits}.{application_check_char(digits)}"


def code(n: int) -> str:
    first = f"9132131130000{n:04d}"
    return first + credit_check_char(first)


A, B, C = code(1), code(2), code(3)
REGISTRY = ("统一社会信用代码,企业名称,所属镇街,曾用名\n"
            f"{A},宿迁市甲机械有限公司,顺河街道,\n"
            f"{B},宿迁市乙科技有限公司,豫新街道,\n")
INV1, INV2, UM1, UM2, DES1 = no(2013, 1, 1001), no(2013, 1, 1002), no(2013, 2, 2001), no(2013, 2, 2002), no(2013, 3, 3001)
UM3, UM4, UM5 = no(2013, 2, 2003), no(2013, 2, 2004), no(2013, 2, 2005)
HEADER = "申请号,申请日,申请人,发明名称,法律状态,代理机构"


def csv_file(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows, ""]), encoding="utf-8")
    return path


def filings_dump(home: Path) -> list[tuple]:
    with sqlite3.connect(home / "ipmonitor.db") as conn:
        return conn.execute("SELECT * FROM filings ORDER BY application_no").fetchall()


def new_home(tmp_path: Path, name: str, extra: str = "") -> tuple[Path, Cli]:
    h = tmp_path / name
    h.mkdir()
    (h / "ipmonitor.toml").write_text(CONFIG + extra, encoding="utf-8")
    return h, Cli(h)


def imported(cli: Cli, *args) -> dict:
    (f,) = cli.json("import", *args)["files"]
    assert f["status"] == "imported", f
    return f


# --- the files of one week ----------------------------------------------------------------------

def file_a(d: Path) -> Path:   # 智行's list: one row with an impossible date
    return csv_file(d / "zhixing_w1.csv",
                    f"{INV1},2013-03-05,宿迁市甲机械有限公司,一种切割装置,实质审查,宿迁智行专利代理事务所",
                    f"{UM1},2013-04-10,宿迁市甲机械有限公司,一种夹具,受理,宿迁智行专利代理事务所",
                    f"{UM2},2013-02-30,宿迁市乙科技有限公司,一种接线盒,受理,宿迁智行专利代理事务所",
                    f"{DES1},2013-05-02,宿迁市乙科技有限公司,包装盒,受理,宿迁智行专利代理事务所")


def file_b(d: Path) -> Path:   # the corrected resend: the bad date fixed, two statuses newer
    return csv_file(d / "zhixing_w1_corrected.csv",
                    f"{INV1},2013-03-05,宿迁市甲机械有限公司,一种切割装置,实质审查,宿迁智行专利代理事务所",
                    f"{UM1},2013-04-10,宿迁市甲机械有限公司,一种夹具,授权,宿迁智行专利代理事务所",
                    f"{UM2},2013-02-28,宿迁市乙科技有限公司,一种接线盒,受理,宿迁智行专利代理事务所",
                    f"{DES1},2013-05-02,宿迁市乙科技有限公司,包装盒,授权,宿迁智行专利代理事务所")


def file_c(d: Path) -> Path:   # a wrong file: another district's list, and it changes one of B's rows
    return csv_file(d / "huayu_wrong.csv",
                    f"{UM3},2013-06-01,泗洪县丙化工有限公司,一种反应釜,受理,宿迁华宇专利事务所",
                    f"{UM4},2013-06-02,泗洪县丙化工有限公司,一种滤网,受理,宿迁华宇专利事务所",
                    f"{DES1},2013-05-02,宿迁市乙科技有限公司,包装盒,视为撤回,宿迁华宇专利事务所")


def progress(cli: Cli) -> dict:
    return cli.json("progress", "--year", "2013", "--as-of", "2013-12-31")


@pytest.fixture
def week(tmp_path):
    h, cli = new_home(tmp_path, "home")
    cli("enterprises", "import", _registry(tmp_path))
    return h, cli


def _registry(d: Path, text: str = REGISTRY, name: str = "enterprises.csv") -> Path:
    p = d / name
    p.write_text(text, encoding="utf-8-sig")
    return p


# --- 1. open, resolved, dismissed rejects --------------------------------------------------------

def test_a_corrected_resend_resolves_the_reject_and_names_the_import(week, tmp_path):
    home, cli = week
    a = imported(cli, file_a(tmp_path))
    assert (a["rows"], a["new"], a["rejected"]) == (4, 3, 1)
    (r,) = cli.json("rejects")
    assert (r["file"], r["line"], r["application_no"], r["reason"], r["state"]) == \
        ("zhixing_w1.csv", 4, UM2, "bad_filing_date", "open")
    assert isinstance(r["id"], int)
    assert progress(cli)["rejected"] == 1
    b = imported(cli, file_b(tmp_path))
    assert (b["new"], b["updated"], b["unchanged"], b["rejected"]) == (1, 2, 1, 0)
    assert cli.json("rejects") == []
    assert progress(cli)["rejected"] == 0
    (r2,) = cli.json("rejects", "--all")
    assert (r2["id"], r2["state"]) == (r["id"], "resolved")
    assert "zhixing_w1_corrected.csv" in cli("rejects", "--all").output      # names the import
    assert cli("rejects").output.strip() == "没有待改正的被拒绝行。"


def test_a_row_rejected_again_is_a_new_reject_and_both_resolve_when_stored(week, tmp_path):
    home, cli = week
    bad = f"{UM2},2013-02-30,宿迁市乙科技有限公司,一种接线盒,受理,x"
    imported(cli, csv_file(tmp_path / "one.csv", bad))
    imported(cli, csv_file(tmp_path / "two.csv", bad, f"{UM1},2013-04-10,宿迁市甲机械有限公司,夹具,受理,x"))
    assert [(r["file"], r["state"]) for r in cli.json("rejects")] == [("one.csv", "open"), ("two.csv", "open")]
    imported(cli, csv_file(tmp_path / "three.csv", f"{UM2},2013-02-28,宿迁市乙科技有限公司,一种接线盒,受理,x"))
    assert [r["state"] for r in cli.json("rejects", "--all")] == ["resolved", "resolved"]


def test_dismiss_a_reject_with_who_and_why(week, tmp_path):
    home, cli = week
    imported(cli, file_a(tmp_path))
    (r,) = cli.json("rejects")
    cli("rejects", "dismiss", r["id"], "--why", "申请已撤回，不会再报送", "--by", "王科长")
    assert cli.json("rejects") == [] and progress(cli)["rejected"] == 0
    (d,) = cli.json("rejects", "--all")
    assert d["state"] == "dismissed"
    assert "王科长" in cli("rejects", "--all").output and "申请已撤回" in cli("rejects", "--all").output
    assert cli("rejects", "dismiss", r["id"], "--why", "again", code=1).stderr.count("\n") == 1
    assert "99999" in cli("rejects", "dismiss", "99999", "--why", "x", code=1).stderr
    assert cli("rejects", "dismiss", r["id"], code=2)          # --why is required
    with sqlite3.connect(home / "ipmonitor.db") as conn:     # append-only
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute("DELETE FROM reject_dismissals")


def test_a_number_that_cannot_be_made_canonical_resolves_only_by_dismissal(week, tmp_path):
    home, cli = week
    imported(cli, csv_file(tmp_path / "sci.csv", "2.01221E+11,2013-03-05,宿迁市甲机械有限公司,x,受理,x"))
    imported(cli, csv_file(tmp_path / "fixed.csv", f"{INV1},2013-03-05,宿迁市甲机械有限公司,x,受理,x"))
    assert [r["reason"] for r in cli.json("rejects")] == ["bad_application_no"]


def test_rejects_of_one_file_as_a_csv_for_the_agency(week, tmp_path):
    home, cli = week
    imported(cli, file_a(tmp_path))
    imported(cli, csv_file(tmp_path / "other.csv", "=1+2,2013-03-05,宿迁市甲机械有限公司,x,受理,x",
                           f"{UM5},,宿迁市甲机械有限公司,x,受理,x"))
    out = cli("rejects", "--file", "other.csv", "--csv").stdout_bytes
    assert out.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"))))
    assert rows[0] == ["文件", "行号", "申请号", "原因", "说明"]
    assert [r[:4] for r in rows[1:]] == [["other.csv", "2", "'=1+2", "申请号格式错误"],
                                         ["other.csv", "3", UM5, "缺少申请日"]]
    assert [r["file"] for r in cli.json("rejects", "--file", "zhixing_w1.csv")] == ["zhixing_w1.csv"]


# --- 2. subsidy-file rejects ---------------------------------------------------------------------

def test_subsidy_file_rejects_have_their_reasons_everywhere(week, tmp_path):
    home, cli = week
    imported(cli, file_a(tmp_path))
    claims = tmp_path / "claims.csv"
    claims.write_text("申请号,统一社会信用代码,资助类别,申请金额,申报日期\n"
                      f"{UM3},{A},申请资助,1000,2013-06-01\n"
                      f"{INV1},{A},不知道,1000,2013-06-01\n", encoding="utf-8")
    out = cli("subsidy", "import", claims, "--by", "x").output
    assert "专利不在库中" in out and "资助类别无法识别" in out
    assert [(r["line"], r["reason"]) for r in cli.json("rejects", "--kind", "subsidy")] == \
        [(2, "not_filed"), (3, "bad_stage")]
    assert [r["file"] for r in cli.json("rejects")] == ["zhixing_w1.csv"]      # agency files by default


# --- 3. imports and imports revert ---------------------------------------------------------------

def test_revert_newest_first_restores_exactly_what_a_alone_gave(week, tmp_path):
    home, cli = week
    a, b = imported(cli, file_a(tmp_path)), imported(cli, file_b(tmp_path))
    after_ab_progress = progress(cli)
    c = imported(cli, file_c(tmp_path))
    assert (c["new"], c["updated"]) == (2, 1)
    listed = cli.json("imports")
    assert [i["id"] for i in listed] == [c["import_id"], b["import_id"], a["import_id"], 1]   # newest first
    assert listed[0]["kind"] == "filings" and listed[-1]["kind"] == "registry"
    assert listed[0]["sha256"] == c["sha256"] and listed[0]["status"] == "imported"
    assert listed[0]["counts"]["new"] == 2 and listed[0]["file"] == "huayu_wrong.csv"

    refused = cli("imports", "revert", b["import_id"], "--why", "x", code=1)
    assert f"导入 {c['import_id']}" in refused.stderr and "huayu_wrong.csv" in refused.stderr
    cli("imports", "revert", c["import_id"], "--why", "不是本区的清单", "--by", "王科长")
    cli("imports", "revert", b["import_id"], "--why", "重做", "--by", "王科长")

    fresh, fcli = new_home(tmp_path, "fresh")
    fcli("enterprises", "import", _registry(tmp_path, name="enterprises2.csv"))
    imported(fcli, file_a(tmp_path))   # the same bytes again
    assert filings_dump(home) == filings_dump(fresh)
    assert progress(cli) == progress(fcli)
    assert cli.json("rejects") == fcli.json("rejects")             # B's resolution reopened
    states = {i["id"]: (i["status"], i["reverted"]) for i in cli.json("imports")}
    assert states[c["import_id"]][0] == "reverted"
    assert (states[c["import_id"]][1]["by"], states[c["import_id"]][1]["why"]) == ("王科长", "不是本区的清单")
    with sqlite3.connect(home / "ipmonitor.db") as conn:           # the audit trail stays
        assert conn.execute("SELECT count(*) FROM filing_history").fetchone()[0] == 3
        assert conn.execute("SELECT count(*) FROM import_reverts").fetchone()[0] == 2

    again = imported(cli, file_b(tmp_path))                        # its SHA-256 was forgotten
    assert (again["new"], again["updated"], again["unchanged"]) == (1, 2, 1)
    assert progress(cli) == after_ab_progress
    assert cli("imports", "revert", c["import_id"], "--why", "x", code=1)   # already taken back
    assert "12345" in cli("imports", "revert", "12345", "--why", "x", code=1).stderr


def test_undated_grants_are_dated_by_the_files_newest_filing(week, tmp_path):
    home, cli = week
    imported(cli, file_a(tmp_path))
    imported(cli, file_b(tmp_path))     # shows UM1 and DES1 granted; newest filing 2013-05-02
    q = progress(cli)["quality"]
    assert q["grants"] == {"invention": 0, "utility_model": 1, "design": 1}
    q_june = cli.json("progress", "--as-of", "2013-06-30")["quality"]
    assert q_june["grants"] == q["grants"]
    q_april = cli.json("progress", "--as-of", "2013-04-30")["quality"]
    assert q_april["grants"] == {"invention": 0, "utility_model": 0, "design": 0}
    cli("report", "--year", "2013", "--as-of", "2013-06-30", "--out", tmp_path / "pages")
    index = (tmp_path / "pages" / "index.html").read_text(encoding="utf-8")
    assert "本年授权：发明 0 件，实用新型 1 件，外观设计 1 件" in index
    page_a = (tmp_path / "pages" / "enterprise" / f"{A}.html").read_text(encoding="utf-8")
    page_b = (tmp_path / "pages" / "enterprise" / f"{B}.html").read_text(encoding="utf-8")
    assert "其中已授权 <strong>1</strong>" in page_a or "其中已授权 1 件" in page_a
    assert "其中已授权 <strong>1</strong>" in page_b or "其中已授权 1 件" in page_b


def test_revert_refused_while_a_subsidy_claim_rests_on_a_filing_it_created(tmp_path):
    home, cli = new_home(tmp_path, "home", "\n[subsidy.2013.rates]\ninvention_application = 1000\n")
    cli("enterprises", "import", _registry(tmp_path))
    a = imported(cli, file_a(tmp_path))
    cli("subsidy", "claim", "--application-no", INV1, "--claimant", A, "--stage", "application",
        "--amount", "1000", "--date", "2013-06-01", "--by", "x")
    refused = cli("imports", "revert", a["import_id"], "--why", "x", code=1)
    assert "2013-0001" in refused.stderr


def test_a_registry_change_is_taken_back_too(week, tmp_path):
    home, cli = week
    imported(cli, csv_file(tmp_path / "f.csv", f"{UM3},2013-06-01,宿豫区甲机械厂,x,受理,x"))
    before = progress(cli)
    assert before["unattributed"] == 1
    changed = _registry(tmp_path, REGISTRY.replace("顺河街道,\n", "来龙镇,宿豫区甲机械厂\n")
                        + f"{C},宿迁市丙电子有限公司,下相街道,\n", "enterprises_v2.csv")
    (r,) = cli.json("enterprises", "import", changed)["files"]
    assert (r["new"], r["updated"]) == (1, 1)
    after = progress(cli)
    assert after["unattributed"] == 0 and len(after["by_enterprise"]) == 3
    cli("imports", "revert", r["import_id"], "--why", "名录版本错了")
    assert progress(cli) == before


# --- 4. attribution overrides --------------------------------------------------------------------

def test_override_to_none_and_clear(week, tmp_path):
    home, cli = week
    imported(cli, file_b(tmp_path))
    p = progress(cli)
    assert (p["filings"]["count"], p["unattributed"], p["excluded"]) == (4, 0, 0)
    cli("attribute", DES1, "--none", "--why", "同名企业，在泗阳县", "--by", "王科长")
    p = progress(cli)
    assert (p["filings"]["count"], p["unattributed"], p["excluded"]) == (3, 0, 1)
    cli("attribute", UM1, "--to", B, "--why", "实为乙公司申请")
    p = progress(cli)
    by = {e["credit_code"]: e["filings"] for e in p["by_enterprise"]}
    assert by == {A: 1, B: 2}
    cli("attribute", DES1, "--clear", "--why", "弄错了")
    assert progress(cli)["excluded"] == 0 and progress(cli)["filings"]["count"] == 4
    cli("report", "--year", "2013", "--as-of", "2013-06-30", "--out", tmp_path / "pages")
    quality = (tmp_path / "pages" / "quality.html").read_text(encoding="utf-8")
    assert "同名企业，在泗阳县" in quality and "王科长" in quality and "实为乙公司申请" in quality
    with sqlite3.connect(home / "ipmonitor.db") as conn:
        assert conn.execute("SELECT count(*) FROM attribution_overrides").fetchone()[0] == 3
    assert "91" in cli("attribute", UM1, "--to", code(77), "--why", "x", code=1).stderr
    assert cli("attribute", no(2013, 1, 9999), "--none", "--why", "x", code=1)
    assert cli("attribute", UM1, "--none", "--clear", "--why", "x", code=2)


# --- 5. the home rule and init -------------------------------------------------------------------

def _run(args, cwd, env_home=None):
    env = {k: v for k, v in os.environ.items() if k != "IPMONITOR_HOME"}
    if env_home:
        env["IPMONITOR_HOME"] = str(env_home)
    return subprocess.run([sys.executable, "-m", "ipmonitor", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_folder_that_is_not_a_home_is_refused_and_nothing_is_created(tmp_path):
    csv_file(tmp_path / "x.csv", f"{INV1},2013-03-05,宿迁市甲机械有限公司,x,受理,x")
    for args in (["import", "x.csv"], ["progress"], ["rejects"]):
        proc = _run(args, tmp_path)
        assert proc.returncode == 2, proc
        assert "ipmonitor init" in proc.stderr and "--home" in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


def test_init_makes_a_home_that_the_current_folder_rule_accepts(tmp_path):
    proc = _run(["init", "office"], tmp_path)
    assert proc.returncode == 0, proc
    home = tmp_path / "office"
    assert sorted(p.name for p in home.iterdir()) == ["archive", "backups", "inbox", "ipmonitor.toml",
                                                      "rejected", "reports"]
    text = (home / "ipmonitor.toml").read_text(encoding="utf-8")
    for key in ("[district]", "name =", "timezone =", "population =", "[goals.", "filings =",
                "invention =", "[jobs.inbox]", "every =", "cron =", "keep =", "[[sources]]", "url =",
                "token_env =", "columns =", "[agencies]", "expected =", "[status]", "fee_alert_days =", "[subsidy.", "budget =",
                "rates]", *(f"{k} =" for k in ("invention_application", "invention_grant",
                                               "utility_model_application", "utility_model_grant",
                                               "design_application", "design_grant", "pct",
                                               "invention_maintenance", "utility_model_maintenance",
                                               "design_maintenance", "maintenance"))):
        assert key in text, key
    for line in text.splitlines():      # every line commented: the defaults hold
        assert line == "" or line.startswith("#") or line.startswith("["), line
    csv_file(home / "x.csv", f"{INV1},2013-03-05,宿迁市甲机械有限公司,x,受理,x")
    proc = _run(["import", "x.csv", "--json"], home)
    assert proc.returncode == 0 and json.loads(proc.stdout)["files"][0]["new"] == 1
    assert (home / "ipmonitor.db").exists()
    again = _run(["init", "office"], tmp_path)
    assert again.returncode == 0 and (home / "ipmonitor.toml").read_text(encoding="utf-8") == text


def test_reading_commands_never_create_a_database(tmp_path):
    home, cli = new_home(tmp_path, "home", '\n[agencies]\nexpected = ["智行"]\n')
    assert cli.json("rejects") == [] and cli.json("imports") == []
    assert [a["agency"] for a in cli.json("agencies")] == ["智行"]
    assert cli.json("progress", "--as-of", "2013-06-30")["filings"]["count"] == 0
    cli.json("status")
    cli("signals", "--as-of", "2013-06-30")
    assert not (home / "ipmonitor.db").exists()
    proc = _run(["rejects", "--json"], tmp_path, env_home=home)
    assert proc.returncode == 0 and not (home / "ipmonitor.db").exists()


# --- 7. agencies ---------------------------------------------------------------------------------

AGENCIES_CONFIG = '\n[agencies]\nexpected = ["智行", "华宇"]\nevery = "2s"\n'


def test_which_agency_sent_a_file(tmp_path):
    from ipmonitor import app, inbox
    home, cli = new_home(tmp_path, "home", AGENCIES_CONFIG)
    assert imported(cli, file_a(tmp_path), "--agency", "智行")["agency"] == "智行"
    f = imported(cli, csv_file(tmp_path / "col.csv",
                               f"{UM3},2013-06-01,x,x,受理,宿迁华宇专利事务所",
                               f"{UM4},2013-06-01,x,x,受理,宿迁华宇专利事务所",
                               f"{UM5},2013-06-01,x,x,受理,别家"))
    assert f["agency"] == "宿迁华宇专利事务所"                       # 2 of 3 rows: most rows
    f = imported(cli, csv_file(tmp_path / "half.csv", f"{no(2013, 2, 7)},2013-06-01,x,x,受理,甲",
                               f"{no(2013, 2, 8)},2013-06-01,x,x,受理,乙"))
    assert f["agency"] is None
    (home / "inbox" / "华宇").mkdir(parents=True)
    csv_file(home / "inbox" / "华宇" / "june.csv", f"{no(2013, 2, 9)},2013-06-03,x,x,受理,")
    h = app.open_home(home)
    try:
        (r,) = inbox.process(h, quiet=0)
    finally:
        h.close()
    assert (r["status"], r["agency"]) == ("imported", "华宇")
    assert [(i["file"], i["agency"]) for i in cli.json("imports")][0] == ("june.csv", "华宇")


def test_an_agency_that_stops_sending_is_overdue_everywhere(tmp_path):
    home, cli = new_home(tmp_path, "home", AGENCIES_CONFIG)
    imported(cli, file_a(tmp_path), "--agency", "华宇")
    time.sleep(2.2)
    imported(cli, file_b(tmp_path), "--agency", "智行")
    doc = cli.json("agencies")
    assert [(a["agency"], a["overdue"], a["files"]) for a in doc] == [("华宇", True, 1), ("智行", False, 1)]
    hy = doc[0]
    assert (hy["last_file"], hy["rows"], hy["rejected"], hy["rejected_share"]) == ("zhixing_w1.csv", 4, 1, 0.25)
    status = cli.json("status")
    assert [a["agency"] for a in status["agencies_overdue"]] == ["华宇"]
    assert "华宇" in cli("status").output
    cli("report", "--year", "2013", "--as-of", "2013-06-30", "--out", tmp_path / "pages")
    quality = (tmp_path / "pages" / "quality.html").read_text(encoding="utf-8")
    assert "逾期未报送：华宇" in quality


# --- 8. the week in the acceptance note ----------------------------------------------------------

def test_the_week(tmp_path):
    """Monday a list with an error; Tuesday its corrected resend; Wednesday a wrong file, taken back;
    Thursday a same-named firm from another county kept out; Friday a registry change; and one
    agency that stops sending."""
    home, cli = new_home(tmp_path, "home", '\n[agencies]\nexpected = ["智行", "华宇"]\nevery = "7d"\n')
    cli("enterprises", "import", _registry(tmp_path))
    imported(cli, file_a(tmp_path), "--agency", "智行")
    assert progress(cli)["rejected"] == 1
    imported(cli, file_b(tmp_path), "--agency", "智行")
    assert progress(cli)["rejected"] == 0
    wrong = imported(cli, file_c(tmp_path), "--agency", "华宇")
    cli("imports", "revert", wrong["import_id"], "--why", "不是本区的清单")
    p = progress(cli)
    assert (p["filings"]["count"], p["unattributed"]) == (4, 0)
    cli("attribute", INV1, "--none", "--why", "泗阳县的同名企业")
    p = progress(cli)
    assert (p["filings"]["count"], p["invention"]["count"], p["excluded"]) == (3, 0, 1)
    changed = _registry(tmp_path, REGISTRY + f"{C},宿迁市丙电子有限公司,下相街道,\n", "v2.csv")
    cli("enterprises", "import", changed)
    assert len(progress(cli)["by_enterprise"]) == 3
    doc = cli.json("agencies")
    assert [(a["agency"], a["overdue"]) for a in doc] == [("华宇", True), ("智行", False)]   # 华宇's file was taken back
    cli("report", "--year", "2013", "--as-of", "2013-06-30", "--out", tmp_path / "pages")
    quality = (tmp_path / "pages" / "quality.html").read_text(encoding="utf-8")
    assert "泗阳县的同名企业" in quality and "不是本区的清单" in quality and "逾期未报送" in quality


def test_the_demo_shows_a_corrected_resend_an_override_and_an_overdue_agency(tmp_path):
    from ipmonitor import agencies, demo
    from ipmonitor.store import corrections
    home, results, doc = demo.build(demo.SEEDS, tmp_path / "demo-home")
    try:
        resolved = list(corrections.rejects(home.db, states=("resolved",)))
        assert [(r["application_no"], r["reason"], r["resolved_by_file"]) for r in resolved] == \
            [("201210033116.6", "type_mismatch", "zhixing_2013-07_resend.csv")]
        assert doc["excluded"] == 1
        assert [o["application_no"] for o in corrections.override_log(home.db)] == ["201320999001.2"]
        overdue = [a["agency"] for a in agencies.deliveries(home.db, home.settings) if a["overdue"]]
        assert overdue == ["宿迁恒信专利代理事务所"]
    finally:
        home.close()


def test_every_key_init_names_is_one_the_program_reads(tmp_path):
    import re as _re
    from ipmonitor.config import load_settings
    from ipmonitor.homes import TEMPLATE
    live = "\n".join(_re.sub(r"^# (?=\[|\"?[\w\u4e00-\u9fff]+\"? = )", "", line) for line in TEMPLATE.splitlines())
    (tmp_path / "ipmonitor.toml").write_text(live, encoding="utf-8")
    s = load_settings(tmp_path)       # every key uncommented is accepted
    assert (s.district, s.population, s.goals[2013].filings, s.agencies.expected) == \
        ("本区", 620000, 400, ("智行", "华宇"))
    assert s.sources[0].name == "zhixing" and s.fee_alert_days == 60 and s.subsidy[2013].budget == 150000


def test_init_writes_a_config_only_its_owner_can_read(tmp_path):
    from ipmonitor.homes import init_home
    home, wrote, _ = init_home(tmp_path / "h")
    assert wrote and (home / "ipmonitor.toml").stat().st_mode & 0o777 == 0o600
