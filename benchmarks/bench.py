"""nnlib side by side with PyTorch, scikit-learn, a plain numpy loop and the machine's limit.

    python benchmarks/bench.py            # what `make bench` runs: everything, a few minutes
    python benchmarks/bench.py --quick    # smaller data, 3 repeats, no notebooks: a smoke run

Every system trains the same network on the same data for the same number of SGD steps (see
workloads.py). Per workload: one untimed warm-up run of each system, then ``--repeats`` rounds in
which every system runs once, in a rotated order (so a slow moment of the machine is shared
out, not pinned on one system); the figure is the median. Results go to benchmarks/results/:
bench.json (everything), bench.png (bar chart), bench.txt (the table as printed).
"""
import argparse
import json
import os
import platform
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workloads as wl  # noqa: E402  (a sibling file, not a package)
import workloads_conv as wlc  # noqa: E402  (W4, W5)
import workloads_rnn  # noqa: E402  (W6: the recurrent layers)

RESULTS = HERE / "results"

# the targets: (workload, system, reference, least ratio)
TARGETS = [
    ("W1", "nnlib loop", "PyTorch float32", 5.0),
    ("W1", "nnlib loop", "scikit-learn", 3.0),
    ("W2", "nnlib loop", "PyTorch float32", 2.5),
    ("W2", "nnlib loop", "scikit-learn", 1.5),
    ("W3-f32", "nnlib loop", "PyTorch float32", 1.0),
    ("W3-f32", "nnlib loop", "limit", 0.5),
    ("W3-f64", "nnlib loop", "limit", 0.5),
    ("W4", "nnlib loop", "PyTorch float32", 0.75),
    ("W5", "nnlib loop", "limit", 0.5),
    ("W6-lstm", "nnlib loop", "PyTorch float32", 0.8),
    ("W6-rnn", "nnlib loop", "PyTorch float32", 0.8),
]
FIT_TOLERANCE = 0.10  # fit within 10 % of the bare loop
TIMER = time.perf_counter  # --cpu-time: time.process_time


def blas_info():
    """Which BLAS numpy uses, its kernel (architecture) and threads, via threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {}
    for info in threadpool_info():
        if info.get("user_api") == "blas" and "numpy" in info.get("filepath", ""):
            return {k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
    return {}


def machine_info():
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sklearn

    info = {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "scikit-learn": sklearn.__version__, "blas": blas_info(),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
            "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
            "load_average_at_start": os.getloadavg()}
    if wl.torch_available():
        import torch

        info["torch"] = torch.__version__
    return info


def run_workload(w, systems, repeats, log):
    """Warm-up, then ``repeats`` rotated rounds; returns {system name: result dict}."""
    results = {s.name: {"times": []} for s in systems}
    for s in systems:  # warm-up: caches, lazy imports, BLAS threads
        state = s.prepare(w)
        s.train(state)
    for r in range(repeats):
        k = r % len(systems)
        for s in systems[k:] + systems[:k]:
            state = s.prepare(w)
            t = TIMER()
            s.train(state)
            results[s.name]["times"].append(TIMER() - t)
            results[s.name]["state"] = state  # the last run's model is evaluated
        log(".")
    for s in systems:
        res = results[s.name]
        res["median_s"] = float(np.median(res["times"]))
        res["samples_per_s"] = w.samples / res["median_s"]
        loss, acc = s.evaluate(res.pop("state"))
        res["test_loss"], res["test_acc"] = loss, acc
    return results


def paired_ratio(block, system, ref):
    """How many times faster ``system`` is than ``ref``: the median over rounds of the ratio of
    their times in the same round (back to back, so a slow spell of the machine hits both)."""
    a, b = block["systems"][system], block["systems"][ref]
    return float(np.median(np.asarray(b["times"]) / np.asarray(a["times"])))


def same_steps_check(w):
    """nnlib's loop and fit make exactly the same updates: their weights end bit-identical."""
    loop, fit = wl.NnlibLoop(), wl.NnlibFit()
    a, b = loop.prepare(w), fit.prepare(w)
    loop.train(a)
    fit.train(b)
    return all(np.array_equal(p.data, q.data)
               for p, q in zip(a["model"].parameters(), b["model"].parameters()))


