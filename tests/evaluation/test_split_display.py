"""The temporal split Display: each fold's training, gap and test bands, drawn without pyplot."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from riskmodel import TemporalSplit
from riskmodel.evaluation import TemporalSplitDisplay

MONTHS = pd.date_range("2018-01-01", periods=48, freq="MS")
CV = TemporalSplit(3, test_duration=6)


def _rows(dates, per_date=3):
    """Rows indexed by (person_id, as_of_date), as TrainingFrame.X is."""
    index = pd.MultiIndex.from_product(
        [[f"C{i}" for i in range(per_date)], dates], names=["person_id", "as_of_date"]
    )
    return pd.DataFrame({"x": np.arange(len(index))}, index=index)


def test_fold_dates_are_the_splitters_folds():
    display = TemporalSplitDisplay.from_splitter(CV, MONTHS)
    folds = CV.folds(MONTHS)
    assert [d.min() for d in display.train_dates] == folds["train_start"].tolist()
    assert [d.max() for d in display.train_dates] == folds["train_end"].tolist()
    assert [d.min() for d in display.test_dates] == folds["test_start"].tolist()
    assert [d.max() for d in display.test_dates] == folds["test_end"].tolist()
    assert [len(d) for d in display.test_dates] == folds["n_test_dates"].tolist()
    assert (display.horizon_months, display.gap_months) == (12, 12)


@pytest.mark.parametrize(
    "rows",
    [
        lambda: (_rows(MONTHS), None),
        lambda: (_rows(MONTHS).reset_index(), None),
        lambda: (None, _rows(MONTHS).index.get_level_values("as_of_date")),
    ],
    ids=["index level", "column", "groups"],
)
def test_rows_give_the_same_folds_as_their_dates(rows):
    X, groups = rows()
    got = TemporalSplitDisplay.from_splitter(CV, X, groups)
    expected = TemporalSplitDisplay.from_splitter(CV, MONTHS)
    pairs = zip(
        got.train_dates + got.test_dates, expected.train_dates + expected.test_dates, strict=True
    )
    for a, b in pairs:
        pd.testing.assert_index_equal(a, b)


def test_rows_without_dates_are_refused():
    with pytest.raises(ValueError, match="as-of date"):
        TemporalSplitDisplay.from_splitter(CV, pd.DataFrame({"x": [1.0, 2.0]}))


def test_plot_draws_train_gap_and_test_bands_for_each_fold(no_open_figures):
    display = TemporalSplitDisplay.from_splitter(CV, MONTHS)
    assert display.plot() is display
    ax = display.ax_
    assert isinstance(display.figure_, Figure)
    assert plt.get_fignums() == []
    assert len(ax.patches) == 3 * 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["fold 1", "fold 2", "fold 3"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "gap", "test"]
    assert ax.get_title() == "Temporal splits (horizon 12 months, gap 12 months)"


def test_plot_draws_on_the_axes_given(no_open_figures):
    fig = Figure()
    own = fig.add_subplot()
    display = TemporalSplitDisplay.from_splitter(CV, _rows(MONTHS)).plot(ax=own, alpha=0.5)
    assert display.ax_ is own and display.figure_ is fig
    assert len(own.patches) == 9
    assert {p.get_alpha() for p in own.patches} == {0.5}
    assert plt.get_fignums() == []
