"""The list a team opens (list.html, list.xlsx): its rows, marks, bands, escaping, publishing."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import zipfile
from pathlib import Path

import lxml.html
import openpyxl
import pandas as pd
import pytest

from riskmodel.scoring import ScoringResult, read_history, write_scores
from riskmodel.scoring._history import compare_with_history, recent_runs
from riskmodel.scoring._list import LAST_RUNS, NO_ONE, NO_REASON, PURPOSE, build_team_list
from riskmodel.scoring._streaks import PERSISTENT_RUNS, high_streaks

pytestmark = pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")
DATES = list(pd.date_range("2024-01-01", periods=7, freq="MS"))
N = None
# each child's band at the seven runs (None: not scored, excluded instead); flagged = band >= 15
BANDS = {
    "a": [20, 20, 20, 20, 20, 20, 20],
    "b": [10, 12, 19, 19, 20, 5, 19],
    "c": [N, N, N, N, 19, 20, 20],
    "d": [20, 20, N, 20, 20, N, 20],
    "e": [3, 3, 3, 3, 3, 3, 15],
    "f": [19, 19, 19, 19, 19, 19, 18],
    "g": [1, 2, 3, 4, 5, 6, 7],
    "h": [20, 20, 20, 20, 20, 20, N],
}
REASONS = {
    "a": ["2 missing-from-home episodes in the last 6 months", "a referral", "school exclusion"],
    "b": ["police: domestic abuse at home", "a referral"],
    "c": ["a referral"],
    "d": ["", "", ""],
    "e": [None, None, None],
}
NASTY = [
    '<script>alert("x")</script>',
    'Tom & "Jerry" <b>bold</b>',
    '=HYPERLINK("http://example.invalid","click")',
    "+1 missing episode",
    "-2 bands",
    "@SUM(A1:A9)",
    "\tleading tab",
]


def _run(out, as_of, bands, *, reasons=None, team_list=True, model_version="3"):
    """Write one hand-made run: ``bands`` maps person id to band (None: excluded)."""
    scored = {pid: band for pid, band in bands.items() if band is not None}
    order = sorted(scored, key=lambda pid: (-scored[pid], pid))
    reasons = reasons or {}
    rows = []
    for rank, pid in enumerate(order, start=1):
        given = [*reasons.get(pid, ["a reason"]), "", "", ""][:3]
        rows.append(
            {
                "person_id": pid,
                "as_of_date": as_of,
                "risk_score": scored[pid] / 21,
                "risk_band": scored[pid],
                "rank": rank,
                "flagged": scored[pid] >= 15,
                "reason_1": given[0],
                "reason_2": given[1],
                "reason_3": given[2],
                "model_name": "riskmodel",
                "model_version": model_version,
            }
        )
    scores = pd.DataFrame(rows)
    excluded = pd.DataFrame(
        {"person_id": [p for p, b in bands.items() if b is None], "as_of_date": as_of}
    ).assign(reason="aged 18 or over")
    scores, previous = compare_with_history(scores, Path(out) / "history", as_of)
    result = ScoringResult(scores, excluded, as_of, previous_run=previous)
    return write_scores(result, out, team_list=team_list)


def _history_runs(out):
    result = None
    for k in range(len(DATES)):
        result = _run(out, DATES[k], {p: b[k] for p, b in BANDS.items()}, reasons=REASONS)
    return result


@pytest.fixture(scope="module")
def seven_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("list")
    return out, _history_runs(out)


def _page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def _html_rows(path: Path) -> list[dict]:
    rows = []
    for tr in _page(path).xpath("//table/tbody/tr"):
        cells = tr.xpath("./td")
        rows.append(
            {
                "rank": int(cells[0].text_content()),
                "person_id": cells[1].text_content(),
                "score": cells[2].text_content(),
                "reasons": [li.text_content() for li in cells[3].xpath(".//li")],
                "reason_cell": cells[3].text_content(),
                "bands": cells[4].xpath(".//svg/@aria-label")[0],
                "points": len(cells[4].xpath(".//svg/*[local-name()='circle']")),
                "marks": [s.text_content() for s in cells[5].xpath(".//span[@class!='sr-only']")],
            }
        )
    return rows


def _xlsx_table(path: Path) -> tuple[openpyxl.worksheet.worksheet.Worksheet, int, list[list]]:
    sheet = openpyxl.load_workbook(path)["List"]
    top = next(r for r in range(1, 30) if sheet.cell(r, 1).value == "Rank")
    rows = [
        [c.value for c in row]
        for row in sheet.iter_rows(min_row=top + 1, max_row=sheet.max_row)
        if row[0].value is not None
    ]
    return sheet, top, rows


def _bands_text(bands: list) -> str:
    return "bands " + ", ".join("not scored" if pd.isna(b) else str(int(b)) for b in bands)


def test_one_row_per_flagged_child_in_rank_order_with_reasons_and_score(seven_runs):
    out, result = seven_runs
    flagged = result.scores[result.scores["flagged"]].sort_values("rank")
    rows = _html_rows(out / "list.html")
    assert [r["person_id"] for r in rows] == flagged["person_id"].tolist()
    assert [r["rank"] for r in rows] == flagged["rank"].tolist()
    assert {"d", "e"} <= set(flagged["person_id"])  # flagged without a reason
    for row, child in zip(rows, flagged.itertuples(), strict=True):
        expected = [t for t in REASONS.get(child.person_id, ["a reason"]) if t]
        assert row["reasons"] == expected
        assert (row["reason_cell"] == NO_REASON) == (not expected)
        assert f"{round(100 * child.risk_score)}%" in row["score"]
        assert f"(band {child.risk_band})" in row["score"]
    _, _, xrows = _xlsx_table(out / "list.xlsx")
    assert [r[1] for r in xrows] == flagged["person_id"].tolist()
    assert [r[0] for r in xrows] == flagged["rank"].tolist()
    assert [r[2] for r in xrows] == pytest.approx(flagged["risk_score"].tolist())
    assert [[t for t in r[4:7] if t] for r in xrows] == [r["reasons"] or [NO_REASON] for r in rows]


def test_status_marks_agree_with_the_change_columns_and_high_streaks(seven_runs):
    out, result = seven_runs
    history = read_history(out / "history")  # every run, not only the window shown
    now = history[history["as_of_date"] == result.as_of]
    persistent = set(now.loc[high_streaks(history)[now.index] >= PERSISTENT_RUNS, "person_id"])
    assert persistent == {"a", "c"}  # by hand: d's streak is broken by a run it missed
    flagged = result.scores[result.scores["flagged"]].sort_values("rank")
    assert set(flagged.loc[flagged["new_to_list"], "person_id"]) == {"b", "d", "e"}
    assert set(flagged.loc[flagged["rising"], "person_id"]) == {"b", "e"}
    html = {r["person_id"]: r["marks"] for r in _html_rows(out / "list.html")}
    _, _, xrows = _xlsx_table(out / "list.xlsx")
    words = {r[1]: (r[7] or "") for r in xrows}
    for child in flagged.itertuples():
        expected = {
            "new to the list": child.new_to_list,
            "rising": child.rising,
            "persistently high": child.person_id in persistent,
        }
        shown = {m.split(" (")[0] for m in html[child.person_id]}
        assert shown == {w for w, on in expected.items() if on}, child.person_id
        assert set(filter(None, words[child.person_id].split("; "))) == shown
    assert html["b"] == ["new to the list", "rising (+14)"]


def test_the_sparkline_shows_the_bands_of_the_last_runs_of_the_history(seven_runs):
    out, result = seven_runs
    history = read_history(out / "history")
    shown_runs = sorted(history["as_of_date"].unique())[-LAST_RUNS:]
    assert len(shown_runs) == LAST_RUNS < len(DATES)
    bands = history.pivot(index="person_id", columns="as_of_date", values="risk_band")
    _, _, xrows = _xlsx_table(out / "list.xlsx")
    xbands = {r[1]: r[8] for r in xrows}
    for row in _html_rows(out / "list.html"):
        expected = bands.loc[row["person_id"], shown_runs].tolist()
        assert row["bands"] == _bands_text(expected)
        assert row["points"] == sum(not pd.isna(b) for b in expected)
        assert xbands[row["person_id"]] == ", ".join(
            "–" if pd.isna(b) else str(int(b)) for b in expected
        )
    assert {r["person_id"]: r["bands"] for r in _html_rows(out / "list.html")}["d"] == (
        "bands 20, not scored, 20, 20, not scored, 20"
    )


def test_header_says_what_the_list_is_for_and_counts_equal_the_result(seven_runs):
    out, result = seven_runs
    page = _page(out / "list.html")
    text = " ".join(page.text_content().split())
    assert "a prompt for a conversation about early help, never a finding about a family" in text
    for line in PURPOSE:
        assert " ".join(line.split()) in text
    assert "2024-07-01" in page.findtext(".//title") and "riskmodel version 3" in text
    facts = {dt.text_content(): dd.text_content() for dt, dd in _pairs(page)}
    assert {k: int(facts[k].replace(",", "")) for k in _COUNT_LABELS} == {
        label: result.counts[key] for label, key in _COUNT_LABELS.items()
    }
    sheet, top, _ = _xlsx_table(out / "list.xlsx")
    cells = [c.value for row in sheet.iter_rows(max_row=top - 1) for c in row if c.value]
    assert all(line in cells for line in PURPOSE)
    for label, key in _COUNT_LABELS.items():
        assert cells[cells.index(label) + 1] == result.counts[key]
    assert sheet.freeze_panes == f"A{top + 1}" and sheet.auto_filter.ref.startswith(f"A{top}:")
    about = openpyxl.load_workbook(out / "list.xlsx")["About"]
    described = {row[0].value for row in about.iter_rows()}
    assert {sheet.cell(top, j).value for j in range(1, 10)} <= described


_COUNT_LABELS = {
    "Children in": "children_in",
    "Scored": "scored",
    "Excluded": "excluded",
    "Flagged": "flagged",
}


def _pairs(page):
    return [(div.find("dt"), div.find("dd")) for div in page.xpath("//dl[@class='facts']/div")]


def test_the_page_loads_nothing_and_its_only_style_is_allowed_by_hash(seven_runs):
    out, _ = seven_runs
    page = _page(out / "list.html")
    assert not page.xpath("//script | //link | //img | //iframe | //object | //embed")
    assert not page.xpath("//@src | //@href | //@*[starts-with(local-name(), 'on')]")
    policy = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in policy
    (style,) = page.xpath("//style")
    digest = base64.b64encode(hashlib.sha256(style.text.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert "size: A4 landscape" in style.text


def test_every_value_comes_out_inert_in_both_files(tmp_path):
    ids = [f"{text}#{i}" if i else text for i, text in enumerate(NASTY)]
    bands = {pid: 20 for pid in ids}
    reasons = {pid: [NASTY[(i + 1) % len(NASTY)], NASTY[(i + 2) % len(NASTY)]] for i, pid in
               enumerate(ids)}  # fmt: skip
    result = _run(tmp_path, DATES[0], bands, reasons=reasons, model_version="=1+1")
    page = _page(result.files["list_html"])
    assert not page.xpath("//script | //b")
    rows = _html_rows(result.files["list_html"])
    order = result.scores.sort_values("rank")["person_id"].tolist()
    assert [r["person_id"] for r in rows] == order
    assert [r["reasons"] for r in rows] == [reasons[pid] for pid in order]
    assert "=1+1" in page.text_content()
    book = openpyxl.load_workbook(result.files["list_xlsx"])
    _, _, xrows = _xlsx_table(result.files["list_xlsx"])
    assert [r[1] for r in xrows] == order
    assert [r[4:6] for r in xrows] == [reasons[pid] for pid in order]
    for cell in (c for sheet in book for row in sheet.iter_rows() for c in row):
        if isinstance(cell.value, str):
            assert cell.data_type == "s"
            assert cell.quotePrefix == cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    with zipfile.ZipFile(result.files["list_xlsx"]) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)


def test_a_run_with_no_flagged_child_writes_a_list_that_says_so(tmp_path):
    result = _run(tmp_path, DATES[0], {"a": 3, "b": 2})
    page = _page(result.files["list_html"])
    assert not page.xpath("//table") and NO_ONE in page.text_content()
    sheet, top, rows = _xlsx_table(result.files["list_xlsx"])
    assert rows == [[NO_ONE, *[None] * (len(rows[0]) - 1)]]
    assert result.counts["flagged"] == 0


def _as_of_shown(out: Path) -> str:
    return _page(out / "list.html").findtext(".//title").rsplit(" ", 1)[-1]


def test_the_list_belongs_to_its_run_and_leaves_nothing_stale(tmp_path):
    first = _run(tmp_path, DATES[0], {p: b[0] for p, b in BANDS.items()})
    assert {"list_html", "list_xlsx"} <= set(first.files)
    home = {Path(os.path.realpath(first.files[k])).parent for k in ("scores", "list_html")}
    assert len(home) == 1 and _as_of_shown(tmp_path) == "2024-01-01"
    _run(tmp_path, DATES[1], {"a": 3, "b": 2})  # nobody flagged: a new list saying so
    assert (
        _as_of_shown(tmp_path) == "2024-02-01" and NO_ONE in (tmp_path / "list.html").read_text()
    )
    third = _run(tmp_path, DATES[2], {p: b[2] for p, b in BANDS.items()}, team_list=False)
    assert not {"list_html", "list_xlsx"} & set(third.files)
    assert not os.path.lexists(tmp_path / "list.html") and not os.path.lexists(
        tmp_path / "list.xlsx"
    )
    named = _run(tmp_path / "april.parquet", DATES[0], {"a": 20})
    assert named.files["list_html"] == tmp_path / "april_list.html"


def test_a_failed_list_write_leaves_the_previous_set(tmp_path, monkeypatch):
    _run(tmp_path, DATES[0], {p: b[0] for p, b in BANDS.items()})
    before = (tmp_path / "list.xlsx").read_bytes()

    def full_disk(self, filename):
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", full_disk)
    with pytest.raises(OSError, match="disk full"):
        _run(tmp_path, DATES[1], {p: b[1] for p, b in BANDS.items()})
    monkeypatch.undo()
    assert _as_of_shown(tmp_path) == "2024-01-01"
    assert (tmp_path / "list.xlsx").read_bytes() == before
    assert set(pd.read_parquet(tmp_path / "scores.parquet")["as_of_date"]) == {DATES[0]}
    assert read_history(tmp_path / "history")["as_of_date"].nunique() == 1


NO_CHROMIUM = "no Chromium: apt-get install chromium to run the browser test"


def _open_in_chromium(path: Path) -> dict:
    """Open ``path`` in the system Chromium; return what the page showed and requested."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    url = path.resolve().as_uri()
    seen: dict = {"requests": [], "routed": [], "console": []}

    def route(route):
        seen["routed"].append(route.request.url)
        route.continue_() if route.request.url == url else route.abort()

    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, headless=True)
        except sync_api.Error as error:
            pytest.skip(f"playwright cannot start Chromium at {executable}: {error}")
        try:
            page = browser.new_page()
            page.on("request", lambda request: seen["requests"].append(request.url))
            page.on("console", lambda message: seen["console"].append(message.text))
            page.route("**/*", route)
            page.goto(url, wait_until="load")
            seen["title"] = page.title()
            seen["heading_visible"] = page.locator("h1").is_visible()
            seen["heading"] = page.locator("h1").inner_text()
            seen["ids"] = page.locator("table tbody tr td.id").all_inner_texts()
            seen["rows"] = page.locator("table tbody tr").count()
            seen["styled"] = page.evaluate(
                "getComputedStyle(document.querySelector('table')).borderCollapse"
            )
            seen["pdf"] = page.pdf(prefer_css_page_size=True)
        finally:
            browser.close()
    seen["url"] = url
    return seen


