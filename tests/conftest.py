"""Shared fixtures: real MNIST, loaded once per test session from the project's cache."""

import pytest

import data


@pytest.fixture(scope="session")
def mnist():
    """The real dataset (fetched into the cache first if needed)."""
    return data.load_mnist()
