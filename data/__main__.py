"""`python -m data fetch [--verify]` prepares (and repairs) the cache; `python -m data info` says what it holds."""

import argparse
import sys
import time

import data
from data.cache import default_cache_dir, inspect_cached
from data.verify import FILES


class ProgressLine:
    """Prints a stage's progress on one line, at most every few per cent."""

    def __init__(self, stream=None):
        self.stream, self.stage, self.shown = stream or sys.stderr, None, -1

    def __call__(self, stage, done, total):
        if done == total == 0:  # a notice, not a stage
            self.stream.write(("\n" if self.stage is not None and self.shown != 100 else "") + stage + "\n")
            self.stage = None
            return
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
        source = data.fetch(ProgressLine(), cache_dir=arguments.cache, verify=arguments.verify)
    except data.MNISTUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    print(f"MNIST ready in {arguments.cache or default_cache_dir()} "
          f"(source: {source}, {time.perf_counter() - started:.1f} s)")
    return 0


def info_command(arguments) -> int:
    cache_dir = arguments.cache or default_cache_dir()
    print(f"cache: {cache_dir}")
    missing = damaged = False
    for name in FILES:
        array, problem = inspect_cached(cache_dir, name, rehash=True)
        if array is not None:
            print(f"  {name}: {array.shape[0]:,} {'images' if array.ndim == 3 else 'labels'}, sha256 verified")
        elif problem == "is missing":
            print(f"  {name}: missing")
            missing = True
        else:
            print(f"  {name}: {'SHA256 MISMATCH' if 'sha256' in problem else 'damaged'}, it {problem}")
            damaged = True
    if damaged:
        print("run `python -m data fetch --verify` to replace the damaged files")
    elif missing:
        print("run `python -m data fetch` to complete the cache")
    return 1 if missing or damaged else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data", description=__doc__)
    parser.add_argument("command", choices=("fetch", "info"))
    parser.add_argument("--cache", help="cache folder (default: MNIST_CACHE or .cache/mnist)")
    parser.add_argument("--verify", action="store_true",
                        help="fetch: hash every cached file again and replace those that fail")
    arguments = parser.parse_args(argv)
    return {"fetch": fetch_command, "info": info_command}[arguments.command](arguments)


if __name__ == "__main__":
    sys.exit(main())
