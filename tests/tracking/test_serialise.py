"""Saving a model: only the library's trusted types."""

import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import riskmodel.tracking as tracking


def test_untrusted_types_are_refused(fitted_model):
    model, X, y = fitted_model
    custom = make_pipeline(FunctionTransformer(_local_function), model)
    with pytest.raises(TypeError, match="not on the trusted list"):
        tracking.trusted_types(custom)


def _local_function(x):
    return x
