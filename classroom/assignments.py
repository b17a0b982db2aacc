"""Build the course's graded assignments (nbgrader) from notebooks/.

    python classroom/assignments.py [--notebooks notebooks] [--out build/classroom] [NAME ...]

(`make assignments` runs it with the defaults.) The course's notebooks stay the single source of
truth: they are what a self-learner opens, with answers `None` and solutions folded in
`<details>`. Their exercises carry nbgrader's cell metadata (the convention is in
classroom/README.md). From them this script *derives* an nbgrader course directory:

    build/classroom/
      nbgrader_config.py    a copy of classroom/nbgrader_config.py
      source/NAME/NAME.ipynb  the instructor's version: each answer cell gets its solution (the
                            last ```python block of the exercise's <details> solution) as a
                            `### BEGIN SOLUTION` region, each check cell a hidden test
                            `assert _ == True` for every name its check calls are bound to,
                            and each <details> solution is wrapped as a markdown solution region
      release/NAME/NAME.ipynb what students get, written by `nbgrader generate_assignment`: no
                            solution regions, no <details> solutions, no hidden tests, no outputs
      gradebook.db          nbgrader's gradebook, with every assignment and its points

build/classroom/ gets mode 700 (only its owner reads it): it holds the solutions and the grades.
Each check cell's source also gets a hidden region at its *top* that reloads the check's
nnlib.exercises module and binds the check names afresh (an answer cell may have replaced a
check), and the notebook a read-only first code cell, `graded_assignment()`, which makes the
checks say only "correct" or "not yet right" (no values to copy).

One assignment per notebook, named after it (`07-training`). The release and the grading are
nbgrader's own; this script only writes the source. A notebook with `check_` calls but no marks
is skipped with a warning (its solutions would otherwise reach the release). Files an instructor
adds later (submitted/, autograded/, feedback/) are left alone; source/ and release/ are rebuilt.
"""
import argparse
import ast
import copy
import json
import os
import re
import shutil
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCHEMA_VERSION = 3

# A folded solution, as the notebooks write it. Non-greedy: one markdown cell may hold several.
DETAILS = re.compile(r"<details>\s*<summary>\s*Solution\s*</summary>.*?</details>", re.S)
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
# Markdown solution regions are HTML comments, so the instructor's source still reads cleanly;
# nbgrader matches its delimiters anywhere in a line.
MD_BEGIN, MD_END = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"


class MarkingError(ValueError):
    """A notebook's marks break the convention; the message names the notebook and the cell."""


@dataclass
class Exercise:
    """One marked exercise of a notebook: cell indices refer to the course notebook."""
    grade_id: str            # "07-ex1"
    answer_index: int
    check_index: int
    points: float
    check_names: list        # the names the check cell binds check_ results to, in order
    solution_code: str       # the last ```python block of the solution: the filled-in answer cell
    solution_text: str = field(repr=False)  # the whole <details> block
    check_modules: dict = field(default_factory=dict)  # check name: (its module, its name there)


def source_of(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def marks(cell):
    return cell.get("metadata", {}).get("nbgrader")


def check_bindings(code, where):
    """The names a check cell binds its `check_...(...)` results to. Every such call must be the
    whole right-hand side of an assignment to one plain name, and the names must differ: the
    hidden test asserts each of them."""
    tree = ast.parse(code)
    names, bound_calls = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                isinstance(node.value.func, ast.Name) and node.value.func.id.startswith("check_"):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
                raise MarkingError(f"{where}: bind {node.value.func.id}(...) to one plain name")
            names.append(node.targets[0].id)
            bound_calls.add(id(node.value))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
             and n.func.id.startswith("check_")]
    unbound = [c.func.id for c in calls if id(c) not in bound_calls]
    if unbound:
        raise MarkingError(f"{where}: the result of {', '.join(unbound)} is not bound to a name "
                           "(write `_ = check_...(...)`): the hidden test needs it")
    if not names:
        raise MarkingError(f"{where}: a check cell without a check_ call")
    if len(set(names)) != len(names):
        raise MarkingError(f"{where}: several checks bound to the same name {names}: give each "
                           "its own (`_a = ...`, `_b = ...`) so that the hidden test sees them all")
    return names


