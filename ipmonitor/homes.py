"""Which folder is the home (cli.md), and `ipmonitor init` that makes one.

`--home DIR`, else `$IPMONITOR_HOME`, else the current folder — the current folder only when it
already holds `ipmonitor.toml` or `ipmonitor.db`, so a command run in the wrong folder never
starts a new, empty database there.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import words
from .config import CONFIG_NAME, DB_NAME
from .errors import ConfigError, NotAHome, UsageError

FOLDERS = ("inbox", "archive", "rejected", "reports", "backups")


def resolve_home(option: str | None, cwd: Path | None = None) -> Path:
    named = option or os.environ.get("IPMONITOR_HOME")
    if named:
        path = Path(named).expanduser()
        if not path.is_dir():
            raise ConfigError(words.say("home.missing", path=path, source="--home" if option else "IPMONITOR_HOME"))
        return path.resolve()
    here = Path(cwd or os.getcwd())
    if (here / CONFIG_NAME).exists() or (here / DB_NAME).exists():
        return here.resolve()
    raise NotAHome(words.say("home.not_a_home", path=here))


def init_home(folder: Path) -> tuple[Path, bool, list[str]]:
    """Make `folder` a home: the folders, and a commented ipmonitor.toml unless one is there.
    Returns (home, whether the config was written, the folders made)."""
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise UsageError(words.say("home.not_a_folder", path=folder))
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name in FOLDERS:
        if not (folder / name).is_dir():
            (folder / name).mkdir()
            made.append(name)
    config = folder / CONFIG_NAME
    wrote = False
    if not config.exists():
        with open(config, "x", encoding="utf-8") as f:
            f.write(TEMPLATE)
        os.chmod(config, 0o600)          # the home's files are its owner's only (docs/reliability.md)
        wrote = True
    return folder.resolve(), wrote, made


# Every key the program reads; all are optional (the values shown commented are the defaults
# or examples). tests/test_week.py checks that each key `config.load_settings` accepts is named.
TEMPLATE = """\
# ipmonitor 配置文件（ipmonitor configuration）。每一项都可省略：省略时用默认值。
# Every key is optional; the commented values are defaults or examples. Remove the leading
# "# " of a line to use it.

[district]
# name = "本区"                 # 区县名称，显示在页面和报告上 (district name)
# timezone = "Asia/Shanghai"    # 时区 (time zone: what "today" means)
# population = 620000           # 常住人口，用于万人发明专利拥有量 (population, for inventions per 10,000)
# language = "zh-CN"            # 界面语言 "zh-CN" 或 "en" (language of everything a person reads)
# bureau = "宿豫区科学技术局"    # 发文单位，印在打印的总览上 (issuing body on the printed overview)

# 每年的目标 (the year's goals)
# [goals.2013]
# filings = 400                 # 全部专利申请 (all filings)
# invention = 50                # 其中发明专利申请 (inventions)
# [goals.2013.townships]        # 各镇街的申请目标 (optional: each township's goal)
# "下相街道" = 80

# [import]
# max_file_mb = 500             # 超过此大小的文件不读取 (files larger than this fail before reading)

# [status]
# fee_alert_days = 60           # 年费缴纳期限提前多少天提醒 (days ahead to warn of annual fees due)

# 定期任务 (scheduled jobs of `ipmonitor serve`): every = "10m" | "2h" | "7d", or cron = "m h dom mon dow"
# [jobs.inbox]
# every = "10m"                 # 导入 inbox/ 中的新文件
# [jobs.fetch]
# cron = "0 7 * * *"            # 下载 [[sources]] 的导出文件
# deadline = 300                # 每次下载的总时限（秒）(total seconds per download)
# [jobs.report]
# cron = "0 8 * * mon"          # 生成页面到 reports/
# [jobs.backup]
# cron = "30 2 * * *"           # 备份数据库到 backups/
# keep = 14                     # 保留的备份份数
# [jobs.mail]                   # 不写 every/cron 时，每次生成页面后发送 (without a schedule: after each report)
# cron = "30 8 * * mon"

# 在内网上提供页面 (serve the pages over HTTP from `ipmonitor serve`)
# [web]
# listen = "127.0.0.1:8080"
# public_url = "http://192.168.1.20:8080/"
# 需要登录时 (optional basic auth), with hashes printed by `ipmonitor web-password`:
#   users = { "leader" = "<ipmonitor web-password 打印的散列>" }

# 每周邮件 (the weekly mail)
# [mail]
# smtp = "smtp.example.gov.cn:25"
# from = "ipmonitor@example.gov.cn"
# to = ["leader@example.gov.cn"]
# user = "ipmonitor"
# password_env = "IPMONITOR_MAIL_PASSWORD"
# starttls = true

# 代理机构系统的导出地址 (agency exports fetched over HTTP); the name also names the agency
# [[sources]]
# name = "zhixing"
# url = "https://example.org/export.csv"
# token_env = "ZHIXING_TOKEN"   # 存放访问令牌的环境变量名 (environment variable holding a token)
# columns = { application_no = "案卷号" }   # 别名之外的列名 (column map for an unusual layout)

# 应按时报送清单的代理机构 (agencies expected to send files, and how often)
# [agencies]
# expected = ["智行", "华宇"]
# every = "7d"

# 专利资助 (subsidies): the year's budget and rates in yuan
# [subsidy.2013]
# budget = 150000
# [subsidy.2013.rates]
# invention_application = 1000
# invention_grant = 4000
# utility_model_application = 0
# utility_model_grant = 1000
# design_application = 0
# design_grant = 500
# pct = 10000
# invention_maintenance = 0
# utility_model_maintenance = 0
# design_maintenance = 0
# maintenance = 0
"""
