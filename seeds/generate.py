"""Demo data for ipmonitor: 宿豫区 (Suqian, Jiangsu), filings of 2012 and of 2013 up to 28 June.

    python seeds/generate.py [--out DIR]      # DIR defaults to this script's folder

Writes ipmonitor.toml, enterprises.csv (the registry), agencies/* (four agency exports in
four formats) and README.md (what each file holds and every row damaged on purpose, with
its line). Deterministic: one random.Random with a fixed seed, no clock, no set iteration,
fixed xlsx timestamps — the same code always writes the same bytes (tests/test_seeds.py).
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import io
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ipmonitor.ids import application_check_char, credit_check_char  # noqa: E402

SEED = 20130630
D = dt.date
TOWNSHIPS = {"顺河街道": 22, "豫新街道": 20, "下相街道": 14, "来龙镇": 10,
             "仰化镇": 9, "大兴镇": 9, "丁嘴镇": 8, "新庄镇": 8}
BRANDS = ("华泰 恒信 金鹰 润泽 宏达 鑫源 永盛 天成 汇丰 瑞祥 中联 富民 嘉禾 东升 新宇 博远 盛世 锦程 "
          "华科 凯达 恒通 昌盛 明辉 宇航 金桥 龙腾 九洲 天润 鸿运 佳和 科达 百盛 德信 高科 恒源 金达 "
          "巨力 康泰 力拓 绿源 美嘉 普惠 庆丰 荣华 三友 森茂 顺达 泰和 通宇 鑫泰 亚泰 裕丰 振华 中天 "
          "卓越 安泰 宝利 诚信 大地 丰源 光明 海德 和顺 弘远 华美 吉祥 佳宝 金盛 聚源 凯华 蓝天 利民 "
          "隆兴 美达 明星 宁泰 鹏程 奇峰 润达 尚品 盛达 天恒 同创 伟业 祥和 兴旺 扬帆 益民 永康 优胜 "
          "泽润 志诚 中恒 众诚 卓成 骏马 豫隆 湖滨 运河 楚韵 项王").split()
NAME_PATTERNS = ("宿迁市{b}{w}有限公司", "宿迁市{b}{w}有限公司", "江苏{b}{w}有限公司", "宿迁{b}{w}有限公司")
FORMER_PATTERNS = ("宿豫县{b}{w}厂", "宿迁市{b}{w}有限责任公司", "宿迁市宿豫区{b}{w}有限公司", "宿迁{b}实业有限公司")
# industry: (word in the name, weight, devices, invention methods, design products)
INDUSTRIES = [
    ("机械", 18, "数控车床刀架 液压升降平台 输送带张紧装置 齿轮箱散热结构 焊接夹具 农用播种机 秸秆粉碎机",
     "齿轮表面淬火方法 轴类零件冷挤压成型工艺 焊缝超声检测方法", "农用拖拉机 粉碎机 电动三轮车"),
    ("科技", 16, "LED路灯散热器 光伏组件接线盒 智能电表箱 温湿度传感器 电路板固定架 电动汽车充电桩",
     "光伏硅片清洗方法 锂电池负极材料的制备方法 配电数据采集方法", "LED灯具 智能插座 遥控器"),
    ("纺织", 12, "纺纱机断纱检测装置 织布机送经机构 络筒机张力器 验布机 染色机排风装置",
     "抗菌涤纶纤维及其制备方法 竹纤维混纺纱的生产方法 无纺布后整理工艺", "床品套件 毛巾 面料"),
    ("食品", 12, "米粉烘干装置 酱菜腌制罐 豆浆煮浆机 饮料灌装机 白酒蒸馏器",
     "低糖糕点及其制作方法 酱菜的腌制方法 黄酒酿造工艺", "包装盒 酒瓶 礼品盒"),
    ("木业", 10, "生态板热压机 胶合板修补装置 木材干燥窑 单板旋切机",
     "无醛胶合板的制造方法 阻燃刨花板及其制备方法", "衣柜 实木餐桌 办公椅"),
    ("新材料科技", 10, "塑料薄膜吹塑机 复合管材挤出模具 涂料搅拌釜",
     "水性涂料及其制备方法 改性聚丙烯材料的制备方法 玻纤增强复合材料的成型方法", "管件 塑料托盘"),
    ("电子科技", 10, "电源适配器外壳 线束端子压接装置 变压器散热片 按键开关",
     "印制电路板的焊接方法 电容器老化检测方法", "充电器 音箱 插线板"),
    ("生物科技", 6, "中药提取罐 发酵罐 医用输液架 病床护栏",
     "黄芪多糖的提取方法 微生物有机肥及其制备方法", "药瓶 口罩"),
]
QUALIFIERS = ("", "", "", "新型", "节能型", "可调式", "便携式", "高效", "多功能")
VARIANTS = ("红色", "蓝色", "1", "2", "A款", "豪华型", "礼品装")
UNIVERSITIES = ("江苏大学", "南京理工大学", "中国矿业大学", "江南大学", "南京林业大学", "河海大学")
OUTSIDERS = ("张伟", "李娜", "王强", "刘洋", "陈静", "周建国", "徐州恒达机械有限公司",
             "南京同创信息技术有限公司", "淮安金源化工有限公司", "宿迁市宿城区华丰服饰有限公司")
FOREIGN = "Sumitomo Electric Industries, Ltd."
INSTITUTIONS = [("12321311", "宿迁豫新职业技术学院", "豫新街道", 1, 6.0),
                ("12321311", "宿迁市宿豫区农业科学研究所", "大兴镇", 7, 3.0),
                ("52321311", "宿迁宿豫智能制造技术研究院", "顺河街道", 0, 2.0)]
MONTH_WEIGHTS = (6, 4, 8, 12, 8, 8, 7, 6, 8, 12, 8, 13)   # survey months April, October; December rush
HOLIDAYS = ("2012-01-01 2012-01-03", "2012-01-22 2012-01-28", "2012-04-02 2012-04-04",
            "2012-04-29 2012-05-01", "2012-06-22 2012-06-24", "2012-09-30 2012-10-07",
            "2013-01-01 2013-01-03", "2013-02-09 2013-02-15", "2013-04-04 2013-04-06",
            "2013-04-29 2013-05-01", "2013-06-10 2013-06-12")
LAST_DAY = {2012: D(2012, 12, 31), 2013: D(2013, 6, 28)}
# distinct filings per number year and type digit (the divisional and a design series come on top)
PLAN = {2012: {"1": 50, "8": 1, "2": 228, "3": 94}, 2013: {"1": 19, "8": 2, "2": 104, "3": 42}}
VOLUME = {2012: {"1": 650000, "8": 60000, "2": 740000, "3": 650000},   # national serials per year
          2013: {"1": 820000, "8": 65000, "2": 890000, "3": 660000}}
AGENCIES = {"zhixing": "宿迁智行专利代理事务所", "incopat": "江苏汇智知识产权代理有限公司",
            "huayu": "宿迁华宇专利事务所", "tongda": "宿迁通达专利代理事务所（普通合伙）"}
STATUS_AS_OF = {"zhixing": D(2013, 6, 30), "incopat": D(2013, 7, 1),
                "huayu": D(2013, 4, 30), "tongda": D(2013, 1, 5)}  # huayu's status column lags
GOALS = {2012: (350, 40), 2013: (400, 50)}
BUDGETS = {2012: 120000, 2013: 150000}
RATES = {"invention_application": 1000, "invention_grant": 4000, "utility_model_grant": 1000,
         "design_grant": 500, "pct": 10000}
TYPE_WORDS = {"1": "发明", "8": "发明", "2": "实用新型", "3": "外观设计"}
HUAYU_TYPE_WORDS = {"1": "发明专利", "8": "PCT发明", "2": "实用新型专利", "3": "外观设计专利"}


@dataclass
class Entity:
    code: str
    name: str
    township: str
    industry: int
    weight: float
    aliases: list[str] = field(default_factory=list)
    high_tech: bool = False
    above: bool = False
    pref: str = "zhixing"


@dataclass
class Filing:
    no: str
    date: dt.date
    applicants: list[str]
    title: str
    fate: float
    entity: Entity | None
    agency: str = ""
    written: str = ""              # the first applicant as the agencies write it
    submitted: dt.date | None = None
    note: str = ""
    special: bool = False          # variant name, overlap or divisional: never damaged further

    @property
    def kind(self) -> str:
        return self.no[4]


def org_code(rng: random.Random) -> str:
    """An organisation code: 8 digits and their own check (weights 3,7,9,10,5,8,4,2)."""
    d = f"{rng.randint(5, 7)}{rng.randrange(10 ** 7):07d}"
    c = 11 - sum(int(x) * w for x, w in zip(d, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    return d + {10: "X", 11: "0"}.get(c, str(c))


def credit_code(prefix: str, rng: random.Random) -> str:
    first17 = prefix + org_code(rng)
    return first17 + credit_check_char(first17)


def make_entities(rng: random.Random, n: int = 96) -> list[Entity]:
    brands, ents = rng.sample(BRANDS, n), []
    high_tech = set(rng.sample(range(3, n), 7))
    zero = [i for i in rng.sample(range(3, n), 20) if i not in high_tech][:8]
    for i, b in enumerate(brands):
        ind = rng.choices(range(len(INDUSTRIES)), [x[1] for x in INDUSTRIES])[0]
        w = INDUSTRIES[ind][0]
        pattern = "宿迁市（宿豫）{b}{w}有限公司" if i < 3 else rng.choice(NAME_PATTERNS)
        if i in high_tech and rng.random() < 0.5:
            pattern = "江苏{b}{w}股份有限公司"
        above = i in high_tech or rng.random() < 0.3
        weight = 0.0 if i in zero else 10 if i in high_tech else 3.5 if above else 1.5
        township = rng.choices(list(TOWNSHIPS), list(TOWNSHIPS.values()))[0]
        ents.append(Entity(credit_code("91321311", rng), pattern.format(b=b, w=w), township, ind,
                           weight, high_tech=i in high_tech, above=above))
    for k, e in zip((3, 2, 2, 1, 1, 1, 1, 1, 1, 1), rng.sample(ents[3:], 10)):
        b, w = brands[ents.index(e)], INDUSTRIES[e.industry][0]
        e.aliases = [p.format(b=b, w=w) for p in rng.sample(FORMER_PATTERNS, k) if p.format(b=b, w=w) != e.name]
    for prefix, name, township, ind, weight in INSTITUTIONS:
        ents.append(Entity(credit_code(prefix, rng), name, township, ind, weight))
    for e in ents:
        e.pref = rng.choice(("zhixing", "zhixing", "incopat", "other"))
    assert len({e.code for e in ents}) == len(ents)
    return ents


def is_holiday(d: dt.date) -> bool:
    return any(a <= d.isoformat() <= b for a, b in (h.split() for h in HOLIDAYS))


def filing_date(rng: random.Random, year: int) -> dt.date:
    """A working day of the year, months weighted by MONTH_WEIGHTS, on or before LAST_DAY."""
    last = LAST_DAY[year]
    months = list(range(1, last.month + 1))
    while True:
        m = rng.choices(months, MONTH_WEIGHTS[:len(months)])[0]
        d = D(year, m, rng.randint(1, calendar.monthrange(year, m)[1]))
        if d <= last and d.weekday() < 5 and not is_holiday(d):
            return d


def app_number(rng: random.Random, year: int, kind: str, d: dt.date, used: set[str]) -> str:
    """YYYY + type + 7-digit serial growing through the year, + '.' + check character."""
    doy = d.timetuple().tm_yday
    serial = int(VOLUME[year][kind] * doy / 366 * rng.uniform(0.96, 1.02)) + rng.randrange(50)
    while f"{year}{kind}{serial:07d}" in used:
        serial += 1
    digits = f"{year}{kind}{serial:07d}"
    used.add(digits)
    return f"{digits}.{application_check_char(digits)}"


def make_title(rng: random.Random, kind: str, industry: int) -> str:
    _, _, devices, methods, products = INDUSTRIES[industry]
    if kind == "3":
        p = rng.choice(products.split())
        return p if rng.random() < 0.4 else f"{p}（{rng.choice(VARIANTS)}）"
    if kind in "18" and rng.random() < 0.55:
        return "一种" + rng.choice(methods.split())
    return "一种" + rng.choice(QUALIFIERS) + rng.choice(devices.split())


def make_filing(rng, ents, year, kind, used, d=None) -> Filing:
    d = d or filing_date(rng, year)
    e = None if rng.random() < 0.05 else rng.choices(ents, [x.weight for x in ents])[0]
    if e is None:
        apps, industry = [rng.choice(OUTSIDERS)], rng.randrange(len(INDUSTRIES))
    else:
        apps, industry = [e.name], e.industry
        if rng.random() < 0.07:
            apps.append(rng.choice(UNIVERSITIES))
        elif rng.random() < 0.03:
            apps.append(rng.choice([x for x in ents if x is not e and x.weight]).name)
    f = Filing(app_number(rng, year, kind, d, used), d, apps, make_title(rng, kind, industry),
               rng.random(), e, written=apps[0])
    other = "tongda" if year == 2012 else "huayu"
    pref = e.pref if e and rng.random() < 0.75 else rng.choices(("zhixing", "incopat", "other"), (40, 32, 28))[0]
    f.agency = other if pref == "other" else pref
    return f


def make_filings(rng: random.Random, ents: list[Entity]) -> list[Filing]:
    used: set[str] = set()
    fs = [make_filing(rng, ents, y, k, used) for y, plan in PLAN.items() for k, n in plan.items() for _ in range(n)]
    # a design series from one food firm on one day (a signal for the abnormal-filing review)
    food = next(e for e in ents if INDUSTRIES[e.industry][0] == "食品" and e.weight >= 3.5)
    for colour in ("红色", "蓝色", "金色", "绿色"):
        f = make_filing(rng, ents, 2013, "3", used, D(2013, 4, 18))
        f.applicants, f.written, f.entity = [food.name], food.name, food
        f.title, f.agency = f"包装盒（{colour}）", "zhixing"
        fs.append(f)
    # a divisional: number of 2013, filing date of its 2012 parent
    parent = next(f for f in fs if f.kind == "1" and f.agency == "zhixing" and f.entity and f.date.month < 6)
    div = make_filing(rng, ents, 2013, "1", used, D(2013, 3, 12))
    div.date, div.applicants, div.written, div.entity = parent.date, parent.applicants, parent.written, parent.entity
    div.title, div.agency, div.submitted, div.special = parent.title, "zhixing", D(2013, 3, 12), True
    div.note = f"分案申请，原申请号{parent.no}"
    fs.append(div)
    pct = next(f for f in fs if f.kind == "8" and f.date.year == 2013)
    pct.agency, pct.special = "huayu", True  # carries the type word 'PCT发明'
    foreign = min((f for f in fs if f.entity is None and f.date.year == 2013), key=lambda f: (f.kind != "1", f.no))
    foreign.applicants, foreign.written, foreign.agency = [FOREIGN], FOREIGN, "incopat"  # commas in a name
    return sorted(fs, key=lambda f: (f.date, f.no))


def plant_name_variants(rng: random.Random, fs: list[Filing]) -> None:
    """First applicant written with a former name, half-width parentheses or stray spaces."""
    def take(cond, n):
        for f in rng.sample([f for f in fs if f.entity and not f.special and cond(f.entity)], n):
            f.special = True
            yield f
    for f in take(lambda e: e.aliases, 4):
        f.written = f.entity.aliases[0]
    for f in take(lambda e: "（" in e.name, 3):
        f.written = f.entity.name.replace("（", "(").replace("）", ")")
    for f in take(lambda e: e.name.startswith("宿迁市") and "（" not in e.name, 3):
        f.written = "宿迁市 " + f.entity.name[3:].replace("有限公司", "  有限公司")
    for f in fs:
        f.applicants = [f.written] + f.applicants[1:]


def status(f: Filing, as_of: dt.date) -> str:
    """Legal status as of a date; `fate` fixes the outcome so later exports agree with earlier ones."""
    age = (as_of - (f.submitted or f.date)).days
    if f.kind == "3":
        return "受理" if age < 110 else "授权" if f.fate < 0.93 else "视为撤回"
    if f.kind == "2":
        return "受理" if age < 160 else "授权" if f.fate < 0.9 else "视为撤回" if f.fate < 0.97 else "驳回"
    if age < 90:
        return "受理"
    if age < 300:
        return "公开"
    if age < 420:
        return "实质审查"
    return "授权" if f.fate < 0.12 else "视为撤回" if f.fate < 0.2 else "驳回" if f.fate < 0.24 else "实质审查"


def row(f: Filing, file: str, **over) -> dict:
    r = dict(f=f, no=f.no, date=f.date, apps=f.applicants, title=f.title, type=f.kind, code="",
             status=status(f, STATUS_AS_OF[file]), agency=AGENCIES[file], note=f.note, bad="")
    return {**r, **over}


def pick(rng: random.Random, rows: list[dict], cond=lambda r: True) -> dict:
    return rng.choice([r for r in rows if not r["bad"] and not r["f"].special and cond(r)])


def overlap(rng: random.Random, files: dict, src: str, dst: str, n: int, note: str = "") -> None:
    """The same filing in a second export, imported later (files go in by name), with a newer status."""
    cands = [r for r in files[src] if not r["f"].special and r["status"] != status(r["f"], STATUS_AS_OF[dst])]
    cands.sort(key=lambda r: r["type"] != "1")  # stable: an invention first when there is one
    for r in cands[:1] + rng.sample([r for r in cands[1:] if r["type"] != "1"], n - 1):
        r["f"].special = True
        new = row(r["f"], dst, note=note, agency=AGENCIES[src if dst == "incopat" else dst])
        files[dst].append(new)
        r["bad"] = new["bad"] = f"same filing in two files: {r['status']} → {new['status']}"


def build_rows(rng: random.Random, fs: list[Filing]) -> dict[str, list[dict]]:
    """Each file's rows, overlaps included, damage planted (r['bad'] says what to expect)."""
    files = {k: [row(f, k) for f in fs if f.agency == k] for k in AGENCIES}
    z, inc, hy, td = files["zhixing"], files["incopat"], files["huayu"], files["tongda"]
    overlap(rng, files, "tongda", "zhixing", 3, note="原通达代理，2013年转入")
    overlap(rng, files, "huayu", "incopat", 3)
    # zhixing: Excel dropped '.0' check digits, two went to scientific notation
    for i, r in enumerate(rng.sample([r for r in z if r["no"].endswith(".0") and not r["f"].special], 8)):
        digits = r["no"][:-2]
        r["no"], r["bad"] = (f"{int(digits):.5E}", "reject bad_application_no (scientific notation)") if i < 2 \
            else (digits, "warning check_digit_missing")
        if i == 0:  # this one also reached the incoPat export, intact
            r["f"].special = True
            inc.append(row(r["f"], "incopat", agency=AGENCIES["zhixing"],
                           bad="intact copy of a filing whose 智行 row is in scientific notation"))
    for rows in files.values():
        rows.sort(key=lambda r: (r["f"].date, r["f"].no, r["bad"].startswith("same")))
    pick(rng, z, lambda r: r["type"] == "1").update(type="3", bad="reject type_mismatch (外观设计 on a type-1 number)")
    pick(rng, z, lambda r: r["type"] == "2" and r["f"].entity and r["f"].entity.industry == 0).update(
        title='一种"快拆式"数控车床刀架,含定位销', bad="title with a comma and quotes (fine)")
    for r in z:
        if r["f"].note:
            r["bad"] = "warning year_mismatch (divisional: 2013 number, 2012 filing date)"
    # incoPat: an impossible date, a publication number, a wrong check digit; CN prefixes, credit codes
    pick(rng, inc, lambda r: r["date"].year == 2013 and r["date"].month in (2, 3)).update(
        date="2013-02-30", bad="reject bad_filing_date")
    pick(rng, inc, lambda r: r["type"] == "1" and r["date"].year == 2012).update(
        no="CN102822194A", bad="reject bad_application_no (publication number)")
    r = pick(rng, inc)
    r.update(no=r["no"][:-1] + str((int(r["no"][-1].replace("X", "10")) + 1) % 10), bad="reject bad_check_digit")
    for r in inc:
        e = r["f"].entity
        r["no"] = ("CN" if rng.random() < 0.4 and r["no"][0] == "2" else "") + r["no"]
        r["code"] = e.code if e and r["apps"][0] == e.name and rng.random() < 0.85 else ""
    # huayu: text dates, numbers stored as numbers, a missing date, an exact duplicate, PCT发明
    for r in rng.sample([r for r in hy if not r["f"].special], 5):
        r["textdate"] = True
    zeros = [r for r in hy if r["no"].endswith(".0") and not r["f"].special and "textdate" not in r]
    for r in rng.sample(zeros, min(4, len(zeros))):
        r["no"], r["bad"] = r["no"][:-2], "warning check_digit_missing (number cell)"
    pick(rng, hy, lambda r: "textdate" not in r).update(date=None, bad="reject missing_filing_date")
    r = pick(rng, hy)
    r["bad"] = "duplicate (identical row follows)"
    hy.insert(hy.index(r) + 1, dict(r, bad="duplicate of the row above (stored once)"))
    for r in hy:
        if r["type"] == "8":
            r["bad"] = "warning unknown_type_word (PCT发明 on a type-8 number)"
    # tongda: a missing applicant, the same number twice with different statuses
    pick(rng, td).update(apps=[], bad="reject missing_applicant")
    r = pick(rng, td, lambda r: r["status"] == "授权")
    r["bad"] = "conflicting_duplicate: this later row wins"
    td.insert(max(0, td.index(r) - 3), dict(r, status="受理", bad="duplicate (earlier row, status 受理, loses)"))
    return files


