"""Peak memory and time of the checkpoint loader on hostile uploads (issue 12): prints one line per file.

Each file is loaded by read_checkpoint in a fresh child process (bench/hostile_uploads.py, which
tests/test_checkpoint_limits.py uses too); "extra" is its peak RSS during the call minus its RSS
just before. The bzip2 and lzma bombs inflate to --megabytes while declaring 1,000 bytes, as the issue's 1,029-byte file did. The child's
address space is capped 1 GB above its start (a safety net), so keep --megabytes under about 450
when measuring a loader that inflates them.

    .venv/bin/python bench/upload_bomb.py [--megabytes 1024]
"""

import argparse
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import hostile_uploads as hostile  # noqa: E402  (the same files the tests build)


def bomb(method, megabytes) -> bytes:
    import io
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        hostile.streamed_member(archive, "params.W1.npy", method, hostile.zeros(megabytes * 2**20))
    return hostile.declare(buffer.getvalue(), "params.W1.npy", hostile.LIED_SIZE)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1024, help="what each bomb inflates to")
    megabytes = parser.parse_args().megabytes
    files = {
        f"bzip2 bomb ({megabytes} MB)": bomb(zipfile.ZIP_BZIP2, megabytes),
        f"lzma bomb ({megabytes} MB)": bomb(zipfile.ZIP_LZMA, megabytes),
        "60 MB declared shape": hostile.huge_shape((60 * 2**17,), 60 * 2**20),
        "23 MB array (in budget)": hostile.huge_shape((23 * 2**17,), 23 * 2**20),
        "200,000 members": hostile.many_members(200_000),
        "long .npy header": hostile.long_header(),
    }
    with tempfile.TemporaryDirectory() as folder:
        for name, content in files.items():
            result = hostile.run_loader(content, Path(folder))
            print(f"{name:24} {len(content):>10,} bytes  extra {result['extra_bytes'] / 2**20:7.1f} MB  "
                  f"{result['seconds']:6.3f} s  {result['outcome'][:90]}")


if __name__ == "__main__":
    main()
