"""Every name a module uses is defined or imported: a screen must not fail on a path no other test walks.

pages/lab.py once called task_title() without importing it, and only a learner who answered a lab's
last question before its task was done met the NameError. pyflakes reads every module without running
it, so such a name is caught wherever it stands.
"""

from pathlib import Path

import pyflakes.api
import pyflakes.messages
import pyflakes.reporter

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "lab", "ui", "pages", "runs", "data", "locales", "deploy", "bench", "tests", "scripts")
UNDEFINED = (pyflakes.messages.UndefinedName, pyflakes.messages.UndefinedLocal, pyflakes.messages.UndefinedExport)


class Collected(pyflakes.reporter.Reporter):
    """The messages pyflakes finds, kept instead of printed."""

    def __init__(self):
        self.found = []

    def flake(self, message):
        self.found.append(message)

    def unexpectedError(self, filename, message):
        self.found.append(f"{filename}: {message}")

    def syntaxError(self, filename, message, line, offset, text):
        self.found.append(f"{filename}:{line}: {message}")


def python_files() -> list[Path]:
    files = [ROOT / "app.py", ROOT / "cli.py"]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []
    return files


def test_no_module_uses_a_name_it_never_defines():
    collected = Collected()
    for path in python_files():
        pyflakes.api.checkPath(str(path), collected)
    undefined = [str(message) for message in collected.found
                 if isinstance(message, str) or isinstance(message, UNDEFINED)]
    assert undefined == []
