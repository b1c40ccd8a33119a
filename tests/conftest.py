"""Shared fixtures: real MNIST loaded once per test session; the browser fixtures; a store of runs of the tests' own."""

import os
import shutil
import tempfile

import pytest

import data

pytest_plugins = ["tests.browser_fixtures", "tests.mnist_sources"]


def pytest_configure(config):
    """Every app the tests start (AppTest, `streamlit run`) keeps its runs in a SQLite file of this test session."""
    if "BACKPROP_STORE" not in os.environ:
        folder = tempfile.mkdtemp(prefix="backprop-lab-runs-")
        os.environ["BACKPROP_STORE"] = os.path.join(folder, "runs.sqlite3")
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture(scope="session")
def mnist():
    """The real dataset (fetched into the cache first if needed)."""
    return data.load_mnist()
