"""Embedding: a learned vector for each of V symbols (characters, words), looked up by index."""
import numpy as np

from ._checks import as_rng, check_positive_int
from .core import Layer, Parameter
from .recurrent import _check_dtype


class Embedding(Layer):
    """A table ``W`` of V rows; index k gives row k: ``out[..., :] = W[x[...], :]``.

    **It is a Dense layer on one-hot vectors.** Write index k as the one-hot row e_k (V numbers,
    a 1 at k); then e_k W = W[k]: the product picks row k. So ``Embedding(V, D)`` on x equals
    ``one_hot(x, V) @ W``, a linear layer without bias whose inputs are one-hot, computed
    without forming the V-wide one-hot rows or multiplying by their zeros (the tests check the
    equality, forward and backward). Its gradient follows from the same picture: dW = one_hot^T
    dout, so row k of dW is the sum of dout over every place where index k occurred, which is
    what ``np.add.at(W.grad, x, dout)`` adds (a plain ``W.grad[x] += dout`` would count a
    repeated index only once).

    Parameters
    ----------
    num_embeddings : int
        V, the number of symbols; indices run over 0..V-1.
    embedding_dim : int
        D, the length of each vector. ``W`` is (V, D), as ``torch.nn.Embedding.weight``.
    rng : int, numpy Generator or None
        W starts standard normal, as PyTorch's.
    dtype : float64 (default) or float32

    Input ``x``: integers of any shape (N,), (N, T), ... -> out: (..., D). A float input is a
    TypeError (an index must be exact; round or ``astype(int)`` it yourself), an index outside
    [0, V) a ValueError (numpy would read a negative index from the end, silently). There is no
    gradient with respect to integers: backward returns None. Simplified compared with PyTorch:
    no ``padding_idx``, no ``max_norm``.
    """

    input_ndim = None   # any shape of indices
    input_dtype = "int"

    def __init__(self, num_embeddings, embedding_dim, rng=None, dtype=np.float64):
        super().__init__()
        self.num_embeddings = check_positive_int(num_embeddings, "num_embeddings")
        self.embedding_dim = check_positive_int(embedding_dim, "embedding_dim")
        dtype = _check_dtype(dtype)
        rng = as_rng(rng)
        shape = self.param_shapes(self.num_embeddings, self.embedding_dim)["W"]
        self.W = Parameter(rng.standard_normal(shape).astype(dtype))
        self._params = {"W": self.W}
        self._x = None

    @staticmethod
    def param_shapes(num_embeddings, embedding_dim, **_):
        """{name: shape} of the parameters (``load`` checks a file against it first)."""
        return {"W": (num_embeddings, embedding_dim)}

    def check_input(self, x, name="x"):
        """``x`` as an integer array of indices in [0, V), or a TypeError/ValueError naming it."""
        x = super().check_input(x, name)
        self._check_range(x, name)
        return x

    def _check_range(self, x, name="x"):
        if x.size and (x.min() < 0 or x.max() >= self.num_embeddings):
            raise ValueError(f"{name} must hold indices in [0, {self.num_embeddings}) "
                             f"(num_embeddings={self.num_embeddings}), got values from {x.min()} to {x.max()}")

    def forward(self, x):
        """x: (...) integers -> out: (..., D), out[...] = W[x[...]]"""
        if x.dtype.kind not in "iu":  # forward is also called directly, inside a Sequential
            raise TypeError(f"x must be an array of integer indices, got dtype {x.dtype}")
        self._check_range(x)
        self._x = x.copy()  # backward needs the indices; a caller changing x must not matter
        return self.W.data[x]

    def backward(self, dout, input_grad=True):
        """dout: (..., D) -> None (indices have no gradient). Adds dW: (V, D), row k the sum of
        dout over the positions where x == k."""
        x = self._x
        dout = self._check_dout(dout, None if x is None else x.shape + (self.embedding_dim,))
        np.add.at(self.W.grad, x.reshape(-1), dout.reshape(-1, self.embedding_dim))
        return None

    def config(self):
        cfg = {"num_embeddings": self.num_embeddings, "embedding_dim": self.embedding_dim}
        if self.W.data.dtype != np.float64:
            cfg["dtype"] = str(self.W.data.dtype)
        return cfg
