"""Stochastic gradient descent: theta <- theta - alpha * dloss/dtheta, optionally with momentum."""
import numpy as np

from ._checks import check_real
from .core import Parameter


class SGD:
    """Plain SGD, as in the notes: every parameter moves against its gradient, scaled by ``lr``
    (the notes' alpha). With ``momentum`` m > 0 a velocity v <- m v - lr grad is kept per
    parameter and theta <- theta + v (the classic "heavy ball"; m = 0 is plain SGD).

    The update is in place, so models and notebooks that hold ``p.data`` see the new values.
    """

    def __init__(self, params, lr, momentum=0.0):
        params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Parameter):
                raise TypeError(f"params[{i}] must be an nnlib Parameter, got {type(p).__name__}")
        if not params:
            raise ValueError("params is empty: pass model.parameters()")
        self.params = params
        self.lr = check_real(lr, "lr", low=0.0, low_open=True)
        self.momentum = check_real(momentum, "momentum", low=0.0, high=1.0, high_open=True)
        self._velocity = [np.zeros_like(p.data) for p in params] if self.momentum else None

    def step(self):
        if self._velocity is None:
            for p in self.params:
                p.data -= self.lr * p.grad
        else:
            for p, v in zip(self.params, self._velocity):
                v *= self.momentum
                v -= self.lr * p.grad
                p.data += v

    def zero_grad(self):
        for p in self.params:
            p.zero_grad()

    def __repr__(self):
        return f"SGD(lr={self.lr}, momentum={self.momentum}, {len(self.params)} parameters)"
