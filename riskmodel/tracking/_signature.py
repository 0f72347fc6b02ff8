"""The MLflow signature of a logged model: each input column as the library builds it.

Every standard MLflow consumer (``mlflow.pyfunc.load_model``, ``mlflow models
serve``, ``spark_udf``) checks its input against the signature and refuses a column
it cannot convert safely. So each column is declared with the MLflow type that
accepts the pandas dtype the library gives it:

========================================  ===========  =========================================
pandas dtype of the column                MLflow type  why
========================================  ===========  =========================================
``bool``                                  ``boolean``  exact
``int8``/``16``/``32``, ``uint8``/``16``  ``double``   MLflow's integer types cannot hold a
nullable ``Int8``/``16``/``32``,                       missing value; an int column with gaps
``UInt8``/``16``                                       (float with NaN, or ``<NA>``) must still
                                                       be accepted, and int32 converts to
                                                       double exactly. The model reads floats.
``int64``, ``uint32``                     ``long``     MLflow refuses int64 as double
``float16``/``32``, ``Float32``           ``float``    exact
``float64``, ``Float64``                  ``double``   exact
``object``, ``string``                    ``string``   exact
nullable ``Int64``, ``UInt32``/``64``,    ``Any``      no MLflow type accepts them (with a
``uint64``, ``boolean``, ``category``,                 missing value, or as categories);
anything else                                          values are passed on unchecked
========================================  ===========  =========================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["column_type", "model_signature"]

_BY_NUMPY_DTYPE = {
    "bool": "boolean",
    "int8": "double",
    "int16": "double",
    "int32": "double",
    "uint8": "double",
    "uint16": "double",
    "int64": "long",
    "uint32": "long",
    "float16": "float",
    "float32": "float",
    "float64": "double",
}
_BY_NULLABLE_DTYPE = {
    "Int8": "double",
    "Int16": "double",
    "Int32": "double",
    "UInt8": "double",
    "UInt16": "double",
    "Float32": "float",
    "Float64": "double",
}


def column_type(dtype: Any) -> Any:
    """Return the MLflow column type that accepts a column of pandas dtype ``dtype``.

    Parameters
    ----------
    dtype : numpy or pandas dtype, or its name
        E.g. ``frame.X.dtypes["referral_nfa_ever"]``. None means not known.

    Returns
    -------
    str or mlflow.types.schema.AnyType
        An MLflow data type name (``"boolean"``, ``"double"``, ...), or ``AnyType()``
        where no MLflow type accepts the column (see the module's table).
    """
    from mlflow.types.schema import AnyType

    if dtype is None:
        return AnyType()
    if isinstance(dtype, str):
        dtype = pd.api.types.pandas_dtype(dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        return AnyType()
    if isinstance(dtype, pd.StringDtype) or dtype == np.dtype(object):
        return "string"
    if isinstance(dtype, np.dtype):
        return _BY_NUMPY_DTYPE.get(dtype.name, AnyType())
    return _BY_NULLABLE_DTYPE.get(str(dtype), AnyType())


def model_signature(feature_names: list[str], dtypes: Mapping[str, Any]) -> Any:
    """Build the signature: the input columns and the two probability columns out.

    Parameters
    ----------
    feature_names : list of str
        The model's input columns, in order (``feature_names_in_``).
    dtypes : mapping of str to dtype
        Each column's pandas dtype, e.g. ``frame.X.dtypes``. A column missing from
        it is declared ``Any``.

    Returns
    -------
    mlflow.models.ModelSignature
    """
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema, TensorSpec

    inputs = Schema([ColSpec(column_type(dtypes.get(name)), name) for name in feature_names])
    outputs = Schema([TensorSpec(np.dtype("float64"), (-1, 2))])
    return ModelSignature(inputs=inputs, outputs=outputs)
