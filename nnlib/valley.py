"""A two-parameter loss surface with a narrow valley, and the path an optimiser takes on it.

The surface is a quadratic bowl stretched along one direction:

    f(theta) = (a u^2 + b v^2) / 2,   (u, v) = theta rotated by -angle,

so its Hessian has eigenvalues a (along the valley floor) and b (across it). With b >> a the
valley is narrow: a learning rate large enough to make progress along the floor overshoots
across it, and plain gradient descent is stable only for lr < 2 / b (the lower the ratio a / b,
the slower it crawls along the floor). Notebook 08 runs nnlib's own optimisers on it: each
step sets a 2-vector Parameter's ``grad`` to the exact gradient and calls ``optimizer.step()``,
exactly what ``fit`` does for a network's parameters.
"""
import numpy as np

from ._checks import as_float_array, check_positive_int, check_real
from .core import Parameter
from .optim import SGD, Optimizer

# The optimisers notebook 08 compares, by name: each makes an nnlib Optimizer from a list of
# Parameters and a learning rate (the other settings are the usual defaults).
OPTIMIZERS = ("SGD", "momentum", "RMSprop", "Adam")
MOMENTUM = 0.9        # the "momentum" optimiser's mu
RMSPROP_ALPHA = 0.99  # RMSprop's decay (nnlib's alpha, the rho of notebook 08's formula)


def make_optimizer(name, params, lr):
    """``OPTIMIZERS`` name -> an nnlib optimiser over ``params``: SGD; SGD with momentum 0.9;
    RMSprop (alpha 0.99); Adam (betas 0.9, 0.999)."""
    from . import optim

    if name == "SGD":
        return SGD(params, lr=lr)
    if name == "momentum":
        return SGD(params, lr=lr, momentum=MOMENTUM)
    if name == "RMSprop":
        return optim.RMSprop(params, lr=lr, alpha=RMSPROP_ALPHA)
    if name == "Adam":
        return optim.Adam(params, lr=lr)
    raise ValueError(f"name must be one of {OPTIMIZERS}, got {name!r}")


class NarrowValley:
    """f(theta) = (a u^2 + b v^2) / 2 with (u, v) = R(-angle) theta; its minimum is 0 at the origin.

    a, b: the curvatures along and across the valley (positive); angle: the valley floor's
    direction, in degrees from the theta_1 axis (0: the floor is the theta_1 axis).
    """

    def __init__(self, a=1.0, b=50.0, angle=0.0):
        self.a = check_real(a, "a", low=0.0, low_open=True)
        self.b = check_real(b, "b", low=0.0, low_open=True)
        self.angle = check_real(angle, "angle")
        t = np.deg2rad(self.angle)
        self.R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])  # columns: floor, across
        self.H = self.R @ np.diag([self.a, self.b]) @ self.R.T  # the Hessian, (2, 2)

    def __repr__(self):
        return f"NarrowValley(a={self.a:g}, b={self.b:g}, angle={self.angle:g})"

    def _theta(self, theta):
        theta = as_float_array(theta, "theta")
        if theta.ndim == 0 or theta.shape[-1] != 2:
            raise ValueError(f"theta must have shape (..., 2), got {theta.shape}")
        return theta

    def __call__(self, theta):
        """The loss at theta: (..., 2) -> (...)."""
        theta = self._theta(theta)
        return 0.5 * np.einsum("...i,ij,...j->...", theta, self.H, theta)

    def gradient(self, theta):
        """H theta: (..., 2) -> (..., 2)."""
        return self._theta(theta) @ self.H  # H is symmetric

    def grid(self, xlim=(-5.0, 5.0), ylim=(-2.0, 2.0), n=200):
        """The loss on an n x n grid, for a contour plot: (T1, T2, F), each (n, n)."""
        t1, t2 = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
        return t1, t2, self(np.stack([t1, t2], axis=-1))

    def lr_limit(self, name):
        """The largest stable learning rate of an ``OPTIMIZERS`` name on this valley, or None
        when it has none (RMSprop, Adam: their step is divided by the gradient's size).

        Along an eigenvector of curvature c, SGD multiplies theta by 1 - lr c: stable for
        |1 - lr c| < 1, lr < 2 / c. Heavy-ball momentum (v <- mu v - lr g, theta <- theta + v) has
        the characteristic polynomial z^2 - (1 + mu - lr c) z + mu, whose roots stay inside the unit
        circle for lr c < 2 (1 + mu). The steepest direction, c = b, sets the limit."""
        if name == "SGD":
            return 2.0 / self.b
        if name == "momentum":
            return 2.0 * (1.0 + MOMENTUM) / self.b
        if name in OPTIMIZERS:
            return None
        raise ValueError(f"name must be one of {OPTIMIZERS}, got {name!r}")

    def path(self, optimizer, start=(-4.0, 1.0), steps=100):
        """The points an optimiser visits from ``start``: (steps + 1, 2), start first.

        ``optimizer``: an ``OPTIMIZERS`` name with a learning rate, as a pair ("Adam", 0.1), or a
        function ``params -> Optimizer`` (e.g. ``lambda ps: nnlib.SGD(ps, lr=0.01)``). A path
        that leaves the float range (a learning rate far too large) stops at the last finite point.
        """
        steps = check_positive_int(steps, "steps", minimum=0)
        theta = Parameter(self._theta(np.array(start, dtype=float)).reshape(2).copy())
        if isinstance(optimizer, tuple):
            name, lr = optimizer
            opt = make_optimizer(name, [theta], lr)
        elif callable(optimizer):
            opt = optimizer([theta])
        else:
            raise TypeError(f"optimizer must be a (name, lr) pair or a function params -> Optimizer, "
                            f"got {type(optimizer).__name__}")
        if not isinstance(opt, Optimizer):
            raise TypeError(f"optimizer must make an nnlib Optimizer, got {type(opt).__name__}")
        points = [theta.data.copy()]
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(steps):
                theta.grad[:] = self.gradient(theta.data)
                opt.step()
                if not np.isfinite(theta.data).all():
                    break
                points.append(theta.data.copy())
        return np.array(points)
