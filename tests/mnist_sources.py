"""pytest fixtures for data/'s fetch tests: the MNIST files as a source would hand them over, and a real HTTP mirror.

The files are rebuilt from the verified cache (tests fetch nothing from the internet here); the mirror serves
them from 127.0.0.1 and can drop a connection halfway.
"""

import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest

from data import cache
from data.idx import idx_bytes
from data.verify import FILES

LABELS = "train-labels-idx1-ubyte"


@pytest.fixture(scope="module")
def raw_folder(tmp_path_factory, mnist):
    """The four original raw IDX files, rebuilt from the verified cache."""
    folder = tmp_path_factory.mktemp("raw")
    for name in FILES:
        (folder / name).write_bytes(idx_bytes(np.asarray(cache.load_cached(cache.default_cache_dir(), name))))
    return folder


@pytest.fixture(scope="module")
def gz_folder(tmp_path_factory, raw_folder):
    folder = tmp_path_factory.mktemp("gz")
    for name in FILES:
        (folder / f"{name}.gz").write_bytes(gzip.compress((raw_folder / name).read_bytes(), 1))
    return folder


def cache_contents(folder: Path):
    return sorted(path.name for path in folder.iterdir())


class MirrorHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; in 'drop' mode it promises the whole file, sends half and hangs up."""
    drop = False

    def log_message(self, *arguments):
        pass

    def do_GET(self):
        if not self.drop:
            return super().do_GET()
        path = Path(self.translate_path(self.path))
        content = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content[: len(content) // 2])
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture
def mirror(gz_folder, monkeypatch):
    """A real HTTP mirror on 127.0.0.1 serving our .gz files; md5s set to those of our files."""
    for name, expected in FILES.items():
        digest = hashlib.md5((gz_folder / f"{name}.gz").read_bytes()).hexdigest()
        monkeypatch.setitem(FILES, name, expected._replace(md5=digest))
    servers = []

    def start(drop=False, directory=gz_folder):
        handler = type("Handler", (MirrorHandler,), {"drop": drop})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(directory)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield start
    for server in servers:
        server.shutdown()
