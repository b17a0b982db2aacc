"""The graded assignments: classroom/assignments.py derives nbgrader's source from notebooks/, and
nbgrader itself writes the student release and grades it.

The course directory is built once (a module fixture, in a tmp dir) by running the script as
`make assignments` does, from every notebook that carries marks.

- No solution text in the release, for every marked exercise of every built notebook, and for
  every other <details> solution in it (an exercise without a check has one too). The lines
  searched for are the exercise's solution code (the last ```python block of its <details>) and
  every line of each <details> block (prose and code), stripped. Some of those also occur
  legitimately elsewhere (`</details>`, "```python", a `model = ...` line the lesson uses too), so
  only the *distinctive* lines are searched: at least 12 characters long and found nowhere in the
  course notebook once its <details> solutions are cut out. Each exercise must keep at least one
  distinctive line, so the search is never empty. The release is searched whole: every string in
  its JSON (sources, outputs, cell and notebook metadata).
- The marks' structure over every marked notebook, and a separate test id per notebook that says
  whether a notebook with `check_` calls carries marks at all (it fails for a notebook nobody has
  marked yet).
- nbgrader autograde, which executes a notebook, on a representative two (AUTOGRADED): all
  fifteen, three runs each, would take over ten minutes on two cores, and adding 06 (a class as
  the answer) made this file take 3.5 minutes. 00 is the shortest notebook and its answer is a
  trained model; 02 has two checks in one check cell (`_a`, `_b`), a function to write and three
  exercises. For each: the source scores full
  marks and every check in it says "correct"; the untouched release scores 0 without an error in
  any cell but the hidden tests' asserts, every check in it says "not done yet" (so the release
  runs top to bottom: autograde runs it with the hidden tests restored, which only add those
  asserts at the ends of the check cells); a release with one exercise answered (its solution
  taken from the source) scores exactly that exercise's points, every other exercise 0, though
  that submission also cheats in the other exercises' answer cells (CHEATS: it replaces a check
  by name, in its module, or its module's `report`): the hidden region at the top of each check
  cell reloads the checks first, so a cheat scores 0. It also deletes the answered exercise's
  check cell: autograde puts it back (add_missing_cells) and it still scores.
- Graded mode: the release's first code cell is the read-only `graded_assignment()` call, and the
  autograded checks print only the fixed lines (no values); the course directory is private
  (mode 700), since students on a hub may be unix accounts of the same machine.
"""
import json
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "classroom"))
import assignments  # noqa: E402  (classroom/ is a folder of scripts, not a package)
from nnlib.exercises import GRADED_CORRECT  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
AUTOGRADED = ["00-start-here", "02-activation-functions"]
# Answer-cell lines that make a check say True whatever the answer, in the exercises that the
# 'one' submission leaves unanswered: by name where the check cell has no import, in the module
# where it imports, and the module's `report` (and `not_done`) that every check prints through.
CHEATS = {
    "00-ex1": "import nnlib.exercises as _m\n_m.check_parameter_count = lambda *a, **k: True",
    "02-ex2": "check_saturation_threshold = lambda *a, **k: True",
    "02-ex3": "import nnlib.exercises.activations as _m\n_m.report = _m.not_done = lambda *a, **k: True",
}


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def marked(path):
    return any(assignments.marks(c) for c in load(path)["cells"])


MARKED = [p for p in NOTEBOOKS if marked(p)]


