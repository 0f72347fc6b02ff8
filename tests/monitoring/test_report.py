"""The monitoring report on a hand-made result: escaping, no external resources, partial runs."""

from __future__ import annotations

import dataclasses
import re

import lxml.html
import numpy as np
import pandas as pd
import pytest

from riskmodel.exceptions import SchemaError
from riskmodel.monitoring import (
    CALIBRATION_COLUMNS,
    GROUP_METRICS,
    NEAR_CUTOFF_COLUMNS,
    OVERALL,
    OVERALL_METRICS,
    PROMISED_METRICS,
    REALISED_COLUMNS,
    RUN_COLUMNS,
    MonitoringReport,
    MonitoringResult,
    build_monitoring_report,
)
from riskmodel.monitoring._report_figures import COMPLETE_LABEL, PARTIAL_LABEL, trend_figure
from riskmodel.monitoring._report_sections import POOLED_LABEL

HOSTILE_GROUP = "<script>alert('g')</script> & \"Others\""
HOSTILE_ID = "<img src=x onerror=alert(1)>"
HOSTILE_CAVEAT = "Caveat with <b>markup</b> & an ampersand"
RUNS = pd.to_datetime(["2021-01-01", "2021-04-01", "2021-07-01", "2022-01-01"])
MONTHS = [12, 12, 11, 5]
MIN_GROUP = 10
FLAG_RUN = RUNS[1]  # its precision lies below the promise


def _row(date, attribute, group, metric, value, **extra) -> dict:
    k = list(RUNS).index(date)
    row = dict.fromkeys(REALISED_COLUMNS, np.nan)
    row.update(
        as_of_date=date,
        attribute=attribute,
        group=group,
        metric=metric,
        value=value,
        lower=value * 0.8,
        upper=value * 1.2,
        complete=MONTHS[k] == 12,
        months_observed=MONTHS[k],
        n=400,
        entrants=12,
        suppressed=False,
        model_version="3",
        outside_promise=False,
        reference=None,
        disparity=False,
    )
    row.update(extra)
    return row


def make_result(*, complete: bool = True) -> MonitoringResult:
    """Four runs (two complete, two partial), two attributes, a suppressed group, a flag."""
    months = MONTHS if complete else [11, 8, 5, 2]
    rows = []
    for k, date in enumerate(RUNS):
        for j, metric in enumerate(OVERALL_METRICS):
            value = 0.2 + 0.1 * j + 0.01 * k
            extra = {"complete": months[k] == 12, "months_observed": months[k]}
            if metric in PROMISED_METRICS:
                extra.update(promised_value=0.25 + 0.1 * j, promised_lower=0.2 + 0.1 * j)
                extra["promised_upper"] = 0.3 + 0.1 * j
            if metric == "precision_at_capacity" and date == FLAG_RUN and complete:
                value, extra["outside_promise"] = 0.05, True
            rows.append(_row(date, OVERALL, OVERALL, metric, value, **extra))
        for attribute, groups in (("sex", ["F", "M"]), ("ethnic_group", ["White", HOSTILE_GROUP])):
            for group in [*groups, "Tiny"] if attribute == "ethnic_group" else groups:
                for metric in GROUP_METRICS:
                    extra = {
                        "complete": months[k] == 12,
                        "months_observed": months[k],
                        "reference": groups[0],
                        "ratio": 1.0,
                    }
                    value = 0.1 + 0.01 * k
                    if group == "Tiny":
                        extra.update(suppressed=True, n=3, entrants=1)
                        value = np.nan
                    if (
                        group == HOSTILE_GROUP
                        and metric == "fpr"
                        and date == FLAG_RUN
                        and complete
                    ):
                        extra.update(disparity=True, ratio=2.5, ratio_lower=1.6, ratio_upper=3.9)
                    rows.append(_row(date, attribute, group, metric, value, **extra))
    realised = pd.DataFrame(rows)[REALISED_COLUMNS]
    runs = pd.DataFrame(
        {
            "as_of_date": RUNS,
            "model_name": "risk",
            "model_version": "3",
            "scored": [1000, 1010, 1020, 1030],
            "flagged": 50,
            "entrants": [40, 41, 30, 9],
            "entrants_flagged": [9, 3, 6, 2],
            "months_observed": months,
            "horizon_months": 12,
            "complete": [m == 12 for m in months],
            "lowest_flagged_score": [0.31, 0.3, 0.29, 0.33],
            "lowest_flagged_band": 20,
            "not_in_data": [0, 0, 1, 0],
        }
    )[RUN_COLUMNS]
    calibration = pd.DataFrame(
        [
            (d, lo, hi, 100, 0.02 * hi, 0.019 * hi, 0.01 * hi, 0.03 * hi, m == 12)
            for d, m in zip(RUNS, months, strict=True)
            for lo, hi in ((1, 10), (11, 18), (19, 20))
        ],
        columns=CALIBRATION_COLUMNS,
    )
    near = pd.DataFrame(
        [
            (d, side, start, start + 49, 50, e, e / 50, e / 100, e / 25, m == 12)
            for d, m in zip(RUNS, months, strict=True)
            for side, start, e in (("flagged", 1, 7), ("just below", 51, 4))
        ],
        columns=NEAR_CUTOFF_COLUMNS,
    )
    return MonitoringResult(
        realised=realised,
        runs=runs,
        calibration=calibration,
        near_cutoff=near,
        horizon_months=12,
        end_date=pd.Timestamp("2022-06-30"),
        min_group_size=MIN_GROUP,
        n_resamples=200,
        confidence=0.95,
        caveats=(HOSTILE_CAVEAT,),
    )