def ymd(d, fmt: str) -> str:
    return d if isinstance(d, str) else "" if d is None else fmt.format(d=d)


def csv_text(rows: list[list], eol: str) -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator=eol).writerows(rows)
    return buf.getvalue()


def write_zhixing(path: Path, rows: list[dict], title: str = "专利申请清单（截至2013年6月30日）") -> list[int]:
    """GBK CSV, CRLF, a title line, '2013/3/5' dates, '；' between applicants, a blank line midway."""
    out = [[f"宿迁智行专利代理事务所 {title}"] + [""] * 8,
           ["序号", "申请号", "发明名称", "申请(专利权)人", "申请日", "专利类型", "法律状态", "代理机构", "备注"]]
    lines = []
    for i, r in enumerate(rows, 1):
        if i == len(rows) // 2:
            out.append([])
        out.append([i, r["no"], r["title"], "；".join(r["apps"]), ymd(r["date"], "{d.year}/{d.month}/{d.day}"),
                    TYPE_WORDS[r["type"]], r["status"], r["agency"], r["note"]])
        lines.append(len(out))
    text = csv_text(out, "\r\n")
    text.encode("gbk")  # raises if a character is outside GBK
    path.write_bytes(text.encode("gb18030"))
    return lines


def write_incopat(path: Path, rows: list[dict]) -> list[int]:
    """incoPat: UTF-8 with BOM, LF, ISO dates, '; ' between applicants."""
    out = [["申请号", "申请日", "标题", "申请人", "当前法律状态", "代理机构", "工商统一社会信用代码", "第一申请人"]]
    out += [[r["no"], ymd(r["date"], "{d:%Y-%m-%d}"), r["title"], "; ".join(r["apps"]), r["status"],
             r["agency"], r["code"], r["apps"][0]] for r in rows]
    path.write_bytes(csv_text(out, "\n").encode("utf-8-sig"))
    return list(range(2, len(rows) + 2))


