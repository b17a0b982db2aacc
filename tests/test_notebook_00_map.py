"""Notebook 00's map of the course lists exactly the notebooks that exist: none missing, and
none promised (a row for a notebook not yet written would send a student to nothing)."""
import json
import re
from pathlib import Path

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


def map_rows():
    nb = json.loads((NOTEBOOKS / "00-start-here.ipynb").read_text())
    (table,) = ["".join(c["source"]) for c in nb["cells"] if "".join(c["source"]).startswith("## The map")]
    return re.findall(r"^\| `(\d\d-[a-z0-9-]+)` \|", table, re.M), table


def test_the_map_lists_exactly_the_notebooks_that_exist():
    rows, _ = map_rows()
    assert rows == sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def test_the_map_promises_no_notebook_it_does_not_list():
    _, text = map_rows()
    assert "whole course so far" in text
    assert not re.search(r"\b(later|future|next) notebooks? will\b", text, re.I)
