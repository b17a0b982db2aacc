"""The convolution workloads W4 and W5 (issue 13), run by bench.py's harness as W1-W3 are.

- **W4**: a CNN on the 8x8 digits, a whole training step: Conv 1->16 3x3 pad 1, ReLU, MaxPool 2,
  Conv 16->32 3x3 pad 1, ReLU, MaxPool 2, Flatten, Dense 128->10; cross-entropy, plain SGD,
  batch 64, float32. nnlib's loop and ``fit`` against PyTorch on the CPU (same initial weights,
  same minibatches) and the matrix-product limit.
- **W5**: one Conv2d layer's forward and backward (dW, db and dx) at a larger size: N 64, 32->64
  channels, 16x16, 3x3, pad 1, float32. nnlib against PyTorch's ``conv2d`` (same weights, input
  and upstream gradient) and the limit: the three matrix products of im2col at these shapes.

A workload here has the fields and methods of ``workloads.Workload`` that the harness reads
(``steps``, ``samples``, ``gemms()``, ...), plus ``systems(with_torch)`` and ``checks()``, which
bench.py calls instead of the dense workloads' ``systems_for`` and checks.
"""
from dataclasses import dataclass, field

import numpy as np

import nnlib
import workloads as wl

F32 = np.float32


@dataclass
class ConvWorkload(wl.Counts):
    key: str          # "W4" or "W5"
    title: str
    sizes: list       # the layers, as words (the report's JSON shows them)
    batch_size: int
    epochs: int       # W4: epochs over the training digits; W5: steps (one batch each)
    lr: float
    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    X_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    dtype: type = F32
    seed: int = 0
    task: str = "classification"

    def baseline(self):
        """What a network that learned nothing scores (W5 trains nothing: None)."""
        return (float(np.log(10)), 0.1) if self.key == "W4" else (None, None)

    def gemms(self):
        """The matrix products of one step, (m, k, n), as nnlib computes them: a convolution
        over L = H' W' N positions with K = C_in kH kW is W (C_out, K) @ cols (K, L) forward,
        G (C_out, L) @ cols^T (L, K) for dW and W^T (K, C_out) @ G (C_out, L) for dx."""
        b = self.batch_size
        if self.key == "W5":
            return _conv_gemms(64, 32, 64, 16, b, dx=True)
        return (_conv_gemms(1, 16, 8, 8, b, dx=False) + _conv_gemms(16, 32, 4, 4, b, dx=True)
                + [(b, 128, 10), (10, b, 128), (b, 10, 128)])


    def systems(self, with_torch):
        if self.key == "W5":
            return [NnlibConvLayer()] + ([TorchConvLayer()] if with_torch else []) + [wl.MatmulLimit()]
        return [NnlibCNNLoop(), NnlibCNNFit()] + ([TorchCNN()] if with_torch else []) + [wl.MatmulLimit()]

    def checks(self):
        """The report's correctness lines: gradients against finite differences (float64),
        float32 against float64, loop against fit (W4), nnlib against PyTorch (W5)."""
        return w4_checks(self) if self.key == "W4" else w5_checks(self)


def _conv_gemms(c_in, c_out, hw, out_hw, n, dx):
    K, L = c_in * 9, out_hw * out_hw * n
    out = [(c_out, K, L), (c_out, L, K)]
    return out + [(K, c_out, L)] if dx else out


def make_workloads(which=("W4", "W5"), scale=1.0):
    out = []
    if "W4" in which:
        X, y = nnlib.digits()
        X_tr, X_te, y_tr, y_te = nnlib.train_test_split(X, y, test_size=0.25, rng=0)
        n = max(64, int(len(X_tr) * scale))
        out.append(ConvWorkload("W4", "CNN on the digits (conv 16, pool, conv 32, pool, dense), batch 64, float32",
                                ["1x8x8", "conv3x3 16", "relu", "maxpool2", "conv3x3 32", "relu", "maxpool2",
                                 "flatten", "dense 10"], 64, max(1, round(20 * scale)), 0.1,
                                X_tr[:n].reshape(-1, 1, 8, 8).astype(F32), y_tr[:n],
                                X_te.reshape(-1, 1, 8, 8).astype(F32), y_te))
    if "W5" in which:
        rng = np.random.default_rng(5)
        X = rng.standard_normal((64, 32, 16, 16)).astype(F32)
        out.append(ConvWorkload("W5", "one Conv2d 32->64, 3x3, pad 1, 16x16, N 64, float32: forward + backward",
                                ["32x16x16", "conv3x3 64"], 64, max(2, round(30 * scale)), 0.0,
                                X, None, None, None))
    return out


