"""W6: the recurrent layers in the benchmark: an LSTM (W6-lstm) and a vanilla RNN (W6-rnn).

Sequence classification, T 32 steps of D 16 features, H 128 hidden units, batch 64, float32:
``Sequential(LSTM(16, 128), LastTimeStep(), Dense(128, 4))`` with cross-entropy and plain SGD,
so a step is the forward pass over the whole sequence, backprop through time and an update of
every weight. The systems, each with the same initial weights and the same minibatches:

- nnlib's bare loop and ``fit`` (as W1-W3);
- a plain numpy LSTM (RNN) as it is usually first written: ``[x_t, h]`` concatenated and
  multiplied by one stacked weight at every step, caches in lists, new arrays everywhere. What
  nnlib's layers do differently: the input's part of every step in one product before the
  loop, the four gates in one block, per-step buffers allocated once, dWx and dWh as one
  product each after the loop;
- PyTorch's ``nn.LSTM`` (``nn.RNN``) and ``nn.Linear`` with the weights copied across
  (nnlib's one bias b goes to b_ih, b_hh is 0);
- the limit: the step's matrix products alone, by numpy, at the same shapes.

``run`` is what bench.py calls; its blocks have the fields of W1-W3's, so the report shows them
the same way.
"""
import time
from dataclasses import dataclass, field

import numpy as np

import nnlib
import workloads as wl


@dataclass
class SeqWorkload(wl.Counts):
    key: str       # "W6-lstm" or "W6-rnn"
    title: str
    cell: str      # "lstm" or "rnn"
    T: int
    D: int
    H: int
    C: int
    batch_size: int
    epochs: int
    lr: float
    dtype: type
    X: np.ndarray = field(repr=False)       # (N, T, D)
    y: np.ndarray = field(repr=False)       # (N,) labels
    X_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    seed: int = 0
    task: str = "classification"

    @property
    def gates(self):
        return 4 if self.cell == "lstm" else 1

    @property
    def sizes(self):
        return [self.D, self.H, self.C]

    def baseline(self):
        return float(np.log(self.C)), 1.0 / self.C

    def gemms(self):
        """(m, k, n) of the matrix products of one SGD step: the input projection of all steps,
        h_{t-1} Wh^T per step, the head; backward dh_{t-1} = da_t Wh per step, dWx, dWh, the
        head's dW and dx (no dx of the recurrent layer: it is the first, as in W1-W3)."""
        B, T, D, H, G, C = self.batch_size, self.T, self.D, self.H, self.gates * self.H, self.C
        return ([(B * T, D, G)] + [(B, H, G)] * T + [(B, H, C)]           # forward
                + [(B, G, H)] * T + [(G, B * T, D), (G, B * T, H)]        # backward through time
                + [(C, B, H), (B, C, H)])                                 # the head's dW, dx



def make_workloads(which=("W6-lstm", "W6-rnn"), scale=1.0):
    """Sequences of noise whose class is the one a fixed random map of their mean favours."""
    out = []
    for key, cell in (("W6-lstm", "lstm"), ("W6-rnn", "rnn")):
        if key not in which:
            continue
        rng = np.random.default_rng(6)
        n = max(64, int(1024 * scale))
        T, D, H, C = 32, 16, 128, 4
        X = rng.standard_normal((n + 512, T, D)).astype(np.float32)
        teacher = rng.standard_normal((D, C))
        y = np.argmax(X.mean(axis=1) @ teacher, axis=1)
        name = "LSTM" if cell == "lstm" else "RNN (tanh)"
        out.append(SeqWorkload(key, f"{name} T 32, D 16, H 128, last step -> Dense 4, cross-entropy, batch 64, "
                               "float32", cell, T, D, H, C, 64, max(1, round(2 * scale)),
                               0.5 if cell == "lstm" else 0.05, np.float32,
                               X[:n], y[:n], X[n:], y[n:]))
    return out


