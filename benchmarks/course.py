"""Course-level figures: what a student waits for.

- ``import nnlib`` in a fresh interpreter (median of 5);
- each widget's drawing function alone, and the whole redraw after a control really changes
  (clear, draw, PNG encoding: what the student waits for after moving a slider), median of 7
  after a warm-up;
- the Playground's default retrain, ``nnlib.widgets.playground().train()`` (median of 3);
- every notebook executed in a fresh kernel with nbclient (kernel start and shutdown included;
  once each), and the total.
"""
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
REDRAW_TARGET_S = 0.100
COURSE_TARGET_S = 90.0


def median_time(fn, repeats, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def import_time(repeats=5):
    code = "import time; t = time.perf_counter(); import nnlib; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True, cwd=ROOT).stdout) for _ in range(repeats)]
    return statistics.median(times)


def widget_times(repeats=7):
    """{widget: {"draw": s, "redraw": s}}: the draw function alone (artists only), and the whole
    redraw with the PNG encoding, as a student triggers it: each timed redraw moves a control to
    a value it has not had before, so no text laid out for an earlier picture is reused. For the
    Playground, the live loss curve is redrawn at a new epoch each time, and the result figure and
    the hidden units' pictures alternate between two trained runs (after a run, each is drawn once). ``repeats`` <= 7: the
    network's first hidden-layer slider has 9 values, its current one and 8 new ones."""
    from nnlib import widgets as W

    out = {}
    n = repeats + 1  # one warm-up, then the timed redraws: each to a new value
    explorers = {  # widget builder, its draw function, a control and the values it moves through
        "draw_neuron": (W.neuron_explorer, W.draw_neuron, "w1", np.linspace(-3, 3, 25)),
        "draw_activation": (W.activation_explorer, W.draw_activation, "b", np.linspace(-3, 3, 25)),
        "draw_network": (W.network_explorer, W.draw_network, "hidden1", range(9)),
        "draw_softmax": (W.softmax_explorer, W.draw_softmax, "z1", np.linspace(-5, 5, 101)),
    }
    for name, (build, draw, control, values) in explorers.items():
        explorer = build()
        control = explorer.controls[control]
        fresh = iter([v for v in values if v != control.value][:n])  # n values, none repeated

        def draw_only(explorer=explorer, draw=draw):
            W.redraw_figure(explorer.figure, explorer.margins, draw, **explorer.values())

        def move(control=control, fresh=fresh):
            control.value = next(fresh)  # a new value: the explorer redraws

        out[name] = {"draw": median_time(draw_only, repeats), "redraw": median_time(move, repeats)}

    pg = W.playground()  # the Playground's defaults; its figures, margins and PNG encoding
    runs = [pg.train()]
    pg.controls["units"].value = 6
    runs.append(pg.train())
    history = runs[0].history
    epochs = history.epochs
    so_far = iter([type(history)(train_loss=history.train_loss[:k], train_acc=history.train_acc[:k])
                   for k in range(epochs - n + 1, epochs + 1)])  # n curves, one epoch longer each
    which = iter(runs * n)

    def redraw_result():
        pg.run = next(which)
        pg.redraw_result()

    def redraw_units():
        pg.run = next(which)
        pg.redraw_units()

    for name, draw, fig, redraw in (
            ("draw_loss", lambda f: W.draw_loss(f, history, epochs), pg.loss_figure,
             lambda: pg.redraw_loss(next(so_far), epochs)),
            ("draw_result", lambda f: W.draw_result(f, runs[0]), pg.result_figure, redraw_result),
            ("draw_units", lambda f: W.draw_units(f, runs[0]), pg.units_figure, redraw_units)):
        def draw_only(fig=fig, draw=draw):
            W.redraw_figure(fig, W.UNITS_MARGINS if fig is pg.units_figure else W.PLAYGROUND_MARGINS, draw)

        out[name] = {"draw": median_time(draw_only, repeats), "redraw": median_time(redraw, repeats)}
    return out


def playground_time(repeats=3):
    from nnlib import widgets as W

    return median_time(lambda: W.playground().train(), repeats)


def notebook_times(log=lambda msg: None):
    """{notebook file name: seconds or None if it failed} for every notebook, in order.

    Each is run as a student runs it in JupyterLab: a fresh kernel, every cell, the kernel shut
    down; timed with nbclient inside this process. (``jupyter nbconvert --execute`` per notebook
    would add the tool's own start, about 3 s each here, most of it jsonschema's URI grammar
    being compiled at import; a student's JupyterLab pays that once, when it starts.)
    """
    import nbformat
    from nbclient import NotebookClient

    out = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(NOTEBOOKS)}})
        t = time.perf_counter()
        try:
            client.execute(stderr=subprocess.DEVNULL)  # the kernel's start-up warnings; errors raise
            out[path.name] = time.perf_counter() - t
        except Exception as exc:  # a failing notebook is reported in the table, not fatal
            out[path.name] = None
            log(f"\n{path.name} failed: {type(exc).__name__}: {str(exc)[:300]}\n")
        log(".")
    return out


def measure(log=lambda msg: None):
    result = {"import_nnlib_s": import_time()}
    log(".")
    result["widgets"] = widget_times()
    log(".")
    result["playground_train_s"] = playground_time()
    log(".")
    result["notebooks"] = notebook_times(log)
    done = [s for s in result["notebooks"].values() if s is not None]
    result["notebooks_total_s"] = sum(done)
    return result


def course_lines(c):
    """The course-level figures as lines of text, with the targets."""
    ok = "met" if c["notebooks_total_s"] < COURSE_TARGET_S else "NOT met"
    lines = [f"course: import nnlib {c['import_nnlib_s'] * 1e3:.0f} ms (fresh interpreter, median of 5)",
             f"  widget drawing, median of 7 (target: redraw under {REDRAW_TARGET_S * 1e3:.0f} ms):",
             f"    {'function':<18}{'draw only':>12}{'with PNG':>12}"]
    for name, t in c["widgets"].items():
        flag = "" if t["redraw"] < REDRAW_TARGET_S else "   over target"
        lines.append(f"    {name:<18}{t['draw'] * 1e3:>9.1f} ms{t['redraw'] * 1e3:>9.1f} ms{flag}")
    lines.append(f"  Playground default retrain (playground().train(): 100 epochs, live curve, "
                 f"result): {c['playground_train_s']:.2f} s")
    lines.append("  notebooks (fresh kernel, every cell, shutdown; nbclient):")
    for name, s in c["notebooks"].items():
        lines.append(f"    {name:<36}{'FAILED' if s is None else f'{s:7.1f} s'}")
    failed = [n for n, s in c["notebooks"].items() if s is None]
    lines.append(f"    {'total':<36}{c['notebooks_total_s']:7.1f} s   (target under "
                 f"{COURSE_TARGET_S:.0f} s: {ok})" + (f"; {len(failed)} failed, not counted" if failed else ""))
    return lines
