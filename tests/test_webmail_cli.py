"""`ipmonitor web-password` (typed twice on a terminal, or piped) and `ipmonitor mail` (send now),
as real processes."""

from __future__ import annotations

import os
import pty
import signal
import select
import subprocess
import sys
import time

from ipmonitor.web import check_password, parse_hash
from test_mail import PASSWORD, free_port, parse, smtp  # noqa: F401  (smtp: the fixture)


def run_process(*args: str, home=None, input: str | None = None, env: dict | None = None):
    cmd = [sys.executable, "-m", "ipmonitor", *([] if home is None else ["--home", str(home)]), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, input=input,
                          env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})


def on_a_terminal(args: list[str], answers: list[bytes], timeout: float = 30) -> tuple[int, bytes]:
    """Run `python -m ipmonitor ARGS` on a pseudo-terminal, typing each answer after a prompt."""
    pid, fd = pty.fork()
    if pid == 0:                                    # the child: its terminal is the pty
        os.execvpe(sys.executable, [sys.executable, "-m", "ipmonitor", *args],
                   {**os.environ, "PYTHONUNBUFFERED": "1"})
    out, deadline = b"", time.monotonic() + timeout
    answers, answered_at = list(answers), 0
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:                     # the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
                # Answer each prompt once, after it is shown: getpass flushes what was typed ahead.
                if answers and out[answered_at:].rstrip().endswith("：".encode()):
                    os.write(fd, answers.pop(0) + b"\r")
                    answered_at = len(out)
    finally:
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)               # never hang the suite on a child that waits
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), out


def test_web_password_typed_twice_without_echo():
    code, out = on_a_terminal(["web-password"], [PASSWORD.encode("utf-8")] * 2)
    text = out.decode("utf-8", "replace")
    assert code == 0, text
    assert PASSWORD not in text                                     # never echoed
    hashed = [line.strip() for line in text.splitlines() if line.strip().startswith("scrypt$")]
    assert len(hashed) == 1 and check_password(PASSWORD, hashed[0])


def test_web_password_typed_differently_makes_no_hash():
    code, out = on_a_terminal(["web-password"], [b"first-pass-1", b"other-pass-2"])
    text = out.decode("utf-8", "replace")
    assert code == 2 and "两次输入的密码不一致，没有生成散列" in text and "scrypt$" not in text


def test_web_password_from_a_pipe():
    r = run_process("web-password", input=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("\n") == 1 and check_password(PASSWORD, r.stdout.strip())
    assert parse_hash(r.stdout.strip())[:3] == (16384, 8, 1)
    assert '[web] users' in r.stderr                               # the hint goes to stderr
    short = run_process("web-password", input="short\n")
    assert (short.returncode, short.stdout, short.stderr) == (2, "", "ipmonitor: 密码至少要 8 个字符\n")
    empty = run_process("web-password", input="")
    assert (empty.returncode, empty.stdout, empty.stderr) == (2, "", "ipmonitor: 密码至少要 8 个字符\n")


def test_mail_now_sends_and_records_a_manual_run(home, smtp):   # noqa: F811
    (home / "ipmonitor.toml").write_text(
        (home / "ipmonitor.toml").read_text(encoding="utf-8")
        + f'\n[mail]\nsmtp = "127.0.0.1:{smtp.port}"\nfrom = "a@example.gov.cn"\nto = ["b@example.gov.cn"]\n',
        encoding="utf-8")
    env = {"IPMONITOR_TODAY": "2013-06-30"}
    r = run_process("mail", home=home, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "已把 2013 年进度邮件发给 1 位收件人（b@example.gov.cn）\n"
    m = parse(smtp.messages[0][2])
    # goals 400 / 50 (conftest), no filings, 30 June 2013 = day 181 of 365:
    # expected 400 × 181 / 365 = 198.36 → 198.4 → 198; 50 × 181 / 365 = 24.79 → 24.8 → 25
    assert m["Subject"] == "宿豫区 2013 年专利工作进度（截至2013年6月30日）：滞后"
    text = m.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "0 件 / 目标 400 件（0.0%），按时间进度应有 198 件，全年预计 0 件" in text
    assert "0 件 / 目标 50 件（0.0%），按时间进度应有 25 件，全年预计 0 件" in text

    (home / "ipmonitor.toml").write_text(
        (home / "ipmonitor.toml").read_text(encoding="utf-8").replace(f"127.0.0.1:{smtp.port}",
                                                                     f"127.0.0.1:{free_port()}"),
        encoding="utf-8")
    failed = run_process("mail", "--json", home=home, env=env)
    assert failed.returncode == 1
    assert '"outcome": "failed"' in failed.stdout and "无法连接邮件服务器" in failed.stdout


def test_mail_without_a_mail_table_is_a_usage_error(home):
    r = run_process("mail", home=home)
    assert (r.returncode, r.stderr) == (2, "ipmonitor: ipmonitor.toml 没有 [mail]（smtp、from、to），不能发邮件\n")
