"""`ipmonitor events import` and `ipmonitor patents`: legal-status lists and the patents in force."""

from __future__ import annotations

import click

from .. import app, words
from ..events import KIND_ZH
from .common import date_option, exit_for, home_of, json_option, print_json


@click.group()
def events():
    """Legal-status lists (法律状态): grants, lapses, restorations, pledges."""


@events.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@json_option
@click.pass_context
def events_import(ctx, files, as_json):
    """Import legal-status lists (CSV or .xlsx, read like agency exports)."""
    results = app.import_files(home_of(ctx), files, "events")
    if as_json:
        print_json({"files": results})
    else:
        for r in results:
            if r["status"] == "failed":
                click.echo(f"{r['file']}：导入失败：{r['error']}")
            elif r["status"] == "skipped":
                click.echo(f"{r['file']}：同一文件（SHA-256 相同）已导入过，跳过")
            else:
                click.echo(f"{r['file']}：{r['rows']} 行：新增 {r['new']} 条，重复 {r['duplicate']} 条，"
                           f"拒绝 {r['rejected']} 行；其中 {r['unmatched']} 条的申请尚未导入")
    exit_for(results)


@click.command()
@date_option("--as-of", help="The day to look at (default: today).")
@json_option
@click.pass_context
def patents(ctx, as_of, as_json):
    """Patents in force, inventions per 10,000 people, this year's grants and lapses, fees due."""
    home = home_of(ctx)
    doc = app.patents(home, as_of or home.today())
    if as_json:
        print_json(doc)
        return
    f, g, TYPE_ZH = doc["in_force"], doc["granted_in_year"], words.table("type")
    click.echo(f"截至 {doc['as_of']} 的有效专利：" + "，".join(f"{TYPE_ZH[k]} {v} 件" for k, v in f.items()))
    click.echo(f"有效发明专利：{f['invention']} 件；万人发明专利拥有量："
               + ("未配置人口" if doc["invention_per_10k"] is None else f"{doc['invention_per_10k']:.2f}"))
    click.echo("本年授权：" + "，".join(f"{TYPE_ZH[k]} {v} 件" for k, v in g.items()))
    click.echo(f"本年失效：{len(doc['lapsed_in_year'])} 件次；本年质押登记：{doc['pledged_in_year']} 次")
    for r in doc["lapsed_in_year"]:
        click.echo(f"  {r['date']}  {r['application_no']}  {r['name'] or '-'}  {KIND_ZH[r['kind']]}"
                   f"{'：' + r['words'] if r['words'] else ''}")
    click.echo(f"即将到期的年费：{len(doc['fees_due'])} 件")
    for r in doc["fees_due"]:
        click.echo(f"  {r['due']}  {r['application_no']}  {r['name'] or '-'}  第 {r['patent_year']} 年")
    if doc["unmatched_events"]:
        click.echo(f"尚未对应到申请的法律状态：{doc['unmatched_events']} 条")
