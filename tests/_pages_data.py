"""A small home with hostile names for the page tests: registry, two agency exports, a status update."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ipmonitor import app, clock, ids

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
FORMULA = "=cmd|' /C calc'!A0"
YEAR = 2013
AS_OF = dt.date(2013, 6, 30)
CONFIG = """\
[district]
name = "宿豫区"
timezone = "Asia/Shanghai"
bureau = "宿豫区科学技术局"

[goals.2013]
filings = 60
invention = 30
"""


def credit_code(n: int) -> str:
    first17 = f"91321311MA{n:07d}"
    return first17 + ids.credit_check_char(first17)


def app_no(year: int, type_digit: int, serial: int, check: bool = True) -> str:
    digits = f"{year}{type_digit}{serial:07d}"
    return f"{digits}.{ids.application_check_char(digits)}" if check else digits


ENTITIES = [  # name, township, aliases, high tech
    (f"宿迁{XSS_SCRIPT}科技有限公司", "顺河街道", f"旧名{XSS_IMG}", "是"),
    (FORMULA, "洋河镇", "", "否"),
    ("江苏宿豫新材料有限公司", "顺河街道", "宿豫新材料", "是"),
    ("宿豫区零专利企业有限公司", "来龙镇", "", "否"),
    ("宿迁市农机研究所", "豫新街道", "宿迁农机所", ""),
]
UNATTRIBUTED = f"张三{XSS_SCRIPT}"


def registry_csv() -> str:
    lines = ["统一社会信用代码,企业名称,所属镇街,曾用名,高新技术企业"]
    for i, (name, town, alias, ht) in enumerate(ENTITIES, start=1):
        q = lambda s: '"' + s.replace('"', '""') + '"'
        lines.append(",".join([credit_code(i), q(name), town, q(alias), ht]))
    lines.append("91321311MA0000000X,坏代码企业,来龙镇,,否")   # a bad credit code: rejected
    return "\n".join(lines) + "\n"


def filing_rows() -> list[list[str]]:
    """(申请号, 申请日, 申请人, 发明名称, 专利类型, 法律状态, 代理机构, 信用代码) rows of agency A."""
    names = [e[0] for e in ENTITIES]
    rows, serial = [], 100
    applicants_cycle = [
        names[0], f"旧名{XSS_IMG}", names[1], "宿豫新材料", f"{names[2]}; 宿迁市农机研究所",
        "宿迁农机所", UNATTRIBUTED, f"{names[0]}、{names[2]}",
    ]
    titles = [f"一种{XSS_SCRIPT}装置", f"{XSS_IMG}方法", FORMULA, "-1+1 计算器", "@SUM(A1) 包装盒",
              "+检测系统", "一种农用播种机", "新型灯具"]
    start = dt.date(2013, 1, 2)
    for i in range(48):
        serial += 1
        d = start + dt.timedelta(days=i * 3 + (i % 5))
        if d > AS_OF:
            break
        t = (1, 2, 2, 3)[i % 4]
        rows.append([app_no(2013, t, serial), d.isoformat(), applicants_cycle[i % len(applicants_cycle)],
                     titles[i % len(titles)], {1: "发明", 2: "实用新型", 3: "外观设计"}[t], "受理",
                     f"宿迁{XSS_IMG}专利代理事务所" if i % 3 == 0 else "南京某某知识产权代理有限公司",
                     credit_code(2) if names[1] in applicants_cycle[i % len(applicants_cycle)] else ""])
    rows.append([app_no(2012, 1, 999), "2012-12-20", names[0], "去年的申请", "发明", "实审", "某代理", ""])
    return rows


def csv_text(rows: list[list[str]]) -> str:
    q = lambda s: '"' + s.replace('"', '""') + '"'
    head = "申请号,申请日,申请人,发明名称,专利类型,法律状态,代理机构,统一社会信用代码"
    return "\n".join([head, *(",".join(q(c) for c in r) for r in rows)]) + "\n"


def make_home(root: Path) -> Path:
    """A home with the registry, agency A (with one reject and one warning) and agency B (status updates)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "ipmonitor.toml").write_text(CONFIG, encoding="utf-8")
    (root / "registry.csv").write_text(registry_csv(), encoding="utf-8")
    rows = filing_rows()
    bad = [app_no(2013, 1, 5)[:-1] + "0", "2013-03-03", ENTITIES[2][0], "坏校验位", "发明", "受理", "甲", ""]
    if bad[0] == app_no(2013, 1, 5):
        bad[0] = bad[0][:-1] + "1"
    no_check = [app_no(2013, 2, 7, check=False), "2013-03-04", ENTITIES[2][0], "缺校验位", "实用新型", "受理", "甲", ""]
    (root / "agency_a.csv").write_text(csv_text([*rows, bad, no_check]), encoding="utf-8")
    updates = [[*r[:5], "授权", *r[6:]] for r in rows[:6]]
    (root / "agency_b.csv").write_text(csv_text(updates), encoding="utf-8")
    home = app.open_home(root)
    try:
        # the imports happen "then", on the one clock: agency B's status updates arrive in the week of AS_OF
        for file, kind, at in (("registry.csv", "registry", "2013-06-01T01:00:00+00:00"),
                               ("agency_a.csv", "filings", "2013-06-20T02:00:00+00:00"),
                               ("agency_b.csv", "filings", "2013-06-28T02:00:00+00:00")):
            with clock.fixed(dt.datetime.fromisoformat(at)):
                app.import_files(home, [root / file], kind)
    finally:
        home.close()
    return root
