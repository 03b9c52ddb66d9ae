"""Shared fixtures: a home folder with a config, and the CLI run in-process or as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ipmonitor.cli import main

REPO = Path(__file__).resolve().parent.parent
CONFIG = """\
[district]
name = "宿豫区"
timezone = "Asia/Shanghai"

[goals.2013]
filings = 400
invention = 50
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty home folder with the 2013 goals of domain.md."""
    h = tmp_path / "home"
    h.mkdir()
    (h / "ipmonitor.toml").write_text(CONFIG, encoding="utf-8")
    return h


class Cli:
    """Runs `ipmonitor --home HOME …` in-process; `.json(...)` parses --json output."""

    def __init__(self, home: Path):
        self.home = home

    def __call__(self, *args: str, code: int | None = 0):
        result = CliRunner().invoke(main, ["--home", str(self.home), *map(str, args)])
        if code is not None:
            assert result.exit_code == code, (result.exit_code, result.output, result.stderr)
        return result

    def json(self, *args: str, code: int | None = 0):
        result = self(*args, "--json", code=code)
        return json.loads(result.stdout)


@pytest.fixture
def cli(home: Path) -> Cli:
    return Cli(home)


def run_process(*args: str, home: Path | None = None, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    """`python -m ipmonitor …` as a real process (for exit codes, stderr and signals)."""
    cmd = [sys.executable, "-m", "ipmonitor", *([] if home is None else ["--home", str(home)]), *map(str, args)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, **kw)


def in_process(*args: str, home: Path | None = None) -> subprocess.CompletedProcess:
    """The same command line as `run_process`, run in this process (the same `main`, its error
    handling and exit codes), for tests that only read the exit code, stdout and stderr."""
    argv = [*([] if home is None else ["--home", str(home)]), *map(str, args)]
    result = CliRunner().invoke(main, argv)
    return subprocess.CompletedProcess(["ipmonitor", *argv], result.exit_code, result.stdout, result.stderr)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(autouse=True)
def _chinese_again():
    """An in-process command may switch this process's words to English; each test starts in Chinese."""
    from ipmonitor import words
    words.set_language("zh-CN")
    yield
    words.set_language("zh-CN")
