"""Notebook 09's exercises as a student meets them: the shipped cells say "not done yet", and every
folded solution, run after its exercise's cell, is called correct by the notebook's own checker."""
import contextlib
import io
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "09-convolution.ipynb"


def cells():
    return [(c["cell_type"], "".join(c["source"]), c["metadata"].get("nbgrader", {}))
            for c in json.loads(NOTEBOOK.read_text())["cells"]]


def run(source, namespace):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, str(NOTEBOOK), "exec"), namespace)
    return out.getvalue()


def test_each_exercise_is_not_done_and_its_solution_is_correct():
    """The solution's last block is the answer cell filled in: run it, then the check cell again."""
    all_cells = cells()
    start = next(i for i, (kind, src, _) in enumerate(all_cells)
                 if kind == "code" and "nnlib.exercises.convolution" in src)
    namespace = {}
    run(all_cells[1][1], namespace)  # the notebook's imports
    run(all_cells[start][1], namespace)
    exercises = solutions = 0
    check = None
    for kind, source, marks in all_cells[start + 1:]:
        if kind == "code":
            printed = run(source, namespace)
            if marks.get("grade"):
                assert printed.startswith("not done yet"), printed
                check = source
                exercises += 1
        else:
            blocks = re.findall(r"```python\n(.*?)```", source, re.S)
            if blocks:
                run(blocks[-1], namespace)
                printed = run(check, namespace)
                assert printed.startswith("correct"), (blocks[-1], printed)
                solutions += 1
    assert exercises == solutions == 5
