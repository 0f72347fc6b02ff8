"""The report's data section: the coverage of event families, escaped."""

from __future__ import annotations

from html.parser import HTMLParser
from types import SimpleNamespace

import pandas as pd
from report_pages import render_blocks

from riskmodel.data import EVENT_TYPES, LocalAuthorityData
from riskmodel.reports._section_data import NOT_RECORDED, data_section


class _Rows(HTMLParser):
    """Collects the text of every table row, cell by cell."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _data() -> LocalAuthorityData:
    persons = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(8)],
            "date_of_birth": ["2008-01-01"] * 8,
            "sex": ["F", "M"] * 4,
        }
    )
    events = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(8)] + ["p0", "p1"],
            "event_date": ["2019-07-10"] * 4 + ["2021-02-01"] * 4 + ["2020-05-05"] * 2,
            "event_type": ["referral"] * 8 + ["<script>alert(1)</script>"] * 2,
        }
    )
    episodes = pd.DataFrame(
        {"person_id": ["p3"], "start_date": ["2020-01-01"], "legal_status": ["C2"]}
    )
    return LocalAuthorityData(persons, events, episodes, extract_date="2022-03-31")


def _backtest() -> SimpleNamespace:
    preds = pd.DataFrame(
        {
            "model": "model",
            "as_of_date": pd.to_datetime(["2020-01-01", "2020-01-01"]),
            "y_true": [0, 1],
        }
    )
    return SimpleNamespace(predictions=preds)


def _section(synthetic: bool) -> str:
    data = _data()
    blocks = data_section(
        _backtest(),
        data.summary(),
        None,
        12,
        coverage_summary=data.coverage_summary(),
        synthetic=synthetic,
    )
    return render_blocks(blocks)


def _coverage_rows(html: str) -> dict[str, list[str]]:
    parser = _Rows()
    parser.feed(html)
    rows = [r for r in parser.rows if len(r) == 5 and r[0] != "Table"]
    return {r[0]: r[1:] for r in rows if r[0] != "Event family"}


def test_every_family_is_a_row_with_its_months_and_counts():
    rows = _coverage_rows(_section(synthetic=True))
    assert rows["referral"] == ["2019-07", "2021-02", "8", "8"]
    assert rows["care_episodes"] == ["2020-01", "2020-01", "1", "1"]
    for family in set(EVENT_TYPES) - {"referral"}:
        assert rows[family] == [NOT_RECORDED, NOT_RECORDED, "0", "0"]


def test_absent_families_are_listed_in_the_note():
    html = _section(synthetic=True)
    assert "Not recorded in these data: contact, referral_nfa," in html


def test_small_counts_are_suppressed_for_real_data():
    rows = _coverage_rows(_section(synthetic=False))
    assert rows["care_episodes"][2:] == ["fewer than 5", "fewer than 5"]
    assert rows["referral"][2:] == ["8", "8"]


def test_family_names_are_escaped():
    html = _section(synthetic=True)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (not in the data model)" in html
