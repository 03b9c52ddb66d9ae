"""The database through ADBC (adbc-driver-sqlite): frames in and out as Arrow, no Python rows.

Writing a million filings through `sqlite3.executemany` turns each into a Python tuple first;
ADBC binds the Arrow columns of a polars frame directly, and reads results back as Arrow.

The driver carries its own copy of SQLite. Two copies of SQLite in one process must never have
the same database file open at once (closing a file in one drops the POSIX locks the other
holds: https://sqlite.org/howtocorrupt.html#multiple_copies_of_sqlite_linked_into_the_same_application).
So `session` is only opened by a caller that has no sqlite3 connection to the file open — the
`import` command closes its own first (see app.import_files) — and the scheduler's jobs, which
run beside other connections in the same process, never use it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import re
from pathlib import Path

import polars as pl

BUSY_TIMEOUT_MS = 120_000
_ALL_ROWS = str(1 << 30)   # one batch: the driver infers each column's type from the whole result


class Bulk:
    """One ADBC connection to the database file (autocommit; `transaction` for BEGIN … COMMIT)."""

    def __init__(self, path: Path):
        import adbc_driver_manager as adbc
        import adbc_driver_sqlite
        self._adbc = adbc
        self._path, self._other = path, None      # _other: a second connection (`halves`)
        self._db = adbc_driver_sqlite.connect(str(path))
        self._conn = adbc.AdbcConnection(self._db)
        self.run(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.run("PRAGMA foreign_keys = ON")
        self.run("PRAGMA synchronous = NORMAL")

    def _statement(self, sql: str, params: pl.DataFrame | None):
        st = self._adbc.AdbcStatement(self._conn)
        st.set_sql_query(sql)
        if params is not None:
            st.bind_stream(params.__arrow_c_stream__())
        return st

    @staticmethod
    def _params(params) -> pl.DataFrame | None:
        if params is None or isinstance(params, pl.DataFrame):
            return params
        return pl.DataFrame({f"p{i}": [v] for i, v in enumerate(params)}) if params else None

    def run(self, sql: str, params=None) -> int:
        """Run one statement; with a frame as `params`, once per row of it (in C). Rows changed."""
        st = self._statement(sql, self._params(params))
        try:
            return st.execute_update()
        finally:
            st.close()

    def frame(self, sql: str, params=None, schema: dict | None = None, cast: bool = True) -> pl.DataFrame:
        """The query's rows as a frame; columns not in `schema` are text (an empty or all-null
        column comes back from the driver as integers and is cast). `cast=False`: as the driver
        typed them."""
        st = self._statement(sql, self._params(params))
        try:
            st.set_options(**{"adbc.sqlite.query.batch_rows": _ALL_ROWS})
            handle, _ = st.execute_query()
            df = pl.DataFrame(handle)
        finally:
            st.close()
        if not cast:
            return df
        schema = schema or {}
        return df.cast({c: schema.get(c, pl.String) for c in df.columns})

    def halves(self, sql: str, marker: str, schema: dict | None = None) -> pl.DataFrame:
        """`sql` (a SELECT of one rowid table, "{where}" where its WHERE goes) in rowid order, read
        as two halves of the rowid range by two connections at once: the driver lets go of the GIL
        while SQLite steps, so the two cores each read half (a million filings: 0.6 → 0.33 s).
        Each half is read in its own transaction, which first reads `marker`, a query whose answer
        changes with every write to the table; when the two answers differ (a write came between
        them), the whole is read again by one connection, so the frame is of one state as one
        query's would be."""
        other = self._other or Bulk(self._path)
        self._other = other
        table = re.search(r"\bFROM\s+(\w+)", sql, re.IGNORECASE).group(1)
        low, high = self.frame(f"SELECT min(rowid) AS lo, max(rowid) AS hi FROM {table}", cast=False).row(0)
        if low is None or high - low < 2:
            return self.frame(sql.format(where=""), schema=schema)
        middle = (low + high) // 2
        parts = [(self, "WHERE rowid <= ?", middle), (other, "WHERE rowid > ?", middle)]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            done = list(pool.map(lambda p: p[0]._in_snapshot(marker, sql.format(where=p[1]), p[2], schema), parts))
        if done[0][0] != done[1][0]:
            return self.frame(sql.format(where=""), schema=schema)
        return pl.concat([done[0][1], done[1][1]])

    def _in_snapshot(self, marker: str, sql: str, bound: int, schema):
        self.run("BEGIN")
        try:
            return self.frame(marker, cast=False).row(0), self.frame(sql, (bound,), schema)
        finally:
            self.run("COMMIT")

    def scalar(self, sql: str, params=None):
        df = self.frame(sql, params, cast=False)
        return None if df.is_empty() else df.row(0)[0]

    def ingest(self, table: str, df: pl.DataFrame) -> int:
        """Append the frame's rows to `table` (columns by name)."""
        if df.is_empty():
            return 0
        st = self._adbc.AdbcStatement(self._conn)
        try:
            st.set_options(**{self._adbc.INGEST_OPTION_TARGET_TABLE: table,
                              self._adbc.INGEST_OPTION_MODE: self._adbc.INGEST_OPTION_MODE_APPEND})
            st.bind_stream(df.__arrow_c_stream__())
            return st.execute_update()
        finally:
            st.close()

    @contextlib.contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE … COMMIT, rolled back on any failure (COMMIT's own included)."""
        self.run("BEGIN IMMEDIATE")
        try:
            yield self
            self.run("COMMIT")
        except BaseException:
            with contextlib.suppress(self._adbc.Error):
                self.run("ROLLBACK")
            raise

    @property
    def conn(self) -> _Conn:
        """A stand-in for sqlite3's connection, for the read-only queries of store/ (`execute`
        → a cursor with fetchone/fetchall/description)."""
        return _Conn(self)

    def close(self) -> None:
        if self._other is not None:
            self._other.close()
        self._conn.close()
        self._db.close()


class _Cursor:
    def __init__(self, df: pl.DataFrame):
        self._rows, self._at = df.rows(), 0
        self.description = [(c, None, None, None, None, None, None) for c in df.columns]

    def fetchone(self):
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchall(self):
        rows, self._at = self._rows[self._at:], len(self._rows)
        return rows

    def __iter__(self):
        return iter(self.fetchall())


class _Conn:
    def __init__(self, bulk: Bulk):
        self._bulk = bulk

    def execute(self, sql: str, params=()):
        return _Cursor(self._bulk.frame(sql, params, cast=False))


@contextlib.contextmanager
def session(path: Path):
    """An ADBC connection for the length of the block (see the module's note on SQLite copies)."""
    b = Bulk(path)
    try:
        yield b
    finally:
        b.close()
