"""The progress bar: shown on a terminal once a step has taken a second, never in pipes or with --json."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import time

from ipmonitor import progressbar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_the_bar_once_a_step_takes_a_second():
    screen = Terminal()
    with progressbar.bar(3, "导入 a.csv", stream=screen) as b:
        b.update()
        assert screen.getvalue() == ""          # under a second: nothing yet
        time.sleep(progressbar.DELAY_S + 0.2)
        b.update()
        assert "导入 a.csv" in screen.getvalue() and "2/3" in screen.getvalue()


def test_pipes_and_json_get_no_bar():
    assert isinstance(progressbar.bar(3, "导入", stream=io.StringIO()), progressbar.Quiet)
    assert isinstance(progressbar.bar(3, "导入", wanted=False, stream=Terminal()), progressbar.Quiet)


def test_import_json_on_a_terminal_prints_only_the_document(home):
    path = home / "a.csv"
    path.write_text("申请号,申请日,申请人\n201320000001.X,2013-03-05,某公司\n", encoding="utf-8")
    main, sub = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "ipmonitor", "--home", str(home), "import", str(path),
                             "--json"], stdin=sub, stdout=subprocess.PIPE, stderr=sub)
    out, _ = proc.communicate(timeout=60)
    os.close(sub)
    os.set_blocking(main, False)
    try:
        err = os.read(main, 65536).decode(errors="replace")
    except OSError:   # nothing written (EIO once the other side closed, or EAGAIN)
        err = ""
    os.close(main)
    assert proc.returncode in (0, 1)
    assert json.loads(out)["files"][0]["file"] == "a.csv"
    assert "导入" not in err
