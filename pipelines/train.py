"""Train, backtest, review and register a model: python -m pipelines.train [--config F]."""

from pipelines._run import parse, run
from riskmodel.data import read_data
from riskmodel.jobs import load_config, run_train


def main() -> None:
    args = parse(__doc__, "train.yaml")
    config = load_config(args.config, data=args.data, out=args.out, tracking_uri=args.tracking_uri)
    outcome = run_train(read_data(config.data, validate=False), config)
    print(outcome.backtest.summary().round(3).T.to_string())
    print(f"review: {outcome.report}; registered version {outcome.version}")


if __name__ == "__main__":
    run(main)
