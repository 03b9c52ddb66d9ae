"""Every word a person reads, in one catalogue: key → (Chinese, English).

Keys are `<family>.<code>`; the code is what the program stores and prints in
JSON (a reject reason, a state, a type …), the words are what the officer
reads. Chinese is the default; English is there for `[district] language = "en"`.
Some entries are templates: `{name}` placeholders for `say(key, **fmt)`, or
`{}` placeholders that the import fills column-wise with `pl.format`.

    say("status.on_track")                     → "进度正常"
    say("status.on_track", lang="en")          → "on track"
    reason("bad_check_digit")                  → "申请号校验位错误"   (kind "filings")
    table("type")                              → {"invention": "发明", …}

tests/test_words.py checks that every code the program can produce has both words.
A new word: add its key here (both languages), then use `say`/`table` where it is shown.
"""

from __future__ import annotations

LANGS = ("zh", "en")

WORDS: dict[str, tuple[str, str]] = {
    # --- patent types (ids.TYPES) ----------------------------------------------------------------
    "type.invention": ("发明", "invention"),
    "type.utility_model": ("实用新型", "utility model"),
    "type.design": ("外观设计", "design"),

    # --- goal status (progress.STATUSES) ---------------------------------------------------------
    "status.met": ("已完成", "met"),
    "status.on_track": ("进度正常", "on track"),
    "status.at_risk": ("有风险", "at risk"),
    "status.behind": ("滞后", "behind"),
    "status.none": ("未设目标", "no goal set"),

    # --- reject reasons of agency exports (filings.REJECT_REASONS) -------------------------------
    "reason.filings.too_many_fields": ("字段数多于表头", "more fields than the header"),
    "reason.filings.missing_application_no": ("缺少申请号", "application number missing"),
    "reason.filings.bad_application_no": ("申请号格式错误", "application number malformed"),
    "reason.filings.bad_check_digit": ("申请号校验位错误", "wrong check digit in the application number"),
    "reason.filings.bad_type_digit": ("申请号类型位错误", "wrong type digit in the application number"),
    "reason.filings.missing_filing_date": ("缺少申请日", "filing date missing"),
    "reason.filings.bad_filing_date": ("申请日无法识别", "filing date not readable"),
    "reason.filings.future_filing_date": ("申请日晚于今天", "filing date after today"),
    "reason.filings.type_mismatch": ("专利类型与申请号不符", "patent type contradicts the application number"),
    "reason.filings.missing_applicant": ("缺少申请人", "applicant missing"),
    # the messages of those rejects ({} filled column-wise by the import)
    "message.filings.too_many_fields": ("该行有 {} 个字段，多于表头的 {} 个：名称中可能有未加引号的逗号",
                                        "the row has {} fields, more than the header's {}: "
                                        "a name may hold an unquoted comma"),
    "message.filings.scientific_application_no": (
        "申请号“{}”被 Excel 改成了科学计数法，无法还原：请把申请号列设为文本后重新导出",
        "Excel turned the application number “{}” into scientific notation, which cannot be undone: "
        "set the column to text and export again"),
    "message.filings.bad_application_no": ("申请号“{}”不是 8 位或 12 位数字加校验位的格式",
                                           "the application number “{}” is not 8 or 12 digits and a check digit"),
    "message.filings.bad_check_digit": ("申请号“{}”的校验位不对（按规则应为 {}）",
                                        "the check digit of “{}” is wrong (by the rule it is {})"),
    "message.filings.bad_type_digit": ("申请号“{}”的类型位不是 1、2、3、8、9 之一",
                                       "the type digit of “{}” is not one of 1, 2, 3, 8, 9"),
    "message.filings.bad_filing_date": ("申请日“{}”不是有效日期", "the filing date “{}” is not a valid date"),
    "message.filings.future_filing_date": ("申请日 {} 晚于今天", "the filing date {} is after today"),
    "message.filings.type_mismatch": ("专利类型写的是“{}”，但申请号表示{}",
                                      "the patent type says “{}” but the application number means {}"),

    # --- warnings of agency exports (filings.WARNING_CODES) --------------------------------------
    "warning.filings.year_mismatch": ("申请号年份与申请日年份不同（分案申请常见）",
                                      "the application number's year differs from the filing date's "
                                      "(common for divisional applications)"),
    "warning.filings.check_digit_missing": ("申请号缺少校验位，已按规则补全",
                                            "the application number had no check digit; completed by the rule"),
    "warning.filings.unknown_type_word": ("专利类型文字无法识别，以申请号为准",
                                          "the patent type word is unknown; the application number decides"),
    "warning.filings.conflicting_duplicate": ("同一文件中该申请号出现多次且内容不同，以最后一行为准",
                                              "the application number appears more than once in the file with "
                                              "different content; the last row wins"),
    "message.filings.year_mismatch": ("申请号年份 {} 与申请日年份 {} 不同（分案申请常见）",
                                      "the application number's year {} differs from the filing date's {} "
                                      "(common for divisional applications)"),
    "message.filings.check_digit_missing": ("申请号缺少校验位，已补全为 {}",
                                            "the application number had no check digit; completed as {}"),
    "message.filings.unknown_type_word": ("专利类型“{}”无法识别，以申请号为准",
                                          "the patent type “{}” is unknown; the application number decides"),

    # --- the registry (registry.REJECT_REASONS, registry.WARNING_CODES) ---------------------------
    "reason.registry.missing_credit_code": ("缺少统一社会信用代码", "credit code missing"),
    "reason.registry.bad_credit_code": ("统一社会信用代码校验位错误或格式不对",
                                        "credit code malformed or with a wrong check character"),
    "reason.registry.missing_name": ("缺少单位名称", "name missing"),
    "message.registry.bad_credit_code": ("统一社会信用代码“{}”无效（18 位，校验位按 GB 32100-2015）",
                                         "the credit code “{}” is not valid (18 characters, check character "
                                         "by GB 32100-2015)"),
    "warning.registry.bad_high_tech": ("“高新技术企业”一栏不是 是/否", "the “high-tech” cell is not yes/no"),
    "warning.registry.bad_above_scale": ("“规模以上”一栏不是 是/否", "the “above scale” cell is not yes/no"),
    "message.registry.bad_flag": ("“{}”不是 是/否，已忽略", "“{}” is not yes/no; ignored"),

    # --- subsidy claims: import reasons and rules (subsidy_import.REJECT_REASONS, ledger.RULES) ---
    "reason.subsidy.too_many_fields": ("字段数多于表头", "more fields than the header"),
    "reason.subsidy.missing_application_no": ("缺少申请号", "application number missing"),
    "reason.subsidy.bad_application_no": ("申请号格式错误", "application number malformed"),
    "reason.subsidy.bad_check_digit": ("申请号校验位错误", "wrong check digit in the application number"),
    "reason.subsidy.bad_type_digit": ("申请号类型位错误", "wrong type digit in the application number"),
    "reason.subsidy.missing_credit_code": ("缺少统一社会信用代码", "credit code missing"),
    "reason.subsidy.bad_credit_code": ("统一社会信用代码无效", "credit code not valid"),
    "reason.subsidy.missing_stage": ("缺少资助类别", "stage missing"),
    "reason.subsidy.bad_stage": ("资助类别无法识别", "stage not recognised"),
    "reason.subsidy.missing_amount": ("缺少申请金额", "amount missing"),
    "reason.subsidy.bad_amount": ("申请金额不是正整数", "amount is not a whole number above 0"),
    "reason.subsidy.missing_date": ("缺少申报日期", "submitted date missing"),
    "reason.subsidy.bad_date": ("申报日期无法识别", "submitted date not readable"),
    "reason.subsidy.future_date": ("申报日期晚于今天", "date after today"),
    "reason.subsidy.not_filed": ("专利不在库中", "the filing is not stored"),
    "reason.subsidy.not_attributed": ("专利不属于该申请单位", "the filing is not the claimant's"),
    "reason.subsidy.before_filing": ("申报日期早于专利申请日", "submitted before the filing date"),
    "reason.subsidy.not_granted": ("专利尚未授权", "the filing is not granted"),
    "reason.subsidy.one_live_claim": ("同一专利同一类别已有资助申请", "the filing already has a claim of this stage"),
    "reason.subsidy.no_rate": ("当年不资助该类别", "no rate for this stage that year"),
    "reason.subsidy.over_rate": ("申请金额超过当年资助标准", "amount above that year's rate"),
    "reason.subsidy.transition": ("当前状态不允许此操作", "the claim's state does not allow this"),
    "reason.subsidy.over_claimed": ("批准金额超过申请金额", "approved amount above the amount claimed"),
    "reason.subsidy.budget": ("超出当年资助预算", "past the year's budget"),
    "reason.subsidy.no_voucher": ("缺少拨付凭证号", "payment voucher missing"),
    "reason.subsidy.before_submission": ("拨付日期早于申报日期", "paid before the submitted date"),
    "reason.subsidy.correction": ("该项不能这样更正", "this correction is not allowed"),
    "reason.subsidy.no_actor": ("缺少经办人", "who records it is missing"),
    "reason.subsidy.no_reason": ("缺少不予批准的理由", "the rejection's reason is missing"),
    "reason.subsidy.unknown_claim": ("没有这笔资助申请", "no such claim"),

    # --- whole-file failures of the reader (readwords.failed; `{name}` placeholders) ------------
    'file.empty': ('文件是空的',
        'the file is empty'),
    'file.too_big': ('文件有 {mb} MB，超过上限 {limit} MB（[import] max_file_mb），未读取',
        'the file is {mb} MB, over the limit of {limit} MB ([import] max_file_mb); not read'),
    'file.not_text': ('不是文本文件（内容是二进制）：请发送 CSV 或 .xlsx',
        'not a text file (binary content); send CSV or .xlsx'),
    'file.utf16': ('无法按 UTF-16 解码：偏移 {offset} 处字节有误',
        'cannot decode as UTF-16: bad bytes at offset {offset}'),
    'file.undecodable': ('无法解码：偏移 {offset} 处的字节 0x{byte} 既不是 UTF-8 也不是 GBK/GB18030，请另存为 UTF-8 或 GBK 的 CSV',
        'cannot decode: byte 0x{byte} at offset {offset} is neither UTF-8 nor GBK/GB18030; save the file as UTF-8 or GBK CSV'),
    'file.no_header': ('前 {n} 行中找不到表头（需要 申请号、申请日、申请人 等列名）；第一行是：“{first}”{hint}',
        "no header row in the first {n} lines (columns such as 申请号, 申请日, 申请人 are needed); first line: '{first}'{hint}"),
    'file.missing': ('缺少必需的列：{missing}；找到的列名：{found}{hint}',
        'missing required column(s): {missing}; headers found: {found}{hint}'),
    'file.workbook_encrypted': ('这是加密（设了打开密码）的 Excel 文件，无法读取：请去掉密码后另存为 .xlsx 或 CSV 再发送',
        'the workbook is encrypted (password-protected); remove the password, save as .xlsx or CSV and send it again'),
    'file.workbook_damaged': ('不是可读取的 .xlsx 工作簿（文件损坏或不完整）：请重新导出',
        'not a readable .xlsx workbook (damaged or incomplete); export it again'),
    'file.workbook_too_big': ('工作簿解压后过大（超过 1 GB，可能是压缩炸弹），未读取：请导出为 CSV',
        'the workbook is too large once uncompressed (over 1 GB, possibly a zip bomb); not read: export it as CSV'),
    'file.workbook_entities': ('工作簿含有 DTD/实体声明（正常的 Excel 文件没有，可能是恶意文件），拒绝读取',
        'the workbook contains a DTD or entity declarations (a normal Excel file has none; possibly hostile); not read'),
    'file.workbook_too_many_rows': ('工作表超过 1,048,576 行，未读取：请导出为 CSV',
        'the sheet has more than 1,048,576 rows; not read: export it as CSV'),
    'file.workbook_too_many_cells': ('工作表超过 5,000,000 个单元格，未读取：请删去无关的列或导出为 CSV',
        'the sheet has more than 5,000,000 cells; not read: remove unneeded columns or export it as CSV'),
    'file.workbook_cell_too_long': ('工作簿里有超过 100,000 字的单元格，未读取：请找到并删去该单元格后重新导出',
        'the workbook holds a cell of more than 100,000 characters; not read: remove it and export again'),
    'file.workbook_no_sheet': ('工作簿里没有工作表',
        'the workbook has no sheet'),
    'file.workbook_no_visible_sheet': ('工作簿里的工作表都被隐藏了：请取消隐藏要导入的工作表',
        'every sheet of the workbook is hidden; unhide the sheet to import'),
    'file.workbook_unreadable': ('无法读取工作表“{sheet}”（{why}）：请另存为 .xlsx 或 CSV 后重新发送',
        "cannot read the sheet '{sheet}' ({why}); save it as .xlsx or CSV and send it again"),
    'file.not_found': ('找不到文件：{path}',
        'file not found: {path}'),
    'file.directory': ('这是一个文件夹，不是文件：{path}',
        'this is a folder, not a file: {path}'),
    'file.unreadable': ('无法读取 {path}：{why}',
        'cannot read {path}: {why}'),
    # --- the fields, as the officer names them (failure messages, inspect) ----------------------
    'field.application_no': ('申请号', 'application number'),
    'field.filing_date': ('申请日', 'filing date'),
    'field.applicants': ('申请人', 'applicants'),
    'field.title': ('发明名称', 'title'),
    'field.type': ('专利类型', 'type'),
    'field.status': ('法律状态', 'legal status'),
    'field.credit_code': ('统一社会信用代码', 'credit code'),
    'field.agency': ('代理机构', 'agency'),
    'field.inventors': ('发明人', 'inventors'),
    'field.grant_date': ('授权日', 'grant date'),
    'field.name': ('企业名称', 'name'),
    'field.township': ('所属镇街', 'township'),
    'field.aliases': ('曾用名', 'aliases'),
    'field.high_tech': ('高新技术企业', 'high-tech'),
    'field.above_scale': ('规模以上', 'above scale'),
    'field.claimant': ('统一社会信用代码', 'claimant credit code'),
    'field.stage': ('资助类别', 'stage'),
    'field.amount': ('申请金额', 'amount'),
    'field.submitted_on': ('申报日期', 'submitted on'),
    'field.note': ('备注', 'note'),
    # --- reading rejects (csvread; filings.md §1), in every kind of file ------------------------
    'reason.filings.unbalanced_quote': ('引号未闭合', 'unbalanced quote'),
    'reason.filings.field_too_long': ('单元格过长', 'cell too long'),
    'reason.registry.too_many_fields': ('字段数多于表头', 'more fields than the header'),
    'reason.registry.unbalanced_quote': ('引号未闭合', 'unbalanced quote'),
    'reason.registry.field_too_long': ('单元格过长', 'cell too long'),
    'reason.subsidy.unbalanced_quote': ('引号未闭合', 'unbalanced quote'),
    'reason.subsidy.field_too_long': ('单元格过长', 'cell too long'),
    'message.filings.unbalanced_quote': ('引号没有闭合（或引号内的内容超过 100 行 / 100,000 字）：从这一行起的内容无法按列读取，已跳过此行',
        'a quote opened on this row is never closed (or its cell runs over 100 lines / 100,000 characters); the row is skipped'),
    'message.filings.field_too_long': ('有单元格超过 100,000 字，无法导入此行', 'a cell is longer than 100,000 characters'),

    # --- inspect (preview.render) -----------------------------------------------------------------
    "inspect.would_import": ("将导入（本次未存储任何内容）", "would import (nothing stored)"),
    "inspect.skipped": ("同一文件（SHA-256）已导入过，导入时会跳过", "already imported (same SHA-256): import would skip it"),
    "delimiter.comma": ("逗号", "comma"),
    "delimiter.tab": ("制表符", "tab"),
    "delimiter.semicolon": ("分号", "semicolon"),
    "match.exact": ("列名完全匹配", "exact alias"),
    "match.derived": ("按规则识别", "derived from the alias"),
    "match.fallback": ("备用列（无更好的列时才用）", "fallback"),

    "reason.events.unbalanced_quote": ("引号未闭合", "unbalanced quote"),
    "reason.events.field_too_long": ("单元格过长", "cell too long"),
    # --- subsidy stages, states, events (ledger.STAGES, STATES, EVENT_TYPES) ----------------------
    "stage.application": ("申请资助", "application"),
    "stage.grant": ("授权资助", "grant"),
    "stage.pct": ("PCT国际申请", "PCT application"),
    "stage.maintenance": ("年费资助", "maintenance"),
    "state.submitted": ("已申报", "submitted"),
    "state.approved": ("已批准", "approved"),
    "state.rejected": ("未获批", "rejected"),
    "state.paid": ("已拨付", "paid"),
    "event.submitted": ("申报", "submitted"),
    "event.approved": ("批准", "approved"),
    "event.rejected": ("不予批准", "rejected"),
    "event.paid": ("拨付", "paid"),
    "event.corrected": ("更正", "corrected"),

    # --- legal-status lists (events.REJECT_REASONS, events.KINDS, lifecycle) ---------------------
    "reason.events.too_many_fields": ("字段数多于表头", "more fields than the header"),
    "reason.events.missing_application_no": ("缺少申请号", "application number missing"),
    "reason.events.bad_application_no": ("申请号格式错误", "application number malformed"),
    "reason.events.bad_check_digit": ("申请号校验位错误", "wrong check digit in the application number"),
    "reason.events.bad_type_digit": ("申请号类型位错误", "wrong type digit in the application number"),
    "reason.events.missing_event_date": ("缺少法律状态日期", "event date missing"),
    "reason.events.bad_event_date": ("法律状态日期无法识别", "event date not readable"),
    "reason.events.missing_event": ("缺少法律状态", "event missing"),
    "warning.events.check_digit_missing": ("申请号缺少校验位，已按规则补全",
                                           "the application number had no check digit; completed by the rule"),
    "message.events.bad_check_digit": ("申请号“{}”的校验位不对", "the check digit of “{}” is wrong"),
    "message.events.bad_event_date": ("法律状态日期“{}”不是有效日期", "the event date “{}” is not a valid date"),
    "event_kind.restored": ("权利恢复", "restored"),
    "event_kind.invalidated": ("宣告无效", "invalidated"),
    "event_kind.lapsed": ("终止／失效", "lapsed"),
    "event_kind.abandoned": ("放弃", "abandoned"),
    "event_kind.withdrawn": ("撤回", "withdrawn"),
    "event_kind.refused": ("驳回", "refused"),
    "event_kind.granted": ("授权", "granted"),
    "event_kind.transferred": ("转让／变更", "transferred"),
    "event_kind.pledged": ("质押登记", "pledge registered"),
    "event_kind.other": ("其他", "other"),
    "event_kind.expired": ("期限届满", "term ended"),
    "event_source.list": ("法律状态清单", "legal-status list"),
    "event_source.status": ("代理机构清单中的法律状态", "status in an agency export"),
    "cli.events.imported": ("{file}：{rows} 行：新增 {new} 条，重复 {duplicate} 条，拒绝 {rejected} 行；"
                            "其中 {unmatched} 条的申请尚未导入",
                            "{file}: {rows} rows: {new} new, {duplicate} duplicate, {rejected} rejected; "
                            "{unmatched} of them for filings not imported yet"),
    "cli.events.skipped": ("{file}：同一文件（SHA-256 相同）已导入过，跳过",
                           "{file}: skipped, the same file (SHA-256) was imported before"),
    "cli.events.failed": ("{file}：导入失败：{error}", "{file}: FAILED: {error}"),
    "cli.patents.in_force": ("截至 {as_of} 的有效专利：{pieces}", "Patents in force on {as_of}: {pieces}"),
    "cli.patents.per_10k": ("有效发明专利 {invention} 件；万人发明专利拥有量：{figure}",
                            "Inventions in force: {invention}; per 10,000 people: {figure}"),
    "cli.patents.no_population": ("未配置人口", "no population configured"),
    "cli.patents.granted": ("本年授权：{pieces}", "Granted this year: {pieces}"),
    "cli.patents.lapsed": ("本年失效：{n} 件次；本年质押登记：{pledged} 次",
                           "Out of force this year: {n}; pledges registered this year: {pledged}"),
    "cli.patents.fees": ("即将到期的年费：{n} 件", "Annual fees falling due: {n}"),
    "cli.patents.patent_year": ("第 {year} 年", "patent year {year}"),
    "cli.patents.unmatched": ("尚未对应到申请的法律状态：{n} 条", "Events for filings not imported yet: {n}"),
    "patent_state.in_force": ("有效", "in force"),
    "patent_state.expired": ("期限届满", "term ended"),
    "patent_state.out": ("已失效（{}）", "out of force ({})"),
    "patent_state.ended": ("申请已终止", "application ended"),
    "patent_state.pending": ("审查中", "pending"),
    # --- the subsidy log's anchor (ledger.anchor_line) ------------------------------------------
    "anchor.line": ("资助记录校验值：共 {events} 条事件，SHA-256 {head}",
                    "Subsidy log check value: {events} events, SHA-256 {head}"),
    "anchor.none": ("资助记录：暂无（或校验未通过）", "Subsidy log: empty (or it does not verify)"),

    # --- imports (importer.KINDS and subsidy_import.KIND) -----------------------------------------
    "import_kind.filings": ("代理机构申请清单", "agency export"),
    "import_kind.registry": ("企业名录", "registry"),
    "import_kind.subsidy": ("资助申请", "subsidy claims"),
    "import_kind.events": ("法律状态清单", "legal-status list"),
    "signal_kind.near_duplicate_titles": ("标题几乎相同", "near-identical titles"),
    "signal_kind.design_series": ("外观设计系列", "design series"),
    "signal_kind.burst": ("短期申请激增", "burst of filings"),
    "signal_kind.subsidy_on_flagged": ("资助涉及提示中的申请", "subsidy on a flagged filing"),
    "progress.import": ("导入", "Importing"),
    "progress.read": ("读取", "reading"),
    "progress.check": ("检查", "checking"),
    "progress.store": ("写入", "storing"),
    "progress.pages": ("生成页面", "Building pages"),

    # --- the pages: navigation, labels, the CSV export's headers ---------------------------------
    "nav.index": ("总览", "Overview"),
    "nav.enterprises": ("企业名录", "Registry"),
    "nav.patents": ("有效专利", "Patents in force"),
    "nav.quality": ("数据质量", "Data quality"),
    "nav.archive": ("每周存档", "Weekly archive"),
    "nav.subsidies": ("专利资助", "Subsidies"),
    "nav.json": ("进度数据（JSON）", "Progress data (JSON)"),
    "nav.csv": ("{year} 年申请明细（CSV）", "Filings of {year} (CSV)"),
    "label.no_township": ("（未填镇街）", "(no township)"),
    "label.all_filings": ("全部申请", "All filings"),
    "label.invention_filings": ("发明申请", "Invention filings"),
    "label.invention": ("发明", "invention"),
    "label.by_type": ("按类型：", "By type: "),
    "label.by_township": ("按镇街：", "By township: "),
    "label.pieces": ("{name} {count:,} 件", "{name} {count:,}"),
    "label.list_sep": ("，", ", "),
    "label.in_force_series": ("各月末有效发明专利：", "Inventions in force at each month's end: "),
    "label.yes": ("是", "yes"),
    "label.no": ("否", "no"),
    "label.date": ("{year}年{month}月{day}日", "{year}-{month:02d}-{day:02d}"),
    "label.month_day": ("{month}月{day}日", "{month:02d}-{day:02d}"),
    "role.first": ("第一申请人", "first applicant"),
    "role.later": ("共同申请人", "co-applicant"),
    "export.application_no": ("申请号", "application number"),
    "export.filing_date": ("申请日", "filing date"),
    "export.type_zh": ("专利类型", "type"),
    "export.title": ("发明名称", "title"),
    "export.applicants": ("申请人", "applicants"),
    "export.entity_name": ("归属单位", "attributed to"),
    "export.entity": ("归属单位统一社会信用代码", "credit code of the entity"),
    "export.township": ("所属镇街", "township"),
    "export.status": ("法律状态", "legal status"),
    "export.grant_date": ("授权日", "grant date"),
    "export.agency": ("代理机构", "agency"),

    # --- corrections, reverts, overrides, agencies, homes (filings.md §4, §7, §8) ---------------
    "reject_state.open": ("待改正", "open"),
    "reject_state.resolved": ("已解决", "resolved"),
    "reject_state.dismissed": ("已忽略", "dismissed"),
    "import_status.imported": ("已导入", "imported"),
    "import_status.reverted": ("已撤销", "reverted"),
    "correction.why_required": ("必须用 --why 说明原因（会和这次更正一起保存）",
                                "--why is required: say why (it is kept with the correction)"),
    "revert.no_such_import": ("没有编号为 {id} 的导入（见 ipmonitor imports）",
                              "there is no import {id} (see `ipmonitor imports`)"),
    "revert.already": ("导入 {id}（{file}）已于 {at} 由 {by} 撤销", "import {id} ({file}) was already taken back on {at} by {by}"),
    "revert.later_import": ("之后的导入 {later}（{later_file}）又改动了导入 {id}（{file}）中的 {n} 件申请：请先撤销导入 {later}",
                            "import {later} ({later_file}) later changed {n} of the filings of import {id} ({file}): "
                            "take import {later} back first"),
    "revert.later_registry": ("之后的名录导入 {later}（{later_file}）又改动了导入 {id}（{file}）中的单位：请先撤销导入 {later}",
                              "registry import {later} ({later_file}) later changed entities of import {id} ({file}): "
                              "take import {later} back first"),
    "revert.claims": ("资助申请 {claims} 依据的专利是导入 {id}（{file}）带进来的：请先撤回资助申请",
                      "subsidy claim {claims} rests on a filing that import {id} ({file}) brought in: "
                      "withdraw the claim first"),
    "revert.subsidy": ("导入 {id}（{file}）是资助申请文件：资助申请在资助台账中逐笔撤回，不能整体撤销",
                       "import {id} ({file}) is a subsidy claims file: its claims are withdrawn one by one in "
                       "the subsidy log, not taken back as an import"),
    "revert.kind": ("导入 {id}（{file}）是{kind}，不能整体撤销", "import {id} ({file}) is a {kind} file: it cannot be taken back"),
    "revert.done": ("已撤销导入 {id}（{file}）：删除 {removed} 条，恢复 {restored} 条；该文件可以重新导入。",
                    "import {id} ({file}) taken back: {removed} removed, {restored} restored; the file can be "
                    "imported again."),
    "dismiss.no_such_reject": ("没有编号为 {id} 的被拒绝行（见 ipmonitor rejects --all --json）",
                               "there is no rejected row {id} (see `ipmonitor rejects --all --json`)"),
    "dismiss.already": ("被拒绝行 {id} 已由 {by} 忽略：{why}", "rejected row {id} was already dismissed by {by}: {why}"),
    "dismiss.done": ("已忽略被拒绝行 {id}（{file} 第 {line} 行）：{why}", "rejected row {id} ({file} line {line}) dismissed: {why}"),
    "override.one_of": ("--to 信用代码、--none、--clear 三者只能选一个", "give exactly one of --to CREDIT_CODE, --none, --clear"),
    "override.bad_number": ("“{number}”不是有效的申请号", "'{number}' is not a valid application number"),
    "override.no_filing": ("库中没有申请号为 {number} 的申请", "no filing {number} is stored"),
    "override.no_entity": ("名录中没有信用代码为 {code} 的单位", "no entity with credit code {code} is in the registry"),
    "override.to": ("归属到 {code}", "attributed to {code}"),
    "override.none": ("不计入本区", "kept out of the district"),
    "override.clear": ("恢复按规则归属", "back to the rule"),
    "override.done": ("{number}：{what}（{by}：{why}）", "{number}: {what} ({by}: {why})"),
    "home.missing": ("主目录 {path} 不存在（来自 {source}）：可用 ipmonitor init {path} 创建",
                     "home folder {path} does not exist (from {source}); make it with `ipmonitor init {path}`"),
    "home.not_a_home": ("{path} 不是 ipmonitor 主目录（这里没有 ipmonitor.toml 或 ipmonitor.db）：用 ipmonitor init 目录 创建一个，或用 --home 目录 或环境变量 IPMONITOR_HOME 指定",
                        "{path} is not an ipmonitor home (no ipmonitor.toml or ipmonitor.db here): make one with "
                        "`ipmonitor init DIR`, or name one with --home DIR or IPMONITOR_HOME"),
    "home.not_a_folder": ("{path} 已存在，但不是文件夹", "{path} exists and is not a folder"),
    "init.made": ("已创建主目录 {path}：ipmonitor.toml（每项配置都有说明）{folders}", "home {path} made: ipmonitor.toml (every key explained){folders}"),
    "init.kept": ("{path} 已有 ipmonitor.toml，未改动{folders}", "{path} already has an ipmonitor.toml, left as it was{folders}"),
    "rejects_csv.file": ("文件", "file"),
    "rejects_csv.line": ("行号", "line"),
    "rejects_csv.application_no": ("申请号", "application number"),
    "rejects_csv.reason": ("原因", "reason"),
    "rejects_csv.message": ("说明", "message"),
    "rejects.none_open": ("没有待改正的被拒绝行。", "No open rejected rows."),
    "rejects.none": ("没有被拒绝的行。", "No rejected rows."),
    "rejects.resolved_by": ("已解决：{file}", "resolved by {file}"),
    "rejects.dismissed_by": ("已忽略：{by}，{why}", "dismissed by {by}: {why}"),
    "imports.none": ("尚未导入任何文件。", "Nothing imported yet."),
    "imports.line": ("{rows} 行：新增 {new}，更新 {updated}，未变 {unchanged}，重复 {duplicate}，拒绝 {rejected}",
                     "{rows} rows: {new} new, {updated} updated, {unchanged} unchanged, {duplicate} duplicate, "
                     "{rejected} rejected"),
    "imports.reverted_by": ("（{by} 于 {at} 撤销：{why}）", " (taken back by {by} on {at}: {why})"),
    "agency.none": ("还没有代理机构报送的文件，配置中也没有应报送的代理机构（[agencies] expected）。",
                    "No agency has sent a file, and none is expected ([agencies] expected)."),
    "agency.overdue": ("【逾期未报送】", "[OVERDUE] "),
    "agency.last": ("最近一次 {at}（{file}）", "last {at} ({file})"),
    "agency.never": ("从未报送", "never sent"),
    "agency.line": ("{flag}{agency}：{files} 个文件，{last}；本年新增 {new} 件，更新 {updated} 件；被拒绝行占 {share}",
                    "{flag}{agency}: {files} files, {last}; this year {new} new, {updated} updated; "
                    "{share} of rows rejected"),
    "agency.status_overdue": ("逾期未报送：{agency}（最近一次：{last}）", "overdue: {agency} (last: {last})"),
}


def lang_of(lang: str | None) -> int:
    """The catalogue column for a language tag: zh, zh-CN, zh_Hans → Chinese; en, en-GB → English."""
    return 1 if (lang or "zh").lower().startswith("en") else 0


def say(key: str, lang: str | None = "zh-CN", **fmt) -> str:
    """The words of `key` in `lang`, with `{name}` placeholders filled from `fmt`. KeyError when unknown."""
    text = WORDS[key][lang_of(lang)]
    return text.format(**fmt) if fmt else text


def table(family: str, lang: str | None = "zh-CN") -> dict[str, str]:
    """{code: words} of one family ("type", "status", "reason.filings", …), in catalogue order."""
    prefix, col = family + ".", lang_of(lang)
    return {k[len(prefix):]: v[col] for k, v in WORDS.items() if k.startswith(prefix)}


def reason(code: str, kind: str = "filings", lang: str | None = "zh-CN", default: str | None = None) -> str | None:
    """The short words of a reject reason of `kind` (filings, registry, subsidy); `default` when unknown."""
    words = WORDS.get(f"reason.{kind}.{code}")
    return default if words is None else words[lang_of(lang)]


def has(key: str) -> bool:
    return key in WORDS and all(WORDS[key])
