"""The benchmark's workloads (W1, W2, W3) and the systems that train them.

Every system trains the same network on the same data for the same number of SGD steps, and
exposes the same three functions:

    prepare(w) -> state      build the model (untimed)
    train(state)             the timed part: ``w.epochs`` epochs of minibatch SGD
    evaluate(state) -> (loss, accuracy or None) on the held-out data (untimed)

so the harness in ``bench.py`` can alternate them. Loss and accuracy are computed here, in
numpy, from each system's predictions, so the figures are comparable across systems.
"""
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

import nnlib


# -- workloads -------------------------------------------------------------------------------
class Counts:
    """What every workload (W1-W6) derives from its data, batch size, epochs and ``gemms()``:
    the number of samples, SGD steps, samples processed and FLOPs per sample. A subclass is a
    dataclass with ``X``, ``batch_size``, ``epochs`` and a ``gemms()`` method."""

    @property
    def n(self):
        return self.X.shape[0]

    @property
    def steps(self):
        return self.epochs * -(-self.n // self.batch_size)

    @property
    def samples(self):
        """Training samples processed in one run: the unit of the 'samples per second'."""
        return self.epochs * self.n

    def flops_per_sample(self):
        return sum(2 * m * k * n for m, k, n in self.gemms()) / self.batch_size


@dataclass
class Workload(Counts):
    key: str  # "W1", "W2", "W3-f64", "W3-f32"
    title: str
    sizes: list  # layer sizes, e.g. [2, 3, 1]
    activation: str  # "sigmoid" or "relu"
    bias: bool
    task: str  # "regression" (MSE) or "classification" (cross-entropy)
    batch_size: int
    epochs: int
    lr: float
    dtype: type
    X: np.ndarray = field(repr=False)  # (N, in): training data
    y: np.ndarray = field(repr=False)  # (N, 1) targets or (N,) labels
    X_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    seed: int = 0  # weights and the shuffling of every system

    def baseline(self):
        """The held-out loss of a network that learned nothing: predict the mean / uniform."""
        if self.task == "regression":
            return float(np.mean((self.y_test - self.y.mean()) ** 2)), None
        c = self.sizes[-1]
        return float(np.log(c)), 1.0 / c

    def gemms(self):
        """The matrix products of one SGD step at this batch size, as (m, k, n) triples.

        Forward z = x W^T per layer; backward dW = dz^T x per layer and dx = dz W for every
        layer but the first (nobody needs the gradient with respect to the data).
        """
        b, out = self.batch_size, []
        pairs = list(zip(self.sizes[:-1], self.sizes[1:]))
        for i, (n_in, n_out) in enumerate(pairs):
            out.append((b, n_in, n_out))  # forward
            out.append((n_out, b, n_in))  # dW
            if i > 0:
                out.append((b, n_out, n_in))  # dx
        return out


def _teacher_regression(rng, n):
    """W1's data: the notes' 2-3-1 sigmoid network with fixed 'true' weights, plus noise."""
    W1 = np.array([[2.0, -3.0], [-2.5, 1.5], [3.0, 2.0]])
    W2 = np.array([[3.0, -2.0, 2.5]])
    X = rng.uniform(-1.5, 1.5, size=(n, 2))
    y = nnlib.sigmoid(nnlib.sigmoid(X @ W1.T) @ W2.T) + 0.02 * rng.standard_normal((n, 1))
    return X, y


def make_workloads(which=("W1", "W2", "W3-f64", "W3-f32"), scale=1.0):
    """The issue's workloads. ``scale`` < 1 shrinks data and epochs (for a quick smoke run)."""
    def sz(k):
        return max(8, int(k * scale))

    out = []
    if "W1" in which:
        rng = np.random.default_rng(1)
        X, y = _teacher_regression(rng, sz(2000) + 500)
        out.append(Workload("W1", "2-3-1 sigmoid, no biases, MSE, batch 1", [2, 3, 1], "sigmoid",
                            False, "regression", 1, max(1, round(5 * scale)), 0.5, np.float64,
                            X[:-500], y[:-500], X[-500:], y[-500:]))
    if "W2" in which:
        X, y = nnlib.digits()
        X_tr, X_te, y_tr, y_te = nnlib.train_test_split(X, y, test_size=0.25, rng=0)
        out.append(Workload("W2", "64-128-10 ReLU, cross-entropy, batch 32, digits", [64, 128, 10],
                            "relu", True, "classification", 32, max(1, round(20 * scale)), 0.1,
                            np.float64, X_tr[:sz(len(X_tr))], y_tr[:sz(len(X_tr))], X_te, y_te))
    for key, dtype in (("W3-f64", np.float64), ("W3-f32", np.float32)):
        if key in which:
            rng = np.random.default_rng(3)
            n = sz(10_000)
            X = rng.standard_normal((n + 2000, 784))
            teacher = rng.standard_normal((784, 10))  # labels: the class a random linear map favours
            y = np.argmax(X @ teacher, axis=1)
            X = X.astype(dtype)
            out.append(Workload(key, f"784-512-512-10 ReLU, cross-entropy, batch 128, {np.dtype(dtype).name}",
                                [784, 512, 512, 10], "relu", True, "classification", 128,
                                max(1, round(3 * scale)), 0.05, dtype, X[:n], y[:n], X[n:], y[n:]))
    return out


def score(w, pred):
    """(loss, accuracy) of predictions on the held-out data: MSE for regression (pred (N, 1)),
    cross-entropy and accuracy for classification (pred = logits (N, C))."""
    pred = np.asarray(pred, dtype=np.float64)
    if w.task == "regression":
        return float(np.mean(np.sum((w.y_test - pred) ** 2, axis=1))), None
    logp = nnlib.log_softmax(pred)
    n = len(w.y_test)
    return float(-np.mean(logp[np.arange(n), w.y_test])), float(np.mean(pred.argmax(1) == w.y_test))


# -- nnlib -----------------------------------------------------------------------------------
def nnlib_model(w):
    model = nnlib.mlp(w.sizes, w.activation, rng=w.seed, bias=w.bias, dtype=w.dtype,
                      output_activation="sigmoid" if w.task == "regression" else None)
    loss_fn = nnlib.MSELoss() if w.task == "regression" else nnlib.CrossEntropyLoss()
    return model, loss_fn


def nnlib_model_float64(w):
    """``nnlib_model(w)`` with its parameters in float64, the same values (float32 -> float64 is
    exact): what the gradient checks compare against."""
    model, loss_fn = nnlib_model(w)
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
        p.grad = np.zeros_like(p.data)
    return model, loss_fn


class NnlibLoop:
    """nnlib's bare step loop, as a student writes it: the same minibatches as ``fit``."""

    name = "nnlib loop"

    def prepare(self, w):
        model, loss_fn = nnlib_model(w)
        return {"w": w, "model": model, "loss": loss_fn, "opt": nnlib.SGD(model.parameters(), lr=w.lr)}

    def train(self, s):
        w, model, loss_fn, opt = s["w"], s["model"], s["loss"], s["opt"]
        X, y = w.X, w.y
        rng = np.random.default_rng(w.seed)
        for _ in range(w.epochs):
            for idx in nnlib.minibatches(w.n, w.batch_size, rng):
                out = model.forward(X[idx])
                loss_fn.forward(out, y[idx])
                opt.zero_grad()
                model.backward(loss_fn.backward(), input_grad=False)  # as fit: no dloss/dX
                opt.step()

    def evaluate(self, s):
        return score(s["w"], s["model"].forward(s["w"].X_test))


class NnlibFit(NnlibLoop):
    """``nnlib.fit``: the same steps plus its checks, running loss and accuracy."""

    name = "nnlib fit"

    def train(self, s):
        w = s["w"]
        s["history"] = nnlib.fit(s["model"], s["loss"], s["opt"], w.X, w.y, epochs=w.epochs,
                                 batch_size=w.batch_size, rng=w.seed)


# -- plain numpy: the hand-written loop the figures come from --------------------------
class NumpyLoop:
    """A plain vectorised numpy loop with no library around it: the reference for what nnlib's
    layers cost on top. Same initial weights and minibatches as nnlib."""

    name = "numpy loop"

    def prepare(self, w):
        model, _ = nnlib_model(w)
        dense = [layer for layer in model if isinstance(layer, nnlib.Dense)]
        Ws = [d.W.data.copy() for d in dense]
        bs = [d.b.data.copy() if d.b is not None else None for d in dense]
        return {"w": w, "Ws": Ws, "bs": bs}

    @staticmethod
    def _forward(w, Ws, bs, x):
        hs = [x]
        for i, (W, b) in enumerate(zip(Ws, bs)):
            z = hs[-1] @ W.T
            if b is not None:
                z += b
            last = i == len(Ws) - 1
            if w.activation == "sigmoid" and (not last or w.task == "regression"):
                z = 1.0 / (1.0 + np.exp(-z))
            elif w.activation == "relu" and not last:
                np.maximum(z, 0.0, out=z)
            hs.append(z)
        return hs

    def train(self, s):
        w, Ws, bs = s["w"], s["Ws"], s["bs"]
        X, y, lr, B = w.X, w.y, w.lr, w.batch_size
        rng = np.random.default_rng(w.seed)
        for _ in range(w.epochs):
            order = rng.permutation(w.n)
            for start in range(0, w.n, B):
                idx = order[start:start + B]
                hs = self._forward(w, Ws, bs, X[idx])
                out, m = hs[-1], len(idx)
                if w.task == "regression":  # MSE through a sigmoid output
                    dz = (-2.0 / m) * (y[idx] - out) * out * (1.0 - out)
                else:  # softmax + cross-entropy: (p - y) / m
                    p = np.exp(out - out.max(axis=1, keepdims=True))
                    p /= p.sum(axis=1, keepdims=True)
                    p[np.arange(m), y[idx]] -= 1.0
                    dz = p / m
                for i in range(len(Ws) - 1, -1, -1):
                    h = hs[i]
                    dW = dz.T @ h
                    if bs[i] is not None:
                        bs[i] -= lr * dz.sum(axis=0)
                    if i > 0:
                        dh = dz @ Ws[i]
                        dz = dh * h * (1.0 - h) if w.activation == "sigmoid" else dh * (h > 0)
                    Ws[i] -= lr * dW

    def evaluate(self, s):
        return score(s["w"], self._forward(s["w"], s["Ws"], s["bs"], s["w"].X_test)[-1])


# -- scikit-learn ----------------------------------------------------------------------------
class SklearnMLP:
    """MLPRegressor / MLPClassifier with plain SGD: constant learning rate, no momentum, no L2,
    no early stopping, the same batch size and epochs. Its layers always have biases, its
    regressor has no output sigmoid, and it draws its own initial weights and minibatches."""

    name = "scikit-learn"

    def prepare(self, w):
        from sklearn.neural_network import MLPClassifier, MLPRegressor

        common = dict(hidden_layer_sizes=tuple(w.sizes[1:-1]),
                      activation="logistic" if w.activation == "sigmoid" else "relu",
                      solver="sgd", learning_rate="constant", momentum=0.0,
                      nesterovs_momentum=False, alpha=0.0, batch_size=w.batch_size,
                      max_iter=w.epochs, shuffle=True, random_state=w.seed, early_stopping=False,
                      tol=0.0, n_iter_no_change=w.epochs + 1)
        if w.task == "regression":
            # scikit-learn's squared error is (1/2) mean e^2: twice the rate is the same step
            model = MLPRegressor(learning_rate_init=2 * w.lr, **common)
        else:
            model = MLPClassifier(learning_rate_init=w.lr, **common)
        y = w.y.ravel() if w.task == "regression" else w.y
        return {"w": w, "model": model, "y": y}

    def train(self, s):
        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is our epoch count
            s["model"].fit(s["w"].X, s["y"])

    def evaluate(self, s):
        w, model = s["w"], s["model"]
        if w.task == "regression":
            return score(w, model.predict(w.X_test)[:, None])
        p = model.predict_proba(w.X_test)
        with np.errstate(divide="ignore"):
            return score(w, np.log(np.maximum(p, 1e-300)))


# -- PyTorch ---------------------------------------------------------------------------------
def torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


class Torch:
    """PyTorch on the CPU, idiomatic loop: zero_grad, forward, loss, backward, step. The same
    initial weights as nnlib (copied) and the same minibatches; ``dtype`` as the system's."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.name = f"PyTorch {np.dtype(dtype).name}"

    def prepare(self, w):
        import torch

        tdtype = torch.float32 if self.dtype == np.float32 else torch.float64
        model, _ = nnlib_model(w)
        layers = []
        for layer in model:
            if isinstance(layer, nnlib.Dense):
                lin = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.b is not None)
                with torch.no_grad():
                    lin.weight.copy_(torch.from_numpy(layer.W.data.astype(np.float64)))
                    if layer.b is not None:
                        lin.bias.copy_(torch.from_numpy(layer.b.data.astype(np.float64)))
                layers.append(lin)
            else:
                layers.append(torch.nn.Sigmoid() if isinstance(layer, nnlib.Sigmoid) else torch.nn.ReLU())
        net = torch.nn.Sequential(*layers).to(tdtype)
        X = torch.from_numpy(np.ascontiguousarray(w.X, dtype=self.dtype))
        if w.task == "regression":
            y, loss_fn = torch.from_numpy(w.y.astype(self.dtype)), torch.nn.MSELoss()
        else:
            y, loss_fn = torch.from_numpy(w.y.astype(np.int64)), torch.nn.CrossEntropyLoss()
        opt = torch.optim.SGD(net.parameters(), lr=w.lr)
        return {"w": w, "net": net, "X": X, "y": y, "loss": loss_fn, "opt": opt}

    def train(self, s):
        import torch

        w, net, X, y, loss_fn, opt = s["w"], s["net"], s["X"], s["y"], s["loss"], s["opt"]
        rng = np.random.default_rng(w.seed)
        for _ in range(w.epochs):
            order = torch.from_numpy(rng.permutation(w.n))
            for start in range(0, w.n, w.batch_size):
                idx = order[start:start + w.batch_size]
                opt.zero_grad()
                loss = loss_fn(net(X[idx]), y[idx])
                loss.backward()
                opt.step()

    def evaluate(self, s):
        import torch

        with torch.no_grad():
            X = torch.from_numpy(np.ascontiguousarray(s["w"].X_test, dtype=self.dtype))
            return score(s["w"], s["net"](X).double().numpy())


def systems_for(w, with_torch):
    """The systems run on workload ``w``, in the order they are first run."""
    systems = [NnlibLoop(), NnlibFit(), NumpyLoop(), SklearnMLP()]
    if with_torch:
        systems.append(Torch(np.float32))
        if w.dtype == np.float64 and w.key.startswith("W3"):
            systems.append(Torch(np.float64))
    return systems + [MatmulLimit()]


# -- the limit: numpy's matmul rate at the workload's shapes ----------------------------------
def gemm_operands(w, backend="numpy"):
    """The matrix products of one SGD step (``w.gemms()``) as (a, b, out) triples of ``w.dtype``
    with the same transposes as nnlib's Dense layer, and the matmul to run them: numpy's (the
    limit) or, with ``backend="torch"``, PyTorch's on the same memory (why PyTorch can be faster
    on W3)."""
    if backend not in ("numpy", "torch"):
        raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")
    rng = np.random.default_rng(0)
    ops = []
    for m, k, n in w.gemms():
        a = rng.standard_normal((m, k)).astype(w.dtype)
        b = rng.standard_normal((n, k)).astype(w.dtype).T  # x @ W.T, as in Dense.forward
        ops.append((a, b, np.empty((m, n), dtype=w.dtype)))
    if backend == "numpy":
        return ops, np.matmul
    import torch

    return [tuple(torch.from_numpy(t) for t in op) for op in ops], torch.matmul


class MatmulLimit:
    """The limit, run like a system: only the matrix products of every SGD step, by numpy, for
    the workload's number of steps. It is timed in the same rounds as the systems, so nnlib's
    share of the limit is a paired ratio like the others, not two timings minutes apart."""

    name = "limit"

    def prepare(self, w):
        ops, _ = gemm_operands(w)
        return {"w": w, "ops": ops}

    def train(self, s):
        ops = s["ops"]
        for _ in range(s["w"].steps):
            for a, b, c in ops:
                np.matmul(a, b, out=c)

    def evaluate(self, s):
        return None, None


def gemm_seconds_per_step(w, repeats=5, min_time=0.2, backend="numpy"):
    """Median time of one SGD step's matrix products (``gemm_operands``), by numpy or PyTorch."""
    ops, matmul = gemm_operands(w, backend)

    def once():
        for a, b, c in ops:
            matmul(a, b, out=c)

    once()
    loops = 1
    while True:  # enough loops for min_time, so timer resolution does not matter
        t = time.perf_counter()
        for _ in range(loops):
            once()
        if time.perf_counter() - t >= min_time:
            break
        loops *= 2
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(loops):
            once()
        times.append((time.perf_counter() - t) / loops)
    return float(np.median(times))


# -- gradient checks, in the same run -------------------------------------------------------
def gradient_check(w, rng=0, entries=20):
    """Backprop vs central differences for the workload's nnlib model, in float64.

    Small models: every entry (``nnlib.check_gradients``). W3's 670,000 weights would take
    minutes, so there ``entries`` random entries of each parameter and of the input are checked.
    Returns the largest relative error.
    """
    model, loss_fn = nnlib_model_float64(w)
    X = np.asarray(w.X[:4], dtype=np.float64)
    y = w.y[:4]
    if sum(p.data.size for p in model.parameters()) < 20_000:
        return max(nnlib.check_gradients(model, loss_fn, X, y).values())
    rng = np.random.default_rng(rng)
    model.zero_grad()
    loss_fn.forward(model(X), y)
    dX = model.backward(loss_fn.backward())
    worst = 0.0
    for target, grad in [(p.data, p.grad) for p in model.parameters()] + [(X, dX)]:
        flat, gflat = target.reshape(-1), grad.reshape(-1)
        picks = rng.choice(flat.size, size=min(entries, flat.size), replace=False)
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