# -- nnlib --------------------------------------------------------------------------------------
def nnlib_model(w, dtype=None):
    dtype = w.dtype if dtype is None else dtype
    rnn = (nnlib.LSTM(w.D, w.H, rng=w.seed, dtype=dtype) if w.cell == "lstm"
           else nnlib.RNN(w.D, w.H, rng=w.seed, dtype=dtype))
    model = nnlib.Sequential(rnn, nnlib.LastTimeStep(), nnlib.Dense(w.H, w.C, rng=w.seed + 1, dtype=dtype))
    return model, nnlib.CrossEntropyLoss()


class NnlibLoop(wl.NnlibLoop):
    """nnlib's bare step loop (W1-W3's, on this model)."""

    def prepare(self, w):
        model, loss_fn = nnlib_model(w)
        return {"w": w, "model": model, "loss": loss_fn, "opt": nnlib.SGD(model.parameters(), lr=w.lr)}


class NnlibFit(wl.NnlibFit):
    prepare = NnlibLoop.prepare


# -- plain numpy ----------------------------------------------------------------------------------
def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


class NumpyLoop:
    """The recurrent layer as first written in numpy (min-char-rnn style): at every step
    z = [x_t, h] W^T + b with W = [Wx Wh] stacked, caches in lists, new arrays everywhere."""

    name = "numpy loop"

    def prepare(self, w):
        model, _ = nnlib_model(w)
        rnn, head = model[0], model[2]
        W = np.concatenate([rnn.Wx.data, rnn.Wh.data], axis=1)  # (G, D + H)
        return {"w": w, "W": W, "b": rnn.b.data.copy(), "V": head.W.data.copy(), "c": head.b.data.copy()}

    @staticmethod
    def _forward(w, s, x):
        N, H = x.shape[0], w.H
        h = np.zeros((N, H), dtype=x.dtype)
        c = np.zeros((N, H), dtype=x.dtype)
        cache = []
        for t in range(w.T):
            xh = np.concatenate([x[:, t], h], axis=1)
            z = xh @ s["W"].T + s["b"]
            if w.cell == "lstm":
                i, f = _sigmoid(z[:, :H]), _sigmoid(z[:, H:2 * H])
                g, o = np.tanh(z[:, 2 * H:3 * H]), _sigmoid(z[:, 3 * H:])
                c_prev = c
                c = f * c_prev + i * g
                tc = np.tanh(c)
                h = o * tc
                cache.append((xh, i, f, g, o, c_prev, tc))
            else:
                h = np.tanh(z)
                cache.append((xh, h))
        return h @ s["V"].T + s["c"], h, cache

    def train(self, s):
        w = s["w"]
        rng = np.random.default_rng(w.seed)
        H, D, lr = w.H, w.D, w.lr
        for _ in range(w.epochs):
            for idx in nnlib.minibatches(w.n, w.batch_size, rng):
                x, y = w.X[idx], w.y[idx]
                logits, h, cache = self._forward(w, s, x)
                m = len(idx)
                p = np.exp(logits - logits.max(axis=1, keepdims=True))
                p /= p.sum(axis=1, keepdims=True)
                p[np.arange(m), y] -= 1.0
                dlogits = p / m
                dV, dc_head = dlogits.T @ h, dlogits.sum(axis=0)
                dh = dlogits @ s["V"]
                dW, db = np.zeros_like(s["W"]), np.zeros_like(s["b"])
                dc = np.zeros_like(dh)
                for t in reversed(range(w.T)):
                    if w.cell == "lstm":
                        xh, i, f, g, o, c_prev, tc = cache[t]
                        do = dh * tc
                        dc = dc + dh * o * (1 - tc * tc)
                        di, dg, df = dc * g, dc * i, dc * c_prev
                        dc = dc * f
                        dz = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g),
                                             do * o * (1 - o)], axis=1)
                    else:
                        xh, ht = cache[t]
                        dz = dh * (1 - ht * ht)
                    dW += dz.T @ xh
                    db += dz.sum(axis=0)
                    dh = (dz @ s["W"])[:, D:]
                s["W"] -= lr * dW
                s["b"] -= lr * db
                s["V"] -= lr * dV
                s["c"] -= lr * dc_head

    def evaluate(self, s):
        return wl.score(s["w"], self._forward(s["w"], s, s["w"].X_test)[0])


