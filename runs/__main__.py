"""`python -m runs prune [--days 30] [--max-megabytes 2048]`: remove unused runs from the store BACKPROP_STORE names."""

import argparse
import sys

from runs.errors import StoreError
from runs.retention import MAX_STORE_BYTES
from runs.run_log import RETENTION_DAYS
from runs.store import RunStore


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runs", description=__doc__.split(":")[1].strip())
    commands = parser.add_subparsers(dest="command", required=True)
    prune = commands.add_parser("prune", help="remove runs unused for DAYS days, then the least recently used "
                                              "until the store fits MAX_MEGABYTES")
    prune.add_argument("--days", type=float, default=RETENTION_DAYS)
    prune.add_argument("--max-megabytes", type=float, default=MAX_STORE_BYTES / 2**20)
    prune.add_argument("--store", help="a SQLite file or postgresql:// URL (default: BACKPROP_STORE or .cache/)")
    args = parser.parse_args(argv)
    try:
        store = RunStore(args.store)
        try:
            removed = store.prune(args.days, int(args.max_megabytes * 2**20))
        finally:
            store.close()
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"removed {len(removed)} run{'s' * (len(removed) != 1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