def test_the_page_renders_in_a_real_browser_and_requests_nothing_else(seven_runs):
    out, result = seven_runs
    seen = _open_in_chromium(out / "list.html")
    flagged = result.scores[result.scores["flagged"]].sort_values("rank")
    assert seen["heading_visible"] and "early help" in seen["heading"]
    assert "2024-07-01" in seen["title"]
    assert seen["rows"] == len(flagged) and seen["ids"] == flagged["person_id"].tolist()
    assert seen["styled"] == "collapse"  # the inline stylesheet passed the page's policy
    assert seen["requests"] == [seen["url"]] and seen["routed"] == [seen["url"]]
    assert not [m for m in seen["console"] if "Content Security Policy" in m]
    sizes = set(re.findall(rb"MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", seen["pdf"]))
    assert sizes and all(round(float(w)) == 842 and round(float(h)) == 595 for w, h in sizes)


def test_the_window_is_the_last_runs_up_to_this_one_once_per_month(tmp_path):
    jan, mid_jan, feb = (pd.Timestamp(d) for d in ("2024-01-01", "2024-01-15", "2024-02-01"))
    for as_of in (jan, mid_jan, feb):
        _run(tmp_path, as_of, {"a": 20})
    result = _run(tmp_path, jan, {"a": 19})  # scored again: the window ends with it
    assert recent_runs(tmp_path / "history", jan, runs=6)["as_of_date"].tolist() == [jan]
    assert _as_of_shown(tmp_path) == "2024-01-01"
    assert _html_rows(tmp_path / "list.html")[0]["bands"] == "band 19"
    later = recent_runs(tmp_path / "history", feb, runs=6)
    assert later["as_of_date"].tolist() == [mid_jan, feb]  # the latest run of January
    assert recent_runs(tmp_path / "history", feb, runs=1)["as_of_date"].tolist() == [feb]
    team = build_team_list(result, read_history(tmp_path / "history"))
    assert team.runs == (jan,)  # later runs of the history are not this run's past


def test_a_long_history_shows_the_last_runs_only(seven_runs):
    out, result = seven_runs
    team = build_team_list(result, read_history(out / "history"))
    assert team.runs == tuple(DATES[-LAST_RUNS:])
    shown = {r["person_id"]: r["bands"] for r in _html_rows(out / "list.html")}
    assert {e.person_id: e.bands_text for e in team.entries} == shown


def test_a_run_without_any_child_of_the_list_still_breaks_a_streak(tmp_path):
    runs = [{"x": 20, "y": 1}, {"x": 20, "y": 1}, {"x": None, "y": 1}, {"x": 20, "y": 1}]
    for as_of, bands in zip(DATES, runs, strict=False):
        result = _run(tmp_path, as_of, bands)
    history = read_history(tmp_path / "history")
    assert high_streaks(history)[history["as_of_date"] == DATES[3]].max() == 1
    (row,) = _html_rows(tmp_path / "list.html")
    assert row["person_id"] == "x" and "persistently high" not in row["marks"]
    assert row["bands"] == "bands 20, 20, not scored, 20"
    assert build_team_list(result, history).entries[0].persistent is False
