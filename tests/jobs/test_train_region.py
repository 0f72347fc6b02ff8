"""``riskmodel train`` on a region directory: the authorities are pooled and each reported."""

from __future__ import annotations

import pytest

import riskmodel as rm
from riskmodel.cli import EXIT_OK, main

pytestmark = pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")


@pytest.mark.slow
def test_train_on_a_region_directory_pools_and_reports_each_authority(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # the default artifact root is relative to the cwd
    settings = rm.write_region(tmp_path / "region", 2, 4000, random_state=0)
    codes = [s.code for s in settings]
    config = tmp_path / "train.yaml"
    config.write_text(
        f"n_splits: 2\nn_resamples: 5\ncapacity: 10\n"
        f"tracking_uri: sqlite:///{tmp_path / 'mlflow.db'}\n"
    )
    args = ["train", "--data", tmp_path / "region", "--config", config, "--model", "logistic"]
    code = main([str(a) for a in [*args, "--out", tmp_path / "out"]])
    captured = capsys.readouterr()
    assert code == EXIT_OK, captured.err
    assert "registered riskmodel version 1" in captured.out
    html = (tmp_path / "out" / "review.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="authorities">') :]
    section = section[: section.index("</section>")]
    for code_ in codes:
        assert f"Authority {code_}" in section
        assert f"Pooling against {code_}&#39;s own model" in section
    assert "<caption>authority: value (95% interval)</caption>" in html  # fairness
