"""A notebook that hangs fails fast, with the cell named, instead of holding CI for minutes.

`make test` gives nbval a per-cell timeout (CELL_TIMEOUT in the Makefile) and a kernel start-up
timeout. Here a two-cell notebook whose second cell sleeps is run under nbval with a 2 s cell
timeout, in a subprocess, as `make test` runs it.
"""
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def makefile_nbval_flags():
    text = (ROOT / "Makefile").read_text()
    block = re.search(r"^NBVAL := (.*?)(?<!\\)\n", text, flags=re.M | re.S).group(1)
    return block.replace("\\\n", " ")


def test_make_test_gives_every_notebook_cell_a_timeout():
    flags = makefile_nbval_flags()
    assert "--nbval-cell-timeout=$(CELL_TIMEOUT)" in flags
    assert "--nbval-kernel-startup-timeout=" in flags
    timeout = int(re.search(r"^CELL_TIMEOUT \?= (\d+)", (ROOT / "Makefile").read_text(), flags=re.M).group(1))
    assert 30 <= timeout <= 300, "long enough for the slowest cell on a busy machine, short enough to fail fast"


def test_a_hanging_cell_fails_fast_and_is_named(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('first')"),
                nbformat.v4.new_code_cell("import time\ntime.sleep(600)")]
    path = tmp_path / "hangs.ipynb"
    nbformat.write(nb, path)
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(path), "--nbval-lax", "--nbval-current-env",
         "--nbval-cell-timeout=2", "--nbval-kernel-startup-timeout=60", "-p", "no:cacheprovider", "-q"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    elapsed = time.monotonic() - start
    assert result.returncode != 0, result.stdout
    assert "hangs.ipynb::Cell 1" in result.stdout
    assert "Timeout of 2 seconds exceeded" in result.stdout
    assert elapsed < 90, f"took {elapsed:.0f} s"
