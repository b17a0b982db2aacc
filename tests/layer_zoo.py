"""Small layers written as a student or a later issue would write them, for the contract tests.

(Not in conftest.py: tests/browser has a conftest.py of its own.)
"""
import numpy as np

import nnlib


class Scale(nnlib.Layer):
    """y = a * x, written the old simple way: forward(x) and backward(dout) only, the parameter
    as an attribute (no ``_params``)."""

    def __init__(self, a=2.0):
        super().__init__()
        self.a = nnlib.Parameter(np.array([a]))

    def forward(self, x):
        self.x = x
        return self.a.data * x

    def backward(self, dout):
        self.a.grad += np.sum(dout * self.x)
        return dout * self.a.data


class Square(nnlib.Layer):
    """y = x^2, no parameters, no __init__ at all."""

    def forward(self, x):
        self.x = x
        return x**2

    def backward(self, dout):
        return 2 * self.x * dout


class Recorder(nnlib.Layer):
    """The identity; remembers the mode of every forward pass."""

    input_ndim = None

    def __init__(self):
        super().__init__()
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return x

    def backward(self, dout, input_grad=True):
        return dout


class RunningMean(nnlib.Layer):
    """The identity that, in training, keeps a running mean of its input in a buffer (as batch
    norm keeps its statistics)."""

    input_ndim = None

    def __init__(self, features, momentum=0.5):
        super().__init__()
        self.features, self.momentum = features, momentum
        self.register_buffer("running_mean", np.zeros(features))

    def forward(self, x):
        if self.training:
            mean = self._buffers["running_mean"]
            mean += self.momentum * (x.reshape(-1, self.features).mean(axis=0) - mean)
        return x

    def backward(self, dout, input_grad=True):
        return dout

    def config(self):
        return {"features": self.features, "momentum": self.momentum}


class Lookup(nnlib.Layer):
    """An embedding: integer indices (N,) -> rows of W (N, D)."""

    input_ndim = 1
    input_dtype = "int"

    def __init__(self, vocab, dim, rng=None):
        super().__init__()
        self.vocab, self.dim = vocab, dim
        self.W = nnlib.Parameter(np.random.default_rng(rng).standard_normal((vocab, dim)))
        self._idx = None

    def check_input(self, x, name="x"):
        x = super().check_input(x, name)
        if x.size and (x.min() < 0 or x.max() >= self.vocab):
            raise ValueError(f"{name} must hold indices in [0, {self.vocab})")
        return x

    def forward(self, idx):
        self._idx = idx
        return self.W.data[idx]

    def backward(self, dout, input_grad=True):
        np.add.at(self.W.grad, self._idx, dout)
        return None  # no gradient with respect to integers

    def config(self):
        return {"vocab": self.vocab, "dim": self.dim}


class Flatten(nnlib.Layer):
    """(N, ...) -> (N, prod(...))."""

    input_ndim = (2, None)

    def forward(self, x):
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout, input_grad=True):
        return dout.reshape(self._shape)
