"""Shared fixtures: real MNIST loaded once per test session; the browser fixtures."""

import pytest

import data

pytest_plugins = ["tests.browser_fixtures"]


@pytest.fixture(scope="session")
def mnist():
    """The real dataset (fetched into the cache first if needed)."""
    return data.load_mnist()