# -- W4: the CNN ---------------------------------------------------------------------------------
def cnn(w, dtype=F32):
    """W4's network, seeded."""
    return nnlib.Sequential(
        nnlib.Conv2d(1, 16, 3, padding=1, rng=w.seed, dtype=dtype), nnlib.ReLU(), nnlib.MaxPool2d(2),
        nnlib.Conv2d(16, 32, 3, padding=1, rng=w.seed + 1, dtype=dtype), nnlib.ReLU(), nnlib.MaxPool2d(2),
        nnlib.Flatten(), nnlib.Dense(128, 10, rng=w.seed + 2, dtype=dtype))


class NnlibCNNLoop(wl.NnlibLoop):
    """nnlib's bare step loop (``workloads.NnlibLoop.train``) on the CNN."""

    def prepare(self, w):
        model = cnn(w)
        return {"w": w, "model": model, "loss": nnlib.CrossEntropyLoss(),
                "opt": nnlib.SGD(model.parameters(), lr=w.lr)}


class NnlibCNNFit(wl.NnlibFit):
    """``nnlib.fit`` on the CNN: the same steps as the loop, plus fit's own bookkeeping."""

    prepare = NnlibCNNLoop.prepare


class TorchCNN(wl.Torch):
    """PyTorch's CNN with the nnlib CNN's initial weights, trained by ``workloads.Torch.train``
    (zero_grad, forward, loss, backward, step; the same minibatches)."""

    def __init__(self):
        super().__init__(F32)

    def prepare(self, w):
        import torch

        layers = []
        for layer in cnn(w):
            if isinstance(layer, nnlib.Conv2d):
                t = torch.nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                                    padding=layer.padding)
            elif isinstance(layer, nnlib.Dense):
                t = torch.nn.Linear(layer.in_features, layer.out_features)
            elif isinstance(layer, nnlib.MaxPool2d):
                t = torch.nn.MaxPool2d(layer.kernel_size)
            else:
                t = {nnlib.ReLU: torch.nn.ReLU, nnlib.Flatten: torch.nn.Flatten}[type(layer)]()
            if hasattr(layer, "W"):
                with torch.no_grad():
                    t.weight.copy_(torch.from_numpy(layer.W.data))
                    t.bias.copy_(torch.from_numpy(layer.b.data))
            layers.append(t)
        net = torch.nn.Sequential(*layers)
        return {"w": w, "net": net, "X": torch.from_numpy(np.ascontiguousarray(w.X)),
                "y": torch.from_numpy(w.y.astype(np.int64)), "loss": torch.nn.CrossEntropyLoss(),
                "opt": torch.optim.SGD(net.parameters(), lr=w.lr)}


def w4_checks(w):
    """Every gradient of the float64 CNN against finite differences (4 samples), the float32
    step's gradients against the float64 ones, and the loop and fit ending bit-identical.

    The check runs on random normal inputs of the digits' shape, with small random biases: the
    digits' pixels take 17 values, so max-pooling windows hold equal or nearly equal values and
    ReLUs sit at their kinks, where the function has no derivative and finite differences that
    step across a tie disagree with any backward pass.
    """
    rng = np.random.default_rng(w.seed)
    model64 = cnn(w, np.float64)
    for layer in model64:
        if getattr(layer, "b", None) is not None:
            layer.b.data[:] = 0.1 * rng.standard_normal(layer.b.data.shape)
    X, y = rng.standard_normal(w.X[:4].shape), w.y[:4]
    gradcheck = max(nnlib.check_gradients(model64, nnlib.CrossEntropyLoss(), X, y).values())
    model64 = cnn(w, np.float64)
    model32 = cnn(w)
    model64.zero_grad()
    for model, x in ((model32, w.X[:64]), (model64, w.X[:64].astype(np.float64))):
        loss_fn = nnlib.CrossEntropyLoss()
        loss_fn.forward(model.forward(x), w.y[:64])
        model.backward(loss_fn.backward())
    f32 = max(nnlib.rel_error(p.grad, q.grad) for p, q in zip(model32.parameters(), model64.parameters()))
    loop, fit = NnlibCNNLoop(), NnlibCNNFit()
    a, b = loop.prepare(w), fit.prepare(w)
    loop.train(a)
    fit.train(b)
    same = all(np.array_equal(p.data, q.data) for p, q in zip(a["model"].parameters(), b["model"].parameters()))
    return {"gradcheck": gradcheck, "float32_vs_float64": f32,
            "float32_grad_dtypes": sorted({str(p.grad.dtype) for p in model32.parameters()}),
            "loop_equals_fit": same}


