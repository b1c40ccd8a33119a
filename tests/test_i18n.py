"""Greek and English: both catalogs hold every message of the code, translated; no text bypasses _();
numbers use each language's signs; the URL, the sidebar switch and the browser's language each
choose the language, and switching keeps the run and its position."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import locales
from tests.app_session import APP, open_past_step, panel_fields, session_of, trainer_of, train_click
from tests.i18n_literals import all_findings

ROOT = Path(__file__).resolve().parent.parent
GREEK = re.compile("[\u0370-\u03ff\u1f00-\u1fff]{3}")  # a Greek word, not a symbol such as α
SCREENS = ["pages/home.py", "pages/dataset.py", "pages/forward.py", "pages/train.py", "pages/weights.py",
           "pages/gradients.py", "pages/errata.py", "pages/loss_surface.py", "pages/draw.py",
           "pages/evaluate.py", "pages/checkpoint.py", "pages/compare.py", "pages/teach.py"]


def catalog(language: str):
    with (ROOT / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=language)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every message marked in the code now, extracted as `make messages` does."""
    template = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "--no-location", "-o", str(template), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with template.open("rb") as file:
        return read_po(file)


def texts(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


@pytest.mark.parametrize("language", ["el", "en"])
def test_every_message_in_the_code_is_translated_in_the_catalog(extracted, language):
    translations = catalog(language)
    missing = [message.id for message in extracted if message.id and translations.get(message.id) is None]
    assert not missing, f"not in the {language} catalog (run `make messages`, then translate): {missing[:10]}"
    untranslated = [message.id for message in translations if message.id and not all(texts(message))]
    assert not untranslated, f"untranslated in {language}: {untranslated[:10]}"
    fuzzy = [message.id for message in translations if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:10]}"


MARKUP = {"format fields": re.compile(r"\{[a-z_0-9]*(?:![rsa])?(?::[^{}]*)?\}"), "maths": re.compile(r"\$"),
          "code": re.compile(r"`"), "bold": re.compile(r"\*\*"), "links": re.compile(r"\]\([^)]*\)")}


def test_greek_keeps_every_field_formula_and_link_of_the_english():
    for message in catalog("el"):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in texts(message):
            for what, pattern in MARKUP.items():
                assert sorted(pattern.findall(text)) == sorted(pattern.findall(sources[-1])), \
                    f"{what} differ in the Greek of {sources[0]!r}: {text!r}"


def test_no_text_in_pages_ui_or_lab_bypasses_the_translation_function():
    report = all_findings()
    assert not report, "\n".join(f"{file}:{line}: {text[:80]!r}" for file, lines in report.items()
                                 for line, text in lines)


@pytest.fixture
def language():
    yield locales.activate
    locales.activate(locales.DEFAULT)


def test_numbers_use_the_languages_signs(language):
    language("el")
    assert (locales.number(12345.5, ",.1f"), locales.number(0.125, ".1%"), locales.number(60000)) == \
        ("12.345,5", "12,5%", "60.000")
    assert locales.number_separators() == ",."
    language("en")
    assert (locales.number(12345.5, ",.1f"), locales.number(0.125, ".1%")) == ("12,345.5", "12.5%")


def test_a_message_is_translated_in_the_active_language_only(language):
    language("el")
    assert locales._("Train") == "Εκπαίδευση"
    language("en")
    assert locales._("Train") == "Train"


# --- the screens, in both languages ---------------------------------------------------------------------

def app_in(query=None, context=None):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(query or {})
    app.context = context or {}
    return app.run()


def shown_text(app) -> str:
    return " ".join(block.value for kind in ("title", "markdown", "caption") for block in app.get(kind))


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("lang", ["el", "en"])
def test_every_screen_renders_in_both_languages(screen, lang):
    app = app_in({"lang": lang})
    app.switch_page(screen).run()
    assert not app.exception, [error.value for error in app.exception]
    assert bool(GREEK.search(shown_text(app))) == (lang == "el"), shown_text(app)[:300]


@pytest.mark.parametrize("screen", ["pages/forward.py", "pages/weights.py", "pages/gradients.py", "pages/errata.py",
                                    "pages/loss_surface.py", "pages/evaluate.py", "pages/draw.py"])
