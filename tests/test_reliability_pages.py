"""The page swap under kill -9 at every step: the previous pages and the weekly archive survive,
and the next report repairs and cleans up without deleting the only copy of anything."""

from __future__ import annotations

import os
import signal

import pytest
from _jobs_support import csv_bytes
from conftest import run_process

from ipmonitor import publish
from ipmonitor.errors import ReportFailed

pytestmark = pytest.mark.reliability
ROWS = ["201310699744.2,2013-03-05,宿迁华宇机械有限公司", "201220687633.0,2012-11-20,宿迁绿源食品有限公司"]


def _report(home, as_of, fault=None):
    env = {**os.environ, **({"IPMONITOR_FAULT": fault} if fault else {})}
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "ipmonitor", "--home", str(home), "report", "--as-of", as_of,
                           "--out", str(home / "reports")],
                          capture_output=True, text=True, env=env, timeout=120)


def _weeks(home):
    return sorted(p.name for p in (home / "reports" / "archive").iterdir() if p.is_dir())


def _leftovers(home):
    return sorted(p.name for p in home.iterdir() if p.name.startswith(".reports.") and p.is_dir())


@pytest.mark.parametrize("fault, swapped", [
    ("publish:before-swap", False),
    ("publish:after-exchange", True),
    ("no-exchange,publish:between-renames", False),
    ("no-exchange,publish:after-renames", True),
])
def test_a_kill_at_any_point_of_the_swap_loses_neither_pages_nor_archive(home, tmp_path, fault, swapped):
    data = tmp_path / "a.csv"
    data.write_bytes(csv_bytes(ROWS))
    assert run_process("import", data, home=home).returncode == 0
    assert _report(home, "2013-06-28").returncode == 0                     # 2013-W26
    killed = _report(home, "2013-07-05", fault)                           # 2013-W27, killed
    assert killed.returncode == -signal.SIGKILL
    reports = home / "reports"
    if fault.startswith("no-exchange,publish:between-renames"):
        assert not reports.exists()       # the instant the issue found: the next build must repair it
    else:
        assert (reports / "index.html").is_file() and "2013-W26" in _weeks(home)
    again = _report(home, "2013-07-12")                                   # 2013-W28
    assert again.returncode == 0, again.stderr
    expected = ["2013-W26", "2013-W27", "2013-W28"] if swapped else ["2013-W26", "2013-W28"]
    assert _weeks(home) == expected
    assert all((reports / "archive" / w / "index.html").is_file() for w in expected)
    assert _leftovers(home) == []


def test_a_home_is_never_swapped_away_as_an_output_folder(home):
    with pytest.raises(ReportFailed):
        with publish.Build(home):
            pass
    assert (home / "ipmonitor.toml").is_file()
    proc = run_process("report", "--out", home, home=home)
    assert proc.returncode == 1 and "是工作目录" in proc.stderr
    assert (home / "ipmonitor.toml").is_file()


def test_a_folder_of_other_files_is_never_replaced_by_the_pages(home, tmp_path):
    docs = tmp_path / "Documents"
    docs.mkdir()
    (docs / "plan.docx").write_bytes(b"the officer's plan")
    proc = run_process("report", "--out", docs, home=home)
    assert proc.returncode == 1 and "不是 ipmonitor 页面" in proc.stderr
    assert (docs / "plan.docx").read_bytes() == b"the officer's plan"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_process("report", "--out", empty, home=home).returncode == 0
    assert (empty / "index.html").is_file()
