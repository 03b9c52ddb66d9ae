"""The reader (filings.md §1–3, issue 9): headers by structure, rows that never kill the reader,
failures in the officer's words, `inspect`, folders and missing paths among the files."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import run_process, write
from ipmonitor import filings
from ipmonitor.errors import FileFailed
from ipmonitor.tabular import read_table

GOOD = ["201310699744.2,2013-03-05,宿迁华宇机械有限公司",
        "201220687633.0,2012-11-20,宿迁绿源食品有限公司",
        "201330123456.3,2013-04-01,张伟"]
M = filings.matcher()


def only(doc):
    (f,) = doc["files"]
    return f


def fields_of(headers):
    return [(r.field, r.how) for r in M.read(headers)]


# --- headers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("header, field, how", [
    ("申请号", "application_no", "exact"),
    ("申请（专利）号", "application_no", "derived"),          # CNIPR
    ("申请(专利)号", "application_no", "derived"),
    (" 申 请 号 ", "application_no", "exact"),
    ("Application Number", "application_no", "exact"),
    ("Application No.", "application_no", "exact"),
    ("*申请号", "application_no", "exact"),                     # a template's required mark
    ("发明（设计）人", "inventors", "derived"),                 # CNIPA, provincial platforms
    ("发明(设计)人", "inventors", "derived"),
    ("专利代理机构", "agency", "derived"),
    ("专利代理机构名称", "agency", "derived"),
    ("代理人机构", "agency", "derived"),
    ("[标]当前申请(专利权)人", "applicants", "exact"),          # PatSnap
    ("［标］当前申请（专利权）人", "applicants", "exact"),
    ("[标]原始申请(专利权)人", "applicants", "derived"),
    ("当前申请(专利权)人", "applicants", "derived"),
    ("原始申请（专利权）人", "applicants", "derived"),
    ("当前专利权人", "applicants", "derived"),
    ("【标】申请人", "applicants", "derived"),
    ("申请人(中文)", "applicants", "derived"),
    ("当前法律状态", "status", "exact"),
    ("法律状态(公告)", "status", "derived"),
    ("专利类型", "type", "exact"),
    ("申请日期", "filing_date", "exact"),
    ("申请日(期)", "filing_date", "derived"),
    ("Filing Date", "filing_date", "exact"),
    ("filing/creation date", "filing_date", "exact"),          # Google Patents
    ("assignee", "applicants", "exact"),
    ("inventor/author", "inventors", "exact"),
    ("Current Assignee", "applicants", "exact"),
    ("第一申请人", "applicants", "fallback"),
    ("授权公告日", "grant_date", "exact"),
])
def test_a_header_variant_is_read(header, field, how):
    assert M.read_one(header) == (field, how)


@pytest.mark.parametrize("header", ["公开号", "公开(公告)号", "公开（公告）号", "公告号", "授权公告号",
                                    "申请公布号", "专利公开号", "Publication Number", "代理人", "申请人地址",
                                    "申请人邮编", "优先权号", "IPC分类号", "序号", ""])
def test_a_header_that_names_no_field(header):
    assert M.read_one(header) == (None, None)


def test_exact_beats_derived_then_leftmost_and_the_loser_stays_unknown():
    heads = ["原始申请(专利权)人", "申请人", "当前申请(专利权)人", "申请号", "申请（专利）号", "专利申请号"]
    got = M.read(heads)
    assert [(r.field, r.how, r.lost_to) for r in got] == [
        (None, None, 1), ("applicants", "exact", None), (None, None, 1),
        ("application_no", "exact", None), (None, None, 3), (None, None, 3)]


def test_first_applicant_only_without_a_full_applicants_column():
    assert fields_of(["申请号", "申请日", "第一申请人"])[2] == ("applicants", "fallback")
    assert fields_of(["申请号", "申请日", "第一申请人", "申请人"])[2:] == [(None, None), ("applicants", "exact")]
    assert fields_of(["第一申请人", "当前申请(专利权)人"]) == [(None, None), ("applicants", "derived")]


LAYOUTS = {  # header lines as the tools write them (order and extra columns included)
    "cnipr": "序号,名称,申请（专利）号,申请日,公开（公告）号,公开（公告）日,申请（专利权）人,发明（设计）人,"
             "专利代理机构,代理人,主分类号,法律状态",
    "cnipa": "申请号,申请日,公开（公告）号,公开（公告）日,发明名称,IPC分类号,申请（专利权）人,发明人,"
             "优先权号,优先权日,申请人地址,申请人邮编,专利代理机构,代理人",
    "patsnap": "序号,公开(公告)号,标题,申请号,申请日,公开(公告)日,[标]当前申请(专利权)人,当前申请(专利权)人,"
               "原始申请(专利权)人,发明人,代理机构,代理人,简单法律状态,专利类型",
    "incopat": "标题,申请号,申请日,公开（公告）号,公开（公告）日,申请人,第一申请人,发明人,当前权利人,专利类型,"
               "法律状态,简单法律状态,代理机构,代理人,授权日",
    "google": "id,title,assignee,inventor/author,priority date,filing/creation date,publication date,"
              "grant date,result link,Application Number",
    "province": "序号,专利申请号,专利名称,专利类型,申请日期,申请单位,统一社会信用代码,发明（设计）人,专利代理机构名称,案件状态",
}
EXPECTED = {
    "cnipr": {"title", "application_no", "filing_date", "applicants", "inventors", "agency", "status"},
    "cnipa": {"application_no", "filing_date", "title", "applicants", "inventors", "agency"},
    "patsnap": {"title", "application_no", "filing_date", "applicants", "inventors", "agency", "status", "type"},
    "incopat": {"title", "application_no", "filing_date", "applicants", "inventors", "type", "status",
                "agency", "grant_date"},
    "google": {"title", "applicants", "inventors", "filing_date", "grant_date", "application_no"},
    "province": {"application_no", "title", "type", "filing_date", "applicants", "credit_code", "inventors",
                 "agency", "status"},
}


@pytest.mark.parametrize("tool", sorted(LAYOUTS))
def test_real_layouts_read_every_field_they_carry(tool):
    got = {r.field for r in M.read(LAYOUTS[tool].split(",")) if r.field}
    assert got == EXPECTED[tool]


def test_a_real_layout_imports_with_agency_and_inventors(home, cli):
    head = LAYOUTS["cnipr"]
    row = ("1,一种切割装置,201310699744.2,2013.03.05,CN103000000A,2014.06.01,宿迁华宇机械有限公司,李四;王五,"
           "宿迁智行专利代理事务所,赵六,B26D,实质审查")
    f = only(cli.json("import", write(home / "cnipr.csv", head + "\n" + row + "\n")))
    assert (f["status"], f["new"]) == ("imported", 1)
    with sqlite3.connect(home / "ipmonitor.db") as c:
        assert c.execute("SELECT agency, inventors, title FROM filings").fetchone() == (
            "宿迁智行专利代理事务所", "李四; 王五", "一种切割装置")


@pytest.mark.parametrize("word, expected", [
    ("发明公布", "invention"), ("发明授权", "invention"), ("PCT发明", "invention"), ("PCT-发明", "invention"),
    ("pct发明申请", "invention"), ("发明专利申请", "invention"), ("实用型专利", "utility_model"),
    ("实用新型", "utility_model"), ("实用新型专利授权", "utility_model"), ("外观专利", "design"),
    ("外观设计", "design"), ("Utility Model", "utility_model"), ("外 观 设 计", "design"),
])
def test_type_words_with_stage_and_route(home, cli, word, expected):
    number = {"invention": "201310699744.2", "utility_model": "201220687633.0",
              "design": "201330123456.3"}[expected]
    f = only(cli.json("import", write(home / "t.csv", f"申请号,申请日,申请人,专利类型\n{number},2013-01-05,甲,{word}\n")))
    assert (f["new"], f["rejected"]) == (1, 0)
    with sqlite3.connect(home / "ipmonitor.db") as c:
        codes = [r[0] for r in c.execute("SELECT code FROM warnings")]
    assert "unknown_type_word" not in codes


# --- failures in the officer's words -------------------------------------------------------------

def test_a_typo_names_the_missing_field_in_chinese_and_the_alias_it_meant(home, cli):
    r = cli("import", write(home / "typo.csv", "申请号,申清日,申请人\n" + GOOD[0] + "\n"), "--json", code=1)
    f = only(json.loads(r.stdout))
    assert f["error"] == "缺少必需的列：申请日；找到的列名：“申请号”、“申清日”、“申请人”；“申清日”可能是“申请日”"
    assert "filing_date" not in f["error"]


def test_every_required_field_missing_without_a_header_says_what_is_needed(home, cli):
    r = cli("import", write(home / "none.csv", "a,b,c\n1,2,3\n"), "--json", code=1)
    assert only(json.loads(r.stdout))["error"].startswith("前 10 行中找不到表头（需要 申请号、申请日、申请人 等列名）")


def test_english_when_the_district_says_so(home, cli):
    (home / "ipmonitor.toml").write_text('[district]\nname = "x"\n', encoding="utf-8")
    e = FileFailed("缺少", "missing", "missing required column(s): filing date")
    assert e.text("en").startswith("missing") and e.text() == "缺少"


def test_max_file_mb_fails_before_reading(home, cli):
    (home / "ipmonitor.toml").write_text("[import]\nmax_file_mb = 1\n", encoding="utf-8")
    big = home / "big.csv"
    big.write_bytes(("申请号,申请日,申请人\n" + (GOOD[0] + "\n") * 30_000).encode())
    r = cli("import", big, "--json", code=1)
    f = only(json.loads(r.stdout))
    assert f["status"] == "failed" and "超过上限 1 MB" in f["error"] and f["rows"] == 0


def test_a_bad_max_file_mb_is_a_config_error(home):
    (home / "ipmonitor.toml").write_text('[import]\nmax_file_mb = "big"\n', encoding="utf-8")
    proc = run_process("import", home / "x.csv", home=home)
    assert proc.returncode == 2 and "import.max_file_mb" in proc.stderr


# --- rows that never kill the reader -------------------------------------------------------------

def rejects(cli):
    return [(r["line"], r["reason"]) for r in cli.json("rejects")]


def test_short_rows_have_empty_cells(home, cli):
    text = "申请号,申请日,申请人,发明名称,法律状态\n" + GOOD[0] + "\n201220687633.0,2012-11-20\n"
    f = only(cli.json("import", write(home / "s.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (2, 1, 1)
    assert rejects(cli) == [(3, "missing_applicant")]


def test_a_short_first_row_and_a_long_one(home, cli):
    text = "申请号,申请日,申请人,发明名称\n201310699744.2\n" + GOOD[1] + ",标题,多,出\n" + GOOD[2] + ",t,,,\n"
    f = only(cli.json("import", write(home / "s.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (3, 1, 2)
    assert rejects(cli) == [(2, "missing_filing_date"), (3, "too_many_fields")]


def test_unbalanced_quote_rejects_the_opening_row_and_reading_resumes(home, cli):
    text = ("申请号,申请日,申请人\n" + GOOD[0] + "\n"
            '201220687633.0,2012-11-20,"宿迁绿源食品有限公司\n' + GOOD[2] + "\n")
    f = only(cli.json("import", write(home / "q.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (3, 2, 1)
    (rej,) = cli.json("rejects")
    assert (rej["line"], rej["reason"], rej["application_no"]) == (3, "unbalanced_quote", "201220687633.0")


def test_a_quoted_cell_over_100_lines_is_unbalanced(home, cli):
    cell = '"' + "\n".join(["x"] * 101) + '"'
    text = "申请号,申请日,申请人,备注\n" + GOOD[0] + "," + cell + "\n" + GOOD[1] + ",\n"
    f = only(cli.json("import", write(home / "q.csv", text)))
    # the opening row (its line holds the first "x") is rejected; reading resumes on the next line:
    # 99 lines "x" and the line `x"` are rows without a number, then the last good row
    assert rejects(cli)[0] == (2, "unbalanced_quote")
    assert f["rows"] == f["new"] + f["rejected"] + f["duplicate"] + f["updated"] + f["unchanged"]
    assert (f["rows"], f["new"], f["rejected"]) == (1 + 99 + 1 + 1, 1, 101)


def test_a_quoted_cell_of_100_lines_is_fine(home, cli):
    cell = '"' + "\n".join(["x"] * 100) + '"'
    text = "申请号,申请日,申请人,备注\n" + GOOD[0] + "," + cell + "\n" + GOOD[1] + ",\n"
    f = only(cli.json("import", write(home / "q.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (2, 2, 0)
    assert rejects(cli) == []


def test_a_cell_over_100000_characters(home, cli):
    text = ("申请号,申请日,申请人,备注\n" + GOOD[0] + "," + "长" * 100_001 + "\n"
            + GOOD[1] + ',"' + "引" * 100_001 + '"\n' + GOOD[2] + "," + "好" * 100_000 + "\n")
    f = only(cli.json("import", write(home / "l.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (3, 1, 2)
    assert rejects(cli) == [(2, "field_too_long"), (3, "unbalanced_quote")]
    assert max(len(r["message"]) + len(r["application_no"] or "") for r in cli.json("rejects")) < 300


def test_a_2_mb_cell(home, cli):
    text = "申请号,申请日,申请人,备注\n" + GOOD[0] + "," + "x" * 2_000_000 + "\n" + GOOD[1] + ",\n"
    f = only(cli.json("import", write(home / "l.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (2, 1, 1)


def test_five_thousand_columns(home, cli):
    head = "申请号,申请日,申请人," + ",".join(f"列{i}" for i in range(5000))
    rows = [g + "," + ",".join(str(i) for i in range(5000)) for g in GOOD]
    rows[1] = GOOD[1]                                       # and a short one
    f = only(cli.json("import", write(home / "w.csv", head + "\n" + "\n".join(rows) + "\n")))
    assert (f["rows"], f["new"], f["rejected"]) == (3, 3, 0)


def test_nul_bytes_and_mixed_line_endings(home, cli):
    data = ("申请号,申请日,申请人\r\n" + GOOD[0] + "\n" + GOOD[1].replace("宿迁", "宿\x00迁") + "\r"
            + GOOD[2] + "\r\n" + "201310699744.9,2013-03-05,x\n").encode() + b"\x00" * 64
    (home / "n.csv").write_bytes(data)
    f = only(cli.json("import", home / "n.csv"))
    assert (f["rows"], f["new"], f["rejected"]) == (4, 3, 1)
    assert rejects(cli) == [(5, "bad_check_digit")]
    with sqlite3.connect(home / "ipmonitor.db") as c:
        assert c.execute("SELECT applicants FROM filings WHERE application_no = '201220687633.0'").fetchone() == (
            "宿迁绿源食品有限公司",)


def test_stray_quotes_inside_unquoted_cells_are_text(home, cli):
    text = '申请号,申请日,申请人,发明名称\n' + GOOD[0] + ',一种"新型"装置\n' + GOOD[1] + ',5"寸屏\n'
    f = only(cli.json("import", write(home / "s.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (2, 2, 0)
    with sqlite3.connect(home / "ipmonitor.db") as c:
        assert sorted(r[0] for r in c.execute("SELECT title FROM filings")) == ['5"寸屏', '一种"新型"装置']


def test_quoted_cells_with_line_breaks_keep_spreadsheet_row_numbers(home, cli):
    text = ('申请号,申请日,申请人,发明名称\n' + GOOD[0] + ',"两\n行"\n' + GOOD[1] + ',"三\n\n行"\n'
            '201310699744.3,2013-03-05,甲,x\n')
    f = only(cli.json("import", write(home / "m.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (3, 2, 1)
    assert rejects(cli) == [(4, "bad_check_digit")]


# --- folders and missing paths among the files ---------------------------------------------------

@pytest.mark.parametrize("command", ["import", "inspect"])
def test_a_folder_and_a_missing_path_fail_the_others_run(home, command):
    a = write(home / "a.csv", "申请号,申请日,申请人\n" + GOOD[0] + "\n")
    b = write(home / "b.csv", "申请号,申请日,申请人\n" + GOOD[1] + "\n")
    (home / "somedir").mkdir()
    proc = run_process(command, a, home / "somedir", home / "gone.csv", b, "--json", home=home)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    files = json.loads(proc.stdout)["files"]
    ok = "imported" if command == "import" else "would_import"
    assert [(f["file"], f["status"]) for f in files] == [
        ("a.csv", ok), ("somedir", "failed"), ("gone.csv", "failed"), ("b.csv", ok)]
    assert "文件夹" in files[1]["error"] and "找不到文件" in files[2]["error"]


# --- inspect ---------------------------------------------------------------------------------------

def test_inspect_stores_nothing_and_never_creates_a_database(home):
    path = write(home / "a.csv", "清单\n序号,申请（专利）号,申请日,申请人,备注\n1," + GOOD[0] + ",x\n")
    proc = run_process("inspect", path, "--json", home=home)
    assert proc.returncode == 0, proc.stderr
    assert not (home / "ipmonitor.db").exists()
    f = only(json.loads(proc.stdout))
    assert {k: f[k] for k in ("file", "status", "kind", "encoding", "delimiter", "header_line", "rows", "new")} == {
        "file": "a.csv", "status": "would_import", "kind": "csv", "encoding": "utf-8", "delimiter": ",",
        "header_line": 2, "rows": 1, "new": 1}
    assert [(c["column"], c["header"], c["field"], c["match"]) for c in f["columns"]] == [
        (1, "序号", None, None), (2, "申请（专利）号", "application_no", "derived"),
        (3, "申请日", "filing_date", "exact"), (4, "申请人", "applicants", "exact"), (5, "备注", None, None)]


def test_inspect_counts_as_import_would_against_the_database(home, cli):
    first = write(home / "a.csv", "申请号,申请日,申请人,法律状态\n" + GOOD[0] + ",实审\n" + GOOD[1] + ",授权\n")
    cli.json("import", first)
    second = write(home / "b.csv", "申请号,申请日,申请人,法律状态\n" + GOOD[0] + ",授权\n" + GOOD[1] + ",授权\n"
                   + GOOD[2] + ",\n" + GOOD[2] + ",\n" + "201310699744.3,2013-03-05,x,\n")
    before = (home / "ipmonitor.db").read_bytes()
    seen = only(cli.json("inspect", second))
    assert (home / "ipmonitor.db").read_bytes() == before
    keys = ("rows", "new", "updated", "unchanged", "duplicate", "rejected", "warnings")
    assert {k: seen[k] for k in keys} == {"rows": 5, "new": 1, "updated": 1, "unchanged": 1, "duplicate": 1,
                                          "rejected": 1, "warnings": 0}
    assert seen["reasons"] == {"bad_check_digit": 1}
    assert [(r["line"], r["reason"]) for r in seen["first_rejects"]] == [(6, "bad_check_digit")]
    done = only(cli.json("import", second))
    assert {k: done[k] for k in keys} == {k: seen[k] for k in keys}
    assert only(cli.json("inspect", second))["status"] == "skipped"


def test_inspect_human_output_is_chinese(home, cli):
    path = write(home / "a.csv", "申请号,申清日,申请人\n" + GOOD[0] + "\n")
    r = cli("inspect", path, code=1)
    assert r.stdout.startswith("a.csv：无法导入：缺少必需的列：申请日")
    ok = write(home / "b.csv", "申请号,申请日,申请人,备注\n" + GOOD[0] + ",x\n201310699744.3,2013-03-05,y,\n")
    out = cli("inspect", ok).stdout
    assert "编码 utf-8" in out and "表头在第 1 行" in out and "申请号（列名完全匹配）" in out
    assert "未识别（随行保存）" in out and "共 2 行：新增 1" in out and "申请号校验位错误" in out


# --- property tests: no input makes an internal error, the accounting always holds ------------------

def read(data: bytes):
    try:
        table = read_table(data, "x.csv", M, filings.REQUIRED)
    except FileFailed:
        return None
    import datetime as dt
    batch = filings.normalise(table, dt.date(2026, 1, 1))
    stored = batch.filings.height
    assert batch.rows == stored + batch.duplicate + batch.rejects.height
    assert batch.rejects["line"].null_count() == 0
    return batch


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
HEAD = "申请号,申请日,申请人,专利类型,发明名称\n"


@PROPERTY
@given(st.binary(max_size=400))
def test_random_bytes(data):
    read(data)
    read(HEAD.encode() + data)


@PROPERTY
@given(st.lists(st.lists(st.text(alphabet='12.,"\n\r\t 申请号日人发明x;；\x00', max_size=12), max_size=7),
                max_size=12))
def test_random_csv_shaped_text(rows):
    text = HEAD + "\n".join(",".join(r) for r in rows)
    read(text.encode())
    read(text.encode("gb18030", "replace"))
    read(b"\xff\xfe" + text.replace(",", "\t").encode("utf-16-le"))


VALID = (HEAD + "\n".join([GOOD[0] + ",发明,一种装置", GOOD[1] + ',实用新型,"多行\n标题"',
                           GOOD[2] + ",外观设计,盒", "201310699744.3,2013-01-01,x,发明,t"]) + "\n").encode()


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, len(VALID)), st.sampled_from([b'"', b",", b"\n", b"\r", b"\x00",
                                                                       b"", b"\xe7", b'""', b"\n\n"])),
                min_size=1, max_size=6))
def test_random_damage_to_a_valid_export(damage):
    data = bytearray(VALID)
    for pos, piece in damage:
        data[pos:pos + (1 if piece == b"" else 0)] = piece
    batch = read(bytes(data))
    if batch is not None:
        assert batch.rows <= bytes(data).count(b"\n") + 1


def test_random_damage_at_scale_keeps_line_numbers_exact():
    """A 20,000-row export with a few hundred damaged lines: every good row keeps its row number."""
    rnd = random.Random(9)
    lines = [f"{GOOD[i % 3]},发明,标题{i}" for i in range(20_000)]
    # damaged lines at least 101 lines apart, so no stray quote closes another one's cell
    broken = [i * 130 + rnd.randrange(20) for i in range(150)]
    kind = {i: ("unbalanced_quote" if k % 2 else "too_many_fields") for k, i in enumerate(broken)}
    for i in broken:
        lines[i] = lines[i].replace(",标题", ',"标题', 1) if kind[i] == "unbalanced_quote" else lines[i] + ",多,出"
    batch = read((HEAD + "\n".join(lines) + "\n").encode())
    got = dict(zip(batch.rejects["line"].to_list(), batch.rejects["reason"].to_list()))
    assert {k: v for k, v in got.items() if v in ("unbalanced_quote", "too_many_fields")} == {
        i + 2: kind[i] for i in broken}
    assert batch.rows == 20_000


def test_registry_rows_that_cannot_be_read_are_rejected_too(home, cli):
    from ipmonitor.ids import credit_check_char
    code = "91321311MA1" + "ABCDE1"
    code += credit_check_char(code)
    text = f'统一社会信用代码,企业名称\n{code},宿迁华宇机械有限公司\n{code[:-1]}0,"未闭合\n'
    f = only(cli.json("enterprises", "import", write(home / "r.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (2, 1, 1)
