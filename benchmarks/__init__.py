"""Performance measurements against baselines, run by hand (not by CI)."""
