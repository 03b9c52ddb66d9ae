"""store/bulk.py: the ADBC session's split read gives what one query gives."""

from __future__ import annotations

import polars as pl

from ipmonitor import store
from ipmonitor.store import bulk, records


def _db(tmp_path, n):
    path = tmp_path / "t.db"
    db = store.connect(path)
    db.execute("INSERT INTO imports (id, kind, file, sha256, imported_at) VALUES (1, 'filings', 'f', 's', 't')")
    db.conn.executemany(
        "INSERT INTO filings (application_no, type, filing_date, applicants, first_import_id, last_import_id) "
        "VALUES (?, 'design', '2013-01-01', ?, 1, 1)", [(f"{i:03d}", f"甲{i}; 乙") for i in range(n)])
    db.conn.close()
    return path


def test_two_halves_are_the_whole_in_table_order(tmp_path):
    with bulk.session(_db(tmp_path, 101)) as b:
        got = b.halves("SELECT application_no, applicants FROM filings {where}", records.WRITTEN)
    assert got.height == 101
    assert got["application_no"].to_list() == [f"{i:03d}" for i in range(101)]
    assert got.row(57) == ("057", "甲57; 乙")


def test_halves_of_two_states_are_read_again_as_one(tmp_path):
    # a marker that differs on every read stands for a write between the two halves
    with bulk.session(_db(tmp_path, 10)) as b:
        asked = []
        frame = b.frame
        b.frame = lambda sql, *a, **k: asked.append(sql) or frame(sql, *a, **k)
        got = b.halves("SELECT application_no FROM filings {where}", "SELECT random() AS x")
    assert got["application_no"].to_list() == [f"{i:03d}" for i in range(10)]
    assert asked[-1] == "SELECT application_no FROM filings "      # the whole, by one connection


def test_a_tiny_or_empty_table_is_one_read(tmp_path):
    with bulk.session(_db(tmp_path, 0)) as b:
        got = b.halves("SELECT application_no FROM filings {where}", records.WRITTEN)
    assert got.height == 0 and got.schema == pl.Schema({"application_no": pl.String})


def test_every_filing_through_the_session_derives_the_first_applicant(tmp_path):
    with bulk.session(_db(tmp_path, 3)) as b:
        got = records.every_filing(b, ("application_no", "first_applicant_key"))
    assert got.rows() == [("000", "甲0", 1), ("001", "甲1", 1), ("002", "甲2", 1)]
