"""The row description that every layer's error messages share."""

import numpy as np
import pandas as pd

from riskmodel._wording import describe_rows


def test_names_the_rows_and_their_values():
    text = describe_rows([17, 230, 4411], [pd.Timestamp("2024-05-01"), "x", np.int64(3)])
    assert text == "rows 17, 230, 4411; values '2024-05-01', 'x', 3"


def test_one_row_is_singular_and_long_lists_are_cut():
    assert describe_rows(pd.Index([4])) == "row 4"
    assert describe_rows(np.arange(8), most=3) == "rows 0, 1, 2 and 5 more"
