"""Notebook 00: the lecture notes ship with the course and are linked; `fit`'s words are glossed
where it first appears; exercise 2's words, template and solution build the same network, and
the solution, run as written, goes from the ln 2 plateau ("train longer") to solved."""
import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np

import nnlib
from nnlib.exercises import check_solves_xor

ROOT = Path(__file__).parents[1]
NOTEBOOK = ROOT / "notebooks" / "00-start-here.ipynb"


def cells():
    return ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]]


def test_the_lecture_notes_ship_and_the_readme_and_00_link_them():
    notes = ROOT / "lecture-notes.md"
    assert notes.is_file() and notes.read_text().startswith("# Lecture notes")
    assert "as received" in notes.read_text()  # the notes say what they are: the source, with slips
    readme = (ROOT / "README.md").read_text()
    assert "](lecture-notes.md)" in readme
    links = [link for cell in cells() for link in re.findall(r"\]\(([^)]*lecture-notes\.md)\)", cell)]
    assert links and all((NOTEBOOK.parent / link).resolve() == notes.resolve() for link in links)


def test_fit_and_its_words_are_glossed_where_00_first_uses_them():
    text = cells()
    first_fit = next(i for i, c in enumerate(text) if "nnlib.fit(" in c)
    gloss = text[first_fit - 1]  # the markdown cell just above the code
    for word in ("**epoch**", "**batches**", "**learning rate**", "**SGD**", r"w \leftarrow w -"):
        assert word in gloss, word


NETWORK = "nnlib.Dense(2, 2, rng=0), nnlib.Tanh(), nnlib.Dense(2, 2, rng=1)"


def exercise_2():
    text = cells()
    words = next(i for i, c in enumerate(text) if c.lstrip().startswith("**2.**") or "\n**2.**" in c)
    template = next(i for i, c in enumerate(text) if c.startswith("small_model = None"))  # the answer cell
    solution = next(i for i, c in enumerate(text) if "<details>" in c and "small_model" in c)
    return text[words], text[template], text[solution]


def test_exercise_2s_words_template_and_solution_build_the_same_network():
    words, template, solution = exercise_2()
    assert NETWORK in words and NETWORK in template and NETWORK in solution
    assert "500" in words and "epochs=500" in solution
    # both stalls are explained, each with its remedy
    assert r"\ln 2 \approx 0.693" in words and "plateau" in words and "Train longer" in words
    assert r"\tfrac12 \ln 2 \approx 0.347" in words and "local minimum" in words and "seeds" in words


def run_solution(block=0):
    """Run a ```python block of exercise 2's solution: the first walks through the two runs, the
    last is the answer cell filled in (what the classroom's source puts into the answer cell)."""
    code = re.findall(r"```python\n(.*?)```", exercise_2()[2], re.S)[block]
    X, y = nnlib.xor()
    out = io.StringIO()
    namespace = {"np": np, "nnlib": nnlib, "X": X, "y": y, "check_solves_xor": check_solves_xor}
    with contextlib.redirect_stdout(out):
        exec(code, namespace)
        if block == -1:
            check_solves_xor(namespace["small_model"], hidden_units=2)
    return out.getvalue().splitlines()


def test_exercise_2s_solution_as_written_leaves_the_plateau_by_training_longer():
    lines = run_solution()
    first_loss = float(re.search(r"after 500 epochs: ([\d.]+)", lines[0]).group(1))
    assert abs(first_loss - np.log(2)) < 1e-3  # the words' "ln 2": the plateau
    assert lines[1].startswith("not yet right") and "train longer" in lines[1] and "ln 2" in lines[1]
    assert "seed" not in lines[1]
    assert lines[-1].startswith("correct")


def test_exercise_2s_filled_in_answer_cell_passes_the_check():
    lines = run_solution(-1)  # the answer block prints nothing: the one line is the check's
    assert len(lines) == 1 and lines[0].startswith("correct")


def test_the_seeds_00_names_as_stuck_sit_in_the_half_ln_2_local_minimum(capsys):
    words, _, solution = exercise_2()
    assert "`rng=1` and\n`rng=2`" in solution
    X, y = nnlib.xor()
    model = nnlib.Sequential(nnlib.Dense(2, 2, rng=1), nnlib.Tanh(), nnlib.Dense(2, 2, rng=2))
    history = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.5), X, y,
                        epochs=500, batch_size=4, rng=0)
    assert abs(history.train_loss[-1] - np.log(2) / 2) < 0.01
    assert f"{history.train_loss[-1]:.3f}" in solution  # the loss the solution quotes
    assert check_solves_xor(model, hidden_units=2) is False
    out = capsys.readouterr().out
    assert "local minimum" in out and "another seed" in out and "ln 2 / 2" in out
    assert "train longer" not in out and "plateau" not in out
