"""The committed seeds are exactly what seeds/generate.py writes, and the registry in them is valid."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from ipmonitor.ids import is_valid_credit_code

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
GENERATED = ["README.md", "enterprises.csv", "ipmonitor.toml", "agencies/huayu_2013.xlsx",
             "agencies/incopat_export_2013.csv", "agencies/tongda_2012.txt",
             "agencies/zhixing_2012-2013.csv", "agencies/zhixing_2013-07_resend.csv", "overrides.csv"]


def generate(out: Path) -> list[str]:
    """Run the generator into `out`; the files it wrote, relative to `out`."""
    subprocess.run([sys.executable, str(SEEDS / "generate.py"), "--out", str(out)],
                   check=True, capture_output=True)
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seeds")
    assert generate(out) == sorted(GENERATED)
    return out


@pytest.mark.parametrize("rel", GENERATED)
def test_committed_seed_is_what_the_generator_writes(fresh, rel):
    assert (fresh / rel).read_bytes() == (SEEDS / rel).read_bytes(), \
        f"seeds/{rel} differs from the generator's output: run `python seeds/generate.py`"


def test_no_stray_agency_files():
    committed = sorted(p.name for p in (SEEDS / "agencies").iterdir())
    assert committed == sorted(r.split("/", 1)[1] for r in GENERATED if r.startswith("agencies/"))


def test_generator_is_deterministic(fresh, tmp_path):
    generate(tmp_path)
    for rel in GENERATED:
        assert (tmp_path / rel).read_bytes() == (fresh / rel).read_bytes(), rel


def registry() -> list[dict]:
    with open(SEEDS / "enterprises.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_registry_credit_codes_are_valid_and_unique():
    codes = [r["统一社会信用代码"] for r in registry()]
    assert 90 <= len(codes) <= 110
    assert [c for c in codes if not is_valid_credit_code(c)] == []
    assert len(set(codes)) == len(codes)


def test_registry_organisation_codes_carry_their_own_check():
    for code in (r["统一社会信用代码"] for r in registry()):
        org = code[8:17]
        c = 11 - sum(int(x) * w for x, w in zip(org[:8], (3, 7, 9, 10, 5, 8, 4, 2))) % 11
        assert org[8] == {10: "X", 11: "0"}.get(c, str(c)), code


def test_registry_has_exactly_seven_high_tech_entities():
    assert sum(r["高新技术企业"] == "是" for r in registry()) == 7
