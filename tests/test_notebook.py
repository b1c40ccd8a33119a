"""The take-home notebook (lab/notebook.py): executed in a real Jupyter kernel, it reproduces the app's run bit for bit.

A learner's run is made through the session's own methods (train, a drawing, a branch with changed
settings), exported, and the notebook is run by nbclient in an ipykernel, and the .py script by
this Python, on the real MNIST written out as the original IDX files (the notebook checks their
sha256, so these are MNIST's files byte for byte).
"""

import ast
import base64
import os
import re
import subprocess
import sys

import nbclient
import nbformat
import numpy as np
import pytest

import locales
from core.model.network import init_parameters
from core.record.checkpoints import load_checkpoint, save_checkpoint
from core.record.events import LabAnswer, SettingsChanged, StepOnImage, TrainSamples
from core.record.timeline import Keyframe, Timeline
from core.training.settings import Settings
from core.training.trainer import Trainer
from data.idx import idx_bytes
from lab.notebook import RunExport, export_of, notebook_bytes, run_export, script_text
from locales import _
from tests.app_session import fresh_app, session_of, trained_app

PROJECT_PACKAGES = {"app", "bench", "core", "data", "deploy", "lab", "locales", "pages", "runs", "tests", "ui"}
ALLOWED_IMPORTS = {"base64", "gzip", "hashlib", "os", "pathlib", "numpy", "matplotlib"}
SAVE_PARAMETERS = '\nnp.savez({path!r}, W_1=W_1, b_1=b_1, W_2=W_2, b_2=b_2)\n'


@pytest.fixture(scope="module")
def mnist_folder(tmp_path_factory, mnist):
    """The four MNIST files in their original IDX form, as a learner downloads them."""
    folder = tmp_path_factory.mktemp("mnist")
    for name, array in (("train-images-idx3-ubyte", mnist.train_images), ("train-labels-idx1-ubyte", mnist.train_labels),
                        ("t10k-images-idx3-ubyte", mnist.test_images), ("t10k-labels-idx1-ubyte", mnist.test_labels)):
        (folder / name).write_bytes(idx_bytes(array))
    return folder


def drawn_digit(mnist):
    """A digit as the Draw screen hands it over: 28x28 uint8 (here a test image, labelled as the learner says)."""
    return np.ascontiguousarray(mnist.test_images[0], dtype=np.uint8), 7