def make_paths() -> dict[str, pd.DataFrame]:
    misses = pd.DataFrame(
        {
            "person_id": [HOSTILE_ID, "P2", "P3"],
            "entry_date": pd.to_datetime(["2021-09-01", "2021-06-01", "2021-05-01"]),
            "entry_number": 1,
            "status": ["missed", "missed", "not scored"],
            "runs_scored": [2, 1, 0],
            "last_as_of": pd.to_datetime(["2021-07-01", "2021-04-01", None]),
            "last_band": pd.array([17, 12, None], dtype="Int64"),
            "last_rank": pd.array([80, 400, None], dtype="Int64"),
            "best_band": pd.array([17, 12, None], dtype="Int64"),
            "bands": ["15 → 17", "12", ""],
        }
    )
    persistent = pd.DataFrame(
        {
            "person_id": ['"><script>x</script>'],
            "streak_start": [RUNS[0]],
            "streak_end": [RUNS[3]],
            "streak_runs": [4],
            "longest_runs": [4],
            "persistent_streaks": [1],
            "still_high": [True],
            "bands": ["19 → 20 → 20 → 20"],
        }
    )
    on_list = pd.DataFrame(
        {
            "runs_on_list": [1, 3],
            "children": [30, 10],
            "share": [0.75, 0.25],
            "still_on_list": [4, 6],
        }
    )
    return {"misses": misses, "persistent": persistent, "time_on_list": on_list}


@pytest.fixture(scope="module")
def report() -> MonitoringReport:
    return build_monitoring_report(make_result(), model_name="risk <model>", **make_paths())


@pytest.fixture(scope="module")
def page(report) -> str:
    return report.to_html()


@pytest.fixture(scope="module")
def tree(page):
    return lxml.html.document_fromstring(page)


def _section_text(tree, section_id: str) -> str:
    return " ".join(tree.get_element_by_id(section_id).text_content().split())


def test_every_value_is_escaped_and_its_text_preserved(page, tree):
    assert tree.xpath("//script") == []
    assert not re.search(r"<(script|b)>", page)
    text = tree.text_content()
    for hostile in (HOSTILE_GROUP, HOSTILE_ID, HOSTILE_CAVEAT, '"><script>x</script>'):
        assert hostile in text
    assert "risk <model>" in tree.findtext(".//p[@class='meta']")
    # no attribute carries an event handler, and every image is an embedded PNG
    assert tree.xpath("//@*[starts-with(name(), 'on')]") == []
    sources = tree.xpath("//img/@src")
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)


def test_no_external_resources_and_a_strict_csp(page, tree):
    links = tree.xpath("//@src | //@href")
    assert all(v.startswith(("data:", "#")) for v in links)
    assert not re.search(r"https?:|url\(|@import", page)
    assert not [v for v in links if not v.startswith("data:") and "//" in v]
    csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]
    assert tree.xpath("//link | //iframe | //object | //embed") == []


def test_runs_table_labels_partial_runs_with_their_months(tree):
    rows = tree.get_element_by_id("runs").xpath(".//tbody/tr")
    status = [" ".join(r.xpath("./*")[-1].text_content().split()) for r in rows]
    assert status == [
        "complete",
        "complete",
        "partial: so far, 11 of 12 months",
        "partial: so far, 5 of 12 months",
    ]


def test_partial_runs_are_absent_from_the_complete_line_and_labelled_so_far():
    result = make_result()
    for metric in OVERALL_METRICS:
        fig = trend_figure(result, metric, title=metric)
        (ax,) = fig.axes
        lines = {line.get_label(): line for line in ax.get_lines()}
        complete_x = pd.to_datetime(
            [
                pd.Timestamp(x, unit="D") if isinstance(x, float) else x
                for x in lines[COMPLETE_LABEL].get_xdata()
            ]
        )
        assert list(complete_x) == list(RUNS[:2])
        assert lines[COMPLETE_LABEL].get_linestyle() == "-"
        partial = lines[PARTIAL_LABEL]
        assert partial.get_linestyle() == "None" and partial.get_markerfacecolor() == "white"
        assert len(partial.get_xdata()) == 2
        notes = sorted(t.get_text() for t in ax.texts)
        assert notes == ["so far, 11 of 12 months", "so far, 5 of 12 months"]


