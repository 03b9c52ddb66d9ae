"""How a header cell is read (filings.md §1): which field it names, and how sure that is.

A header matches a field **exactly** when its compared form (NFKC, trimmed, no
spaces, case-folded) is one of the field's aliases. It matches **derived** when,
after removing a leading tag in square brackets (`[标]`), every parenthesised
qualifier (`(专利)`, `(设计)` …) and then a leading 当前 / 原始 / 专利, what is left is an
alias (or, for the agency, 代理机构 / 代理人机构). Publication numbers never name
the application number. A **fallback** header (第一申请人) names its field only when
no exact or derived column does. Two columns for one field: exact beats derived
beats fallback, then the leftmost wins; the losers stay unknown columns.

Pure: no polars, no I/O. Also the near-miss finder for failure messages and the
type words of §2.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

EXACT, DERIVED, FALLBACK = "exact", "derived", "fallback"
_RANK = {EXACT: 0, DERIVED: 1, FALLBACK: 2}

_TAG = re.compile(r"^[\[【〔][^\]】〕]{0,8}[\]】〕]")
_QUALIFIER = re.compile(r"\([^()]*\)")
_PREFIXES = ("当前", "原始", "专利")
_PUBLICATION = re.compile(r"公开|公告|公布|publication")
# characters dropped before comparing besides white space: Excel templates mark required
# columns with `*`, English exports write `Application No.` or `application_no`
_DROP = str.maketrans("", "", "*_.:")

# Headers that name their field only when no better column does.
FALLBACK_ALIASES: dict[str, tuple[str, ...]] = {
    "applicants": ("第一申请人", "first applicant", "第一申请(专利权)人"),
}
# What a derived match may also leave (filings.md §1): the agency's bare names.
DERIVED_EXTRA: dict[str, tuple[str, ...]] = {"agency": ("代理机构", "代理人机构")}


def header_key(text) -> str:
    """A header as compared: NFKC, no white space, case-folded, without * _ . :"""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold().translate(_DROP)


def derived_forms(key: str) -> list[str]:
    """The forms a compared header may be read as: tag and qualifiers removed, then each leading
    当前/原始/专利 removed in turn (so 当前专利权人 → 专利权人, [标]当前申请(专利权)人 → 申请人)."""
    base = _QUALIFIER.sub("", _TAG.sub("", key))
    forms = [base]
    while True:
        for p in _PREFIXES:
            if forms[-1].startswith(p) and len(forms[-1]) > len(p):
                forms.append(forms[-1][len(p):])
                break
        else:
            return forms


@dataclass(frozen=True)
class Reading:
    """How one header cell was read."""
    index: int                 # the column, 0-based
    header: str                # as found (trimmed)
    field: str | None          # the field it names, None: unknown (kept with the row)
    how: str | None            # exact | derived | fallback; None when unknown
    lost_to: int | None = None  # matched `field` but another column won it (its index)

    def as_dict(self) -> dict:
        return {"column": self.index + 1, "header": self.header, "field": self.field,
                "match": self.how, **({"lost_to_column": self.lost_to + 1} if self.lost_to is not None else {})}


class Matcher:
    """The aliases of one kind of file, ready to read header lines."""

    def __init__(self, aliases: dict[str, tuple[str, ...]], extra: dict[str, str] | None = None,
                 fallback: dict[str, tuple[str, ...]] | None = None,
                 derived_extra: dict[str, tuple[str, ...]] | None = None):
        self.aliases = aliases
        self.exact = {header_key(h): f for f, hs in aliases.items() for h in hs}
        for h, f in (extra or {}).items():          # explicit [[sources]] column maps
            self.exact[header_key(h)] = f
        self.derivable = dict(self.exact)
        for f, hs in (derived_extra or {}).items():
            self.derivable.update({header_key(h): f for h in hs})
        self.fallback = {header_key(h): f for f, hs in (fallback or {}).items() for h in hs}

    def read_one(self, header: str) -> tuple[str | None, str | None]:
        """(field, how) of one header cell, or (None, None)."""
        key = header_key(header)
        if not key:
            return None, None
        if key in self.exact:
            return self.exact[key], EXACT
        for form in derived_forms(key):
            fld = self.derivable.get(form)
            if fld is not None and not (fld == "application_no" and _PUBLICATION.search(key)):
                return fld, DERIVED
        for form in (key, *derived_forms(key)):
            if form in self.fallback:
                return self.fallback[form], FALLBACK
        return None, None

    def read(self, headers: list[str]) -> list[Reading]:
        """Every header cell of a line, with the tie rule applied (exact > derived > fallback,
        then leftmost)."""
        found = [(i, h.strip(), *self.read_one(h)) for i, h in enumerate(headers)]
        winner: dict[str, tuple[int, int]] = {}     # field → (rank, index)
        for i, _, fld, how in found:
            if fld and (fld not in winner or _RANK[how] < winner[fld][0]):
                winner[fld] = (_RANK[how], i)
        out = []
        for i, h, fld, how in found:
            if fld and winner[fld][1] != i:
                out.append(Reading(i, h, None, None, lost_to=winner[fld][1]))
            else:
                out.append(Reading(i, h, fld, how))
        return out

    def count(self, headers: list[str]) -> int:
        """How many distinct fields a line names (to find the header line)."""
        return len({f for f, _ in map(self.read_one, headers) if f})

    def near_misses(self, headers: list[str], missing: list[str]) -> list[tuple[str, str]]:
        """(header found, alias it probably meant) for unread headers one edit away from an alias
        of a missing field."""
        out = []
        for h in headers:
            key = header_key(h)
            if not key or self.read_one(h)[0]:
                continue
            for fld in missing:
                best = next((a for a in self.aliases.get(fld, ())
                             if any(_one_edit(form, header_key(a)) for form in {key, *derived_forms(key)})), None)
                if best:
                    out.append((h.strip(), best))
                    break
        return out


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by exactly one substitution, insertion or deletion."""
    if a == b or abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 2:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    i = next((k for k, (x, y) in enumerate(zip(short, long_)) if x != y), len(short))
    return short[i:] == long_[i + 1:]


# --- type words (filings.md §2) -------------------------------------------------------------------

TYPE_WORDS = {
    "发明": "invention", "invention": "invention",
    "实用新型": "utility_model", "实用型": "utility_model", "utilitymodel": "utility_model",
    "utility_model": "utility_model",
    "外观设计": "design", "外观": "design", "design": "design",
}
# Regex for polars: a leading PCT / PCT-, then the stage and route words, removed before the lookup.
TYPE_NOISE = r"^pct-?|专利|申请|公布|公开|授权|patent"