# -- W5: one convolution layer ---------------------------------------------------------------------
def w5_layer(w, dtype=F32):
    return nnlib.Conv2d(32, 64, 3, padding=1, rng=w.seed, dtype=dtype)


def w5_dout(w, dtype=F32):
    return np.random.default_rng(w.seed + 1).standard_normal((w.batch_size, 64, 16, 16)).astype(dtype)


def as_inside_a_network(a):
    """The same array laid out as nnlib's layers hand images to each other: batch last in memory
    (the (C, H, W, N) array, seen as (N, C, H, W)). A Conv2d in the middle of an nnlib network
    receives its x and its dout this way; PyTorch's receives its own layout, contiguous NCHW."""
    return np.ascontiguousarray(a.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


class NnlibConvLayer:
    """nnlib's Conv2d: forward, then backward with dx (as a layer in the middle of a network),
    ``w.epochs`` times."""

    name = "nnlib loop"

    def prepare(self, w):
        return {"w": w, "layer": w5_layer(w), "x": as_inside_a_network(w.X),
                "dout": as_inside_a_network(w5_dout(w))}

    def train(self, s):
        layer, x, dout = s["layer"], s["x"], s["dout"]
        for _ in range(s["w"].epochs):
            layer.zero_grad()
            layer.forward(x)
            layer.backward(dout)

    def evaluate(self, s):
        return None, None


class TorchConvLayer:
    """PyTorch's Conv2d with the same weights, input and upstream gradient: forward, then
    backward with the input's gradient, ``w.epochs`` times."""

    name = "PyTorch float32"

    def prepare(self, w):
        import torch

        layer = w5_layer(w)
        conv = torch.nn.Conv2d(32, 64, 3, padding=1)
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(layer.W.data))
            conv.bias.copy_(torch.from_numpy(layer.b.data))
        x = torch.from_numpy(w.X.copy()).requires_grad_(True)
        return {"w": w, "conv": conv, "x": x, "dout": torch.from_numpy(w5_dout(w))}

    def train(self, s):
        conv, x, dout = s["conv"], s["x"], s["dout"]
        for _ in range(s["w"].epochs):
            conv.zero_grad()
            x.grad = None
            conv(x).backward(dout)

    def evaluate(self, s):
        return None, None


def w5_checks(w, entries=20):
    """A float64 copy of the layer against finite differences (``entries`` random entries of
    W, b and x), float32 against float64, and nnlib against PyTorch (out, dW, db, dx)."""
    rng = np.random.default_rng(0)
    layers = {dt: w5_layer(w, dt) for dt in (F32, np.float64)}
    xs = {dt: w.X.astype(dt) for dt in layers}
    douts = {dt: w5_dout(w, dt) for dt in layers}
    results = {}
    for dt, layer in layers.items():
        out = layer(xs[dt])
        results[dt] = (out, layer.backward(douts[dt]), layer.W.grad, layer.b.grad)
    f32 = max(nnlib.rel_error(a, b) for a, b in zip(results[F32], results[np.float64]))
    # finite differences of loss = sum(dout * out) on a few entries, in float64
    layer, x, dout = layers[np.float64], xs[np.float64][:4], douts[np.float64][:4]
    layer.zero_grad()
    layer.forward(x)
    dx = layer.backward(dout)
    worst = 0.0
    for target, grad in ((layer.W.data, layer.W.grad), (layer.b.data, layer.b.grad), (x, dx)):
        flat, gflat = target.reshape(-1), np.asarray(grad).reshape(-1)
        picks = rng.choice(flat.size, size=min(entries, flat.size), replace=False)
        num = []
        for i in picks:
            old = flat[i]
            flat[i] = old + 1e-5
            up = float(np.sum(dout * layer.forward(x)))
            flat[i] = old - 1e-5
            down = float(np.sum(dout * layer.forward(x)))
            flat[i] = old
            num.append((up - down) / 2e-5)
        worst = max(worst, nnlib.rel_error(gflat[picks], np.array(num)))
    checks = {"gradcheck": worst, "float32_vs_float64": f32, "float32_grad_dtypes": [str(results[F32][2].dtype)]}
    if wl.torch_available():
        s = TorchConvLayer().prepare(w)
        out = s["conv"](s["x"])
        out.backward(s["dout"])
        theirs = (out.detach().numpy(), s["x"].grad.numpy(), s["conv"].weight.grad.numpy(), s["conv"].bias.grad.numpy())
        checks["vs_torch"] = max(nnlib.rel_error(a, b) for a, b in zip(results[F32], theirs))
    return checks
