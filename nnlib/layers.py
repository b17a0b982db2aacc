"""Dense: the fully connected layer z = W x + b, for a whole batch at once."""
import numpy as np

from ._checks import as_rng, check_positive_int
from .core import Layer, Parameter

INITS = ("lecun", "he", "xavier")


def init_std(init, fan_in, fan_out):
    """The standard deviation of the initial weights that ``init`` names (see Dense's docstring);
    Dense's fans are its sizes, a convolution's are its channels times the kernel's area."""
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    return {"lecun": np.sqrt(1.0 / fan_in), "he": np.sqrt(2.0 / fan_in),
            "xavier": np.sqrt(2.0 / (fan_in + fan_out))}[init]


class Dense(Layer):
    """A fully connected layer: every output is a weighted sum of every input, plus a bias.

    For one sample, written as a column vector as in the notes, ``z = W x + b``. For a batch of
    N samples stored as rows, ``Z = X W^T + b``: row n of Z is W times row n of X.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of the input and the output. ``W`` is ``(out_features, in_features)`` and
        ``b`` is ``(out_features,)``, as in the notes and in ``torch.nn.Linear``.
    bias : bool
        Whether the layer has ``b``. The notes' worked example has no biases.
    rng : int, numpy Generator or None
        Where the initial weights come from. None draws fresh entropy (not reproducible);
        the course always passes a seed.
    init : 'lecun', 'he' or 'xavier'
        Scale of the initial weights, all drawn from a zero-mean normal: standard deviation
        sqrt(1/in) ('lecun', good for sigmoid and tanh), sqrt(2/in) ('he', for ReLU), or
        sqrt(2/(in+out)) ('xavier'). Biases start at 0.
    dtype : numpy float dtype
        float64 (the default, needed for gradient checks) or float32 (faster).

    Input ``x``: (N, in_features), or (N, ..., in_features) as ``torch.nn.Linear`` takes it (a
    sequence (N, T, in) gives (N, T, out), every position through the same W).
    """

    input_ndim = (2, None)  # at least (N, in_features)

    def __init__(self, in_features, out_features, bias=True, rng=None, init="lecun", dtype=np.float64):
        super().__init__()
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        std = init_std(init, self.in_features, self.out_features)
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, got {dtype}")
        rng = as_rng(rng)
        self.init = init
        shapes = self.param_shapes(self.in_features, self.out_features, bias)
        self.W = Parameter((std * rng.standard_normal(shapes["W"])).astype(dtype))
        self._params = {"W": self.W}
        self.b = None
        if bias:
            self.b = Parameter(np.zeros(shapes["b"], dtype=dtype))
            self._params["b"] = self.b
        self._x = None  # the input of the last forward: dW needs it

    @staticmethod
    def param_shapes(in_features, out_features, bias=True, **_):
        """{name: shape} of the parameters a Dense of this config has (``load`` checks a file's
        arrays against it before building anything)."""
        shapes = {"W": (out_features, in_features)}
        if bias:
            shapes["b"] = (out_features,)
        return shapes

    def forward(self, x):
        """x: (N, in_features) -> z: (N, out_features)"""  # (N, ..., in) too: see the class
        if x.ndim < 2 or x.shape[-1] != self.in_features:
            raise ValueError(f"x must have shape (N, {self.in_features}) or (N, ..., {self.in_features}), "
                             f"got {x.shape}")
        self._x = x
        z = x @ self.W.data.T  # (N, out)
        if self.b is not None:
            z += self.b.data
        return z

    def backward(self, dout, input_grad=True):
        """dout: (N, out_features) = dloss/dz -> dx: (N, in_features) = dloss/dx.

        Adds dW = dout^T x (out, in) and db = sum of dout over the batch (out,) to the grads;
        for (N, ..., in) inputs every leading index counts as a sample.
        ``input_grad=False`` skips dx and returns None: the first layer of a network does not
        need it (nothing learns from the gradient with respect to the data), and it costs a
        matrix product as large as dW's.
        """
        x = self._x
        dout = self._check_dout(dout, None if x is None else x.shape[:-1] + (self.out_features,))
        x2, dout2 = x, dout
        if x.ndim > 2:  # (N, ..., in) -> (N*..., in): the same sum of outer products
            x2, dout2 = x.reshape(-1, self.in_features), dout.reshape(-1, self.out_features)
        self.W.grad += dout2.T @ x2  # (out, in): sum over the batch of outer products dz_n x_n^T
        if self.b is not None:
            self.b.grad += dout2.sum(axis=0)  # (out,)
        if not input_grad:
            return None
        return dout @ self.W.data  # (N, in)

    def config(self):
        cfg = {"in_features": self.in_features, "out_features": self.out_features,
               "bias": self.b is not None}
        if self.W.data.dtype != np.float64:
            cfg["dtype"] = str(self.W.data.dtype)
        return cfg
