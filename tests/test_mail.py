"""The weekly mail (ipmonitor.mail, jobs/mail.py) against a real SMTP server (aiosmtpd) on 127.0.0.1:
both alternatives, the Chinese subject and body decoded, the workbook attached, the link; failures
(refused connection, wrong password, 5xx) are failed runs that name no password."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from ipmonitor.errors import MailFailed
from ipmonitor.mail import compose, headline, send, whole

PASSWORD = "Pw-s3cret-邮件-77"
DOC = {   # a progress document as `progress --json` gives it (cli.md), 30 June 2013, goals 400 / 50
    "year": 2013, "as_of": "2013-06-30", "district": "宿豫区",
    "filings": {"count": 180, "goal": 400, "expected": 198.4, "projected": 362.9, "status": "behind",
                "gap": -18.4, "needed_per_week": 8.3},
    "invention": {"count": 25, "goal": 50, "expected": 24.8, "projected": 50.4, "status": "on_track",
                  "gap": 0.2, "needed_per_week": 1.0},
    "previous_year": {"filings": 148, "invention": 20},
    "weekly": [{"week": "2013-W25", "new": 7, "cumulative": 168, "invention_new": 1},
               {"week": "2013-W26", "new": 12, "cumulative": 180, "invention_new": 2}],
}
XLSX = b"PK\x03\x04" + "总览".encode() * 100


class Inbox:
    """What the SMTP server received; `answer` replaces the reply to RCPT or DATA when set."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.rcpt_answer = None
        self.data_answer = None
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_answer:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_answer:
            return self.data_answer
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"ipm" and auth_data.password == PASSWORD.encode("utf-8")
        return AuthResult(success=ok, handled=False)   # False: the server sends the 535 itself


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=inbox.authenticate,
                     auth_require_tls=False)
    ctl.start()
    inbox.port = ctl.port
    yield inbox
    ctl.stop()


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_headline_words_from_the_numbers():
    h = headline(DOC)
    assert h["subject"] == "宿豫区 2013 年专利工作进度（截至2013年6月30日）：滞后"
    assert [r["phrases"] for r in h["rows"]] == [
        ["180 件 / 目标 400 件（45.0%）", "按时间进度应有 198 件", "全年预计 363 件", "落后时间进度 18 件",
         "余下每周需 8.3 件"],
        ["25 件 / 目标 50 件（50.0%）", "按时间进度应有 25 件", "全年预计 50 件", "与时间进度持平",
         "余下每周需 1.0 件"],
    ]
    assert [r["status"] for r in h["rows"]] == ["滞后", "进度正常"]
    assert h["extra"] == ["去年同期 148 件（发明 20 件）", "本周新增 12 件（发明 2 件）"]


def test_headline_without_the_later_keys_and_without_goals():
    doc = {"year": 2014, "as_of": "2014-01-06", "district": "宿豫区",
           "filings": {"count": 3, "goal": None, "expected": None, "projected": 182.5, "status": None},
           "invention": {"count": 0, "goal": 20, "expected": 0.3, "projected": 0.0, "status": "behind"},
           "weekly": []}
    h = headline(doc)
    assert h["subject"] == "宿豫区 2014 年专利工作进度（截至2014年1月6日）：未设目标"
    assert [r["phrases"] for r in h["rows"]] == [["3 件", "全年预计 183 件"],
                                                 ["0 件 / 目标 20 件（0.0%）", "按时间进度应有 0 件", "全年预计 0 件"]]
    assert h["extra"] == []
    en = headline(doc, "en")
    assert en["subject"] == "宿豫区 2014 patent progress (as of 2014-01-06): no goal set"
    assert en["rows"][1]["phrases"][0] == "0 of 20 (0.0%)"


@pytest.mark.parametrize("x,n", [(196.2, 196), (196.5, 197), (0.5, 1), (18.4, 18), (362.9, 363), (0, 0)])
def test_whole_numbers_round_half_up(x, n):
    assert whole(x) == n