def write_huayu(path: Path, rows: list[dict]) -> list[int]:
    """xlsx: merged title row, empty row, header; date cells, a few text dates, a few number cells."""
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    wb.set_properties({"title": "2013年专利申请案件", "author": AGENCIES["huayu"],
                       "created": dt.datetime(2013, 6, 28, 17, 30)})  # fixed: same bytes every run
    ws = wb.add_worksheet("申请案件")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, 6, "宿迁华宇专利事务所 2013年专利申请案件表（截至2013年6月28日）",
                   wb.add_format({"bold": True, "align": "center", "font_size": 14}))
    ws.write_row(2, 0, ["专利申请号", "申请日期", "申请人名称", "专利名称", "专利类型", "案件状态", "代理机构"])
    for i, r in enumerate(rows, 3):
        ws.write(i, 0, int(r["no"]) if r["no"].isdigit() else r["no"])
        if "textdate" in r:
            ws.write_string(i, 1, ymd(r["date"], "{d.year}年{d.month}月{d.day}日"))
        elif r["date"] is not None:
            ws.write_datetime(i, 1, dt.datetime.combine(r["date"], dt.time()), date_fmt)
        ws.write_row(i, 2, ["、".join(r["apps"]), r["title"], HUAYU_TYPE_WORDS[r["type"]], r["status"], r["agency"]])
    ws.set_column(0, 1, 16)
    ws.set_column(2, 3, 36)
    wb.close()
    return list(range(4, len(rows) + 4))


