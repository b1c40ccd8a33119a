"""`python -m data fetch` prepares the cache; `python -m data info` says what it holds."""

import argparse
import sys
import time

import data
from data.cache import cached_sha256, default_cache_dir, load_cached
from data.verify import FILES


class ProgressLine:
    """Prints a stage's progress on one line, at most every few per cent."""

    def __init__(self, stream=sys.stderr):
        self.stream, self.stage, self.shown = stream, None, -1

    def __call__(self, stage, done, total):
        percent = int(100 * done / total) if total else -1
        if stage != self.stage:
            if self.stage is not None and self.shown != 100:
                self.stream.write("\n")
            self.stage, self.shown = stage, -1
        if percent == self.shown or (0 <= percent < 100 and percent - self.shown < 5):
            return
        self.shown = percent
        amount = f"{percent:3d}%" if total else f"{done / 1e6:.1f} MB"
        self.stream.write(f"\r{stage}: {amount}" + ("\n" if percent == 100 else ""))
        self.stream.flush()


def fetch_command(arguments) -> int:
    started = time.perf_counter()
    try:
        source = data.fetch(ProgressLine(), cache_dir=arguments.cache)
    except data.MNISTUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    print(f"MNIST ready in {arguments.cache or default_cache_dir()} "
          f"(source: {source}, {time.perf_counter() - started:.1f} s)")
    return 0


def info_command(arguments) -> int:
    cache_dir = arguments.cache or default_cache_dir()
    print(f"cache: {cache_dir}")
    complete = True
    for name, expected in FILES.items():
        array = load_cached(cache_dir, name)
        if array is None:
            print(f"  {name}: missing")
            complete = False
            continue
        verdict = "sha256 verified" if cached_sha256(cache_dir, name) == expected.sha256 else "SHA256 MISMATCH"
        complete &= verdict == "sha256 verified"
        print(f"  {name}: {array.shape[0]:,} {'images' if array.ndim == 3 else 'labels'}, {verdict}")
    if not complete:
        print("run `python -m data fetch` to complete the cache")
    return 0 if complete else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data", description=__doc__)
    parser.add_argument("command", choices=("fetch", "info"))
    parser.add_argument("--cache", help="cache folder (default: MNIST_CACHE or .cache/mnist)")
    arguments = parser.parse_args(argv)
    return {"fetch": fetch_command, "info": info_command}[arguments.command](arguments)


if __name__ == "__main__":
    sys.exit(main())