def _parse(code):
    """The AST of a code cell, IPython's %magic and !shell lines blanked; None if it still does
    not parse."""
    for text in (code, re.sub(r"(?m)^\s*[%!].*$", "", code)):
        try:
            return ast.parse(text)
        except SyntaxError:
            continue
    return None


def check_modules(nb, names, where):
    """{check name: the nnlib.exercises module it comes from}, from the notebook's
    `from nnlib.exercises[.X] import ...` lines. Raises MarkingError for a check name imported
    from nowhere else or from two modules: the hidden test must reload the right one."""
    found = {}
    for cell in nb["cells"]:
        tree = _parse(source_of(cell)) if cell["cell_type"] == "code" else None
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                    (node.module == "nnlib.exercises" or node.module.startswith("nnlib.exercises.")):
                for alias in node.names:
                    found.setdefault(alias.asname or alias.name, set()).add((node.module, alias.name))
    modules = {}
    for name in names:
        origins = found.get(name, set())
        if len(origins) != 1:
            how = "from two places" if origins else "from no nnlib.exercises module"
            raise MarkingError(f"{where}: {name} is imported {how}; import it with `from "
                               "nnlib.exercises.<module> import ...` so that the hidden test can "
                               "reload it (an answer cell may have patched it)")
        modules[name] = next(iter(origins))
    return modules


def reload_checks(modules):
    """The hidden region at the top of a check cell: reload nnlib.exercises and the modules of
    the cell's checks, and bind the check names afresh, so that an answer cell that replaced a
    check (`check_x = lambda *a: True`, or the module's attribute, or its `report`) is undone
    before the visible check runs. Only nnlib.exercises modules: nnlib's core classes keep
    their identity (a student's model must stay an nnlib Layer)."""
    lines = ["import importlib as _importlib", "import nnlib.exercises as _checks",
             "_importlib.reload(_checks)"]
    for module in sorted({m for m, _ in modules.values()} - {"nnlib.exercises"}):
        lines += [f"import {module} as _checks", "_importlib.reload(_checks)"]
    for name, (module, original) in modules.items():
        lines.append(f"from {module} import {original} as {name}" if original != name
                     else f"from {module} import {name}")
    return lines


def find_exercises(nb, name="notebook"):
    """The marked exercises of a course notebook (a dict as json.load gives it), in order.
    Raises MarkingError, naming the cell, for anything that breaks the convention."""
    cells = nb["cells"]
    prefix = name[:2]
    exercises, used_blocks, seen_ids = [], set(), set()
    for i, cell in enumerate(cells):
        m = marks(cell)
        if not m:
            continue
        where = f"{name}, cell {i} ({m.get('grade_id', 'no grade_id')})"
        if m.get("schema_version") != SCHEMA_VERSION:
            raise MarkingError(f"{where}: schema_version should be {SCHEMA_VERSION}")
        gid = m.get("grade_id")
        if not gid or not gid.startswith(prefix + "-ex"):
            raise MarkingError(f"{where}: grade_id should start with '{prefix}-ex'")
        if gid in seen_ids:
            raise MarkingError(f"{where}: grade_id {gid} is used twice")
        seen_ids.add(gid)
        if cell["cell_type"] != "code":
            raise MarkingError(f"{where}: only code cells are marked in notebooks/")
        if m.get("solution") and not m.get("grade"):
            if not gid.endswith("-answer") or m.get("locked"):
                raise MarkingError(f"{where}: an answer cell is unlocked and its grade_id ends "
                                   "in '-answer'")
            nxt = cells[i + 1] if i + 1 < len(cells) else {}
            nm = marks(nxt) or {}
            if not (nxt.get("cell_type") == "code" and nm.get("grade") and not nm.get("solution")
                    and nm.get("grade_id") == gid[:-len("-answer")]):
                raise MarkingError(f"{where}: the next cell should be its check cell, marked "
                                   f"grade_id {gid[:-len('-answer')]!r}")
        elif m.get("grade") and not m.get("solution"):
            prev = marks(cells[i - 1]) if i else None
            if not prev or prev.get("grade_id") != gid + "-answer":
                raise MarkingError(f"{where}: a check cell must directly follow its answer cell "
                                   f"{gid + '-answer'!r}")
            if not m.get("locked"):
                raise MarkingError(f"{where}: a check cell is locked")
            points = m.get("points")
            if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
                raise MarkingError(f"{where}: points should be a positive number, got {points!r}")
            names = check_bindings(source_of(cell), where)
            called = sorted({n.func.id for n in ast.walk(ast.parse(source_of(cell)))
                             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                             and n.func.id.startswith("check_")})
            modules = check_modules(nb, called, where)
            found = None
            for j in range(i + 1, len(cells)):
                if cells[j]["cell_type"] == "markdown":
                    for block in DETAILS.finditer(source_of(cells[j])):
                        if (j, block.start()) not in used_blocks:
                            found = (j, block)
                            break
                elif marks(cells[j]):
                    break  # the next exercise's cells: this one's solution is missing
                if found:
                    break
            if not found:
                raise MarkingError(f"{where}: no <details><summary>Solution</summary> block "
                                   "between this check and the next exercise")
            j, block = found
            used_blocks.add((j, block.start()))
            code_blocks = PYTHON_BLOCK.findall(block.group(0))
            if not code_blocks:
                raise MarkingError(f"{name}, cell {j}: the solution of {gid} has no ```python "
                                   "block (its last one is the filled-in answer cell)")
            solution_code = code_blocks[-1].rstrip("\n")
            if re.search(r"\bcheck_\w+\s*\(", solution_code):
                raise MarkingError(f"{name}, cell {j}: the last ```python block of {gid}'s solution "
                                   "calls a check: it should be the answer cell filled in")
            exercises.append(Exercise(gid, i - 1, i, points, names, solution_code, block.group(0),
                                      modules))
        else:
            raise MarkingError(f"{where}: a marked cell is either an answer cell (solution, no "
                               "grade) or a check cell (grade, no solution)")
    return exercises