def test_screens_of_a_trained_model_render_in_greek(screen):
    app = app_in({"lang": "el"})
    app.switch_page("pages/train.py").run()
    train_click(app, 100)
    app.switch_page(screen).run()
    assert not app.exception, [error.value for error in app.exception]
    assert trainer_of(app).step_count == 100


# --- choosing the language ------------------------------------------------------------------------------

def language_of(app) -> str:
    return session_of(app).language


def test_the_url_chooses_the_language_and_keeps_it():
    app = app_in({"lang": "el"})
    assert language_of(app) == "el" and app.title[0].value == "Backprop Lab"
    assert GREEK.search(shown_text(app))
    app.switch_page("pages/train.py").run()
    assert app.title[0].value == "Εκπαίδευση"
    assert app.query_params["lang"] in ("el", ["el"])


def test_the_browser_language_chooses_when_the_url_does_not():
    assert language_of(app_in(context={"locale": "el-GR"})) == "el"
    assert language_of(app_in(context={"locale": "fr-FR"})) == "en"
    assert language_of(app_in(context={"locale": None})) == "en"
    assert language_of(app_in({"lang": "en"}, context={"locale": "el-GR"})) == "en"


def test_a_bad_language_in_the_url_falls_back_to_the_browsers():
    app = app_in({"lang": "xx"}, context={"locale": "el"})
    assert not app.exception and language_of(app) == "el"


def test_the_switch_changes_the_language_and_keeps_the_run_and_the_position():
    app = app_in()
    app.switch_page("pages/train.py").run()
    train_click(app, 10)
    run_id, weights = session_of(app).run.run_id, trainer_of(app).params.W1.copy()
    assert app.title[0].value == "Train"
    app.radio(key="language_switch").set_value("el").run()
    assert not app.exception
    assert app.title[0].value == "Εκπαίδευση" and language_of(app) == "el"
    assert session_of(app).run.run_id == run_id and trainer_of(app).step_count == 10
    assert (trainer_of(app).params.W1 == weights).all()
    assert app.query_params["lang"] in ("el", ["el"])
    app.radio(key="language_switch").set_value("en").run()
    assert app.title[0].value == "Train" and trainer_of(app).step_count == 10


def test_switching_keeps_the_past_step_being_viewed():
    app = app_in()
    app.switch_page("pages/train.py").run()
    train_click(app, 10)
    open_past_step(app, 9)  # ◀
    open_past_step(app, 8)  # ◀
    assert session_of(app).viewing == 8
    app.radio(key="language_switch").set_value("el").run()
    assert not app.exception and language_of(app) == "el"
    assert session_of(app).viewing == 8 and trainer_of(app).step_count == 10
    assert panel_fields(app)["timeline"]["shown"] == 8


def test_no_core_module_that_translates_hides_the_translation_function():
    from tests.i18n_literals import findings
    translating = [*sorted((ROOT / "core").rglob("*.py")), ROOT / "locales" / "words.py"]
    hidden = [(path.name, line) for path in translating if "from locales" in path.read_text()
              for line, text in findings(path) if text.startswith(("_ assigned", "_() of"))]
    assert hidden == []


# --- the handout's words: settings by name, not by value ------------------------------------------------

def test_a_rule_an_initialisation_and_a_loss_are_named_in_the_language(language):
    from locales.words import init_name, loss_name, rule_name, rule_title, setting_text
    language("el")
    assert [rule_name(rule) for rule in ("document", "mse", "cross-entropy")] == ["του κειμένου", "MSE", "cross-entropy"]
    assert rule_title("document") == "κανόνας του κειμένου"
    assert [init_name(init) for init in ("uniform", "he")] == ["ομοιόμορφη", "He"]
    assert loss_name("mse") == "MSE" and setting_text("document", "rule") == "κανόνας του κειμένου"
    language("en")
    assert rule_title("document") == "document's rule" and init_name("uniform") == "uniform"


