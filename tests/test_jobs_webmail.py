"""`ipmonitor serve` with [web] and [mail], as a real process: the pages over HTTP (with basic
authentication), a taken port, bad config, the mail after the report and on its own schedule,
and a mail server that refuses connections (failed runs; the server goes on)."""

from __future__ import annotations

import datetime as dt
import json
import socket
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import httpx
import pytest

from _jobs_support import Serve, assert_no_token, query, run_cli, seed_ok_runs, wait_for
from ipmonitor.config import load_settings
from ipmonitor.errors import ConfigError
from ipmonitor.web import hash_password
from test_mail import free_port, parse, smtp  # noqa: F401  (smtp: the fixture)

TZ = ZoneInfo("Asia/Shanghai")
FAR = "0 3 1 1 *"
PASSWORD = "Pw-s3cret-邮件-77"


def write_config(home, text: str, year_goal: bool = True) -> None:
    year = dt.datetime.now(TZ).year
    goals = f"\n[goals.{year}]\nfilings = 400\ninvention = 50\n" if year_goal else ""
    jobs = "".join(f'\n[jobs.{j}]\ncron = "{FAR}"\n' for j in ("inbox", "fetch", "backup"))
    (home / "ipmonitor.toml").write_text('[district]\nname = "宿豫区"\n' + goals + jobs + text, encoding="utf-8")


def mail_runs(home):
    return query(home, "SELECT trigger, outcome, items, message FROM job_runs WHERE job = 'mail' ORDER BY id")


def expected_by_now(goal: int) -> int:
    """goal × day-of-year / days-in-year (filings.md §6): one decimal as in progress --json, then a
    whole number for people, each half-up (rules.md)."""
    today = dt.datetime.now(TZ).date()
    doy, diy = today.timetuple().tm_yday, dt.date(today.year, 12, 31).timetuple().tm_yday
    one = (Decimal(goal * doy) / Decimal(diy)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return int(one.quantize(Decimal(1), ROUND_HALF_UP))


def test_serve_serves_the_pages_with_passwords_and_stops_within_10_s(home):
    port = free_port()
    write_config(home, f'\n[web]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://192.168.1.20:{port}/"\n'
                       f'users = {{ "leader" = "{hash_password(PASSWORD)}" }}\n')
    seed_ok_runs(home, "backup")                   # the report runs once at start (no successful run yet)
    with Serve(home) as server:
        server.wait_log(rf"web listening on http://127\.0\.0\.1:{port}/")
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, trust_env=False) as c:
            r = c.get("/")
            assert r.status_code == 401 and r.headers["www-authenticate"].startswith('Basic realm="ipmonitor"')
            assert "需要登录" in r.text
            wait_for(lambda: c.get("/progress.json", auth=("leader", PASSWORD)).status_code == 200, 60,
                     "the pages of the report run at start")
            page = c.get("/", auth=("leader", PASSWORD))
            assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
            assert "宿豫区" in page.text
            doc = c.get("/progress.json", auth=("leader", PASSWORD)).json()
            assert doc["year"] == dt.datetime.now(TZ).year and doc["filings"]["goal"] == 400
            etag = page.headers["etag"]
            assert c.get("/", auth=("leader", PASSWORD), headers={"If-None-Match": etag}).status_code == 304
            assert c.post("/", auth=("leader", PASSWORD)).status_code == 405
            assert c.get("/", auth=("leader", "wrong")).status_code == 401
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:   # raw: no client tidying
            sock.sendall(b"GET /../ipmonitor.toml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 401")                                  # no password: nothing
        code, took = server.stop()
        assert code == 0 and took < 10
        log = server.log()
    assert "web listening" in log and "server stopped" in log
    assert PASSWORD not in log
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_a_taken_port_or_a_bad_web_table_stops_serve_with_exit_2_and_one_line(home):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        write_config(home, f'\n[web]\nlisten = "127.0.0.1:{port}"\n')
        r = run_cli(home, "serve", timeout=30)
    assert r.returncode == 2
    assert r.stderr.strip() == (f"ipmonitor: 网页服务无法监听 127.0.0.1:{port}：端口已被占用（另一个程序在用）；"
                                f"请修改 ipmonitor.toml 的 [web] listen")
    assert query(home, "SELECT count(*) FROM job_runs")[0][0] == 0         # nothing ran
    write_config(home, '\n[web]\nlisten = "8080"\n')
    r = run_cli(home, "serve", timeout=30)
    assert (r.returncode, r.stderr) == (2, 'ipmonitor: ipmonitor.toml 的 [web] listen = \'8080\' 不是“地址:端口”'
                                           '（例如 "0.0.0.0:8080"）\n')


