"""The home folder and `ipmonitor.toml`: read once, checked key by key, frozen.

Every key has a default, so a home with no config file works. A bad value
raises ConfigError naming the key and what is wrong (exit 2).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import words
from .errors import ConfigError

CONFIG_NAME = "ipmonitor.toml"
DB_NAME = "ipmonitor.db"

LANGUAGES = ("zh-CN", "en")
JOB_NAMES = ("inbox", "fetch", "report", "backup")
MAIL_JOB = "mail"             # only with [mail]; without every/cron it runs after each report run
# Defaults of the scheduled jobs (jobs.md); each takes `every` or `cron`.
JOB_DEFAULTS = {
    "inbox": {"every": "10m"},
    "fetch": {"cron": "0 7 * * *"},
    "report": {"cron": "0 8 * * mon"},
    "backup": {"cron": "30 2 * * *", "keep": 14},
}
SUBSIDY_RATE_KEYS = ("invention_application", "invention_grant", "utility_model_application",
                     "utility_model_grant", "design_application", "design_grant", "pct",
                     "invention_maintenance", "utility_model_maintenance", "design_maintenance",
                     "maintenance")
FIELDS = ("application_no", "filing_date", "applicants", "title", "type", "status",
          "credit_code", "agency", "inventors", "grant_date")

_EVERY = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")

# Bounds of values (a value past them is a typo or an attack, never a plan): exit 2 naming the key.
MAX_EVERY = 366 * 86400            # an `every` of more than a year
CRON_HORIZON_YEARS = 5             # a cron must fire within this many years (`0 0 30 2 *` never does)
MAX_GOAL = 10_000_000              # filings in a year
MAX_YUAN = 10_000_000_000          # a budget or a rate
MAX_POPULATION = 2_000_000_000
MAX_KEEP = 10_000                  # backups kept
MAX_FILE_MB = 500                  # default of [import] max_file_mb (filings.md §1)
FETCH_DEADLINE = 300               # default of [jobs.fetch] deadline, seconds per source


@dataclass(frozen=True)
class Goal:
    filings: int | None = None
    invention: int | None = None
    townships: dict[str, int] = field(default_factory=dict)   # township name → goal for all filings


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int | None = None
    cron: str | None = None
    keep: int | None = None
    deadline: int | None = None     # fetch: seconds a source's download may take in all


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    token_env: str | None = None
    columns: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Web:
    """`[web]`: the pages over HTTP (ipmonitor.web) and the address people open."""
    host: str | None = None          # None: no HTTP server (public_url alone is allowed)
    port: int | None = None
    public_url: str | None = None
    users: dict[str, str] = field(default_factory=dict)   # user → hash from `web-password`


@dataclass(frozen=True)
class Mail:
    """`[mail]`: the weekly mail (ipmonitor.mail). The password is read from `password_env` when sending."""
    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    user: str | None = None
    password_env: str | None = None
    starttls: bool = False


@dataclass(frozen=True)
class SubsidyYear:
    budget: int | None = None
    rates: dict[str, int] | None = None   # None: no schedule for the year


@dataclass(frozen=True)
class Agencies:
    expected: tuple[str, ...] = ()
    every_seconds: int | None = 7 * 86400


@dataclass(frozen=True)
class Settings:
    home: Path
    district: str = "本区"
    timezone: str = "Asia/Shanghai"
    language: str = "zh-CN"          # or "en"
    bureau: str | None = None        # the issuing body on printed pages
    population: int | None = None
    goals: dict[int, Goal] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()
    subsidy: dict[int, SubsidyYear] = field(default_factory=dict)
    fee_alert_days: int = 60
    max_file_mb: int = MAX_FILE_MB
    agencies: Agencies = field(default_factory=lambda: Agencies())
    web: Web = field(default_factory=Web)
    mail: Mail | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def db_path(self) -> Path:
        return self.home / DB_NAME

    def path(self, name: str) -> Path:
        return self.home / name

    def extra_aliases(self) -> dict[str, str]:
        """Header names given by `[[sources]] columns`, mapped to fields."""
        return {header: fld for s in self.sources for fld, header in s.columns.items()}


def parse_every(text: str, key: str, maximum: int = MAX_EVERY) -> int:
    m = _EVERY.match(str(text))
    if not m or int(m.group(1)) == 0 or len(m.group(1)) > 9:
        raise ConfigError(words.say("error.config.every", setting=key, text=text))
    seconds = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    if seconds > maximum:
        raise ConfigError(words.say("error.config.every_long", setting=key, text=text, days=maximum // 86400))
    return seconds


def _int(value, key: str, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(words.say("error.config.int", setting=key, minimum=minimum, value=repr(value)))
    if maximum is not None and value > maximum:
        raise ConfigError(words.say("error.config.int_max", setting=key, value=value, maximum=maximum))
    return value


def check_cron(cron: str, key: str, timezone: str = "Asia/Shanghai") -> str:
    """A 5-field crontab line that APScheduler reads and that fires within CRON_HORIZON_YEARS."""
    import datetime as dt

    from apscheduler.triggers.cron import CronTrigger
    if len(cron.split()) != 5:
        raise ConfigError(words.say("error.config.cron_fields", setting=key, cron=cron))
    try:
        trigger = CronTrigger.from_crontab(cron, timezone=ZoneInfo(timezone))
    except ValueError as e:
        raise ConfigError(words.say("error.config.cron", setting=key, cron=cron, why=e)) from None
    from . import clock
    now = clock.now(ZoneInfo(timezone))
    fire = trigger.get_next_fire_time(None, now)
    if fire is None or fire > now + dt.timedelta(days=366 * CRON_HORIZON_YEARS):
        raise ConfigError(words.say("error.config.cron_never", setting=key, cron=cron, years=CRON_HORIZON_YEARS))
    return cron


def _str(value, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(words.say("error.config.str", setting=key, value=repr(value)))
    return value


def _table(value, key: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(words.say("error.config.table", setting=key, value=repr(value)))
    return value


def _only(table: dict, allowed, key: str) -> None:
    for k in table:
        if k not in allowed:
            raise ConfigError(words.say("error.config.unknown_key", setting=f"{key}.{k}", allowed=", ".join(allowed)))


def _year(k: str, key: str) -> int:
    if not re.fullmatch(r"(19|20)\d\d", str(k)):
        raise ConfigError(words.say("error.config.year", setting=f"{key}.{k}", example=f"{key}.2013"))
    return int(k)


def _goals(raw) -> dict[int, Goal]:
    goals = {}
    for y, t in _table(raw, "goals").items():
        key = f"goals.{y}"
        year = _year(y, "goals")
        _only(_table(t, key), ("filings", "invention", "townships"), key)
        towns = {_str(name, f"{key}.townships"): _int(n, f"{key}.townships.{name}", 0, MAX_GOAL)
                 for name, n in _table(t.get("townships", {}), f"{key}.townships").items()}
        goals[year] = Goal(*(None if t.get(k) is None else _int(t[k], f"{key}.{k}", 0, MAX_GOAL)
                             for k in ("filings", "invention")), towns)
    return goals


def _deadline(value, key: str) -> int:
    if isinstance(value, str):
        return parse_every(value, key, maximum=86400)
    return _int(value, key, 1, 86400)


def _jobs(raw, timezone: str = "Asia/Shanghai") -> dict[str, Job]:
    raw = _table(raw, "jobs")
    _only(raw, (*JOB_NAMES, MAIL_JOB), "jobs")
    jobs = {}
    for name in JOB_NAMES:
        t = _table(raw.get(name, JOB_DEFAULTS[name]), f"jobs.{name}")
        key = f"jobs.{name}"
        _only(t, ("every", "cron", "keep", "deadline") if name == "fetch" else ("every", "cron", "keep"), key)
        if "every" in t and "cron" in t:
            raise ConfigError(words.say("error.config.every_and_cron", setting=key))
        if "every" not in t and "cron" not in t:
            t = {**JOB_DEFAULTS[name], **t}
        every = parse_every(t["every"], f"{key}.every") if "every" in t else None
        cron = None
        if "cron" in t and t["cron"] == JOB_DEFAULTS[name].get("cron"):
            cron = t["cron"]            # a default: known good (tests/test_registry_config.py)
        elif "cron" in t:
            cron = check_cron(_str(t["cron"], f"{key}.cron"), f"{key}.cron", timezone)
        keep = t.get("keep", JOB_DEFAULTS[name].get("keep"))
        deadline = _deadline(t["deadline"], f"{key}.deadline") if "deadline" in t else (
            FETCH_DEADLINE if name == "fetch" else None)
        jobs[name] = Job(name, every, cron, None if keep is None else _int(keep, f"{key}.keep", 1, MAX_KEEP),
                         deadline)
    return jobs


def _sources(raw) -> tuple[Source, ...]:
    if not isinstance(raw, list):
        raise ConfigError(words.say("error.config.sources"))
    out, names = [], set()
    for i, t in enumerate(raw):
        key = f"sources[{i}]"
        _only(_table(t, key), ("name", "url", "token_env", "columns"), key)
        name = _str(t.get("name"), f"{key}.name")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name in names:
            raise ConfigError(words.say("error.config.source_name", setting=f"{key}.name", name=name))
        names.add(name)
        url = _str(t.get("url"), f"{key}.url")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(words.say("error.config.url", setting=f"{key}.url", url=url))
        columns = _table(t.get("columns", {}), f"{key}.columns")
        for fld, header in columns.items():
            if fld not in FIELDS:
                raise ConfigError(words.say("error.config.field", setting=f"{key}.columns.{fld}", allowed=", ".join(FIELDS)))
            _str(header, f"{key}.columns.{fld}")
        token_env = t.get("token_env")
        out.append(Source(name, url, None if token_env is None else _str(token_env, f"{key}.token_env"),
                          dict(columns)))
    return tuple(out)


def _host_port(value, key: str, example: str) -> tuple[str, int]:
    text = value if isinstance(value, str) else ""
    host, colon, port = text.strip().rpartition(":")
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535 or " " in host:
        raise ConfigError(words.say("error.config.host_port", setting=key, value=repr(value), example=example))
    return host, int(port)


def _web(raw) -> Web:
    from .web import parse_hash

    t = _table(raw, "web")
    _only(t, ("listen", "public_url", "users"), "web")
    host = port = None
    if "listen" in t:
        host, port = _host_port(t["listen"], "[web] listen", '"0.0.0.0:8080"')
    url = t.get("public_url")
    if url is not None and (not isinstance(url, str) or not re.match(r"https?://[^\s/]+", url)):
        raise ConfigError(words.say("error.config.public_url", value=repr(url)))
    users = t.get("users", {})
    if not isinstance(users, dict):
        raise ConfigError(words.say("error.config.users"))
    for user, hashed in users.items():
        if not user or ":" in user:
            raise ConfigError(words.say("error.config.user_name", user=repr(user)))
        try:
            parse_hash(hashed)
        except (ValueError, TypeError):
            raise ConfigError(words.say("error.config.user_hash", user=user)) from None
    if users and host is None:
        raise ConfigError(words.say("error.config.users_listen"))
    return Web(host, port, url, dict(users))


_ADDRESS = re.compile(r"^[^@\s<>,]+@[^@\s<>,]+$")


def _address(value, key: str) -> str:
    import email.utils
    if not isinstance(value, str) or not _ADDRESS.match(email.utils.parseaddr(value)[1] or "-"):
        raise ConfigError(words.say("error.config.address", setting=key, value=repr(value)))
    return value.strip()


def _mail(raw) -> Mail:
    t = _table(raw, "mail")
    _only(t, ("smtp", "from", "to", "user", "password_env", "starttls"), "mail")
    if "smtp" not in t or "from" not in t or "to" not in t:
        raise ConfigError(words.say("error.config.mail_needs"))
    host, port = _host_port(t["smtp"], "[mail] smtp", '"smtp.example.gov.cn:25"')
    to = t["to"]
    if isinstance(to, str):
        to = [to]
    if not isinstance(to, list) or not to:
        raise ConfigError(words.say("error.config.mail_to"))
    user, env = t.get("user"), t.get("password_env")
    for k, v in (("user", user), ("password_env", env)):
        if v is not None and (not isinstance(v, str) or not v.strip()):
            raise ConfigError(words.say("error.config.mail_text", key=k, value=repr(v)))
    if env is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env):
        raise ConfigError(words.say("error.config.password_env", value=repr(env)))
    if user is not None and env is None:
        raise ConfigError(words.say("error.config.user_without_env"))
    starttls = t.get("starttls", False)
    if not isinstance(starttls, bool):
        raise ConfigError(words.say("error.config.starttls", value=repr(starttls)))
    return Mail(host, port, _address(t["from"], "[mail] from"),
                tuple(_address(a, "[mail] to") for a in to), user, env, starttls)


def _mail_job(raw_jobs, mail: Mail | None, timezone: str) -> Job | None:
    t = _table(raw_jobs, "jobs").get(MAIL_JOB)
    if t is None:
        return None if mail is None else Job(MAIL_JOB)
    if mail is None:
        raise ConfigError(words.say("error.config.mail_job"))
    t = _table(t, f"jobs.{MAIL_JOB}")
    _only(t, ("every", "cron"), f"jobs.{MAIL_JOB}")
    if "every" in t and "cron" in t:
        raise ConfigError(words.say("error.config.every_and_cron", setting=f"jobs.{MAIL_JOB}"))
    every = parse_every(t["every"], f"jobs.{MAIL_JOB}.every") if "every" in t else None
    key = f"jobs.{MAIL_JOB}.cron"
    cron = check_cron(_str(t["cron"], key), key, timezone) if "cron" in t else None
    return Job(MAIL_JOB, every, cron)


def _subsidy(raw) -> dict[int, SubsidyYear]:
    years = {}
    for y, t in _table(raw, "subsidy").items():
        key = f"subsidy.{y}"
        year = _year(y, "subsidy")
        _only(_table(t, key), ("budget", "rates"), key)
        budget = None if t.get("budget") is None else _int(t["budget"], f"{key}.budget", 0, MAX_YUAN)
        rates = None
        if "rates" in t:
            rt = _table(t["rates"], f"{key}.rates")
            _only(rt, SUBSIDY_RATE_KEYS, f"{key}.rates")
            rates = {k: _int(v, f"{key}.rates.{k}", 0, MAX_YUAN) for k, v in rt.items()}
        years[year] = SubsidyYear(budget, rates)
    return years


def _agencies(raw) -> Agencies:
    t = _table(raw, "agencies")
    _only(t, ("expected", "every"), "agencies")
    expected = t.get("expected", [])
    if not isinstance(expected, list):
        raise ConfigError(words.say("error.config.expected", value=repr(expected)))
    names = tuple(_str(n, "agencies.expected").strip() for n in expected)
    every = parse_every(t["every"], "agencies.every") if "every" in t else 7 * 86400
    return Agencies(names, every)


def load_settings(home: Path) -> Settings:
    path = home / CONFIG_NAME
    raw: dict = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(words.say("error.config.toml", file=path.name, why=e)) from None
    _only(raw, ("district", "goals", "jobs", "sources", "subsidy", "status", "import", "agencies", "web", "mail"),
          CONFIG_NAME)
    status = _table(raw.get("status", {}), "status")
    _only(status, ("fee_alert_days",), "status")
    fee_alert_days = _int(status.get("fee_alert_days", 60), "status.fee_alert_days", 1)
    if fee_alert_days > 366:
        raise ConfigError(words.say("error.config.at_most", setting="status.fee_alert_days", most=366,
                                      value=fee_alert_days))
    imports = _table(raw.get("import", {}), "import")
    _only(imports, ("max_file_mb",), "import")
    district = _table(raw.get("district", {}), "district")
    _only(district, ("name", "timezone", "population", "language", "bureau"), "district")
    language = district.get("language", "zh-CN")
    if language not in LANGUAGES:
        raise ConfigError(words.say("error.config.language", value=language, allowed=", ".join(LANGUAGES)))
    bureau = district.get("bureau")
    tz = _str(district.get("timezone", "Asia/Shanghai"), "district.timezone")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(words.say("error.config.timezone", value=tz)) from None
    population = district.get("population")
    mail = _mail(raw["mail"]) if "mail" in raw else None
    jobs = _jobs(raw.get("jobs", {}), tz)
    mail_job = _mail_job(raw.get("jobs", {}), mail, tz)
    if mail_job is not None:
        jobs[MAIL_JOB] = mail_job
    return Settings(
        home=home,
        district=_str(district.get("name", "本区"), "district.name"),
        timezone=tz,
        language=language,
        bureau=None if bureau is None else _str(bureau, "district.bureau"),
        population=None if population is None else _int(population, "district.population", 1, MAX_POPULATION),
        goals=_goals(raw.get("goals", {})),
        jobs=jobs,
        sources=_sources(raw.get("sources", [])),
        subsidy=_subsidy(raw.get("subsidy", {})),
        fee_alert_days=fee_alert_days,
        max_file_mb=_int(imports.get("max_file_mb", MAX_FILE_MB), "import.max_file_mb", 1, 100_000),
        agencies=_agencies(raw.get("agencies", {})),
        web=_web(raw.get("web", {})),
        mail=mail,
    )