def execute_notebook(content: bytes, folder, tmp_path) -> tuple[str, dict]:
    """Run the notebook in a real kernel; its printed text and its final W_1, b_1, W_2, b_2."""
    book = nbformat.reads(content.decode("utf-8"), as_version=4)
    saved = tmp_path / "notebook_parameters.npz"
    book.cells.append(nbformat.v4.new_code_cell(SAVE_PARAMETERS.format(path=str(saved))))
    os.environ["MNIST_DIR"], previous = str(folder), os.environ.get("MNIST_DIR")
    os.environ["MPLBACKEND"] = "Agg"
    try:
        nbclient.NotebookClient(book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        if previous is None:
            os.environ.pop("MNIST_DIR")
        else:
            os.environ["MNIST_DIR"] = previous
    printed = "".join(output.get("text", "") for cell in book.cells if cell.cell_type == "code"
                      for output in cell.outputs if output.output_type == "stream")
    return printed, dict(np.load(saved))


def run_script(text: str, folder, tmp_path) -> tuple[str, dict]:
    """Run the .py export with this Python; its output and its final parameters."""
    saved = tmp_path / "script_parameters.npz"
    script = tmp_path / "run.py"
    script.write_text(text + SAVE_PARAMETERS.format(path=str(saved)), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, cwd=tmp_path,
                          env={**os.environ, "MNIST_DIR": str(folder), "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, dict(np.load(saved))


def assert_same_parameters(replayed: dict, params) -> None:
    for name, array in zip(("W_1", "b_1", "W_2", "b_2"), params.as_tuple()):
        assert replayed[name].dtype == np.float64
        assert np.array_equal(replayed[name], array), name


def learners_run(mnist):
    """2,000 updates: 1,000 samples, a drawing, 500 samples; back to step 1,200 and a branch with another α and
    rule; 800 samples on the branch. Returns the session."""
    app = fresh_app()
    app.switch_page("pages/train.py").run()
    state = session_of(app)
    state.train(1000)
    state.train_on_drawing(*drawn_digit(mnist))
    state.train(500)
    state.view(1200)
    state.branch({"learning_rate": 0.05, "rule": "cross-entropy"})
    state.train(800)
    assert state.run.parent is not None and state.trainer.step_count == 1999
    return state


@pytest.fixture(scope="module")
def branched(mnist):
    state = learners_run(mnist)
    return run_export(state), state.trainer.params.copy()


def test_the_notebook_replays_a_branched_run_with_a_drawing_bit_for_bit(branched, mnist_folder, tmp_path):
    run, app_params = branched
    assert sum(isinstance(event, StepOnImage) for event in run.events) == 1
    assert sum(event.n for event in run.events if isinstance(event, TrainSamples)) == 1999
    assert len(run.branches) == 1
    printed, replayed = execute_notebook(notebook_bytes(run), mnist_folder, tmp_path)
    assert "identical" in printed.splitlines()
    assert_same_parameters(replayed, app_params)


def test_the_script_replays_the_same(branched, mnist_folder, tmp_path):
    run, app_params = branched
    printed, replayed = run_script(script_text(run), mnist_folder, tmp_path)
    assert "identical" in printed.splitlines()
    assert_same_parameters(replayed, app_params)


def test_a_run_that_began_from_an_uploaded_checkpoint_replays_from_its_embedded_start(mnist, mnist_folder, tmp_path):
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    elsewhere = Trainer(Settings(learning_rate=0.02, decay_factor=0.3, decay_period=1, rule="mse", seed=5), *data)
    elsewhere.train(59_500)  # the uploaded run is near an epoch's end: the replay crosses it (and α decays)
    content = save_checkpoint(elsewhere)
    app = fresh_app()
    app.switch_page("pages/checkpoint.py").run()
    state = session_of(app)
    state.replace_trainer(load_checkpoint(content, *data), content)
    state.train(700)
    state.train_on_drawing(*drawn_digit(mnist))
    run = run_export(state)
    assert not run.from_seed and (run.epoch, run.index) == (0, 59_500)
    printed, replayed = execute_notebook(notebook_bytes(run), mnist_folder, tmp_path)
    assert "identical" in printed.splitlines()
    assert_same_parameters(replayed, state.trainer.params)


def code_cells(run, language="en"):
    locales.activate(language)
    try:
        book = nbformat.reads(notebook_bytes(run).decode("utf-8"), as_version=4)
    finally:
        locales.activate(locales.DEFAULT)
    nbformat.validate(book)
    return book, [cell.source for cell in book.cells if cell.cell_type == "code"]


def imported_modules(sources) -> set:
    found = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("language", ["en", "el"])
def test_the_notebook_imports_nothing_of_the_project(branched, language):
    book, sources = code_cells(branched[0], language)
    modules = imported_modules(sources)
    assert not modules & PROJECT_PACKAGES
    assert modules <= ALLOWED_IMPORTS
    assert "import numpy as np" in sources[0]


def test_the_notebook_speaks_the_apps_language(branched):
    english, english_sources = code_cells(branched[0], "en")
    greek, greek_sources = code_cells(branched[0], "el")
    greek_letters = re.compile("[α-ωά-ώ]{3}")
    assert not any(greek_letters.search(cell.source) for cell in english.cells)
    assert all(greek_letters.search(cell.source) for cell in greek.cells if cell.cell_type == "markdown")
    comments = [line for source in greek_sources for line in source.splitlines() if line.strip().startswith("#")]
    assert comments and sum(bool(greek_letters.search(line)) for line in comments) > len(comments) / 2
    assert [ast.dump(ast.parse(source)) for source in english_sources if "MNIST_SHA256" in source] != []


def test_the_document_and_its_errata_read_in_order(branched):
    book, sources = code_cells(branched[0])
    code = "\n".join(sources)
    order = [code.index(name) for name in ("def read_idx", "W_1 = rng.random", "def ReLU", "def softmax",
                                           "def forwardProp", "def backProp", "def gradientDescent", "for event in LOG")]
    assert order == sorted(order)
    for erratum in range(1, 6):
        assert f"Erratum {erratum}" in code
    assert "def dZ2_document" in code and "def dZ2_cross_entropy" in code  # the two rules this run used
    assert "def dZ2_mse" not in code


def test_a_ten_epoch_run_exports_in_well_under_a_few_megabytes(mnist):
    """6,000 clicks of 100 samples (10 epochs) and 50 drawings, with the largest network (h = 64)."""
    image, label = drawn_digit(mnist)
    settings = Settings(hidden=64)
    events = []
    for click in range(6000):
        events.append(TrainSamples(100))
        if click % 120 == 0:
            events.append(StepOnImage.of(image, label))
    params = init_parameters(64, "uniform", 0)
    run = RunExport("x" * 22, settings, params, 0, 0, False, True, tuple(events), (), params)
    size = len(notebook_bytes(run))
    assert size < 2 * 2**20
    print(f"a 10-epoch run with h = 64 exports in {size / 2**20:.2f} MB")


@pytest.mark.parametrize("language", ["en", "el"])
def test_save_and_load_and_the_train_menu_offer_the_notebook_and_the_script(language):
    app = trained_app(10, {"lang": language})
    for screen in ("pages/train.py", "pages/checkpoint.py"):
        app.switch_page(screen).run()
        assert not app.exception
        labels = [button.label for button in app.download_button]
        locales.activate(language)
        try:
            assert _("Download as a notebook") in labels and _("Download as a .py script") in labels, screen
        finally:
            locales.activate(locales.DEFAULT)
    run = run_export(session_of(app))
    book = nbformat.reads(notebook_bytes(run).decode("utf-8"), as_version=4)
    nbformat.validate(book)
    assert any('("train", 10)' in cell.source for cell in book.cells if cell.cell_type == "code")
    assert run.from_seed and run.run_id == session_of(app).run.run_id


def test_the_log_reads_as_the_clicks_did_without_the_labs_answers(mnist):
    """Consecutive train clicks read as one train event; a lab's answer trains nothing and is left out; a drawing
    and a settings change stand where they were."""
    image, label = drawn_digit(mnist)
    events = (TrainSamples(10), TrainSamples(100), LabAnswer("forward", "loss", "1.5", "1.4", False), TrainSamples(1),
              StepOnImage.of(image, label), SettingsChanged.of(rule="mse"), TrainSamples(5))
    params = init_parameters(10, "uniform", 0)
    run = RunExport("abc", Settings(), params, 0, 0, False, True, events, (), params)
    log = next(source for source in code_cells(run)[1] if source.lstrip("# \n").startswith("LOG") or "LOG = [" in source)
    entries = ast.literal_eval(log[log.index("LOG = ") + len("LOG = "):])
    assert [entry[0] for entry in entries] == ["train", "image", "settings", "train"]
    assert entries[0] == ("train", 111) and entries[1][1] == label and entries[2] == ("settings", {"rule": "mse"})
    assert np.array_equal(np.frombuffer(base64.b64decode(entries[1][2]), dtype=np.uint8).reshape(28, 28), image)


def test_a_run_that_overflowed_stops_where_the_trainer_stopped(mnist, mnist_folder, tmp_path):
    """With α = 1e200 (beyond the screens' range, so made with the trainer itself; He initialisation) the weights
    overflow within a few hundred samples; the trainer refuses that step and keeps the last finite parameters, and
    so does the replay."""
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainer = Trainer(Settings(learning_rate=1e200, init="he"), *data)
    timeline = Timeline(Keyframe.of(trainer, 0, 0), data=data)
    trainer.train(400)
    assert trainer.stopped_reason is not None and 0 < trainer.step_count < 400
    timeline.extend([TrainSamples(400)], trainer)
    run = export_of(timeline, [], trainer.params, "diverged")
    printed, replayed = run_script(script_text(run), mnist_folder, tmp_path)
    assert "identical" in printed.splitlines()
    assert_same_parameters(replayed, trainer.params)


def test_a_branch_of_a_run_that_began_from_a_checkpoint_replays_its_whole_lineage(mnist, mnist_folder, tmp_path):
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    elsewhere = Trainer(Settings(seed=9), *data)
    elsewhere.train(3000)
    content = save_checkpoint(elsewhere)
    app = fresh_app()
    state = session_of(app)
    state.replace_trainer(load_checkpoint(content, *data), content)
    state.train(300)
    state.view(200)
    state.branch({"rule": "mse", "learning_rate": 0.03})
    state.train(100)
    run = run_export(state)
    assert not run.from_seed and run.index == 3000 and len(run.branches) == 1
    printed, replayed = run_script(script_text(run), mnist_folder, tmp_path)
    assert "identical" in printed.splitlines()
    assert_same_parameters(replayed, state.trainer.params)