@pytest.mark.parametrize("table,line", [
    ('[web]\nlisten = "127.0.0.1:8080"\nusers = { "leader" = "123456" }\n',
     "ipmonitor: ipmonitor.toml 的 [web] users 中用户 leader 的密码散列无效：请用 ipmonitor web-password 生成后粘贴"),
    ('[web]\npublic_url = "192.168.1.20"\n',
     'ipmonitor: ipmonitor.toml 的 [web] public_url = \'192.168.1.20\' 不是网址（例如 "http://192.168.1.20:8080/"）'),
    ('[mail]\nsmtp = "localhost"\nfrom = "a@example.gov.cn"\nto = ["b@example.gov.cn"]\n',
     'ipmonitor: ipmonitor.toml 的 [mail] smtp = \'localhost\' 不是“地址:端口”（例如 "smtp.example.gov.cn:25"）'),
    ('[mail]\nsmtp = "localhost:25"\nfrom = "a@example.gov.cn"\nto = []\n',
     'ipmonitor: ipmonitor.toml 的 [mail] to 应是收件人列表（例如 ["leader@example.gov.cn"]）'),
    ('[mail]\nsmtp = "localhost:25"\nfrom = "a@example.gov.cn"\nto = ["leader"]\n',
     "ipmonitor: ipmonitor.toml 的 [mail] to = 'leader' 不是邮件地址（例如 \"ipmonitor@kjj.example.gov.cn\"）"),
    ('[mail]\nsmtp = "localhost:25"\nfrom = "a@example.gov.cn"\nto = ["b@example.gov.cn"]\nuser = "ipm"\n',
     "ipmonitor: ipmonitor.toml 的 [mail] 设置了 user，还需要 password_env"
     "（存放密码的环境变量名；密码不写进配置文件）"),
    ('[jobs.mail]\nevery = "1m"\n', "ipmonitor: ipmonitor.toml 有 [jobs.mail]，但没有 [mail]（smtp、from、to）"),
    ('[mail]\nsmtp = "localhost:25"\nfrom = "a@example.gov.cn"\nto = ["b@example.gov.cn"]\nstarttls = "yes"\n',
     "ipmonitor: ipmonitor.toml 的 [mail] starttls = 'yes' 应是 true 或 false"),
    ('[web]\nusers = { "leader" = "x" }\n', "ipmonitor: ipmonitor.toml 的 [web] users 中用户 leader 的密码散列无效："
                                         "请用 ipmonitor web-password 生成后粘贴"),
])
def test_bad_web_and_mail_tables_name_the_key_in_one_line(home, table, line):
    write_config(home, "\n" + table)
    with pytest.raises(ConfigError) as e:
        load_settings(home)
    assert f"ipmonitor: {e.value}" == line


def test_the_mail_follows_the_report_and_runs_on_its_own_schedule(home, smtp):  # noqa: F811
    write_config(home, f'\n[web]\npublic_url = "http://192.168.1.20:8080/"\n'
                       f'\n[mail]\nsmtp = "127.0.0.1:{smtp.port}"\nfrom = "ipmonitor@kjj.example.gov.cn"\n'
                       f'to = ["张局长 <leader@example.gov.cn>"]\nuser = "ipm"\npassword_env = "IPM_SMTP_PASSWORD"\n')
    seed_ok_runs(home, "backup")
    year, today = dt.datetime.now(TZ).year, dt.datetime.now(TZ).date()
    date = f"{today.year}年{today.month}月{today.day}日"
    with Serve(home, env={"IPM_SMTP_PASSWORD": PASSWORD}) as server:
        server.wait_log(r"job=mail schedule=\"after report\"")
        wait_for(lambda: smtp.messages, 60, "the mail after the report run at start")
        wait_for(lambda: mail_runs(home) and mail_runs(home)[-1][1] == "ok", 10, "the mail run recorded")
        code, _ = server.stop()
        assert code == 0
        log = server.log()
    workbook = (home / "reports" / "exports" / f"progress-{year}.xlsx").exists()   # once the pages make it
    [(sender, rcpts, raw)] = smtp.messages
    assert (sender, rcpts) == ("ipmonitor@kjj.example.gov.cn", ["leader@example.gov.cn"])
    m = parse(raw)
    assert m["Subject"] == f"宿豫区 {year} 年专利工作进度（截至{date}）：滞后"
    text = m.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert (f"专利申请总量：滞后\n  0 件 / 目标 400 件（0.0%），按时间进度应有 {expected_by_now(400)} 件，"
            "全年预计 0 件") in text
    assert f"其中发明专利：滞后\n  0 件 / 目标 50 件（0.0%），按时间进度应有 {expected_by_now(50)} 件" in text
    assert "在线查看：http://192.168.1.20:8080/" in text
    assert '<a href="http://192.168.1.20:8080/">' in m.get_body(("html",)).get_content()
    assert mail_runs(home) == [("after-report", "ok", 1,
                                f"已把 {year} 年进度邮件发给 1 位收件人（leader@example.gov.cn）"
                                + (f"，附 progress-{year}.xlsx" if workbook else ""))]
    assert len(list(m.iter_attachments())) == workbook
    assert smtp.logins[-1] == (b"ipm", PASSWORD.encode("utf-8"))
    assert_no_token(home, log, token=PASSWORD)

    # its own schedule: every 2 s, with the workbook that the pages' exports/ hold
    with open(home / "ipmonitor.toml", "a", encoding="utf-8") as f:
        f.write('\n[jobs.mail]\nevery = "2s"\n')
    seed_ok_runs(home, "report")
    xlsx = home / "reports" / "exports" / f"progress-{year}.xlsx"
    xlsx.parent.mkdir(exist_ok=True)
    xlsx.write_bytes(b"PK\x03\x04 a small workbook placed by the test")
    smtp.messages.clear()
    with Serve(home, env={"IPM_SMTP_PASSWORD": PASSWORD}) as server:
        wait_for(lambda: len(smtp.messages) >= 2, 30, "two scheduled mails")
        code, _ = server.stop()
        assert code == 0
    triggers = [t for t, *_ in mail_runs(home)]
    assert triggers[0] == "after-report" and set(triggers[1:]) == {"scheduled"}
    att = list(parse(smtp.messages[0][2]).iter_attachments())
    assert [(a.get_filename(), a.get_content()) for a in att] == \
        [(f"progress-{year}.xlsx", b"PK\x03\x04 a small workbook placed by the test")]