def strings(node):
    """Every string (keys too) in a JSON document: a notebook's sources, outputs and metadata."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    out = tmp_path_factory.mktemp("classroom")
    run = subprocess.run([sys.executable, str(ROOT / "classroom" / "assignments.py"), "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return out, run.stdout


def exercises_of(path):
    return assignments.find_exercises(load(path), path.stem)


# --- the build ---------------------------------------------------------------------------------

def test_make_assignments_builds_one_assignment_per_marked_notebook(course):
    out, printed = course
    assert MARKED, "no notebook carries nbgrader marks"
    for path in MARKED:
        for folder in ("source", "release"):
            assert (out / folder / path.stem / path.name).is_file(), (folder, path.stem)
    assert (out / "gradebook.db").is_file() and (out / "nbgrader_config.py").is_file()
    assert str(out / "release") in printed and "nbgrader autograde" in printed


def test_the_gradebook_holds_every_exercise_with_its_points(course):
    from nbgrader.api import Gradebook

    out, _ = course
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        for path in MARKED:
            expected = {e.grade_id: e.points for e in exercises_of(path)}
            notebook = gb.find_notebook(path.stem, path.stem)
            assert {c.name: c.max_score for c in notebook.grade_cells} == expected
            assert gb.find_assignment(path.stem).max_score == sum(expected.values())


@pytest.mark.parametrize("path", MARKED, ids=lambda p: p.stem)
def test_the_release_contains_no_solution_text(course, path):
    out, _ = course
    course_nb = load(path)
    without = "\n".join(assignments.DETAILS.sub("", assignments.source_of(c)) for c in course_nb["cells"])
    release = load(out / "release" / path.stem / path.name)
    text = "\n".join(strings(release))
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "<summary>Solution"):
        assert marker not in text, marker
    solutions = [(e.grade_id, e.solution_code + "\n" + e.solution_text) for e in exercises_of(path)]
    solutions += [(f"<details> in cell {i}", block.group(0)) for i, c in enumerate(course_nb["cells"])
                  if c["cell_type"] == "markdown"
                  for block in assignments.DETAILS.finditer(assignments.source_of(c))]
    for what, solution in solutions:
        lines = {line.strip() for line in solution.splitlines()}
        distinctive = [line for line in lines if len(line) >= 12 and line not in without]
        assert distinctive, f"{what}: no distinctive solution line to search for"
        leaked = [line for line in distinctive if line in text]
        assert not leaked, f"{what}: solution text in the release: {leaked}"


@pytest.mark.parametrize("path", MARKED, ids=lambda p: p.stem)
def test_the_release_keeps_the_course_s_answer_and_check_cells(course, path):
    """What the student edits is exactly the course's answer cell; the check cell is the course's
    (no hidden test); the solution regions are gone, with the <details> replaced by the stub."""
    out, _ = course
    course_cells = load(path)["cells"]
    release = {c["metadata"]["nbgrader"]["grade_id"]: assignments.source_of(c)
               for c in load(out / "release" / path.stem / path.name)["cells"]
               if assignments.marks(c)}
    for exercise in exercises_of(path):
        answer = assignments.source_of(course_cells[exercise.answer_index])
        check = assignments.source_of(course_cells[exercise.check_index])
        assert release[exercise.grade_id + "-answer"].rstrip("\n") == answer.rstrip("\n")
        assert release[exercise.grade_id] == check
    source = load(out / "source" / path.stem / path.name)
    assert "widgets" not in source["metadata"]


# --- the marks' structure ----------------------------------------------------------------------

@pytest.mark.parametrize("path", MARKED, ids=lambda p: p.stem)
def test_every_marked_exercise_follows_the_convention(path):
    nb = load(path)
    cells = nb["cells"]
    exercises = exercises_of(path)  # raises MarkingError, naming the cell, on a broken mark
    ids = [assignments.marks(c)["grade_id"] for c in cells if assignments.marks(c)]
    assert len(ids) == len(set(ids)) == 2 * len(exercises)
    for exercise in exercises:
        answer, check = cells[exercise.answer_index], cells[exercise.check_index]
        assert exercise.check_index == exercise.answer_index + 1
        assert assignments.marks(answer)["grade_id"] == exercise.grade_id + "-answer"
        assert exercise.points > 0 and exercise.check_names
        assert "<details>" in exercise.solution_text and exercise.solution_code.strip()
        # the check cell's stored output (the course run) is the one of an unanswered exercise
        printed = "".join("".join(o.get("text", "")) for o in check.get("outputs", []))
        assert printed.count("not done yet") == len(exercise.check_names), exercise.grade_id


def test_grade_ids_are_unique_across_the_course():
    ids = [e.grade_id for path in MARKED for e in exercises_of(path)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_with_checks_is_marked(path):
    nb = load(path)
    assert not assignments.has_check_calls(nb) or exercises_of(path), \
        f"{path.name} calls check_ functions but carries no nbgrader marks (classroom/README.md)"


def _cell(kind, source, **nbgrader):
    cell = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    if nbgrader:
        cell["metadata"]["nbgrader"] = {"task": False, "schema_version": 3, **nbgrader}
    return cell


def _exercise(answer="my_x = None  # your answer", check="from nnlib.exercises.training import check_x\n_ = check_x(my_x)", points=1,
              solution="<details><summary>Solution</summary>\n\n```python\nmy_x = 3\n```\n</details>"):
    return {"metadata": {}, "cells": [
        _cell("code", answer, grade=False, solution=True, locked=False, grade_id="07-ex1-answer"),
        _cell("code", check, grade=True, solution=False, locked=True, points=points, grade_id="07-ex1"),
        _cell("markdown", solution)]}


def test_a_well_marked_exercise_is_found():
    (exercise,) = assignments.find_exercises(_exercise(), "07-training")
    assert (exercise.grade_id, exercise.points, exercise.check_names) == ("07-ex1", 1, ["_"])
    assert exercise.solution_code == "my_x = 3"


@pytest.mark.parametrize("change, words", [
    (dict(check="check_x(my_x)"), "not bound"),
    (dict(check="_ = check_x(my_x)\n_ = check_y(my_x)"), "same name"),
    (dict(check="print(check_x(my_x))"), "not bound"),
    (dict(points=0), "points"),
    (dict(points=True), "points"),
    (dict(solution="no solution here"), "no <details>"),
    (dict(solution="<details><summary>Solution</summary>\n13\n</details>"), "no ```python"),
    (dict(solution="<details><summary>Solution</summary>\n```python\n_ = check_x(3)\n```\n</details>"),
     "calls a check"),
])
def test_a_broken_mark_is_refused_with_the_cell_named(change, words):
    with pytest.raises(assignments.MarkingError, match=re.escape(words)) as error:
        assignments.find_exercises(_exercise(**change), "07-training")
    assert "07-training" in str(error.value)


def test_a_check_cell_must_follow_its_answer_cell():
    nb = _exercise()
    nb["cells"].insert(1, _cell("code", "print(1)"))
    with pytest.raises(assignments.MarkingError, match="next cell should be its check cell"):
        assignments.find_exercises(nb, "07-training")
    nb = _exercise()
    nb["cells"][1]["metadata"]["nbgrader"]["grade_id"] = "07-ex2"
    with pytest.raises(assignments.MarkingError):
        assignments.find_exercises(nb, "07-training")
    nb = _exercise()
    nb["cells"] += _exercise()["cells"]
    with pytest.raises(assignments.MarkingError, match="used twice"):
        assignments.find_exercises(nb, "07-training")


def test_a_solution_belongs_to_the_exercise_before_the_next_one():
    nb = _exercise(solution="no solution yet")
    second = _exercise()["cells"]
    for cell in second[:2]:
        cell["metadata"]["nbgrader"]["grade_id"] = cell["metadata"]["nbgrader"]["grade_id"].replace("ex1", "ex2")
    nb["cells"] += second
    with pytest.raises(assignments.MarkingError, match="07-ex1.*no <details>"):
        assignments.find_exercises(nb, "07-training")


# --- nbgrader autograde on a few notebooks -----------------------------------------------------

@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    """Autograde three submissions of each AUTOGRADED notebook in a copy of the course directory:
    'source' (the instructor's source), 'empty' (the release untouched), 'one' (the release with
    its highest-scoring exercise, the first of them, answered from the source and its check cell
    deleted, and CHEATS in the answer cells of others)."""
    from nbgrader.api import Gradebook

    built, _ = course
    out = tmp_path_factory.mktemp("graded")
    shutil.copytree(built, out, dirs_exist_ok=True)
    api = assignments.nbgrader_api(out)
    answered = {}
    for name in AUTOGRADED:
        path = ROOT / "notebooks" / f"{name}.ipynb"
        exercises = exercises_of(path)
        source = load(out / "source" / name / path.name)
        release = load(out / "release" / name / path.name)
        chosen = max(exercises, key=lambda e: e.points)
        answered[name] = chosen.grade_id
        one = json.loads(json.dumps(release))
        cheats = {gid: code for gid, code in CHEATS.items() if gid.startswith(name[:2])}
        assert cheats and chosen.grade_id not in cheats
        # and it deletes the answered exercise's check cell: autograde must put it back and run it
        one["cells"] = [c for c in one["cells"] if (assignments.marks(c) or {}).get("grade_id") != chosen.grade_id]
        for cell in one["cells"]:
            gid = (assignments.marks(cell) or {}).get("grade_id", "")
            if gid == chosen.grade_id + "-answer":
                cell["source"] = assignments.source_of(cell).rstrip("\n") + "\n" + chosen.solution_code
            elif gid[:-len("-answer")] in cheats:
                cell["source"] = assignments.source_of(cell).rstrip("\n") + "\n" + cheats[gid[:-len("-answer")]]
        for student, nb in (("source", source), ("empty", release), ("one", one)):
            assignments.write_notebook(nb, out / "submitted" / student / name / path.name)
            result = api.autograde(name, student)
            assert result["success"], result["log"] + str(result.get("error"))
    scores = {}
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        for name in AUTOGRADED:
            for student in ("source", "empty", "one"):
                nb = gb.find_submission_notebook(name, name, student)
                scores[name, student] = (nb.score, {g.name: g.score for g in nb.grades})
    return out, scores, answered


def autograded_checks(out, student, name):
    """(grade_id, stdout, error names) of every check cell of an autograded notebook, and the
    error names of every other cell."""
    nb = load(out / "autograded" / student / name / f"{name}.ipynb")
    checks, others = [], []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        stdout = "".join("".join(o.get("text", "")) for o in cell["outputs"] if o.get("name") == "stdout")
        errors = [o["ename"] for o in cell["outputs"] if o["output_type"] == "error"]
        if (assignments.marks(cell) or {}).get("grade"):
            checks.append((assignments.marks(cell)["grade_id"], stdout, errors))
        else:
            others.extend(errors)
    return checks, others


@pytest.mark.parametrize("name", AUTOGRADED)
def test_the_source_autogrades_to_full_marks(graded, name):
    out, scores, _ = graded
    exercises = exercises_of(ROOT / "notebooks" / f"{name}.ipynb")
    total, per_cell = scores[name, "source"]
    assert per_cell == {e.grade_id: e.points for e in exercises}
    assert total == sum(e.points for e in exercises)
    checks, others = autograded_checks(out, "source", name)
    assert not others
    names = {e.grade_id: len(e.check_names) for e in exercises}
    for grade_id, stdout, errors in checks:
        assert not errors and stdout.count("correct: ") == names[grade_id], (grade_id, stdout)
        assert "not yet right" not in stdout and "not done yet" not in stdout
        assert stdout == (GRADED_CORRECT + "\n") * names[grade_id], (grade_id, stdout)  # graded mode


@pytest.mark.parametrize("name", AUTOGRADED)
def test_the_untouched_release_runs_says_not_done_yet_and_scores_zero(graded, name):
    out, scores, _ = graded
    exercises = exercises_of(ROOT / "notebooks" / f"{name}.ipynb")
    total, per_cell = scores[name, "empty"]
    assert total == 0 and per_cell == {e.grade_id: 0 for e in exercises}
    checks, others = autograded_checks(out, "empty", name)
    assert not others, f"a cell of the release failed: {others}"
    names = {e.grade_id: len(e.check_names) for e in exercises}
    assert len(checks) == len(exercises)
    for grade_id, stdout, errors in checks:
        assert stdout.count("not done yet") == names[grade_id], (grade_id, stdout)
        assert errors == ["AssertionError"], (grade_id, errors)  # the hidden test, nothing else


@pytest.mark.parametrize("name", AUTOGRADED)
def test_one_exercise_answered_scores_exactly_its_points(graded, name):
    out, scores, answered = graded
    exercises = exercises_of(ROOT / "notebooks" / f"{name}.ipynb")
    total, per_cell = scores[name, "one"]
    expected = {e.grade_id: (e.points if e.grade_id == answered[name] else 0) for e in exercises}
    assert per_cell == expected, f"a cheat in {sorted(CHEATS)} scored"
    assert total == expected[answered[name]] > 0
    checks, _ = autograded_checks(out, "one", name)
    restored = {grade_id: stdout for grade_id, stdout, _ in checks}
    assert restored[answered[name]].startswith(GRADED_CORRECT), "the deleted check cell was not put back"


@pytest.mark.parametrize("name", AUTOGRADED)
def test_a_check_cell_reloads_its_checks_before_it_calls_them(course, name):
    """The hidden region at the top of each check cell, in the source: it is gone from the release
    (the test above compares the release's check cells with the course's)."""
    out, _ = course
    exercises = exercises_of(ROOT / "notebooks" / f"{name}.ipynb")
    cells = {(assignments.marks(c) or {}).get("grade_id"): assignments.source_of(c)
             for c in load(out / "source" / name / f"{name}.ipynb")["cells"]}
    for exercise in exercises:
        source = cells[exercise.grade_id]
        assert source.startswith("### BEGIN HIDDEN TESTS\n")
        top = source.split("### END HIDDEN TESTS")[0]
        assert "_importlib.reload(_checks)" in top and "import nnlib.exercises as _checks" in top
        for check, (module, _) in exercise.check_modules.items():
            assert module.startswith("nnlib.exercises")
            assert f"from {module} import {check}" in top
            assert top.index(f"import {module} as _checks") < top.index(f"from {module} import {check}")
        assert "import nnlib\n" not in top and "reload(nnlib)" not in top  # core classes keep identity


@pytest.mark.parametrize("path", MARKED, ids=lambda p: p.stem)
def test_the_release_starts_in_graded_mode(course, path):
    """Its first code cell is the read-only graded_assignment() call, which autograde restores."""
    out, _ = course
    for folder in ("source", "release"):
        nb = load(out / folder / path.stem / path.name)
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        assert assignments.source_of(first) == "from nnlib.exercises import graded_assignment\ngraded_assignment()"
        m = assignments.marks(first)
        assert m["locked"] and not m["grade"] and not m["solution"] and m["grade_id"] == assignments.GRADED_ID


def test_a_check_imported_from_elsewhere_is_refused():
    nb = _exercise(check="_ = check_x(my_x)")
    nb["cells"].insert(0, _cell("code", "from mylib import check_x"))
    with pytest.raises(assignments.MarkingError, match="check_x is imported from no nnlib.exercises"):
        assignments.find_exercises(nb, "07-training")
    nb["cells"][0]["source"] = ("from nnlib.exercises.training import check_x\n"
                                "from nnlib.exercises.general import check_x")
    with pytest.raises(assignments.MarkingError, match="from two places"):
        assignments.find_exercises(nb, "07-training")
    nb["cells"][0]["source"] = "%matplotlib inline\nfrom nnlib.exercises.training import check_x as check_x"
    (exercise,) = assignments.find_exercises(nb, "07-training")
    assert exercise.check_modules == {"check_x": ("nnlib.exercises.training", "check_x")}


def test_the_course_directory_is_private(course):
    out, _ = course
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert (out / "gradebook.db").is_file() and (out / "source").is_dir()


def test_a_shared_directory_is_not_made_private(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    with pytest.raises(SystemExit, match="shared directory"):
        assignments.private(shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