def write_tongda(path: Path, rows: list[dict]) -> list[int]:
    """Excel 'Unicode text': UTF-16 LE with BOM, tab-separated, CRLF; 实质审查 written 实审."""
    lines = ["申请号\t申请日\t申请人\t名称\t类型\t状态"]
    lines += ["\t".join([r["no"], ymd(r["date"], "{d:%Y.%m.%d}"), "；".join(r["apps"]), r["title"],
                         TYPE_WORDS[r["type"]], r["status"].replace("实质审查", "实审")]) for r in rows]
    path.write_bytes(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
    return list(range(2, len(rows) + 2))


def write_registry(path: Path, ents: list[Entity]) -> None:
    out = [["统一社会信用代码", "企业名称", "所属镇街", "曾用名", "高新技术企业", "规模以上"]]
    out += [[e.code, e.name, e.township, "；".join(e.aliases), "是" if e.high_tech else "否",
             "是" if e.above else "否"] for e in ents]
    path.write_bytes(csv_text(out, "\r\n").encode("utf-8-sig"))


OUTPUTS = {"zhixing": ("zhixing_2012-2013.csv", write_zhixing), "incopat": ("incopat_export_2013.csv", write_incopat),
           "huayu": ("huayu_2013.xlsx", write_huayu), "tongda": ("tongda_2012.txt", write_tongda)}


def config_text() -> str:
    out = ["# Generated by seeds/generate.py: edit the script and rerun it, not this file.",
           "[district]", 'name = "宿豫区"', 'timezone = "Asia/Shanghai"', "population = 620000"]
    for y, (filings, invention) in GOALS.items():
        out += ["", f"[goals.{y}]", f"filings = {filings}", f"invention = {invention}"]
    for y, budget in BUDGETS.items():
        out += ["", f"[subsidy.{y}]", f"budget = {budget}", "", f"[subsidy.{y}.rates]"]
        out += [f"{k} = {v}" for k, v in RATES.items()]
    expected = ", ".join(f'"{a}"' for a in EXPECTED_AGENCIES)
    out += ["", "[agencies]", f"expected = [{expected}]", 'every = "7d"']
    return "\n".join(out) + "\n"


# The agencies the bureau expects lists from: 恒信 never sends one (overdue in the demo).
EXPECTED_AGENCIES = (AGENCIES["zhixing"], AGENCIES["incopat"], AGENCIES["huayu"], "宿迁恒信专利代理事务所")
RESEND = "zhixing_2013-07_resend.csv"
SAME_NAME_NO = "201320999001"      # a same-named firm of 泗阳县 in 智行's resend (kept out by an override)


def resend_rows(files: dict[str, list[dict]], ents: list[Entity]) -> list[dict]:
    """智行's corrected resend (July): every row of its list that was rejected, corrected (the type
    word fixed, the numbers written as text), and one filing of a same-named firm of another
    county. No random numbers: the other seeds stay as they were."""
    out = []
    for r in files["zhixing"]:
        if r["bad"].startswith("reject"):
            f = r["f"]
            out.append(row(f, "zhixing", note="更正后重发", bad=f"corrected resend of: {r['bad']}"))
    namesake = next(e for e in ents if e.weight and not e.aliases and INDUSTRIES[e.industry][0] == "机械")
    no = SAME_NAME_NO + "." + application_check_char(SAME_NAME_NO)
    assert all(r["no"] != no for rows in files.values() for r in rows)
    f = Filing(no, D(2013, 6, 20), [namesake.name], "一种玉米脱粒机", 0.5, None, agency="zhixing")
    out.append(row(f, "zhixing", note="申请人地址：泗阳县", bad="same-named firm of another county "
                   "(overrides.csv keeps it out of the district)"))
    return out


def write_overrides(path: Path) -> None:
    no = SAME_NAME_NO + "." + application_check_char(SAME_NAME_NO)
    out = [["申请号", "操作", "统一社会信用代码", "原因"],
           [no, "none", "", "同名企业：申请人地址在泗阳县，不是本区的企业"]]
    path.write_bytes(csv_text(out, "\r\n").encode("utf-8-sig"))


README = """\
# Demo data: 宿豫区, 2012 and January–June 2013

Generated by `python seeds/generate.py` (deterministic; `tests/test_seeds.py` checks the committed
files are exactly what it writes). Do not edit these files by hand: change the script and rerun it.

- `ipmonitor.toml` — district 宿豫区, goals for 2012 (350/40) and 2013 (400/50), subsidy schedules.
- `enterprises.csv` — the registry, UTF-8 with BOM: {n_ent} entities in 8 townships (3 institutions
  with `12…`/`52…` codes), all credit codes valid, 7 high-tech, {n_alias} with former names (`；` between
  several), 3 names with full-width parentheses, {n_zero} without any filing (zero-patent entities).
- `agencies/zhixing_2012-2013.csv` — 宿迁智行: GBK, CRLF, a title line above the header, `2013/3/5`
  dates, `；` between applicants, a blank line in the middle; `.0` check digits lost by Excel.
- `agencies/incopat_export_2013.csv` — incoPat export by 江苏汇智: UTF-8 with BOM, LF, `CN` prefixes,
  `; ` between applicants, credit codes for most registry firms. Other agencies' filings of its
  clients come along with their own agency name (these overlap with the other files).
- `agencies/huayu_2013.xlsx` — 宿迁华宇: merged title row, empty row, header in row 3; date cells and a
  few `2013年3月5日` text dates; some numbers stored as numbers (check digit lost); its status column
  was last updated 30 April 2013, so incoPat shows newer statuses for some of its filings.
- `agencies/tongda_2012.txt` — 宿迁通达 (2012 filings, status as of January 2013): Excel "Unicode
  text", UTF-16 with BOM, tab-separated, `2012.03.05` dates, `实审` for 实质审查.
- `agencies/zhixing_2013-07_resend.csv` — 智行's corrected resend: its rejected rows fixed (the
  type word, numbers written as text) and one filing of a same-named firm of 泗阳县. Imported after
  the first list, it resolves the rejects it fixes (the two in scientific notation stay open: a
  number that cannot be read is resolved only by dismissal).
- `overrides.csv` — the demo's one attribution override (`ipmonitor attribute … --none`): that
  same-named firm's filing is kept out of the district.
- `ipmonitor.toml` `[agencies]` expects lists from 智行, 汇智, 华宇 and 恒信 every 7 days; 恒信 never
  sends one, so the demo shows it overdue.

Filings (distinct application numbers, by filing-date year; lost = only in rejected rows):
{counts}
Unattributed on purpose (individuals, firms outside the district, a foreign firm with commas in its
name): {n_out} filings. Written with a former name: 4 filings; with half-width parentheses: 3; with
stray spaces: 3 — all of these attribute to their registry entity. One food firm filed four
package designs on 2013-04-18 differing only in colour (a pattern for the abnormal-filing review).

Rows planted on purpose (line = the line or sheet row a spreadsheet shows, header counted):
{damage}
"""


def summary(fs: list[Filing], files: dict[str, list[dict]]) -> str:
    ok = {r["f"].no for rows in files.values() for r in rows if "reject" not in r["bad"]}
    out = []
    for y in (2012, 2013):
        ys = [f for f in fs if f.date.year == y]
        kinds = (("invention", "18"), ("utility_model", "2"), ("design", "3"))
        by = {t: sum(1 for f in ys if f.kind in d) for t, d in kinds}
        lost = sum(1 for f in ys if f.no not in ok)
        out.append(f"- {y}: {len(ys)} ({', '.join(f'{k} {v}' for k, v in by.items())}; PCT "
                   f"{sum(1 for f in ys if f.kind == '8')}); lost {lost}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    out = ap.parse_args(argv).out
    (out / "agencies").mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    ents = make_entities(rng)
    fs = make_filings(rng, ents)
    plant_name_variants(rng, fs)
    files = build_rows(rng, fs)
    (out / "ipmonitor.toml").write_text(config_text(), encoding="utf-8", newline="\n")
    write_registry(out / "enterprises.csv", ents)
    damage = []
    for key, (name, write) in OUTPUTS.items():
        lines = write(out / "agencies" / name, files[key])
        damage += [f"- `{name}` line {ln}: `{r['no']}` — {r['bad']}" for r, ln in zip(files[key], lines) if r["bad"]]
        print(f"agencies/{name}: {len(files[key])} rows")
    resend = resend_rows(files, ents)
    lines = write_zhixing(out / "agencies" / RESEND, resend, "专利申请清单更正后重发（2013年7月）")
    damage += [f"- `{RESEND}` line {ln}: `{r['no']}` — {r['bad']}" for r, ln in zip(resend, lines)]
    print(f"agencies/{RESEND}: {len(resend)} rows")
    write_overrides(out / "overrides.csv")
    filed = {f.entity.code for f in fs if f.entity}
    text = README.format(n_ent=len(ents), n_alias=sum(1 for e in ents if e.aliases),
                         n_zero=sum(1 for e in ents if e.code not in filed), counts=summary(fs, files),
                         n_out=sum(1 for f in fs if not f.entity), damage="\n".join(damage))
    (out / "README.md").write_text(text, encoding="utf-8", newline="\n")


if __name__ == "__main__":
    main()
