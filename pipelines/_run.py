"""Shared command-line handling of the pipeline scripts: config file plus overrides."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from riskmodel.exceptions import SchemaError

CONFIGS = Path(__file__).resolve().parent / "configs"


def parse(description: str, default_config: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", default=str(CONFIGS / default_config))
    parser.add_argument("--data", help="override the config's data directory")
    parser.add_argument("--out", help="override the config's output location")
    parser.add_argument("--tracking-uri", help="override the config's MLflow URI")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    return parser.parse_args()


def run(job) -> None:
    try:
        job()
    except SchemaError as exc:
        print(f"bad input:\n{exc}", file=sys.stderr)
        sys.exit(2)
