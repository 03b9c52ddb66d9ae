"""The layers of the code: the core never imports `jobs` or the CLI, `jobs` never imports the CLI, no
module imports itself round a circle, and the system clock is read only in ipmonitor/clock.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("ipmonitor", "jobs")


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    return {_module(p): p for pkg in PACKAGES for p in sorted((REPO / pkg).rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports anywhere in its file (also inside functions)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        out.update(t for t in targets if t in known and t != name)
    return out


def graph() -> dict[str, set[str]]:
    sources = _sources()
    known = set(sources)
    return {name: _imports(name, path, known) for name, path in sources.items()}


def test_the_core_never_imports_jobs_or_the_cli():
    for name, deps in graph().items():
        if name.startswith("ipmonitor") and not name.startswith("ipmonitor.cli") and name != "ipmonitor.__main__":
            assert not {d for d in deps if d.startswith(("jobs", "ipmonitor.cli"))}, name
        if name.startswith("jobs"):
            assert not {d for d in deps if d.startswith("ipmonitor.cli")}, name


def test_no_import_circles():
    g = graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for d in sorted(g[n]):
            if state.get(d) == 1:
                raise AssertionError("import circle: " + " → ".join(stack[stack.index(d):] + [d]))
            if d not in state:
                visit(d)
        stack.pop()
        state[n] = 2

    for n in sorted(g):
        if n not in state:
            visit(n)


CLOCK_CALLS = re.compile(r"\b(?:datetime\.now|date\.today|datetime\.utcnow|time\.time)\(")


def test_only_the_clock_reads_the_time_of_day():
    readers = [name for name, path in _sources().items()
               if CLOCK_CALLS.search(path.read_text(encoding="utf-8"))]
    assert readers == ["ipmonitor.clock"]


def test_the_filings_table_has_the_declared_columns(tmp_path):
    """filings.COLUMNS is the one declaration (and STORED what of it is written); the migrations that
    made the table must agree with it. Generated columns are read like the others."""
    from ipmonitor import filings, store
    db = store.connect(tmp_path / "ipmonitor.db")
    try:
        info = db.conn.execute("PRAGMA table_xinfo(filings)").fetchall()   # (cid, name, …, hidden)
    finally:
        db.conn.close()
    provenance = ("first_line", "first_extra")
    stored = [r[1] for r in info if r[6] == 0 and not r[1].endswith("_import_id") and r[1] not in provenance]
    generated = [r[1] for r in info if r[6] != 0]
    assert stored == list(filings.STORED)
    assert generated == list(filings.GENERATED)
    assert sorted(stored + generated) == sorted([*filings.COLUMNS, "first_key_stored"])
