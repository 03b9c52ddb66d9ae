"""The performance table of docs/performance.md: `make bench` (= python bench/run.py).

    python bench/run.py [--sizes 10000,100000,1000000] [--repeat 3] [--no-sqlite-utils]

For each size it generates (once, cached in bench/data/) a GBK agency export and the 5,000-entity
registry (bench/generate.py), then runs, side by side and interleaved, each a whole fresh process:

  * `ipmonitor import FILE` into a home whose registry is already imported (a fresh database each time);
  * pandas: `read_csv(FILE, encoding="gbk", dtype=str)` + `to_sql` into a fresh SQLite file;
  * the `sqlite-utils insert DB filings FILE --csv --encoding gbk` command line;

and, on the imported home: the same import again (skipped), `progress --json`, `signals --json`,
`report`, and `patents --json` when that command exists. Each figure is the median wall time of
`--repeat` runs and the peak RSS of the process (os.wait4's rusage). Ratios are what count on a
shared machine: every ratio is taken within the same round.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PANDAS = ("import sys, sqlite3, pandas as pd\n"
          "df = pd.read_csv(sys.argv[1], encoding='gbk', dtype=str)\n"
          "con = sqlite3.connect(sys.argv[2]); df.to_sql('filings', con, index=False); con.commit()\n")
CONFIG = '[district]\nname = "宿豫区"\ntimezone = "Asia/Shanghai"\n\n[goals.2013]\nfilings = {f}\ninvention = {i}\n'
YEAR, AS_OF = "2013", "2013-12-31"
# what must be reached at 1,000,000 rows (issue 12): (row, limit, unit)
TARGETS = {"import / pandas": (1.0, "×"), "import peak RSS": (1024, "MiB"), "re-import (skipped)": (1.0, "s"),
           "progress --json": (1.5, "s"), "report": (15.0, "s"), "signals --json": (5.0, "s"),
           "patents --json": (2.0, "s")}


def run(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one whole process; its output is discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.strip()}")
    return elapsed, usage.ru_maxrss / 1024


def ipmonitor(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ipmonitor", "--home", str(home), *args]


def inputs(rows: int) -> tuple[Path, Path]:
    data = DATA / f"agency-{rows}.csv"
    if not data.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(rows), str(DATA)], check=True)
    return data, DATA / "registry.csv"


def has_command(name: str) -> bool:
    return subprocess.run([sys.executable, "-m", "ipmonitor", name, "--help"],
                          capture_output=True).returncode == 0


class Results:
    def __init__(self):
        self.times: dict[str, list[float]] = {}
        self.rss: dict[str, float] = {}

    def add(self, what: str, t: float, rss: float) -> None:
        self.times.setdefault(what, []).append(t)
        self.rss[what] = max(self.rss.get(what, 0), rss)

    def median(self, what: str) -> float:
        return statistics.median(self.times[what])


def bench_size(rows: int, repeat: int, sqlite_utils: bool, work: Path) -> Results:
    data, reg = inputs(rows)
    base = work / f"base-{rows}"
    base.mkdir()
    (base / "ipmonitor.toml").write_text(CONFIG.format(f=rows // 2, i=rows // 10), encoding="utf-8")
    subprocess.run(ipmonitor(base, "enterprises", "import", str(reg)), check=True, capture_output=True)
    env = {**os.environ, "TERM": "dumb"}
    res = Results()
    su = shutil.which("sqlite-utils", path=str(Path(sys.executable).parent)) if sqlite_utils else None
    home = None
    for r in range(repeat):
        sides = ["ipmonitor", "pandas", *(["sqlite-utils"] if su else [])]
        for side in sides[r % len(sides):] + sides[:r % len(sides)]:   # rotate the order each round
            if side == "ipmonitor":
                home = work / f"home-{rows}-{r}"
                shutil.copytree(base, home)
                res.add("import", *run(ipmonitor(home, "import", str(data)), env))
            elif side == "pandas":
                db = work / f"pandas-{rows}-{r}.db"
                res.add("pandas", *run([sys.executable, "-c", PANDAS, str(data), str(db)]))
                db.unlink()
            else:
                db = work / f"su-{rows}-{r}.db"
                res.add("sqlite-utils", *run([su, "insert", str(db), "filings", str(data), "--csv",
                                              "--encoding", "gbk"]))
                db.unlink()
        if r < repeat - 1:
            shutil.rmtree(work / f"home-{rows}-{r}")
    commands = [("re-import (skipped)", ["import", str(data)]),
                ("progress --json", ["progress", "--year", YEAR, "--as-of", AS_OF, "--json"]),
                ("signals --json", ["signals", "--year", YEAR, "--as-of", AS_OF, "--json"]),
                ("report", ["report", "--year", YEAR, "--as-of", AS_OF])]
    if has_command("patents"):
        commands.append(("patents --json", ["patents", "--json"]))
    for _ in range(repeat):
        for what, args in commands:
            res.add(what, *run(ipmonitor(home, *args), env))
    return res


def table(all_results: dict[int, Results]) -> str:
    lines = ["| rows | what | median s | × pandas | peak RSS MiB | s per 100k rows |",
             "|---:|---|---:|---:|---:|---:|"]
    for rows, res in all_results.items():
        pandas = res.median("pandas")
        for what in res.times:
            t = res.median(what)
            ratio = f"{t / pandas:.2f}" if what in ("import", "pandas", "sqlite-utils") else ""
            per = f"{t / rows * 100_000:.2f}" if what in ("import", "pandas", "sqlite-utils") else ""
            lines.append(f"| {rows:,} | {what} | {t:.2f} | {ratio} | {res.rss[what]:.0f} | {per} |")
    return "\n".join(lines)


def verdict(res: Results) -> list[str]:
    got = {"import / pandas": res.median("import") / res.median("pandas"), "import peak RSS": res.rss["import"]}
    got.update({w: res.median(w) for w in TARGETS if w in res.times})
    out = []
    for what, (limit, unit) in TARGETS.items():
        if what in got:
            ok = "ok  " if got[what] <= limit else "MISS"
            out.append(f"{ok} {what:<22} {got[what]:8.2f} {unit:<4} (must reach ≤ {limit} {unit})")
        else:
            out.append(f"--   {what:<22} not measured (command missing)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated row counts")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median taken)")
    ap.add_argument("--no-sqlite-utils", action="store_true", help="skip the sqlite-utils CLI (slow at 1M)")
    a = ap.parse_args()
    sizes = [int(s.replace("_", "")) for s in a.sizes.split(",") if s.strip()]
    DATA.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ipmonitor-bench-"))
    results: dict[int, Results] = {}
    try:
        for rows in sizes:
            print(f"… {rows:,} rows", file=sys.stderr, flush=True)
            results[rows] = bench_size(rows, a.repeat, not a.no_sqlite_utils, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {a.repeat} runs each, medians")
    print(table(results))
    biggest = max(results)
    print(f"\nat {biggest:,} rows:")
    print("\n".join(verdict(results[biggest])))
    if len(results) > 1:
        small = min(results)
        per = {n: r.median("import") / n for n, r in results.items()}
        print(f"growth: import seconds per row, {biggest:,} vs {small:,}: {per[biggest] / per[small]:.2f}×")


if __name__ == "__main__":
    main()
