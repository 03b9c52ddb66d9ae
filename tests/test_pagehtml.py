"""The tables made as escaped HTML in polars (ipmonitor/pagehtml.py): the same bytes as Jinja's
autoescape and the loops they replace."""

from __future__ import annotations

import jinja2
import polars as pl
from markupsafe import escape as markupsafe_escape

from ipmonitor import pagehtml
from ipmonitor.render import blank_none

NASTY = ["<script>alert('x')</script>", 'a & b "quoted"', "&amp; already", "<img src=x onerror=alert(1)>",
         "一种“装置”", "", None]


def test_escape_is_markupsafes_with_literal_strings():
    out = pl.select(pagehtml.escape(pl.lit(pl.Series(NASTY)))).to_series().to_list()
    assert out == ["&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "a &amp; b &#34;quoted&#34;",
                   "&amp;amp; already", "&lt;img src=x onerror=alert(1)&gt;", "一种“装置”", "", None]
    assert out[:-1] == [str(markupsafe_escape(s)) for s in NASTY[:-1]]


def test_cell_and_or_dash_print_as_jinja_prints():
    s = pl.Series(NASTY)
    cells = pl.select(pagehtml.cell(pl.lit(s))).to_series().to_list()
    dashed = pl.select(pagehtml.or_dash(pl.lit(s))).to_series().to_list()
    env = jinja2.Environment(autoescape=True, finalize=blank_none)
    env.filters["or_dash"] = lambda v: "—" if v is None or v == "" else v
    assert cells == [env.from_string("{{ v }}").render(v=v) for v in NASTY]
    assert dashed == [env.from_string("{{ v|or_dash }}").render(v=v) for v in NASTY]
    assert cells[-1] == "" and dashed[-2:] == ["—", "—"]      # a missing value never reads "None"
    assert pl.select(pagehtml.cell(pl.lit(pl.Series([12, None])))).to_series().to_list() == ["12", ""]


def test_rows_group_in_frame_order_and_print_as_markup():
    df = pl.DataFrame({"entity": ["B", "A", None, "B"], "t": ["<b>", "x'y", "lost", "&"]})
    rows = pagehtml.grouped_html(df, "entity", pagehtml.tr(pagehtml.cell(pl.col("t"))))
    assert set(rows) == {"A", "B"}
    assert rows["B"].html == "<tr><td>&lt;b&gt;</td></tr>\n<tr><td>&amp;</td></tr>\n" and len(rows["B"]) == 2
    assert rows["A"].html == "<tr><td>x&#39;y</td></tr>\n"
    env = jinja2.Environment(autoescape=True, finalize=blank_none)
    assert env.from_string("{% if r %}{{ r|length }}:{{ r }}{% endif %}").render(r=rows["A"]) == \
        "1:<tr><td>x&#39;y</td></tr>\n"
    assert env.from_string("{% if r %}x{% else %}none{% endif %}").render(r=pagehtml.EMPTY) == "none"


def test_filing_rows_equal_the_jinja_loop_they_replace():
    display = pl.DataFrame({
        "entity": ["C", "C"], "application_no": ["201310699744.2", "201310699745.0"],
        "title": ["一种<script>alert(1)</script>&\"'装置", "—"], "date_zh": ["2013年6月28日", None],
        "type_zh": ["发明", "外观设计"], "status_text": ["授权 ✔", "—"], "agency": ["A&B", "—"]})
    loop = jinja2.Environment(autoescape=True, finalize=blank_none).from_string(
        "{% for no, date, title, kind, status, agency in rows %}"
        "<tr><td>{{ no }}</td><td>{{ title }}</td><td>{{ date }}</td><td>{{ kind }}</td><td>{{ status }}</td>"
        "<td>{{ agency }}</td></tr>\n{% endfor %}")
    rows = display.select("application_no", "date_zh", "title", "type_zh", "status_text", "agency").rows()
    made = pagehtml.filing_rows(display)["C"]
    assert made.html == loop.render(rows=rows)
    assert "<td>一种&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#34;&#39;装置</td>" in made.html
    assert "<td></td>" in made.html and "None" not in made.html   # a date that did not parse: an empty cell


def test_rows_are_spliced_into_the_page_as_their_bytes():
    from dataclasses import dataclass

    from ipmonitor import render

    @dataclass(frozen=True)
    class Page:
        title: str
        rows: pagehtml.Rows
        none: pagehtml.Rows

    rows = pagehtml.Rows("<tr><td>一种&lt;装置&gt;</td></tr>\n".encode(), 1)
    template = jinja2.Environment(autoescape=True, finalize=blank_none).from_string(
        "<h1>{{ title }}</h1>{{ rows|length }}{% if rows %}<tbody>\n{{ rows }}</tbody>{% endif %}"
        "{% if none %}x{% else %}—{% endif %}")
    page = Page(title="<script>&\"'", rows=rows, none=pagehtml.EMPTY)
    made = render.render_spliced(template, page)
    assert made == ("<h1>&lt;script&gt;&amp;&#34;&#39;</h1>1<tbody>\n<tr><td>一种&lt;装置&gt;</td></tr>\n</tbody>—"
                    .encode())
    assert made == template.render(title=page.title, rows=rows, none=pagehtml.EMPTY).encode()


def test_fee_rows_one_per_entity_table_with_literal_strings():
    fees = [{"fees": [{"due": "2014-01-05", "application_no": "2013<1>", "type": "design", "patent_year": 2},
                      {"due": "2014-01-06", "application_no": "x'y", "type": None, "patent_year": 3}]},
            {"fees": []}]
    made = pagehtml.fee_rows(fees, {"design": "外观&设计"})
    assert [len(r) for r in made] == [2, 0]
    assert made[0].html == (
        '    <tr><td>2014-01-05</td><td>2013&lt;1&gt;</td><td>外观&amp;设计</td><td class="num">第 2 年</td></tr>\n'
        '    <tr><td>2014-01-06</td><td>x&#39;y</td><td>—</td><td class="num">第 3 年</td></tr>\n')
    assert pagehtml.fee_rows([], {}) == []


def test_reject_rows_with_literal_strings():
    rejects = [{"file": "a<b>.csv", "line": 17, "application_no": "2013&1", "reason": "bad_date",
                "message": "申请日 \"2031\" 晚于今天"},
               {"file": "x.csv", "line": None, "application_no": "", "reason": "unknown_code", "message": None}]
    made = pagehtml.reject_rows(rejects, {"bad_date": "申请日晚于今天"})
    assert len(made) == 2 and made.html == (
        '    <tr><td>a&lt;b&gt;.csv</td><td class="num">17</td><td class="code">2013&amp;1</td><td>申请日晚于今天</td>'
        "<td>申请日 &#34;2031&#34; 晚于今天</td></tr>\n"
        '    <tr><td>x.csv</td><td class="num">—</td><td class="code">—</td><td>unknown_code</td><td>—</td></tr>\n')
    assert pagehtml.reject_rows([], {}) is pagehtml.EMPTY
