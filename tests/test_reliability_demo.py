"""The demo only ever touches a folder it made: never a real home, its database, its pages, or a server's."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest
from conftest import CONFIG, run_process

from ipmonitor import demo

pytestmark = pytest.mark.reliability


def _real_home(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "ipmonitor.toml").write_text(CONFIG, encoding="utf-8")
    (path / "ipmonitor.db").write_bytes(b"the officer's data")
    return path


def test_demo_refuses_a_real_home_as_its_demo_home(tmp_path):
    real = _real_home(tmp_path / "real")
    proc = run_process("demo", "--demo-home", real, "--out", tmp_path / "pages", cwd=tmp_path)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "正式使用的主目录" in proc.stderr
    assert (real / "ipmonitor.db").read_bytes() == b"the officer's data"
    assert (real / "ipmonitor.toml").read_text(encoding="utf-8") == CONFIG
    assert not (tmp_path / "pages").exists()


def test_demo_refuses_a_folder_a_server_holds(tmp_path):
    held = tmp_path / "held"
    held.mkdir()
    (held / demo.MARKER).write_text("", encoding="utf-8")       # even a demo home, while served
    fd = os.open(held / "ipmonitor.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        proc = run_process("demo", "--demo-home", held, "--out", tmp_path / "pages", cwd=tmp_path)
    finally:
        os.close(fd)
    assert proc.returncode == 2 and "正在运行 ipmonitor serve" in proc.stderr
    assert sorted(os.listdir(held)) == [demo.MARKER, "ipmonitor.lock"]


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    other = tmp_path / "notes"
    other.mkdir()
    (other / "minutes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(Exception) as e:
        demo.check_demo_home(other)
    assert e.value.exit_code == 2 and "不是演示创建的文件夹" in str(e.value)


def test_demo_inside_a_home_never_overwrites_its_pages(tmp_path):
    real = _real_home(tmp_path / "real")
    (real / "reports").mkdir()
    (real / "reports" / "index.html").write_text("the home's own pages", encoding="utf-8")
    proc = run_process("demo", cwd=real, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (real / "reports" / "index.html").read_text(encoding="utf-8") == "the home's own pages"
    assert (real / "ipmonitor.db").read_bytes() == b"the officer's data"
    assert (real / "demo-home" / demo.MARKER).is_file()
    assert proc.stdout.strip().splitlines()[-1] == str(real / "demo-home" / "reports" / "index.html")
    again = run_process("demo", "--out", real / "reports", cwd=real, timeout=120)
    assert again.returncode == 2 and "正式主目录的页面" in again.stderr
    assert (real / "reports" / "index.html").read_text(encoding="utf-8") == "the home's own pages"
    rerun = run_process("demo", cwd=real, timeout=120)         # its own home is rebuilt
    assert rerun.returncode == 0, rerun.stderr