# -- PyTorch ------------------------------------------------------------------------------------
class Torch:
    """``nn.LSTM``/``nn.RNN`` (batch_first) + the last step + ``nn.Linear``, the weights copied
    from nnlib's model, the same minibatches, plain SGD."""

    name = "PyTorch float32"

    def prepare(self, w):
        import torch

        model, _ = nnlib_model(w)
        rnn, head = model[0], model[2]
        if w.cell == "lstm":
            net = torch.nn.LSTM(w.D, w.H, batch_first=True)
        else:
            net = torch.nn.RNN(w.D, w.H, nonlinearity="tanh", batch_first=True)
        lin = torch.nn.Linear(w.H, w.C)
        with torch.no_grad():
            net.weight_ih_l0.copy_(torch.from_numpy(rnn.Wx.data))
            net.weight_hh_l0.copy_(torch.from_numpy(rnn.Wh.data))
            net.bias_ih_l0.copy_(torch.from_numpy(rnn.b.data))
            net.bias_hh_l0.zero_()
            lin.weight.copy_(torch.from_numpy(head.W.data))
            lin.bias.copy_(torch.from_numpy(head.b.data))
        params = list(net.parameters()) + list(lin.parameters())
        return {"w": w, "net": net, "lin": lin, "X": torch.from_numpy(w.X),
                "y": torch.from_numpy(w.y.astype(np.int64)), "loss": torch.nn.CrossEntropyLoss(),
                "opt": torch.optim.SGD(params, lr=w.lr)}

    @staticmethod
    def _logits(s, x):
        out, _ = s["net"](x)
        return s["lin"](out[:, -1])

    def train(self, s):
        import torch

        w, X, y, loss_fn, opt = s["w"], s["X"], s["y"], s["loss"], s["opt"]
        rng = np.random.default_rng(w.seed)
        for _ in range(w.epochs):
            for idx in nnlib.minibatches(w.n, w.batch_size, rng):
                idx = torch.from_numpy(idx)
                opt.zero_grad()
                loss = loss_fn(self._logits(s, X[idx]), y[idx])
                loss.backward()
                opt.step()

    def evaluate(self, s):
        import torch

        with torch.no_grad():
            return wl.score(s["w"], self._logits(s, torch.from_numpy(s["w"].X_test)).double().numpy())


# -- the limit ------------------------------------------------------------------------------------
def gemm_operands(w, backend="numpy"):
    rng = np.random.default_rng(0)
    ops = []
    for m, k, n in w.gemms():
        a = rng.standard_normal((m, k)).astype(w.dtype)
        b = rng.standard_normal((n, k)).astype(w.dtype).T
        ops.append((a, b, np.empty((m, n), dtype=w.dtype)))
    if backend == "numpy":
        return ops, np.matmul
    import torch

    return [tuple(torch.from_numpy(t) for t in op) for op in ops], torch.matmul


class MatmulLimit(wl.MatmulLimit):
    def prepare(self, w):
        return {"w": w, "ops": gemm_operands(w)[0]}


def gemm_seconds_per_step(w, repeats=5, backend="numpy", timer=time.perf_counter):
    ops, matmul = gemm_operands(w, backend)
    times = []
    for _ in range(repeats + 1):
        t = timer()
        for a, b, c in ops:
            matmul(a, b, out=c)
        times.append(timer() - t)
    return float(np.median(times[1:]))


def systems_for(w, with_torch):
    systems = [NnlibLoop(), NnlibFit(), NumpyLoop()]
    if with_torch:
        systems.append(Torch())
    return systems + [MatmulLimit()]


