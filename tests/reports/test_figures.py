"""The report's figures: the evaluation Displays themselves, and its own in the same style."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import riskmodel._style as style
from riskmodel.evaluation import CapacityDisplay, OverTimeDisplay, ReliabilityDisplay
from riskmodel.reports import _figures


def _same_lines(fig, display):
    """Every line of the figure's axes holds the data of the Display's line."""
    drawn = fig.axes[0].lines
    assert len(drawn) == len(display.ax_.lines)
    for got, expected in zip(drawn, display.ax_.lines, strict=True):
        assert got.get_label() == expected.get_label()
        np.testing.assert_array_equal(got.get_xydata(), expected.get_xydata())
        assert got.get_color() == expected.get_color()


def test_backtest_figures_are_the_displays(small_backtest, no_open_figures):
    reliability = _figures.reliability(small_backtest, n_bins=5)
    _same_lines(reliability, ReliabilityDisplay.from_backtest(small_backtest, n_bins=5).plot())
    capacity = _figures.capacity(small_backtest, max_k=40)
    _same_lines(capacity, CapacityDisplay.from_backtest(small_backtest, max_k=40).plot())
    for fig in (reliability, capacity):
        assert isinstance(fig, Figure)
        assert tuple(fig.get_size_inches()) in (style.RELIABILITY_SIZE, style.CAPACITY_SIZE)
    assert plt.get_fignums() == []


def test_over_time_shows_ranking_and_average_precision_side_by_side(
    small_backtest, no_open_figures
):
    fig = _figures.over_time(small_backtest)
    left, right = fig.axes
    assert left.get_ylabel() == "Ranking (AUC)"
    assert right.get_ylabel() == "Average precision"
    assert left.get_legend() is not None and right.get_legend() is None
    expected = OverTimeDisplay.from_backtest(small_backtest, metric="roc_auc").plot()
    np.testing.assert_array_equal(left.lines[0].get_ydata(), expected.lines_["model"].get_ydata())
    assert plt.get_fignums() == []


def test_forest_and_importance_use_the_same_style(no_open_figures):
    rows = pd.DataFrame(
        {
            "label": ["a", "b"],
            "value": [1.0, 2.0],
            "lower": [0.5, np.nan],
            "upper": [1.5, np.nan],
            "flag": [False, True],
        }
    )
    forest = _figures.forest(rows, title="t", xlabel="ratio", reference=1.0, band=(0.8, 1.25))
    ax = forest.axes[0]
    assert [to_hex(line.get_color()) for line in ax.lines[1:]] == [style.BLUE, style.RED]
    assert ax.title.get_fontsize() == style.TITLE_SIZE
    table = pd.DataFrame({"mean_abs_shap": [0.3, 0.1]})
    bars = _figures.importance(table, ["first", "second"]).axes[0]
    assert {to_hex(p.get_facecolor()) for p in bars.patches} == {style.BLUE}
    assert bars.xaxis.label.get_fontsize() == style.FONT_SIZE
    assert plt.get_fignums() == []


def test_figure_html_embeds_a_png_and_escapes_its_text(no_open_figures):
    fig, ax = _figures.new_figure(2, 2)
    ax.plot([0, 1])
    assert _figures.png_bytes(fig)[:8] == _figures.PNG_MAGIC
    html = _figures.figure_html(fig, alt='a "quoted" <alt>', caption="x & y")
    assert html.startswith('<figure><img src="data:image/png;base64,')
    assert 'alt="a &quot;quoted&quot; &lt;alt&gt;"' in html
    assert "<figcaption>x &amp; y</figcaption>" in html
