"""The command line's entry point (app.py is the browser's): train the document's network on MNIST, one line per epoch.

    python -m cli --epochs 1 --lr 0.01 --rule document --hidden 10 --init uniform \\
        --seed 0 --decay-period 5 --decay-factor 0.5 [--json]

It runs the same Trainer as the app, so a run here and a run in the browser with the same settings
give the same numbers.
"""

import argparse
import json
import sys
import time

from core.model.network import GRADIENT_RULES, INITIALISATIONS
from core.training.settings import Settings, validation_errors
from core.training.trainer import Trainer
from data import load_mnist
from locales.words import said


def parse_arguments(argv=None):
    defaults = Settings()
    parser = argparse.ArgumentParser(prog="python -m cli", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=defaults.learning_rate, help="learning rate α of the first epochs")
    parser.add_argument("--rule", choices=tuple(GRADIENT_RULES), default=defaults.rule)
    parser.add_argument("--hidden", type=int, default=defaults.hidden)
    parser.add_argument("--init", choices=INITIALISATIONS, default=defaults.init)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--decay-period", type=int, default=defaults.decay_period, help="epochs between decays of α")
    parser.add_argument("--decay-factor", type=float, default=defaults.decay_factor, help="α is multiplied by this")
    parser.add_argument("--json", action="store_true", help="print one JSON object per epoch")
    args = parser.parse_args(argv)
    settings = Settings(learning_rate=args.lr, decay_period=args.decay_period, decay_factor=args.decay_factor,
                        rule=args.rule, hidden=args.hidden, init=args.init, seed=args.seed)
    errors = validation_errors(settings)
    if args.epochs < 1:
        errors.append("--epochs must be at least 1")
    if errors:
        parser.error("; ".join(map(said, errors)))
    return args, settings


def main(argv=None) -> int:
    args, settings = parse_arguments(argv)
    mnist = load_mnist()
    trainer = Trainer(settings, mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    for _ in range(args.epochs):
        learning_rate = trainer.learning_rate
        start = time.perf_counter()
        trainer.run_epoch()
        seconds = time.perf_counter() - start
        if trainer.stopped_reason is not None:
            print(trainer.stopped_reason, file=sys.stderr)
            return 1
        summary = trainer.history.epochs[-1]
        if args.json:
            print(json.dumps({"epoch": summary.epoch + 1, "test_accuracy": summary.test_accuracy,
                              "train_accuracy": summary.train_accuracy, "mean_loss": summary.mean_loss,
                              "learning_rate": learning_rate, "seconds": round(seconds, 3)}), flush=True)
        else:
            print(f"epoch {summary.epoch + 1}: test accuracy {summary.test_accuracy:.2%}, "
                  f"mean training loss {summary.mean_loss:.4f}, α {learning_rate:g}, {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
