# nbgrader's settings for the course's graded assignments. `make assignments` copies this file
# into build/classroom/, the nbgrader course directory; run nbgrader's commands from there.
c = get_config()  # noqa: F821 (nbgrader defines get_config when it loads this file)

c.CourseDirectory.course_id = "backprop-course"

# The release keeps the answer cell's own line ("my_steps = None  # your answer"): the solution
# region comes after it in the source and vanishes without a trace. nbgrader's default stub,
# `raise NotImplementedError()`, would break the course's promise that an unfinished notebook
# runs top to bottom and says "not done yet".
c.ClearSolutions.code_stub = {"python": ""}
# What stands in the release where the source's folded <details> solution was.
c.ClearSolutions.text_stub = "*(The worked solution is in the instructor's copy of this notebook.)*"
# Those <details> solutions sit in ordinary markdown cells, between <!-- BEGIN SOLUTION --> and
# <!-- END SOLUTION -->: nbgrader would accept a markdown solution cell only as a manually graded
# answer (hand-graded points in every assignment). So ClearSolutions may clear regions in unmarked
# cells. Code solution regions are still only in answer cells: classroom/assignments.py writes
# them there alone, and tests/test_assignments.py checks that no solution text reaches the release.
c.ClearSolutions.enforce_metadata = False

# The course's notebooks run each cell in seconds, but two busy cores can stretch a training cell;
# the course's own test run allows 120 s per cell too.
c.Execute.timeout = 120

# A check cell deleted from a submission (JupyterLab keeps locked cells undeletable, other editors
# may not) is put back from the gradebook at autograde and run, so deleting a check neither
# hides a wrong answer nor costs a right one. nbgrader's default leaves it out (0 points).
c.OverwriteCells.add_missing_cells = True
