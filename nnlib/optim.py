"""Optimisers: an ``Optimizer`` base; SGD (momentum optional), RMSprop and Adam.

An optimiser holds a list of Parameters and, per parameter, a dict of state (SGD's velocity;
Adam's moments). ``step()`` calls ``update(p, state)`` for each parameter; a new optimiser is a
subclass with its own ``update`` (RMSprop below is one in a dozen lines).

``weight_decay`` (SGD, Adam) is L2 regularization folded into the gradient, as PyTorch does:
the step uses g = grad + weight_decay * theta, the gradient of loss + (weight_decay / 2) ||theta||^2;
``p.grad`` itself is left as backprop computed it. (In Adam this is *not* AdamW's decoupled
decay: the decay term is divided by sqrt(v) like the rest of the gradient.)
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
    m = 0 is plain SGD). ``weight_decay`` adds weight_decay * theta to grad (L2, see above).
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum = check_real(momentum, "momentum", low=0.0, high=1.0, high_open=True)
        self.weight_decay = check_real(weight_decay, "weight_decay", low=0.0)
        if self.momentum:
            for p, state in zip(self.params, self.state):
                state["velocity"] = np.zeros_like(p.data)

    def update(self, p, state):
        g = _decayed(p, self.weight_decay)
        if not self.momentum:
            p.data -= self.lr * g
            return
        v = state["velocity"]
        v *= self.momentum
        v -= self.lr * g
        p.data += v

    def __repr__(self):
        decay = f", weight_decay={self.weight_decay}" if self.weight_decay else ""
        return f"SGD(lr={self.lr}, momentum={self.momentum}{decay}, {len(self.params)} parameters)"


def _decayed(p, weight_decay):
    """The gradient the step uses: grad + weight_decay * theta (L2), p.grad itself unchanged."""
    return p.grad + weight_decay * p.data if weight_decay else p.grad


def _check_beta(value, name):
    return check_real(value, name, low=0.0, high=1.0, high_open=True)


class RMSprop(Optimizer):
    """Divide each parameter's step by a running root-mean-square of its gradients (Hinton).

    Per parameter, v <- alpha v + (1 - alpha) g^2 (``state[i]["v"]``, starting at 0), then
    theta <- theta - lr g / (sqrt(v) + eps). A parameter whose gradients are large takes small
    steps and one whose gradients are small takes large ones, so a long narrow valley is
    crossed as fast as it is followed. As ``torch.optim.RMSprop`` with its defaults (no
    momentum, not centred); its lr default is 1e-2 as torch's.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params, lr)
        self.alpha = _check_beta(alpha, "alpha")
        self.eps = check_real(eps, "eps", low=0.0, low_open=True)
        for p, state in zip(self.params, self.state):
            state["v"] = np.zeros_like(p.data)

    def update(self, p, state):
        g, v = p.grad, state["v"]
        v *= self.alpha
        v += (1 - self.alpha) * g * g
        p.data -= self.lr * g / (np.sqrt(v) + self.eps)

    @property
    def v(self):
        """[state[i]["v"] for each parameter]: the running mean squares (the arrays themselves)."""
        return [state["v"] for state in self.state]

    def __repr__(self):
        return f"RMSprop(lr={self.lr}, alpha={self.alpha}, eps={self.eps}, {len(self.params)} parameters)"


class Adam(Optimizer):
    """Momentum and RMSprop together, with bias correction (Kingma and Ba, 2015, Algorithm 1).

    Per parameter, with g the gradient (plus ``weight_decay`` theta) and t the number of steps
    taken, this one included::

        m <- beta1 m + (1 - beta1) g          (running mean of g: the momentum)
        v <- beta2 v + (1 - beta2) g^2        (running mean of g^2: RMSprop's)
        m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)
        theta <- theta - lr m_hat / (sqrt(v_hat) + eps)

    m and v start at 0, so early on they are too small by the factors 1 - beta^t; dividing by
    those factors (the bias correction) removes exactly that: the first step is lr g / (|g| +
    eps), about lr in every coordinate. ``state[i]["m"]`` and ``state[i]["v"]`` hold the
    moments (also listed as ``opt.m`` and ``opt.v``); ``opt.t`` counts the steps.
    As ``torch.optim.Adam`` (without ``amsgrad``).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_check_beta(betas[0], "betas[0]"), _check_beta(betas[1], "betas[1]"))
        self.eps = check_real(eps, "eps", low=0.0, low_open=True)
        self.weight_decay = check_real(weight_decay, "weight_decay", low=0.0)
        self.t = 0
        for p, state in zip(self.params, self.state):
            state["m"] = np.zeros_like(p.data)
            state["v"] = np.zeros_like(p.data)

    def step(self):
        self.t += 1
        super().step()

    def update(self, p, state):
        beta1, beta2 = self.betas
        g, m, v = _decayed(p, self.weight_decay), state["m"], state["v"]
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        m_hat = m / (1 - beta1**self.t)
        v_hat = v / (1 - beta2**self.t)
        p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    @property
    def m(self):
        """[state[i]["m"] for each parameter]: the first moments (the arrays themselves)."""
        return [state["m"] for state in self.state]

    @property
    def v(self):
        """[state[i]["v"] for each parameter]: the second moments (the arrays themselves)."""
        return [state["v"] for state in self.state]

    def __repr__(self):
        decay = f", weight_decay={self.weight_decay}" if self.weight_decay else ""
        return (f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}{decay}, "
                f"{len(self.params)} parameters)")


def clip_grad_norm(params, max_norm):
    """Rescale the gradients of ``params`` together so that their total norm is at most
    ``max_norm``; return the total norm *before* clipping (a float), as
    ``torch.nn.utils.clip_grad_norm_`` does.

    The total norm is sqrt(sum over every parameter of ||grad||^2), all gradients seen as one
    long vector. If it exceeds max_norm every grad is multiplied by max_norm / (norm + 1e-6):
    the direction of the step is kept, only its length is capped. That is the usual cure for
    the exploding gradients of a recurrent network: a rare huge gradient would otherwise throw
    the weights far away in one step. Call it between ``backward`` and ``opt.step()``.

    params: a list of Parameters (``model.parameters()``) or one Parameter; max_norm > 0.
    A NaN or inf norm is returned as it is and the gradients are left unchanged (scaling
    cannot repair them; the loss will show the NaN).
    """
    if isinstance(params, Parameter):
        params = [params]
    if not hasattr(params, "__iter__") or hasattr(params, "parameters"):
        raise TypeError(f"params must be a list of Parameters (model.parameters()), "
                        f"got {type(params).__name__}")
    params = list(params)
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise TypeError(f"params[{i}] must be an nnlib Parameter, got {type(p).__name__}")
    max_norm = check_real(max_norm, "max_norm", low=0.0, low_open=True)
    unique = list({id(p): p for p in params}.values())  # a shared Parameter counts once
    total = float(np.sqrt(sum(float(np.sum(np.square(p.grad, dtype=np.float64))) for p in unique)))
    if np.isfinite(total) and total > max_norm:
        scale = max_norm / (total + 1e-6)
        for p in unique:
            p.grad *= scale
    return total
