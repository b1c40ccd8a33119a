"""The scripts in static/ (ui/static_component.py): one version covers every file, modules import at it.

Streamlit sends static files with no Cache-Control, so a file fetched at an address without the
version could be served stale after an upgrade: every import between the modules carries the
version its importer was fetched with, and the version changes when any file changes, not only the
script a component names.
"""

import re
from pathlib import Path

import pytest
from streamlit import config

from ui import static_component

STATIC = static_component.STATIC
SCRIPTS = sorted(STATIC.glob("*.js"))
# import(…) with this module's own ?v=: new URL(`name.js${new URL(import.meta.url).search}`, import.meta.url),
# or the same through a helper that keeps it (`${name}${version}` where version is that search).
VERSIONED = re.compile(r"import\(new URL\(`(\w+\.js|\$\{name\})\$\{(new URL\(import\.meta\.url\)\.search|version)\}`,"
                       r" import\.meta\.url\)\)")


def test_every_script_is_a_small_module_that_says_what_it_holds():
    assert {path.name for path in SCRIPTS} >= {"step_panel.js", "compare_panel.js", "class_table.js", "weight_player.js"}
    for path in SCRIPTS:
        lines = path.read_text().splitlines()
        assert len(lines) < 400, f"{path.name} has {len(lines)} lines"
        assert lines[0].startswith("// ") and lines[1].startswith("// "), f"{path.name} opens with no comment"


def test_modules_import_each_other_only_at_the_version_they_were_fetched_with():
    for path in SCRIPTS:
        text = re.sub(r"^\s*//.*$", "", path.read_text(), flags=re.M)
        assert not re.search(r"^\s*import\b|\bfrom\s+[\"']\.", text, re.M), f"{path.name}: a static import has no version"
        for call in re.findall(r"import\([^;]*", text):
            assert VERSIONED.match(call), f"{path.name}: {call}"
        if "${version}" in text:
            assert "const version = new URL(import.meta.url).search;" in text
        for name in re.findall(r"\"(\w+\.(?:js|css))\"|`(\w+\.js)\$", text):
            named = next(part for part in name if part)
            assert (STATIC / named).is_file(), f"{path.name} names {named}, not in static/"


def test_the_version_changes_with_any_file_of_static_even_one_only_imported(tmp_path, monkeypatch):
    for path in STATIC.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(static_component, "STATIC", tmp_path)
    before = static_component.version()
    assert before == static_component.version() and re.fullmatch(r"[0-9a-f]{12}", before)
    (tmp_path / "panel_kit.js").write_text((tmp_path / "panel_kit.js").read_text() + "\n// a change\n")
    after_module = static_component.version()
    (tmp_path / "step_panel.css").write_text((tmp_path / "step_panel.css").read_text() + "\n")
    assert len({before, after_module, static_component.version()}) == 3


@pytest.mark.parametrize("base, root", [("", "/app/static/"), ("/lab/", "/lab/app/static/"), ("a/b", "/a/b/app/static/")])
def test_a_script_is_addressed_under_the_servers_base_path_with_the_version(base, root):
    saved = config.get_option("server.baseUrlPath")
    config.set_option("server.baseUrlPath", base)
    try:
        assert static_component.address("step_panel.js") == f"{root}step_panel.js?v={static_component.version()}"
    finally:
        config.set_option("server.baseUrlPath", saved)