def test_greek_screens_show_the_rule_and_the_initialisation_by_name_and_keep_their_values_in_the_url():
    app = app_in({"lang": "el"})
    app.switch_page("pages/train.py").run()
    sidebar = " ".join(block.value for block in app.sidebar.caption)
    assert "κανόνας του κειμένου · αρχικοποίηση ομοιόμορφη" in sidebar and "document" not in sidebar
    rule, init = app.selectbox(key="setting_rule"), app.selectbox(key="setting_init")
    assert rule.options == ["κανόνας του κειμένου", "κανόνας MSE", "κανόνας cross-entropy"]
    assert init.options == ["ομοιόμορφη", "He"]
    rule.set_value("mse")
    init.set_value("he")
    app.button(key="FormSubmitter:settings-Επαναφορά με αυτές τις ρυθμίσεις").click().run()
    assert not app.exception and trainer_of(app).settings.rule == "mse"
    assert app.query_params["rule"] in ("mse", ["mse"]) and app.query_params["init"] in ("he", ["he"])
    assert "κανόνας MSE · αρχικοποίηση He" in " ".join(block.value for block in app.sidebar.caption)
    train_click(app, 1)
    app.switch_page("pages/gradients.py").run()
    assert not app.exception
    assert app.selectbox(key="gradients_rule").options[0] == "κανόνας του κειμένου"
    assert app.selectbox(key="gradients_loss").options == ["MSE", "cross-entropy"]
    latex = " ".join(block.value for block in app.latex)
    assert "κανόνας του κειμένου" in latex and "document" not in latex
    text = shown_text(app)
    assert "κανόνας MSE" in text and "`mse`" not in text and "`document`" not in text


def test_greek_gives_the_matrices_w1_and_w2_one_gender():
    """W1, W2, dW1 and dW2 are matrices, «ο πίνακας W1» (the handout: «ο transpose πίνακας»): masculine in every
    message, never «το W1»; the vectors b, Z, A stay neuter, «το διάνυσμα»."""
    neuter = re.compile(r"(?<![\w])(το|Το|στο|Στο|ένα|Ένα|αρχικό|νέα)\s+(\*\*)?d?W_?[12](?![\w])")
    found = [text for message in catalog("el") if message.id
             for text in texts(message) if neuter.search(text)]
    assert found == []


def test_a_checkpoint_names_its_arrays_as_matrices_in_greek(language):
    from core.reasons import Reason
    from locales.words import said
    language("el")
    initial = Reason("checkpoint.initial", name="W1")
    assert said(Reason("checkpoint.W1_shape", what=initial, shape=(3, 4), inputs=784)) == (
        "ο πίνακας W1 της αρχής έχει σχήμα (3, 4), όχι (784, h).")


def test_the_greek_errata_quote_the_document_in_whole_sentences():
    app = app_in({"lang": "el"})
    app.switch_page("pages/errata.py").run()
    assert not app.exception
    text = shown_text(app)
    assert ("Στην ενότητα Backward Propagation το κείμενο γράφει «Άρα από τον κανόνα της αλυσίδας έχουμε για τα "
            "βάρη που συνδέουν το hidden με το output layer» και δίνει την εξίσωση (3)") in text
    assert "Στην ενότητα Mean squared error το κείμενο ορίζει το y" in text


def test_greek_speaks_to_a_university_not_a_school():
    """Students are φοιτητές and the person teaching is «ο/η διδάσκων/-ουσα» (or the sentence names the teaching
    link): never the school's μαθητής or καθηγητής."""
    school = re.compile(r"μαθητ|Μαθητ|καθηγητ|Καθηγητ")
    found = [text for message in catalog("el") if message.id for text in texts(message) if school.search(text)]
    assert found == []


def test_number_boxes_show_settings_without_padding_zeros():
    """Streamlit's number input takes a printf format only (its decimal sign is always "."): "%g" at least writes
    α = 0.01 as 0.01, as the text beside it does (Greek 0,01), not 0.01000."""
    app = app_in({"lang": "el"})
    app.switch_page("pages/train.py").run()
    assert [app.number_input(key=f"setting_{key}").proto.format for key in ("lr", "factor")] == ["%g", "%g"]
    app.switch_page("pages/teach.py").run()
    assert [app.number_input(key=f"lesson_{name}").proto.format
            for name in ("learning_rate", "decay_factor")] == ["%g", "%g"]