def float32_check(w32):
    """float32 backprop against float64 backprop on the same weights and batch (rel. error)."""
    import nnlib

    model32, loss32 = wl.nnlib_model(w32)
    model64, loss64 = wl.nnlib_model_float64(w32)
    X, y = w32.X[:64], w32.y[:64]
    for model, loss_fn, x in ((model32, loss32, X), (model64, loss64, X.astype(np.float64))):
        model.zero_grad()
        loss_fn.forward(model.forward(x), y)
        model.backward(loss_fn.backward())
    dtypes = {p.grad.dtype for p in model32.parameters()}
    err = max(nnlib.rel_error(p.grad, q.grad)
              for p, q in zip(model32.parameters(), model64.parameters()))
    return err, sorted(str(d) for d in dtypes)


def fmt_rate(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def table(report):
    """The results as text: one block per workload, then the targets."""
    lines = []
    m = report["machine"]
    blas = m.get("blas", {})
    lines.append(f"machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, numpy {m['numpy']} "
                 f"({blas.get('internal_api')} {blas.get('version')}, kernel {blas.get('architecture')}, "
                 f"{blas.get('num_threads')} threads), scikit-learn {m['scikit-learn']}, "
                 f"PyTorch {m.get('torch', 'not available')}")
    lines.append(f"OPENBLAS_CORETYPE={m['OPENBLAS_CORETYPE'] or '(unset)'}; load average at start "
                 f"{m['load_average_at_start'][0]:.2f}, at end {m['load_average_at_end'][0]:.2f}; "
                 f"samples/s: median of the rounds (each system once per round, in a rotated "
                 f"order) after a warm-up; ratios: median of the per-round ratios; timed by the "
                 f"{report.get('timer', 'wall clock')}")
    if report.get("quick"):
        lines.append("--quick: a tenth of the data and few steps, a smoke run: not figures to quote")
    for key, block in report["workloads"].items():
        w = block["workload"]
        lines.append("")
        lines.append(f"{key}: {w['title']}; {w['samples']:,} samples = {w['steps']:,} SGD steps; "
                     f"{block['flops_per_sample'] / 1e6:.3g} MFLOP/sample; {block['rounds']} rounds")
        base_loss, base_acc = block["baseline"]
        if base_loss is not None:
            lines.append(f"  learned nothing: loss {base_loss:.4f}" +
                         (f", accuracy {base_acc:.3f}" if base_acc is not None else ""))
        lines.append(f"  {'system':<18}{'samples/s':>12}{'median s':>10}{'nnlib loop /':>14}"
                     f"{'held-out loss':>15}{'accuracy':>10}")
        for name, res in block["systems"].items():
            acc = "" if res.get("test_acc") is None else f"{res['test_acc']:.3f}"
            loss = "" if res.get("test_loss") is None else f"{res['test_loss']:.4f}"
            med = f"{res['median_s']:.3f}"
            lines.append(f"  {name:<18}{fmt_rate(res['samples_per_s']):>12}{med:>10}"
                         f"{paired_ratio(block, 'nnlib loop', name):>13.2f}x{loss:>15}{acc:>10}")
        torch_rate = block.get("torch_gemm_gflops")
        lines.append(f"  matmul rate at these shapes: numpy {block['gemm_gflops']:.3g} GFLOP/s"
                     + (f", PyTorch {torch_rate:.3g} GFLOP/s" if torch_rate else "")
                     + f"; nnlib loop at {block['fraction_of_limit']:.2f} of the (numpy) limit")
        extra = []
        if "gradcheck" in block:
            extra.append(f"gradient check (float64, finite differences): max rel. error "
                         f"{block['gradcheck']:.1e}")
        if "float32_vs_float64" in block:
            extra.append(f"float32 grads vs float64: rel. error {block['float32_vs_float64']:.1e} "
                         f"(grad dtypes {', '.join(block['float32_grad_dtypes'])})")
        if "vs_torch" in block:
            extra.append(f"nnlib vs PyTorch (out, dx, dW, db; float32): max rel. error {block['vs_torch']:.1e}")
        if "loop_equals_fit" in block:
            extra.append("loop and fit end with bit-identical weights: "
                         + ("yes" if block["loop_equals_fit"] else "NO"))
        lines += ["  " + e for e in extra]
    lines.append("")
    lines.append("targets (ratios from this run):")
    for t in report["targets"]:
        ratio = "n/a" if t["ratio"] is None else f"{t['ratio']:.2f}x"
        status = "n/a" if t["met"] is None else ("met" if t["met"] else "NOT met")
        lines.append(f"  {t['what']:<48} {ratio:>8}  {status}")
    if report.get("course"):
        from course import course_lines

        lines.append("")
        lines += course_lines(report["course"])
    return "\n".join(lines)


def check_targets(report):
    out = []
    for key, system, ref, least in TARGETS:
        block = report["workloads"].get(key)
        what = f"{key}: {system} >= {least:g}x {ref}"
        if block is None or ref not in block["systems"]:
            out.append({"what": what, "ratio": None, "met": None})
            continue
        ratio = paired_ratio(block, system, ref)
        out.append({"what": what, "ratio": ratio, "met": bool(ratio >= least)})
    for key, block in report["workloads"].items():
        if "nnlib fit" not in block["systems"]:
            continue
        ratio = paired_ratio(block, "nnlib fit", "nnlib loop")
        out.append({"what": f"{key}: nnlib fit within 10 % of the loop", "ratio": ratio,
                    "met": bool(ratio >= 1 - FIT_TOLERANCE)})
    return out


def chart(report, path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    blocks = report["workloads"]
    fig = Figure(figsize=(3.4 * len(blocks), 4.2), layout="constrained")
    axes = fig.subplots(1, len(blocks), squeeze=False)[0]
    for ax, (key, block) in zip(axes, blocks.items()):
        names = list(block["systems"])
        rates = [block["systems"][n]["samples_per_s"] for n in names]
        colors = ["tab:gray" if n == "limit" else "tab:blue" if n.startswith("nnlib")
                  else "tab:green" if n == "numpy loop" else "tab:orange" for n in names]
        bars = ax.bar(range(len(names)), rates, color=colors)  # linear, from 0: heights compare
        ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
        ax.set_title(key + "\n" + textwrap.fill(block["workload"]["title"], 34), fontsize=8)
        for bar, rate in zip(bars, rates):
            ax.annotate(fmt_rate(rate), (bar.get_x() + bar.get_width() / 2, rate), ha="center",
                        va="bottom", fontsize=7)
    axes[0].set_ylabel("training samples per second")
    fig.suptitle(f"nnlib vs PyTorch, scikit-learn, numpy and the matmul limit — "
                 f"{report['machine']['cpu']}, {report['machine']['cores']} cores", fontsize=9)
    fig.savefig(path, dpi=100)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per system (median)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: a tenth of the data, 3 repeats, no notebooks")
    parser.add_argument("--workloads", default="W1,W2,W3-f64,W3-f32,W4,W5,W6-lstm,W6-rnn")
    parser.add_argument("--no-course", action="store_true", help="skip notebooks, widgets, import time")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--cpu-time", action="store_true",
                        help="time each run by this process's CPU time instead of the clock: steadier on a "
                             "machine busy with other work; use it with OPENBLAS_NUM_THREADS=1")
    args = parser.parse_args(argv)
    global TIMER
    TIMER = time.process_time if args.cpu_time else time.perf_counter
    repeats = 3 if args.quick and args.repeats == 5 else args.repeats
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)

    def log(msg):
        print(msg, end="", flush=True)

    start = time.perf_counter()
    report = {"machine": machine_info(), "repeats": repeats, "quick": args.quick, "workloads": {},
              "timer": "CPU time of this process" if args.cpu_time else "wall clock"}
    with_torch = wl.torch_available()
    if with_torch:
        import torch

        # the same threads as numpy's BLAS, so neither gets more of the machine
        torch.set_num_threads(report["machine"]["blas"].get("num_threads") or os.cpu_count())
    else:
        print("PyTorch is not available (make bench installs torch==2.13.0 from "
              "requirements-bench.txt; its install failed or was skipped): running without it")
    keys, scale = args.workloads.split(","), 0.1 if args.quick else 1.0
    works = wl.make_workloads(keys, scale) + wlc.make_workloads(keys, scale)
    checked = {}
    for w in works:
        log(f"{w.key} ({w.title}) ")
        systems = w.systems(with_torch) if hasattr(w, "systems") else wl.systems_for(w, with_torch)
        # the small workloads take seconds: more rounds there steady their noisier ratios
        rounds = repeats + 2 if w.key in ("W1", "W2", "W4") and not args.quick else repeats
        results = run_workload(w, systems, rounds, log)
        flops = w.flops_per_sample()
        block = {"rounds": rounds, "workload": {"title": w.title, "sizes": w.sizes, "batch_size": w.batch_size,
                              "epochs": w.epochs, "lr": w.lr, "dtype": np.dtype(w.dtype).name,
                              "samples": w.samples, "steps": w.steps},
                 "baseline": w.baseline(), "flops_per_sample": flops,
                 "gemm_gflops": flops * w.samples / results["limit"]["median_s"] / 1e9,
                 "torch_gemm_gflops": (flops * w.batch_size / wl.gemm_seconds_per_step(w, backend="torch") / 1e9
                                       if with_torch else None),
                 "systems": results}
        block["fraction_of_limit"] = paired_ratio(block, "nnlib loop", "limit")
        if hasattr(w, "checks"):  # W4, W5: workloads_conv.py checks its own
            block.update(w.checks())
        else:
            block["loop_equals_fit"] = same_steps_check(w)
            arch = tuple(w.sizes)
            if arch not in checked:  # float64 gradient check once per architecture
                checked[arch] = wl.gradient_check(w)
                block["gradcheck"] = checked[arch]
            if w.dtype == np.float32:
                block["float32_vs_float64"], block["float32_grad_dtypes"] = float32_check(w)
        report["workloads"][w.key] = block
        log(f" {time.perf_counter() - start:.0f} s\n")
    report["workloads"].update(workloads_rnn.run(args.workloads.split(","), 0.1 if args.quick else 1.0,
                                                 with_torch, repeats, run_workload, log, TIMER))
    report["targets"] = check_targets(report)
    if not (args.quick or args.no_course):
        import course

        log("course: import time, widgets, notebooks ")
        report["course"] = course.measure(log)
        log(f" {time.perf_counter() - start:.0f} s\n")
    report["machine"]["load_average_at_end"] = os.getloadavg()
    report["seconds"] = time.perf_counter() - start
    for block in report["workloads"].values():
        for res in block["systems"].values():
            res.pop("state", None)
    text = table(report)
    print()
    print(text)
    (out_dir / "bench.txt").write_text(text + "\n")
    (out_dir / "bench.json").write_text(json.dumps(report, indent=1, default=float) + "\n")
    chart(report, out_dir / "bench.png")
    print(f"\nwrote {out_dir / 'bench.txt'}, bench.json and bench.png ({report['seconds']:.0f} s in all)")


if __name__ == "__main__":
    main()