def test_a_refused_connection_is_a_failed_run_and_the_server_goes_on(home):
    port = free_port()                                       # nothing listens there
    write_config(home, f'\n[mail]\nsmtp = "127.0.0.1:{port}"\nfrom = "a@example.gov.cn"\nto = ["b@example.gov.cn"]\n'
                       f'\n[jobs.mail]\nevery = "1s"\n', year_goal=False)
    seed_ok_runs(home, "report", "backup")
    with Serve(home) as server:
        wait_for(lambda: len(mail_runs(home)) >= 3 and mail_runs(home)[2][1] == "failed", 30, "three failed mail runs")
        assert server.proc.poll() is None
        status = json.loads(run_cli(home, "status", "--json").stdout)
        assert status["jobs"]["mail"]["outcome"] in ("failed", "running")
        assert status["jobs"]["mail"]["schedule"] == "every 1s"
        code, took = server.stop()
        assert code == 0 and took < 10
        log = server.log()
    for trigger, outcome, items, message in mail_runs(home)[:3]:
        assert (trigger, outcome, items) == ("scheduled", "failed", 0)
        assert message == f"邮件没有发出：无法连接邮件服务器 127.0.0.1:{port}（Connection refused）"
    assert "job=mail" in log and "outcome=failed" in log and "Traceback" not in log


def test_status_shows_the_mail_after_the_report_or_on_its_own_schedule(home, monkeypatch):
    from ipmonitor import app
    import jobs.status
    from jobs.status import status

    monkeypatch.setattr(jobs.status, "server_pid", lambda *a, **k: 4242)   # next runs show only while a server runs

    write_config(home, '\n[mail]\nsmtp = "localhost:25"\nfrom = "a@example.gov.cn"\nto = ["b@example.gov.cn"]\n'
                       '\n[jobs.report]\ncron = "0 8 * * mon"\n')
    h = app.open_home(home)
    try:
        now = dt.datetime(2013, 6, 26, 12, 0, tzinfo=TZ)               # a Wednesday
        doc = status(h, now)
        assert list(doc["jobs"]) == ["inbox", "fetch", "report", "backup", "mail"]
        assert doc["jobs"]["mail"]["schedule"] == "after report"
        assert doc["jobs"]["mail"]["next_run"] == doc["jobs"]["report"]["next_run"] == "2013-07-01T08:00:00+08:00"
    finally:
        h.close()
    with open(home / "ipmonitor.toml", "a", encoding="utf-8") as f:
        f.write('\n[jobs.mail]\ncron = "30 8 * * mon"\n')
    h = app.open_home(home)
    try:
        doc = status(h, dt.datetime(2013, 6, 26, 12, 0, tzinfo=TZ))
        assert doc["jobs"]["mail"]["schedule"] == "cron 30 8 * * mon"
        assert doc["jobs"]["mail"]["next_run"] == "2013-07-01T08:30:00+08:00"
    finally:
        h.close()
    write_config(home, "")                                            # no [mail]: no mail job at all
    h = app.open_home(home)
    try:
        assert "mail" not in status(h, dt.datetime(2013, 6, 26, 12, 0, tzinfo=TZ))["jobs"]
    finally:
        h.close()
