"""Every exercise check in the notebooks is called as ``_ = check_...(...)``: a bare call as the
last statement of a cell echoes its return value (True, False, None) under the sentence the check
prints, and the student reads a stray ``False`` under "correct: ..." or "not yet right: ...".
The solutions (```python blocks in markdown) are copied into cells, so they follow the same rule."""
import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + [ROOT / "app" / "playground.ipynb"]


def code_blocks(path):
    """(cell index, kind, source) of every code cell and every ```python block of a markdown cell."""
    for i, cell in enumerate(json.loads(path.read_text())["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            yield i, "code cell", source
        elif cell["cell_type"] == "markdown":
            for block in re.findall(r"```python\n(.*?)```", source, re.S):
                yield i, "solution block", block


def bare_check_calls(source):
    """The top-level statements of ``source`` that are a bare call of a ``check_...`` function
    (``check_x(...)`` or ``module.check_x(...)``), as (line, text)."""
    # IPython magics and shell lines are not Python: blank them, keeping the line numbers
    source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    tree = ast.parse(source)
    found = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name.startswith("check_"):
                found.append((node.lineno, ast.get_source_segment(source, node)))
    return found


def test_the_scan_finds_a_bare_check_call():
    """The scan itself: a bare call is found, as the last line or not, with or without ``;``."""
    assert [line for line, _ in bare_check_calls("x = 1\ncheck_a(x)")] == [2]
    assert len(bare_check_calls("check_a(1);\ny = 2\nnnlib.exercises.check_b(\n    3)")) == 2
    assert bare_check_calls("_ = check_a(1)\nok = check_b(2)\nprint(check_c(3))\nwidgets.playground()") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_calls_a_check_bare(path):
    bare = [f"cell {i} ({kind}), line {line}: {text}" for i, kind, source in code_blocks(path)
            for line, text in bare_check_calls(source)]
    assert not bare, f"{path.name}: write _ = check_...(...), as 03-07 do:\n" + "\n".join(bare)
