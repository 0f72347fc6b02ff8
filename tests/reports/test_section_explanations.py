"""The report's explanations section: example children only when synthetic, counts suppressed."""

from __future__ import annotations

from report_pages import parse, text_only


def test_synthetic_report_shows_example_children_without_ids(synthetic_html):
    page = parse(synthetic_html)
    rows = [r["cells"] for r in page.rows if r["caption"] == "Flagged synthetic children"]
    assert [cells[0][1] for cells in rows] == [
        "Child A, aged 14",
        "Child B, aged 16",
        "Child C, aged 12",
    ]
    assert rows[0][1][1] == "31%"
    assert rows[0][2][1] == "3 referrals in the last year"
    assert rows[1][3][1] == "—"  # a missing reason
    assert "quirky reason 77" in synthetic_html


def test_real_data_report_shows_only_aggregate_reasons(real_html):
    page = parse(real_html)
    assert not [r for r in page.rows if r["caption"] == "Flagged synthetic children"]
    text = text_only(real_html)
    assert "Child A" not in text and "quirky reason 77" not in text
    assert "Child-level reasons are not shown" in text
    reasons = {
        r["cells"][0][1]: r["cells"][1][1]
        for r in page.rows
        if r["caption"].startswith("Among the children flagged")
    }
    assert reasons == {
        "N referrals in the last year": "12",
        "aged N": "7",
        "rare reason": "fewer than 5",
    }
    assert "Synthetic data" not in text and "Aggregates only" in text
