"""The signals of signals.md on the quality page and on the entity's page (built by `report`)."""

from __future__ import annotations

import datetime as dt

from _pages_data import app_no, credit_code, registry_csv

CONFIG = '[district]\nname = "宿豫区"\ntimezone = "Asia/Shanghai"\n\n[goals.2013]\nfilings = 60\ninvention = 30\n'
FIRM = "江苏宿豫新材料有限公司"          # entity 3 of the registry
TITLES = [f"一种新型高效节能切割装置{n}" for n in "一二三四五六"]   # one character apart: near-identical


def _home(tmp_path, planted: bool):
    home = tmp_path / "home"
    home.mkdir()
    (home / "ipmonitor.toml").write_text(CONFIG, encoding="utf-8")
    (home / "registry.csv").write_text(registry_csv(), encoding="utf-8")
    rows = ["申请号,申请日,申请人,发明名称,专利类型"]
    numbers = []
    for i in range(6):
        no = app_no(2013, 2, 500 + i)
        numbers.append(no)
        title = TITLES[i] if planted else ["一种农用播种机", "智能灯具控制电路", "散热结构", "阀门",
                                           "一种包装机", "检测方法"][i]
        day = dt.date(2013, 3, 1) + dt.timedelta(days=2 * i if planted else 50 * i)
        rows.append(f"{no},{day.isoformat()},{FIRM},{title},实用新型")
    (home / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return home, numbers


def test_planted_near_duplicates_show_on_quality_and_entity_pages(tmp_path):
    from conftest import Cli
    home, numbers = _home(tmp_path, planted=True)
    cli = Cli(home)
    cli("enterprises", "import", home / "registry.csv")
    cli("import", home / "a.csv")
    cli("report", "--year", "2013", "--as-of", "2013-06-30", "--out", home / "reports")
    quality = (home / "reports" / "quality.html").read_text(encoding="utf-8")
    assert "标题几乎相同" in quality
    assert "同一申请人在 14 天内有 6 件标题几乎相同的申请" in quality
    assert all(n in quality for n in numbers)
    assert "不是结论" in quality
    page = (home / "reports" / "enterprise" / f"{credit_code(3)}.html").read_text(encoding="utf-8")
    assert 'id="signals"' in page and "同一申请人在 14 天内有 6 件标题几乎相同的申请" in page
    other = (home / "reports" / "enterprise" / f"{credit_code(4)}.html").read_text(encoding="utf-8")
    assert 'id="signals"' not in other


def test_ordinary_filings_leave_the_signals_quiet(tmp_path):
    from conftest import Cli
    home, _ = _home(tmp_path, planted=False)
    cli = Cli(home)
    cli("enterprises", "import", home / "registry.csv")
    cli("import", home / "a.csv")
    cli("report", "--year", "2013", "--as-of", "2013-06-30", "--out", home / "reports")
    quality = (home / "reports" / "quality.html").read_text(encoding="utf-8")
    assert "本年的申请中没有发现值得提示的模式。" in quality
    page = (home / "reports" / "enterprise" / f"{credit_code(3)}.html").read_text(encoding="utf-8")
    assert 'id="signals"' not in page
