"""The report's fairness section: flagged disparities marked, small groups suppressed."""

from __future__ import annotations

from report_pages import MIN_GROUP, Page, parse


def _fairness_rows(page: Page, attribute: str) -> dict[str, list]:
    rows = [
        r["cells"]
        for r in page.rows
        if r["section"] == "fairness" and r["caption"] == f"{attribute}: value (95% interval)"
    ]
    return {cells[0][1].removesuffix(" (reference)"): cells for cells in rows}


FAIRNESS_COLUMNS = {
    "selection_rate": 3,
    "fnr": 4,
    "fpr": 5,
    "precision": 6,
    "observed_expected": 7,
}


def test_flagged_disparities_are_marked_and_only_they(inputs, synthetic_html):
    flags = inputs.audit.flags()
    assert not flags.empty, "the simulation's recording bias should produce a flag"
    page = parse(synthetic_html)
    flagged = set(zip(flags["attribute"], flags["group"], flags["metric"], strict=True))
    for attribute in inputs.audit.by_group["attribute"].unique():
        for group, cells in _fairness_rows(page, attribute).items():
            for metric, column in FAIRNESS_COLUMNS.items():
                marked = "flag" in cells[column][0].split()
                assert marked == ((attribute, group, metric) in flagged), (group, metric)
    listed = [r["cells"][0] for r in page.rows if r["caption"] == "Flagged disparities"]
    assert len(listed) == len(flags)
    assert all("flag" in cls for cls, _ in listed)


def test_suppressed_group_is_marked_without_numbers(inputs, synthetic_html):
    assert inputs.audit.by_group.query("group == 'Tiny'")["suppressed"].all()
    n = inputs.audit.by_group.query("group == 'Tiny'")["n"].iloc[0]
    assert 0 < n < MIN_GROUP + 1
    cells = _fairness_rows(parse(synthetic_html), "ethnic_group")["Tiny"]
    assert cells[1][1] == str(n)
    assert cells[2][1].startswith("suppressed")
    assert all(text == "—" and "suppressed" in cls for cls, text in cells[3:])
