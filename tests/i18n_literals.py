"""Find text in pages/, ui/ and lab/ that a person would read but that bypasses the translation function.

A string literal counts as text when, with markup, format fields and plotly's %{…} taken out, it
holds two words in a row (prose), or any word where it is handed to a widget or a figure as what
it shows (a label, a title, help, a caption…). Docstrings, markup (a literal that starts with "<"),
and the arguments of _(), ngettext() and N_() are not counted; a line may say `# i18n: not text`
(an exception a learner never sees, a key, a file name). An f-string with words in it is always
reported: its text cannot be extracted into the catalog; `_("… {x}").format(x=…)` can.

Run `python -m tests.i18n_literals [files…]` to list them.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("pages", "ui", "lab")
TRANSLATORS = {"_", "ngettext", "N_"}
# Streamlit calls whose first argument is shown as it is, and keywords whose value is shown.
SHOWN_FIRST = {"title", "header", "subheader", "markdown", "caption", "write", "text", "info", "warning", "error",
               "success", "toast", "button", "form_submit_button", "download_button", "checkbox", "toggle",
               "radio", "selectbox", "multiselect", "slider", "select_slider", "number_input", "text_input",
               "text_area", "file_uploader", "expander", "metric", "page_link", "popover", "segmented_control",
               "pills", "link_button", "spinner", "status", "progress", "tabs", "picture", "Page"}
SHOWN_KEYWORDS = {"label", "help", "title", "caption", "placeholder", "alt", "text", "name", "hovertemplate",
                  "texttemplate", "title_text", "xaxis_title", "yaxis_title", "ticktext", "legendgrouptitle_text",
                  "value", "delta", "body", "page_title", "icon_text", "column_config"}
NOT_SHOWN_KEYWORDS = {"key", "type", "icon", "format", "output_format", "width", "label_visibility", "textposition",
                      "mode", "orientation", "xanchor", "yanchor", "align", "hoverinfo", "textinfo", "dash",
                      "symbol", "shape", "file_name", "mime", "on_change", "on_click", "selection_mode"}
NAMES = {"Backprop Lab", "MNIST"}  # the app's and the dataset's names read the same in every language
PATH = re.compile(r"^[\w./-]+\.(py|png|js|css|csv|npz|json|html)$")
EXEMPT_MARK = "# i18n: not text"
WORD = r"[A-Za-z][a-z]+"
PROSE = re.compile(rf"(?<![\w.$\\]){WORD}[ ]{WORD}(?![\w(])")
ANY_WORD = re.compile(rf"(?<![\w.$\\%{{]){WORD}(?![\w(])")
NOISE = re.compile(r"<[^>]*>|%\{[^}]*\}|\{[^}]*\}|\$[^$]*\$|`[^`]*`|:material/[a-z_]+:|https?://\S+")


def _words(text: str):
    return NOISE.sub(" ", text)


def _parents(tree):
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def _docstrings(tree) -> set:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(first.value)
    return found


def _in_comprehension(node, parents) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.comprehension):
            return True
    return False


def _call_name(call: ast.Call) -> str:
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def _inside_translator(node, parents) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.Call) and _call_name(node) in TRANSLATORS:
            return True
    return False


def _keyword(node, parents) -> str | None:
    """The keyword whose value the literal is, if it is one."""
    parent = parents.get(node)
    return parent.arg if isinstance(parent, ast.keyword) else None


def _shown_slot(node, parents) -> bool:
    """The literal is (part of) a value a widget or a figure shows: a first argument or a shown keyword."""
    child = node
    while child in parents:
        parent = parents[child]
        if isinstance(parent, ast.keyword):
            return parent.arg in SHOWN_KEYWORDS
        if isinstance(parent, ast.Call):
            return bool(parent.args) and parent.args[0] is child and _call_name(parent) in SHOWN_FIRST
        if not isinstance(parent, (ast.BinOp, ast.IfExp, ast.JoinedStr, ast.FormattedValue, ast.List, ast.Tuple)):
            return False
        child = parent
    return False


def findings(path: Path) -> list[tuple[int, str]]:
    """(line, literal) for each piece of text in `path` that bypasses the translation function."""
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source)
    parents, docstrings = _parents(tree), _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and not isinstance(parents.get(node), ast.JoinedStr):
            text = node.value
        else:
            continue
        if node in docstrings or text.lstrip().startswith("<") or _inside_translator(node, parents):
            continue
        if text.strip() in NAMES or PATH.match(text) or _keyword(node, parents) in NOT_SHOWN_KEYWORDS:
            continue
        if any(EXEMPT_MARK in lines[number - 1] for number in range(node.lineno, node.end_lineno + 1)):
            continue
        words = _words(text)
        if PROSE.search(words) or (ANY_WORD.search(words) and _shown_slot(node, parents)):
            found.append((node.lineno, text))
    for node in ast.walk(tree):  # _() needs a literal, or the catalog cannot hold it
        if isinstance(node, ast.Call) and _call_name(node) in {"_", "ngettext"}:
            if any(isinstance(argument, (ast.JoinedStr, ast.BinOp)) for argument in node.args):
                found.append((node.lineno, "_() of an f-string or a sum: " + ast.unparse(node)[:60]))
    for node in ast.walk(tree):  # `for _ in …` or `_, x = …` would hide the translation function
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store) \
                and not _in_comprehension(node, parents):  # a comprehension's names stay inside it
            found.append((node.lineno, "_ assigned: it hides the translation function"))
    return sorted(found)


def all_findings(paths=None) -> dict[str, list]:
    paths = paths or [file for folder in FOLDERS for file in sorted((ROOT / folder).rglob("*.py"))]
    result = {}
    for path in map(Path, paths):
        lines = findings(path)
        if lines:
            result[str(path.resolve().relative_to(ROOT))] = lines
    return result


if __name__ == "__main__":
    report = all_findings(sys.argv[1:] or None)
    for file, lines in report.items():
        for number, text in lines:
            print(f"{file}:{number}: {text[:90]!r}")
    print(f"{sum(map(len, report.values()))} literals bypass the translation function")
