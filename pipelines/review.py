"""Write the review report of the champion model: python -m pipelines.review [--config F]."""

from pathlib import Path

from pipelines._run import parse, run
from riskmodel.data import read_data
from riskmodel.jobs import load_config, run_review


def main() -> None:
    args = parse(__doc__, "review.yaml")
    config = load_config(args.config, data=args.data, out=args.out, tracking_uri=args.tracking_uri)
    path = run_review(
        read_data(config.data, validate=False), config, Path(config.out) / "review.html"
    )
    print(f"review report: {path}")


if __name__ == "__main__":
    run(main)
