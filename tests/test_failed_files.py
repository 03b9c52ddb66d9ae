"""Failed files on the quality page (pages.md last bullet): beside the imported ones, with their
reason, and still not remembered as imported (cli.md: a failed file can be retried)."""

from __future__ import annotations

import html

from conftest import write

GOOD = "申请号,申请日,申请人\n201310699744.2,2013-01-01,宿迁甲机械有限公司\n"
NO_DATE = "申请号,申请人\n201310699744.2,宿迁甲机械有限公司\n"


def test_a_failed_file_is_listed_with_its_reason_and_can_be_retried(home, cli):
    cli.json("import", write(home / "good.csv", GOOD))
    (bad,) = cli.json("import", write(home / "<i>bad.csv", NO_DATE), code=1)["files"]
    assert bad["status"] == "failed"
    (again,) = cli.json("import", home / "<i>bad.csv", code=1)["files"]
    assert again["status"] == "failed"                      # not "skipped": nothing remembers it
    cli.json("import", home / "missing.csv", code=1)        # never read: not a file of the log
    cli("report", "--as-of", "2013-06-30", "--out", home / "reports")
    page = (home / "reports" / "quality.html").read_text(encoding="utf-8")
    section = page[page.index('id="imports"'):]
    assert section.count("✘ 导入失败") == 2 and section.count("已导入") == 1
    assert "&lt;i&gt;bad.csv" in section and "<i>bad" not in section
    assert html.escape(bad["error"], quote=False) in section
    assert "missing.csv" not in section
    # newest first: the two failures came after the good file
    assert section.index("✘ 导入失败") < section.index("已导入")
