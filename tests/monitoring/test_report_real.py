"""The monitoring report rendered from the real ``realised_performance`` output.

Skipped until helper "core"'s ``realised_performance`` is on the branch (issue 14).
"""

from __future__ import annotations

import lxml.html
import numpy as np
import pandas as pd
import pytest

import riskmodel.monitoring as monitoring
from riskmodel.data import LocalAuthorityData

realised_performance = getattr(monitoring, "realised_performance", None)
pytestmark = pytest.mark.skipif(
    realised_performance is None, reason="realised_performance is not merged yet"
)

RUNS = pd.to_datetime(["2021-01-01", "2021-04-01", "2021-07-01", "2022-01-01"])


def _authority_and_history(n: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = [f"C{i:04d}" for i in range(n)]
    persons = pd.DataFrame(
        {
            "person_id": ids,
            "sex": rng.choice(["F", "M"], n),
            "date_of_birth": pd.to_datetime("2007-01-01")
            + pd.to_timedelta(rng.integers(0, 1500, n), "D"),
        }
    )
    risk = rng.uniform(0, 1, n)
    enters = rng.uniform(0, 1, n) < 0.3 * risk
    starts = pd.to_datetime("2021-01-15") + pd.to_timedelta(rng.integers(0, 500, n), "D")
    episodes = pd.DataFrame(
        {
            "person_id": np.array(ids)[enters],
            "legal_status": "C2",
            "start_date": starts[enters],
        }
    )
    events = pd.DataFrame(columns=["person_id", "event_date", "event_type"])
    data = LocalAuthorityData(persons, events, episodes, extract_date="2022-06-30")
    parts = []
    for date in RUNS:
        score = np.clip(risk + rng.normal(0, 0.1, n), 0.001, 0.999) * 0.3
        order = np.argsort(-score)
        rank = np.empty(n, int)
        rank[order] = np.arange(1, n + 1)
        parts.append(
            pd.DataFrame(
                {
                    "as_of_date": date,
                    "person_id": ids,
                    "risk_score": score,
                    "risk_band": 20 - (rank - 1) * 20 // n,
                    "rank": rank,
                    "flagged": rank <= 30,
                    "model_name": "risk",
                    "model_version": "1",
                }
            )
        )
    return data, pd.concat(parts, ignore_index=True)


def test_a_report_renders_from_realised_performance():
    data, history = _authority_and_history()
    result = realised_performance(data, history, horizon_months=12, n_resamples=50, random_state=0)
    report = monitoring.build_monitoring_report(
        result,
        misses=monitoring.missed_entrants(data, history, horizon_months=12),
        persistent=monitoring.persistently_high(history),
        time_on_list=monitoring.time_on_list(history),
        model_name="risk",
    )
    tree = lxml.html.document_fromstring(report.to_html())
    assert tree.xpath("//script") == []
    runs = tree.get_element_by_id("runs").xpath(".//tbody/tr")
    assert len(runs) == len(RUNS)
    status = [" ".join(r.xpath("./*")[-1].text_content().split()) for r in runs]
    expected = [
        "complete" if c else f"partial: so far, {m} of 12 months"
        for c, m in zip(result.runs["complete"], result.runs["months_observed"], strict=True)
    ]
    assert status == expected
    assert len(tree.get_element_by_id("trends").xpath(".//img")) >= 1