def has_check_calls(nb):
    return any(c["cell_type"] == "code" and re.search(r"\bcheck_\w+\s*\(", source_of(c))
               for c in nb["cells"])


def derive_source(nb, name="notebook"):
    """The nbgrader source of one course notebook: solutions in, hidden tests in, outputs out."""
    exercises = find_exercises(nb, name)
    src = copy.deepcopy(nb)
    src["metadata"].pop("widgets", None)  # the course run's widget state: stale once outputs go
    cells = src["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    for ex in exercises:
        answer, check = cells[ex.answer_index], cells[ex.check_index]
        answer["source"] = (source_of(answer).rstrip("\n") + "\n### BEGIN SOLUTION\n"
                            + ex.solution_code + "\n### END SOLUTION")
        # `== True`, not `is True`: a check may hand back numpy's True (np.bool_) from a comparison
        asserts = "".join(f'assert {n} == True, "{ex.grade_id}: the check did not say correct"\n'
                          for n in ex.check_names)
        reload = "".join(line + "\n" for line in reload_checks(ex.check_modules))
        check["source"] = ("### BEGIN HIDDEN TESTS\n" + reload + "### END HIDDEN TESTS\n"
                           + source_of(check).rstrip("\n") + "\n### BEGIN HIDDEN TESTS\n"
                           + asserts + "### END HIDDEN TESTS")
    # Graded mode first, in a read-only cell that autograde restores: the checks then give no
    # hints that would hand out the answer (nnlib.exercises.graded_assignment).
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    cells.insert(first_code, graded_cell())
    # Every folded solution becomes a solution region, those of exercises without a check too
    # ("think", "explore"): the release keeps none of them. The cells stay unmarked: nbgrader
    # accepts a markdown solution cell only as a manually graded answer, which would give every
    # assignment hand-graded points; the region alone is enough for ClearSolutions (see
    # enforce_metadata in nbgrader_config.py).
    for cell in cells:
        if cell["cell_type"] == "markdown" and DETAILS.search(source_of(cell)):
            cell["source"] = DETAILS.sub(lambda m: f"{MD_BEGIN}\n{m.group(0)}\n{MD_END}",
                                         source_of(cell))
    return src, exercises


GRADED_ID = "graded-mode"


def graded_cell():
    return {"cell_type": "code", "execution_count": None, "outputs": [],
            "metadata": {"nbgrader": {"grade": False, "solution": False, "locked": True, "task": False,
                                      "grade_id": GRADED_ID, "schema_version": SCHEMA_VERSION},
                         "editable": False, "deletable": False},
            "source": "from nnlib.exercises import graded_assignment\ngraded_assignment()"}


def write_notebook(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def build(notebooks_dir, out_dir, names=None, log=print):
    """Write source/, run nbgrader generate_assignment into release/ and gradebook.db.
    Returns {assignment name: [Exercise, ...]} for the notebooks built."""
    notebooks_dir, out_dir = Path(notebooks_dir), Path(out_dir)
    paths = sorted(notebooks_dir.glob("[0-9][0-9]-*.ipynb"))
    if names:
        paths = [p for p in paths if p.stem in names or p.stem[:2] in names]
        if not paths:
            raise SystemExit(f"no notebook in {notebooks_dir} matches {names}")
    out_dir.mkdir(parents=True, exist_ok=True)
    private(out_dir)
    shutil.copy(HERE / "nbgrader_config.py", out_dir / "nbgrader_config.py")
    built = {}
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        src, exercises = derive_source(nb, path.stem)
        if not exercises and has_check_calls(nb):
            log(f"skipped {path.stem}: it calls check_ functions but carries no nbgrader marks "
                "(see classroom/README.md)")
            continue
        shutil.rmtree(out_dir / "source" / path.stem, ignore_errors=True)
        write_notebook(src, out_dir / "source" / path.stem / path.name)
        built[path.stem] = exercises
    generate(out_dir, list(built))
    return built


def private(out_dir):
    """Mode 700 on the course directory: it holds the solutions (source/) and the gradebook, and
    on a hub whose students are unix accounts of this machine (`--isolation accounts`) they would
    otherwise read them. A shared, sticky directory such as /tmp is refused, not chmod-ed."""
    info = out_dir.stat()
    if info.st_mode & stat.S_ISVTX or info.st_uid != os.getuid():
        raise SystemExit(f"{out_dir} is a shared directory (or not yours): give --out a folder of "
                         "its own, which make assignments keeps private (mode 700)")
    out_dir.chmod(0o700)


def nbgrader_api(course_dir):
    """nbgrader's own API on the course directory, configured by its nbgrader_config.py."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    # nbgrader runs its database migrations with the `alembic` command: it must be on PATH even
    # when the venv is not activated (make assignments runs .venv/bin/python directly).
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    config.CourseDirectory.root = str(Path(course_dir).resolve())
    return NbGraderAPI(config=config)


def generate(course_dir, names):
    api = nbgrader_api(course_dir)
    for name in names:
        shutil.rmtree(Path(course_dir) / "release" / name, ignore_errors=True)
        result = api.generate_assignment(name)
        if not result["success"]:
            raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{result['log']}\n"
                               f"{result.get('error', '')}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks", default=str(ROOT / "notebooks"))
    parser.add_argument("--out", default=str(ROOT / "build" / "classroom"))
    parser.add_argument("names", nargs="*", help="notebooks to build (07 or 07-training); all if none")
    args = parser.parse_args(argv)
    try:
        built = build(args.notebooks, args.out, args.names)
    except MarkingError as error:
        sys.exit(f"assignments: {error}")
    out = Path(args.out).resolve()
    total = sum(len(ex) for ex in built.values())
    print(f"{len(built)} assignments, {total} graded exercises, "
          f"{sum(e.points for ex in built.values() for e in ex):g} points in all:")
    for name, exercises in built.items():
        print(f"  {name}: " + ", ".join(f"{e.grade_id} ({e.points:g})" for e in exercises))
    print(f"\nThe student release: {out / 'release'} (one folder per assignment; hand these out).")
    print(f"The instructor's source, with solutions: {out / 'source'}")
    print("Next: collect each student's notebook into "
          f"{out / 'submitted'}/<student>/<assignment>/, then, with the course's venv active")
    print(f"(nbgrader calls its tools by name):  source {Path(sys.executable).parent / 'activate'} && cd {out}")
    print("  nbgrader autograde <assignment>            (e.g. 07-training)")
    print("  nbgrader export                            (grades.csv: one row per student and assignment)")


if __name__ == "__main__":
    main()