# -- checks in the same run ---------------------------------------------------------------------
def gradient_check(w, entries=12, seed=0):
    """Backprop vs central differences in float64 on 4 sequences: ``entries`` random entries of
    every parameter and of the input's last step (the LSTM has 74,000 weights; the gradient
    with respect to the first steps' input has vanished to 1e-10 and less, below what a finite
    difference resolves). The largest rel. error."""
    model, loss_fn = nnlib_model(w, dtype=np.float64)
    X, y = w.X[:4].astype(np.float64), w.y[:4]
    rng = np.random.default_rng(seed)
    model.zero_grad()
    loss_fn.forward(model(X), y)
    dX = model.backward(loss_fn.backward())
    worst = 0.0
    last_step = np.arange(X.size).reshape(X.shape)[:, -1].reshape(-1)  # flat indices into X
    for target, grad, where in ([(p.data, p.grad, np.arange(p.data.size)) for p in model.parameters()]
                                + [(X, dX, last_step)]):
        flat, gflat = target.reshape(-1), grad.reshape(-1)  # views: writing flat[i] writes target
        picks = rng.choice(where, size=min(entries, where.size), replace=False)
        num = np.empty(len(picks))
        for j, i in enumerate(picks):
            old = flat[i]
            flat[i] = old + 1e-5
            f_plus = loss_fn.forward(model.forward(X), y)
            flat[i] = old - 1e-5
            f_minus = loss_fn.forward(model.forward(X), y)
            flat[i] = old
            num[j] = (f_plus - f_minus) / 2e-5
        worst = max(worst, nnlib.rel_error(gflat[picks], num))
    return worst


def float32_check(w):
    """float32 gradients against float64 ones, the same weights and batch."""
    grads = {}
    for dtype in (np.float32, np.float64):
        model, loss_fn = nnlib_model(w, dtype=dtype)
        model.zero_grad()
        loss_fn.forward(model(w.X[:64].astype(dtype)), w.y[:64])
        model.backward(loss_fn.backward())
        grads[dtype] = [p.grad for p in model.parameters()]
    err = max(nnlib.rel_error(a, b) for a, b in zip(grads[np.float32], grads[np.float64]))
    return err, sorted({str(g.dtype) for g in grads[np.float32]})


def same_steps_check(w):
    loop, fit = NnlibLoop(), NnlibFit()
    a, b = loop.prepare(w), fit.prepare(w)
    loop.train(a)
    fit.train(b)
    return all(np.array_equal(p.data, q.data) for p, q in zip(a["model"].parameters(), b["model"].parameters()))


def run(keys, scale, with_torch, repeats, run_workload, log, timer=time.perf_counter):
    """{key: block} for the W6 workloads among ``keys``, blocks as bench.py builds W1-W3's;
    ``timer``: bench.py's (the clock, or the process's CPU time)."""
    blocks = {}
    for w in make_workloads(keys, scale):
        log(f"{w.key} ({w.title}) ")
        start = time.perf_counter()
        results = run_workload(w, systems_for(w, with_torch), repeats, log)
        flops = w.flops_per_sample()
        block = {"rounds": repeats,
                 "workload": {"title": w.title, "sizes": w.sizes, "batch_size": w.batch_size, "epochs": w.epochs,
                              "lr": w.lr, "dtype": np.dtype(w.dtype).name, "samples": w.samples, "steps": w.steps,
                              "T": w.T},
                 "baseline": w.baseline(), "flops_per_sample": flops,
                 "gemm_gflops": flops * w.samples / results["limit"]["median_s"] / 1e9,
                 "torch_gemm_gflops": (flops * w.batch_size / gemm_seconds_per_step(w, backend="torch", timer=timer) / 1e9
                                       if with_torch else None),
                 "loop_equals_fit": same_steps_check(w), "systems": results,
                 "gradcheck": gradient_check(w)}
        loop, limit = np.asarray(results["nnlib loop"]["times"]), np.asarray(results["limit"]["times"])
        block["fraction_of_limit"] = float(np.median(limit / loop))
        block["float32_vs_float64"], block["float32_grad_dtypes"] = float32_check(w)
        blocks[w.key] = block
        log(f" {time.perf_counter() - start:.0f} s\n")
    return blocks