def test_the_mail_arrives_with_both_parts_the_link_and_the_workbook(smtp, tmp_path):
    (tmp_path / "progress-2013.xlsx").write_bytes(XLSX)
    msg = compose(DOC, sender="ipmonitor@kjj.example.gov.cn", to=["张局长 <leader@example.gov.cn>", "b@example.gov.cn"],
                  url="http://192.168.1.20:8080/", attachment=tmp_path / "progress-2013.xlsx")
    assert send(msg, host="127.0.0.1", port=smtp.port) == ["leader@example.gov.cn", "b@example.gov.cn"]
    [(sender, rcpts, raw)] = smtp.messages
    assert sender == "ipmonitor@kjj.example.gov.cn" and rcpts == ["leader@example.gov.cn", "b@example.gov.cn"]
    m = parse(raw)
    assert m["Subject"] == "宿豫区 2013 年专利工作进度（截至2013年6月30日）：滞后"
    assert m["To"].addresses[0].display_name == "张局长"
    assert m.get_content_type() == "multipart/mixed"
    text = m.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = m.get_body(("html",)).get_content()
    assert "专利申请总量：滞后\n  180 件 / 目标 400 件（45.0%），按时间进度应有 198 件，全年预计 363 件，" \
           "落后时间进度 18 件，余下每周需 8.3 件\n" in text
    assert "其中发明专利：进度正常\n" in text
    assert "在线查看：http://192.168.1.20:8080/\n" in text
    assert "附件：progress-2013.xlsx（全年进度表，可用 Excel 或 WPS 打开）" in text
    assert '<a href="http://192.168.1.20:8080/">在线查看进度页面</a>' in html
    assert "<strong>滞后</strong>" in html and "落后时间进度 18 件" in html and "去年同期 148 件" in html
    [att] = list(m.iter_attachments())
    assert att.get_filename() == "progress-2013.xlsx"
    assert att.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert att.get_content() == XLSX


def test_no_link_no_attachment_when_there_are_none(smtp, tmp_path):
    msg = compose(DOC, sender="a@example.gov.cn", to=["b@example.gov.cn"], attachment=tmp_path / "missing.xlsx")
    send(msg, host="127.0.0.1", port=smtp.port)
    m = parse(smtp.messages[0][2])
    assert list(m.iter_attachments()) == []
    assert "在线查看" not in m.get_body(("plain",)).get_content()
    assert "<a " not in m.get_body(("html",)).get_content()


def test_values_are_escaped_in_the_html_part():
    doc = {**DOC, "district": "<script>alert(1)</script>区"}
    html = compose(doc, sender="a@example.gov.cn", to=["b@example.gov.cn"]).get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;区" in html


def test_login_and_its_failure_never_show_the_password(smtp):
    msg = compose(DOC, sender="a@example.gov.cn", to=["b@example.gov.cn"])
    send(msg, host="127.0.0.1", port=smtp.port, user="ipm", password=PASSWORD)
    assert len(smtp.messages) == 1
    with pytest.raises(MailFailed) as e:
        send(msg, host="127.0.0.1", port=smtp.port, user="ipm", password=PASSWORD + "x")
    assert str(e.value).startswith(f"邮件没有发出：邮件服务器 127.0.0.1:{smtp.port} 拒绝了用户 ipm 的登录（535")
    assert PASSWORD not in str(e.value)
    assert len(smtp.messages) == 1


def test_refusals_and_a_closed_port_are_one_line_failures(smtp):
    msg = compose(DOC, sender="a@example.gov.cn", to=["b@example.gov.cn"])
    smtp.rcpt_answer = "550 5.1.1 no such user"
    with pytest.raises(MailFailed) as e:
        send(msg, host="127.0.0.1", port=smtp.port)
    assert str(e.value) == (f"邮件没有发出：邮件服务器 127.0.0.1:{smtp.port} 拒收全部收件人 b@example.gov.cn"
                            f"（550 5.1.1 no such user）")
    smtp.rcpt_answer, smtp.data_answer = None, "554 5.7.1 rejected as spam"
    with pytest.raises(MailFailed) as e:
        send(msg, host="127.0.0.1", port=smtp.port)
    assert str(e.value) == f"邮件没有发出：邮件服务器 127.0.0.1:{smtp.port} 回答 554 5.7.1 rejected as spam"
    port = free_port()
    with pytest.raises(MailFailed) as e:
        send(msg, host="127.0.0.1", port=port)
    assert str(e.value) == f"邮件没有发出：无法连接邮件服务器 127.0.0.1:{port}（Connection refused）"
    assert smtp.messages == []


def test_a_server_that_never_answers_times_out(tmp_path):
    with socket.socket() as quiet:
        quiet.bind(("127.0.0.1", 0))
        quiet.listen(1)
        port = quiet.getsockname()[1]
        msg = compose(DOC, sender="a@example.gov.cn", to=["b@example.gov.cn"])
        with pytest.raises(MailFailed) as e:
            send(msg, host="127.0.0.1", port=port, timeout=0.5)
        assert str(e.value) == f"邮件没有发出：邮件服务器 127.0.0.1:{port} 在 0.5 秒内没有应答"



def test_the_mail_carries_the_subsidy_logs_anchor():
    head = "ab" * 32
    h = headline({**DOC, "subsidy_head": {"events": 42, "head": head}})
    assert f"资助记录校验值：共 42 条事件，SHA-256 {head}" in h["extra"]