def test_partial_values_are_marked_so_far_in_the_values_table(tree):
    rows = tree.get_element_by_id("trends").xpath(".//tbody/tr")
    by_date = {r.xpath("./th")[0].text_content(): r for r in rows}
    assert "so far" not in by_date["2021-01-01"].text_content()
    assert by_date["2022-01-01"].text_content().count("so far") == len(OVERALL_METRICS)


def test_flags_in_the_result_appear_in_plain_words(tree):
    text = _section_text(tree, "flags")
    assert "As of 2021-04-01 (model version 3), precision at capacity was 5.0%" in text
    assert "below the backtest's promise of 25% (20%–30%)" in text
    assert "3 entrants among the 50 flagged" in text
    assert f"for ethnic_group = {HOSTILE_GROUP}, the false positive rate" in text
    assert "2.50 (1.60–3.90) times that of the reference group (White)" in text
    assert HOSTILE_CAVEAT in text and "not proof that the model has got worse" in text
    flagged_items = tree.get_element_by_id("flags").xpath(".//li[@class='flag']")
    assert len(flagged_items) == len(make_result().flags()) == 2


def test_suppressed_groups_show_no_values(tree):
    section = tree.get_element_by_id("groups")
    (row,) = [
        r for r in section.xpath(".//tbody/tr") if r.xpath("./th")[0].text_content() == "Tiny"
    ]
    cells = [c.text_content() for c in row.xpath("./td")]
    assert cells[0] == f"fewer than {MIN_GROUP} children"
    assert set(cells[1:]) == {"—"}
    # the latest complete run is shown, with the change since the first
    assert "as of 2021-04-01" in _section_text(tree, "groups")
    marked = section.xpath(".//td[contains(@class, 'flag')]")
    assert len(marked) == 1 and "(+1.0 pts)" in marked[0].text_content()


def test_near_cutoff_calibration_and_paths_sections(tree):
    near = _section_text(tree, "near-cutoff")
    assert "7 of 50" in near and "4 of 50" in near and "partial: so far, 5 of 12 months" in near
    calibration = _section_text(tree, "calibration")
    assert "As of 2021-04-01" in calibration and "19–20" in calibration
    paths = _section_text(tree, "paths")
    assert "2 care entries fell within the horizon" in paths
    assert "A further 1 entry was of children in no run's cohort" in paths
    assert "1 child was in the top bands" in paths and "15 → 17" in paths
    assert "40 children were flagged at least once; 10 are on the latest list" in paths


def test_without_complete_runs_or_paths_the_page_still_says_what_it_can():
    report = build_monitoring_report(make_result(complete=False))
    tree = lxml.html.document_fromstring(report.to_html())
    assert "No run is complete yet" in _section_text(tree, "groups")
    assert "No complete run yet" in _section_text(tree, "calibration")
    assert _section_text(tree, "paths").count("Not computed for this page.") == 3
    assert "Nothing is flagged" in _section_text(tree, "flags")


def test_write_is_atomic_and_returns_the_path(report, page, tmp_path):
    target = tmp_path / "out" / "monitoring.html"
    assert report.write(target) == target
    assert target.read_text(encoding="utf-8") == page
    assert [p.name for p in target.parent.iterdir()] == ["monitoring.html"]


def test_bad_inputs_are_refused():
    with pytest.raises(TypeError, match="MonitoringResult"):
        build_monitoring_report(object())
    with pytest.raises(SchemaError, match="misses: missing column.*entry_date"):
        build_monitoring_report(make_result(), misses=pd.DataFrame({"person_id": ["a"]}))


def test_pooled_rows_have_their_own_line_and_stay_out_of_the_figures():
    """realised_performance adds pooled rows (no as-of date) over the complete runs."""
    result = make_result()
    overall = result.overall()
    pooled = overall[overall["complete"]].groupby("metric", as_index=False).first()
    pooled = pooled.assign(as_of_date=pd.NaT, value=0.123)
    realised = pd.concat([result.realised, pooled[REALISED_COLUMNS]], ignore_index=True)
    result = dataclasses.replace(result, realised=realised)
    for metric in OVERALL_METRICS:
        (ax,) = trend_figure(result, metric, title=metric).axes
        assert sum(len(line.get_xdata()) for line in ax.get_lines()[:2]) <= len(RUNS)
    page = build_monitoring_report(result).to_html()
    rows = lxml.html.fromstring(page).get_element_by_id("trends").xpath(".//tbody/tr")
    by_label = {r.xpath("./th")[0].text_content(): r for r in rows}
    assert list(by_label)[-1] == POOLED_LABEL
    assert by_label[POOLED_LABEL].text_content().startswith(f"{POOLED_LABEL}12%")
