"""Import benchmark: `ipmonitor import` of a large agency export against a naive pandas load of
the same file. Prints seconds and peak memory of each, and their ratio.

    python bench/run.py [ROWS]          # default 1,000,000; the file is cached in bench/data/

Each side runs in a fresh process so its peak RSS is its own (os.wait4's rusage). The pandas
side only *loads* the file (read_csv with gb18030, every column as text): no checking, no
normalising, no database — the least any import has to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PANDAS = ("import pandas as pd, sys; df = pd.read_csv(sys.argv[1], encoding='gb18030', skiprows=1, "
          "dtype=str, keep_default_na=False); print(len(df))")


def run(cmd: list[str], **kw) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    out, err = proc.stdout.read(), proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {err.strip()}")
    return elapsed, usage.ru_maxrss / 1024, out


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    data = HERE / "data" / f"agency-{rows}.csv"
    if not data.exists():
        data.parent.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(rows), str(data)], check=True)
    size = data.stat().st_size / 2**20
    home = Path(tempfile.mkdtemp(prefix="ipmonitor-bench-"))
    try:
        ours = run([sys.executable, "-m", "ipmonitor", "--home", str(home), "import", str(data)])
        again = run([sys.executable, "-m", "ipmonitor", "--home", str(home), "import", str(data)])
    finally:
        shutil.rmtree(home)
    pandas = run([sys.executable, "-c", PANDAS, str(data)])
    print(f"file: {data.name}, {rows:,} rows, {size:.0f} MiB, GB18030")
    print(f"ipmonitor import (fresh database):   {ours[0]:6.1f} s  peak {ours[1]:6.0f} MiB   {ours[2].strip()}")
    print(f"ipmonitor import (same file again):  {again[0]:6.1f} s  peak {again[1]:6.0f} MiB   {again[2].strip()}")
    print(f"pandas read_csv, load only:           {pandas[0]:6.1f} s  peak {pandas[1]:6.0f} MiB")
    print(f"ratio import / pandas load: {ours[0] / pandas[0]:.2f}× time, {ours[1] / pandas[1]:.2f}× memory")


if __name__ == "__main__":
    main()
