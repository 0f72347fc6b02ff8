"""Score the cohort with the champion model: python -m pipelines.score [--config F]."""

from pipelines._run import parse, run
from riskmodel.data import read_data
from riskmodel.jobs import load_config, run_score


def main() -> None:
    args = parse(__doc__, "score.yaml")
    config = load_config(args.config, data=args.data, out=args.out, tracking_uri=args.tracking_uri)
    result = run_score(read_data(config.data, validate=False), config)
    print(result.counts)
    for name, path in result.files.items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    run(main)
