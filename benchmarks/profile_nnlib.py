"""Where nnlib's training time goes, per workload: a pyinstrument profile and a per-part split.

    python benchmarks/profile_nnlib.py              # all workloads
    python benchmarks/profile_nnlib.py W1 W3-f32    # some of them
    python benchmarks/profile_nnlib.py W6-lstm      # the recurrent workloads (workloads_rnn.py)
    OPENBLAS_NUM_THREADS=1 python benchmarks/profile_nnlib.py --cpu W6-lstm
                                                    # CPU time of this process, not wall time:
                                                    # steadier on a machine busy with other work

For each workload it prints (1) the time of one SGD step split into its parts (forward, loss,
zero_grad, backward, step, and the batch gather X[idx]), each timed over the whole run, and (2)
pyinstrument's call tree of the bare step loop (written to benchmarks/results/profile-KEY.txt;
cProfile is used if pyinstrument is not installed). Use it before changing nnlib, and after.
"""
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workloads as wl  # noqa: E402
import workloads_rnn  # noqa: E402

import nnlib  # noqa: E402


def module_of(w):
    """The workloads module that builds ``w``'s models: workloads_rnn for W6, else workloads."""
    return workloads_rnn if isinstance(w, workloads_rnn.SeqWorkload) else wl


CLOCK = time.perf_counter


def split_step(w):
    """Seconds per step spent in each part of the loop, summed over one full training run."""
    model, loss_fn = module_of(w).nnlib_model(w)
    opt = nnlib.SGD(model.parameters(), lr=w.lr)
    rng = np.random.default_rng(w.seed)
    parts = defaultdict(float)
    clock = CLOCK
    for _ in range(w.epochs):
        for idx in nnlib.minibatches(w.n, w.batch_size, rng):
            t0 = clock()
            xb, yb = w.X[idx], w.y[idx]
            t1 = clock()
            out = model.forward(xb)
            t2 = clock()
            loss_fn.forward(out, yb)
            t3 = clock()
            opt.zero_grad()
            t4 = clock()
            dout = loss_fn.backward()
            t5 = clock()
            model.backward(dout, input_grad=False)  # as the benchmark's loop and fit
            t6 = clock()
            opt.step()
            t7 = clock()
            for name, a, b in (("gather X[idx]", t0, t1), ("model.forward", t1, t2),
                               ("loss.forward", t2, t3), ("zero_grad", t3, t4),
                               ("loss.backward", t4, t5), ("model.backward", t5, t6),
                               ("opt.step", t6, t7)):
                parts[name] += b - a
    return {k: v / w.steps for k, v in parts.items()}


def call_tree(w, out_path):
    loop = module_of(w).NnlibLoop()
    state = loop.prepare(w)
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        prof.runcall(loop.train, state)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(20)
        text = buf.getvalue()
    else:
        profiler = Profiler(interval=0.0005)
        profiler.start()
        loop.train(state)
        profiler.stop()
        text = profiler.output_text(unicode=False, color=False, show_all=False)
    out_path.write_text(text)
    return text


def main(keys):
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    keys = keys or ("W1", "W2", "W3-f64", "W3-f32", "W6-lstm", "W6-rnn")
    for w in wl.make_workloads(keys) + workloads_rnn.make_workloads(keys):
        mod = module_of(w)
        loop = mod.NnlibLoop()
        loop.train(loop.prepare(w))  # warm-up
        parts = split_step(w)
        total = sum(parts.values())
        print(f"\n{w.key}: {w.title}: {total * 1e6:,.1f} us per step "
              f"(limit: {mod.gemm_seconds_per_step(w) * 1e6:,.1f} us of matrix products)")
        for name, sec in sorted(parts.items(), key=lambda kv: -kv[1]):
            print(f"  {name:<16}{sec * 1e6:>10.1f} us  {sec / total:6.1%}")
        print(call_tree(w, out_dir / f"profile-{w.key}.txt"))


if __name__ == "__main__":
    if "--cpu" in sys.argv:
        CLOCK = time.process_time
    main([a for a in sys.argv[1:] if a != "--cpu"])
