"""Notebooks 08-14's exercises as nbgrader will see them (the marking convention of issue 16):
every checked exercise is an answer cell (``NN-exK-answer``) followed by its check cell (``NN-exK``,
with points), the check's result is bound to a name (the classroom's hidden test asserts it
``== True``), the shipped answer says "not done yet", and the folded solution's last ```python block,
pasted into the answer cell, makes the check cell say "correct".

Only the exercise sections run (after the notebook's import cell), not the whole notebook: nbval
runs the notebooks themselves."""
import ast
import contextlib
import io
import json
import re
from pathlib import Path

import matplotlib
import pytest
from threadpoolctl import threadpool_limits

matplotlib.use("Agg")

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
EXERCISES = {"08": 4, "09": 5, "10": 3, "11": 4, "12": 4, "13": 4, "14": 3}  # checked ones; 10's 4th is "explore"


def notebook(nn):
    (path,) = NOTEBOOKS.glob(f"{nn}-*.ipynb")
    return json.loads(path.read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def marks(cell):
    return cell.get("metadata", {}).get("nbgrader")


def solution_block(cells, check_index):
    """The last ```python block of the first folded solution after the check cell."""
    for cell in cells[check_index + 1:]:
        text = source(cell)
        if cell["cell_type"] == "markdown" and "<details><summary>Solution</summary>" in text:
            start = text.index("<details><summary>Solution</summary>")
            return re.findall(r"```python\n(.*?)```", text[start:text.index("</details>", start)], re.S)[-1]
    raise LookupError(f"no solution after cell {check_index}")


def run(code, namespace):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<cell>", "exec"), namespace)
    return out.getvalue()


@pytest.mark.parametrize("nn", list(EXERCISES))
def test_every_checked_exercise_is_an_answer_cell_then_a_bound_check(nn):
    cells = notebook(nn)
    marked = [(i, marks(c)) for i, c in enumerate(cells) if marks(c)]
    answers = [(i, m) for i, m in marked if m["solution"]]
    checks = [(i, m) for i, m in marked if m["grade"]]
    assert len(answers) == len(checks) == len(marked) // 2 == EXERCISES[nn]
    for k, ((a, answer), (c, check)) in enumerate(zip(answers, checks), start=1):
        assert c == a + 1, f"{nn}: the check of exercise {k} is not right after its answer cell"
        assert answer == {"grade": False, "solution": True, "locked": False, "task": False,
                          "grade_id": f"{nn}-ex{k}-answer", "schema_version": 3}
        assert check == {"grade": True, "solution": False, "locked": True, "task": False,
                         "points": check["points"], "grade_id": f"{nn}-ex{k}", "schema_version": 3}
        assert check["points"] in (1, 2)
        assert "check_" not in source(cells[a]), f"{nn}-ex{k}: the answer cell calls its check"
        assert "check_" not in solution_block(cells, c), f"{nn}-ex{k}: the solution is not the answer cell's form"
        calls = [node for node in ast.parse(source(cells[c])).body
                 if isinstance(getattr(node, "value", None), ast.Call) and "check_" in ast.unparse(node.value.func)]
        assert calls and all(isinstance(node, ast.Assign) for node in calls), f"{nn}-ex{k}: bind every check"


@pytest.mark.parametrize("nn", list(EXERCISES))
def test_unanswered_says_not_done_and_each_pasted_solution_says_correct(nn):
    cells = notebook(nn)
    start = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "## Exercises" in source(c))
    with threadpool_limits(limits=None):  # restores the BLAS threads the import cell may limit
        namespace = {}
        run(source(cells[1]), namespace)  # the notebook's imports
        checked = 0
        for i in range(start + 1, len(cells)):
            cell = cells[i]
            if cell["cell_type"] != "code":
                continue
            if marks(cell) and marks(cell)["grade"]:
                printed = run(source(cell), namespace)
                assert printed.startswith("not done yet"), (marks(cell)["grade_id"], printed)
                # the student pastes the solution into the answer cell and runs both again
                run(solution_block(cells, i), namespace)
                printed = run(source(cell), namespace)
                assert printed.startswith("correct: "), (marks(cell)["grade_id"], printed)
                # what the classroom's hidden test asserts of each bound name
                assert all(namespace[name] == True for name in bound_names(source(cell)))  # noqa: E712
                checked += 1
            else:  # answer cells as shipped, the given data, imports
                run(source(cell), namespace)
    assert checked == EXERCISES[nn]


def bound_names(code):
    return [target.id for node in ast.parse(code).body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)]
