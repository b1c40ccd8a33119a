"""The layers hold (SPEC section 4): pages and ui draw, lab does, core computes, runs stores.

core is pure: no streamlit, and no translation machinery either (it says codes and numbers; the words
are made where they are shown, locales/words.py).

Each package is imported whole in a fresh interpreter, every module of it, and the test looks at
what that pulled in: an import made anywhere below (a helper's helper) counts, as it would in the app.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

IMPORT_ALL = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    if module.name.rsplit(".", 1)[-1] != "__main__":
        importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def modules_pulled_in(package: str) -> list[str]:
    """Every module in sys.modules after importing each module of `package` in a new interpreter."""
    done = subprocess.run([sys.executable, "-c", IMPORT_ALL, package], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def within(modules: list[str], top: str) -> list[str]:
    return [name for name in modules if name == top or name.startswith(top + ".")]


@pytest.mark.parametrize("package, forbidden", [
    ("core", ["streamlit", "locales", "babel", "ui", "lab", "runs", "pages"]),
    ("lab", ["streamlit", "ui", "pages"]),
    ("runs", ["streamlit", "ui", "lab", "pages"]),
])
def test_a_layer_imports_nothing_above_it(package, forbidden):
    modules = modules_pulled_in(package)
    assert within(modules, package), f"{package} was not imported"
    for top in forbidden:
        assert not within(modules, top), f"importing {package} pulls in {within(modules, top)[:5]}"
