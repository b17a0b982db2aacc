"""Parameter and Layer: the two classes every part of a network is built from.

A *Parameter* is an array the optimiser may change, with a ``grad`` array of the same shape.
A *Layer* maps an input batch ``x`` to an output batch in ``forward`` and, in ``backward``,
turns the gradient of the loss with respect to its output (``dout``) into the gradient with
respect to its input (``dx``), adding the gradients of its own parameters to their ``.grad``
on the way (the chain rule, one layer at a time).
"""
import numpy as np

from ._checks import as_float_array, to_float


class Parameter:
    """A trainable array ``data`` and the gradient of the loss with respect to it, ``grad``.

    ``backward`` *adds* to ``grad`` (so gradients of several samples or several uses add up);
    call ``zero_grad()`` before each new batch.
    """

    def __init__(self, data):
        self.data = as_float_array(data, "data")
        self.grad = np.zeros_like(self.data)

    @property
    def shape(self):
        return self.data.shape

    def zero_grad(self):
        self.grad.fill(0.0)

    def __repr__(self):
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


class Layer:
    """Base class: ``forward(x) -> out``, ``backward(dout) -> dx``.

    Subclasses put their parameters in ``self._params`` (a dict name -> Parameter) and cache in
    ``forward`` whatever ``backward`` needs. ``layer(x)`` checks ``x`` (a 2-D array of finite
    numbers) and then calls ``forward``; ``forward`` itself trusts its input, so a network
    checks its input once, not in every layer.
    """

    training = True

    def __init__(self):
        self._params = {}

    # -- the two passes -------------------------------------------------------------------
    def forward(self, x):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(as_float_array(x, "x", ndim=2))

    # -- parameters -----------------------------------------------------------------------
    def named_parameters(self):
        """List of (name, Parameter) pairs, e.g. [("W", ...), ("b", ...)]."""
        return list(self._params.items())

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def num_parameters(self):
        return sum(p.data.size for p in self.parameters())

    # -- modes (no layer here behaves differently yet; dropout will) ----------------------
    def train(self, mode=True):
        self.training = bool(mode)
        return self

    def eval(self):
        return self.train(False)

    # -- saving ---------------------------------------------------------------------------
    def config(self):
        """The constructor arguments, as a JSON-friendly dict (used by ``nnlib.save``)."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"

    # -- helpers for subclasses -----------------------------------------------------------
    def _check_dout(self, dout, cached, what="forward"):
        """Raise if backward comes before forward, or if ``dout`` does not match the output."""
        if cached is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before {what}")
        dout = to_float(dout)  # no finiteness check: fit detects a diverging loss itself
        if dout.shape != cached:
            raise ValueError(f"dout must have the output's shape {cached}, got {dout.shape}")
        return dout
