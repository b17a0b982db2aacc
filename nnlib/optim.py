"""Optimisers: an ``Optimizer`` base, and SGD, theta <- theta - alpha * dloss/dtheta (momentum optional).

An optimiser holds a list of Parameters and, per parameter, a dict of state (SGD's velocity;
Adam's moments). ``step()`` calls ``update(p, state)`` for each parameter; a new optimiser is a
subclass with its own ``update``. Adam, for example, would be::

    class Adam(Optimizer):
        def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
            super().__init__(params, lr)
            self.beta1, self.beta2, self.eps = beta1, beta2, eps

        def update(self, p, state):
            m, v = state.setdefault("m", np.zeros_like(p.data)), state.setdefault("v", np.zeros_like(p.data))
            t = state["t"] = state.get("t", 0) + 1
            m += (1 - self.beta1) * (p.grad - m)
            v += (1 - self.beta2) * (p.grad**2 - v)
            p.data -= self.lr * (m / (1 - self.beta1**t)) / (np.sqrt(v / (1 - self.beta2**t)) + self.eps)
"""
import numpy as np

from ._checks import check_real
from .core import Parameter


class Optimizer:
    """Base class: ``params`` (a list of Parameters, each at most once), ``lr``, ``state`` (one
    dict per parameter), ``step()`` and ``zero_grad()``. Subclasses implement ``update``.

    The updates are in place, so models and notebooks that hold ``p.data`` see the new values.
    """

    def __init__(self, params, lr):
        if isinstance(params, Parameter):
            raise TypeError("params must be a list of Parameters: pass model.parameters()")
        params = list(params)
        seen = {}
        for i, p in enumerate(params):
            if not isinstance(p, Parameter):
                raise TypeError(f"params[{i}] must be an nnlib Parameter, got {type(p).__name__}")
            if id(p) in seen:
                raise ValueError(f"params[{i}] is params[{seen[id(p)]}] again: each parameter may be "
                                 "given once (it would be stepped twice)")
            seen[id(p)] = i
        if not params:
            raise ValueError("params is empty: pass model.parameters()")
        self.params = params
        self.lr = check_real(lr, "lr", low=0.0, low_open=True)
        self.state = [{} for _ in params]

    def step(self):
        """Move every parameter once, using its ``grad``."""
        for p, state in zip(self.params, self.state):
            self.update(p, state)

    def update(self, p, state):
        """Change ``p.data`` in place from ``p.grad`` and this parameter's ``state`` dict."""
        raise NotImplementedError

    def zero_grad(self):
        for p in self.params:
            p.zero_grad()

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr}, {len(self.params)} parameters)"


class SGD(Optimizer):
    """Plain SGD, as in the notes: every parameter moves against its gradient, scaled by ``lr``
    (the notes' alpha). With ``momentum`` m > 0 a velocity v <- m v - lr grad is kept per
    parameter (``state[i]["velocity"]``) and theta <- theta + v (the classic "heavy ball";
    m = 0 is plain SGD).
    """

    def __init__(self, params, lr, momentum=0.0):
        super().__init__(params, lr)
        self.momentum = check_real(momentum, "momentum", low=0.0, high=1.0, high_open=True)
        if self.momentum:
            for p, state in zip(self.params, self.state):
                state["velocity"] = np.zeros_like(p.data)

    def update(self, p, state):
        if not self.momentum:
            p.data -= self.lr * p.grad
            return
        v = state["velocity"]
        v *= self.momentum
        v -= self.lr * p.grad
        p.data += v

    def __repr__(self):
        return f"SGD(lr={self.lr}, momentum={self.momentum}, {len(self.params)} parameters)"
