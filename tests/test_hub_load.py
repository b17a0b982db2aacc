"""The load test's machinery (classroom/hub_load.py), kept from rotting: its comparison of outputs,
and one real run with two students and three cells of notebook 07 on a real hub.

`make hub-load` (ten students, the whole notebook) takes minutes and stays outside make test. Without
node/npm the hub cannot run and the real run is skipped with the reason, except under CI, where that
is a failure (as in tests/test_hub.py).
"""
import statistics
from pathlib import Path

import nbformat
import numpy as np
import pytest

from classroom import hub as hubmod
from classroom import hub_load

ROOT = Path(__file__).resolve().parent.parent
NB07 = ROOT / "notebooks" / "07-training.ipynb"


@pytest.fixture(scope="module")
def patterns():
    return hub_load.sanitize_patterns()


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def figure(png, text="<Figure size 400x300 with 1 Axes>"):
    return {"output_type": "display_data", "data": {"image/png": png, "text/plain": text},
            "metadata": {}}


def test_equal_outputs_match(patterns):
    outputs = [stream("loss 0.123456\n"), figure("AAAA")]
    assert hub_load.compare_outputs(outputs, outputs, patterns) is None


def test_a_different_number_is_caught_and_shown(patterns):
    why = hub_load.compare_outputs([stream("loss 0.123456\n")], [stream("loss 0.123457\n")], patterns)
    assert why is not None
    assert "0.123456" in why and "0.123457" in why


def test_figures_and_widget_models_are_not_compared_but_their_text_is(patterns):
    assert hub_load.compare_outputs([figure("AAAA")], [figure("BBBB")], patterns) is None
    why = hub_load.compare_outputs([figure("AAAA")], [figure("AAAA", "<Figure size 500x300 with 1 Axes>")],
                                   patterns)
    assert why is not None and "text/plain" in why
    widget = {"output_type": "execute_result", "execution_count": 3, "metadata": {},
              "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "abc"},
                       "text/plain": "VBox(children=(...))"}}
    other = {**widget, "execution_count": 9,
             "data": {**widget["data"], "application/vnd.jupyter.widget-view+json": {"model_id": "xyz"}}}
    assert hub_load.compare_outputs([widget], [other], patterns) is None


def test_streams_are_coalesced_and_sanitized_as_nbval_does(patterns):
    stored = [stream("a = 1\nb = 2\n")]
    split = [stream("a = 1\n"), stream("b = 2\n")]
    assert hub_load.compare_outputs(stored, split, patterns) is None
    # tests/nbval-sanitize.cfg replaces memory addresses
    assert hub_load.compare_outputs([stream("<obj at 0x7f00aa>\n")], [stream("<obj at 0x5500bb>\n")],
                                    patterns) is None
    # stderr is compared apart from stdout
    why = hub_load.compare_outputs([stream("x\n")], [stream("x\n", name="stderr")], patterns)
    assert why is not None and "stdout" in why


def test_a_missing_or_extra_output_is_caught(patterns):
    assert hub_load.compare_outputs([stream("x\n")], [], patterns) is not None
    assert hub_load.compare_outputs([], [stream("x\n")], patterns) is not None
    error = {"output_type": "error", "ename": "NameError", "evalue": "name 'q' is not defined",
             "traceback": []}
    assert "ename" in hub_load.compare_outputs([stream("x\n")], [stream("x\n"), error], patterns)


def test_the_cells_nbval_runs_and_which_of_them_train():
    notebook = nbformat.read(NB07, as_version=4)
    cells = hub_load.code_cells(notebook)
    indices = [i for i, _ in cells]
    expected = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code"
                and "nbval-skip" not in c.metadata.get("tags", [])]
    assert indices == expected
    training = [i for i, c in cells if hub_load.is_training(c)]
    assert training and len(training) < len(cells)
    for i in training:
        source = notebook.cells[i].source
        assert "fit(" in source or "train_playground(" in source or "new_run(" in source
    assert not hub_load.is_training(notebook.cells[indices[0]])   # the imports
    with pytest.raises(ValueError, match=r"cells=\[0, 1\]: \[0\] are not code cells"):
        hub_load.code_cells(notebook, {0, 1})


def test_percentiles_match_numpys_linear_method():
    rng = np.random.default_rng(0)
    values = list(rng.exponential(size=37))
    for q in (0, 50, 95, 100):
        assert hub_load.percentile(values, q) == pytest.approx(np.percentile(values, q))
    assert hub_load.percentile(values, 50) == pytest.approx(statistics.median(values))
    assert hub_load.percentile([], 50) is None


def test_a_students_problems_name_the_cell():
    run = hub_load.StudentRun(name="student01", cells=[
        hub_load.CellRun(index=5, seconds=1.0, training=True, compared=True, mismatch="stdout differs"),
        hub_load.CellRun(index=7, seconds=1.0, training=False, compared=True, error="ValueError: x")])
    run.kernel_died = True
    assert run.problems == ["cell 7: ValueError: x", "cell 5: stdout differs", "the kernel died"]


def test_bad_arguments_are_refused_before_any_hub_starts():
    with pytest.raises(ValueError, match="students=0"):
        hub_load.run_load_test(students=0, write_json=False)
    with pytest.raises(ValueError, match=r"cells=\[2\]"):
        hub_load.run_load_test(students=1, cells=[2], write_json=False)


def test_two_students_run_three_cells_of_notebook_07_on_a_real_hub(tools_dir, tmp_path):
    state = tmp_path / "state"
    report, problems = hub_load.run_load_test(students=2, cells=[1, 3, 5], state_dir=state,
                                              tools_dir=tools_dir, write_json=False)
    assert problems == []
    assert report["cells_per_student"] == 3
    assert report["cell_latency_seconds"]["count"] == 6
    assert report["training_cell_latency_seconds"]["count"] == 2     # cell 5 calls nnlib.fit
    assert 0 < report["spawn_seconds"]["median"] <= report["spawn_seconds"]["max"]
    assert report["memory_per_student_mib"]["median"] > 50           # a server and a kernel with numpy
    for student in report["per_student"]:
        saved = state / "homes" / student["name"] / student["saved"]
        notebook = nbformat.read(saved, as_version=4)
        assert notebook.cells[5].outputs, "the executed cell's outputs were saved"
    # the hub and everything it started are gone
    assert hubmod.marked_processes(state.resolve()) == []
    lines = hub_load.describe(report).splitlines()
    assert lines[0].startswith("2 students, 3 cells each of notebooks/07-training.ipynb")
    assert any(line.startswith("memory per student (server and kernel): median ") for line in lines)


def test_the_report_line_counts_one_student_in_the_singular():
    timing = {"median": None, "max": None, "p95": None, "count": 0}
    report = {"students": 1, "cells_per_student": 3, "notebook": "notebooks/07-training.ipynb",
              "cpus": 2, "wall_seconds": 9.0, "spawn_seconds": timing,
              "cell_latency_seconds": timing, "training_cell_latency_seconds": timing,
              "memory_per_student_mib": timing, "cpu_seconds_per_student": timing,
              "load_average": {"before": [1.0], "max_1min": 1.0, "after": [1.0]}}
    assert hub_load.describe(report).splitlines()[0].startswith("1 student, 3 cells each")
    report["students"] = 2
    assert hub_load.describe(report).splitlines()[0].startswith("2 students, 3 cells each")
