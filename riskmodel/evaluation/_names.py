"""The names of the rows of a backtest's tables that are not baselines."""

__all__ = [
    "BEST_ACHIEVABLE",
    "BEST_POSSIBLE",
    "MODEL",
    "OWN_MODEL",
    "REFERENCES",
    "REFERENCE_METRICS",
]

BEST_ACHIEVABLE = "best achievable"
"""Name of the best probabilities the records alone allow, in a backtest on synthetic data."""

BEST_POSSIBLE = "best possible"
"""Name of the ground-truth probabilities in a backtest on synthetic data."""
MODEL = "model"
"""Name of the model under test in a backtest's tables (beside the baselines' names)."""
REFERENCES = (BEST_POSSIBLE, BEST_ACHIEVABLE)
"""The references scored beside the model on synthetic data (no fitting)."""
REFERENCE_METRICS = ("roc_auc", "average_precision", "brier_score", "log_loss")
"""The metrics reported for the references (the rest need a fitted score's use)."""
OWN_MODEL = "own model"
"""Name of each authority's own model (fitted on its rows alone) in a pooled backtest."""
