"""Exceptions and warnings raised by riskmodel.

Every error names what was expected, what was given and where, so that a data
analyst can find the offending file, column and rows.
"""

__all__ = [
    "DataQualityWarning",
    "LeakageError",
    "SchemaError",
    "TrackingStoreError",
    "UntrustedModelError",
]


class SchemaError(ValueError):
    """Input data does not have the shape, types or values the library needs.

    The message lists every problem found, each naming the table (or file), the
    column, the first offending rows and their values.
    """


class LeakageError(ValueError):
    """Information from on or after an as-of date would reach a model input."""


class UntrustedModelError(ValueError):
    """A stored model is refused, before anything in its file has run.

    Either the file holds a type that is not on the library's allow-list
    (:data:`riskmodel.tracking.TRUSTED_TYPES`), or it is not the file whose SHA-256
    was recorded when the model was logged and registered. The message names the
    model URI and the offending types or hashes.
    """


class TrackingStoreError(RuntimeError):
    """The MLflow tracking store cannot be used: its SQLite file is damaged.

    The message names the store's URI and file and what SQLite found (for example
    ``file is not a database`` for an overwritten header, ``database disk image is
    malformed`` for a truncated file). Nothing is written to a damaged store.
    """


class DataQualityWarning(UserWarning):
    """A record is usable, but something was assumed about it (the message says what)."""
