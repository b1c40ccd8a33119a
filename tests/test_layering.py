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


# A notebook is a document lab/ writes in the learner's language: its words are made where it is written.
WORDED_IN_LAB = {"notebook.py", "notebook_words.py"}


def test_lab_says_codes_and_the_screens_say_the_words():
    """lab/ notes and refuses with Reasons (locales/lab_words.py holds their words), as core does."""
    import ast

    for path in sorted((ROOT / "lab").glob("*.py")):
        if path.name in WORDED_IN_LAB:
            continue
        names = {alias.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Import)
                 for alias in node.names}
        names |= {node.module for node in ast.walk(ast.parse(path.read_text()))
                  if isinstance(node, ast.ImportFrom) and node.module}
        assert not {name for name in names if name.split(".")[0] in ("locales", "babel")}, path.name


def top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """The app's modules a file imports when it is loaded (not inside a function)."""
    import ast

    found = set()
    for node in ast.parse(path.read_text()).body:
        for statement in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else ():
            if isinstance(statement, ast.Import):
                found.update(alias.name for alias in statement.names)
            elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
                found.add(statement.module)
                found.update(f"{statement.module}.{alias.name}" for alias in statement.names)
    return {name for name in found if name in modules}


def app_imports() -> dict[str, set[str]]:
    """Each module of the app's packages and pages, and the app's modules it imports when loaded."""
    files = {}
    for top in ("core", "lab", "ui", "runs", "data", "locales", "pages"):
        for path in (ROOT / top).rglob("*.py"):
            files[".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")] = path
    return {name: top_level_imports(path, set(files)) - {name} for name, path in files.items()}


def cycles_in(edges: dict[str, set[str]]) -> list[list[str]]:
    found, done = [], set()

    def visit(name, trail):
        if name in trail:
            found.append(trail[trail.index(name):] + [name])
        elif name not in done:
            for imported in sorted(edges.get(name, ())):
                visit(imported, trail + [name])
            done.add(name)

    for name in sorted(edges):
        visit(name, [])
    return found


def test_sessions_importing_the_app_at_once_never_meet_a_half_imported_module():
    """A server's first sessions import the app in parallel threads, and Python hands one of them a
    half-imported module where imports go round in a circle, or where a package's __init__ imports a
    module of its own that another module imports directly (thread A holds the package, thread B the
    module, each waits for the other): the ImportError a learner met on a restarted server when
    runs/__init__ re-exported runs.store."""
    edges = app_imports()
    assert not cycles_in(edges), "import cycles: " + "; ".join(" → ".join(cycle) for cycle in cycles_in(edges)[:5])
    for package in (name for name in edges if (ROOT / name.replace(".", "/") / "__init__.py").exists()):
        own = {name for name in edges[package] if name.startswith(package + ".")}
        outside = {name for importer, imported in edges.items() if not importer.startswith(package)
                   for name in imported & own}
        assert not outside, f"{package}/__init__ imports {sorted(outside)}, which other modules import directly"
