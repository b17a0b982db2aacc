"""SymPy versions of the notes' formulas, and bridges from them to numpy.

The notebooks derive every formula here with SymPy, then compare it with nnlib's numpy code and
with finite differences. Symbols are real-valued, so SymPy may simplify as we would by hand.

    >>> from nnlib import symbolic as S
    >>> S.simplify(S.derivative("sigmoid") - S.activation("sigmoid") * (1 - S.activation("sigmoid")))
    0
"""
import numpy as np
import sympy as sp

x = sp.Symbol("x", real=True)
a, b = sp.symbols("a b", real=True)

simplify = sp.simplify


def activation(name, var=x):
    """phi(var) as written in the notes: 'linear' (a x + b), 'sigmoid', 'tanh', 'heaviside'
    (with H(0) = 1/2) or 'relu'."""
    forms = {
        "linear": a * var + b,
        "sigmoid": 1 / (1 + sp.exp(-var)),
        "tanh": (sp.exp(var) - sp.exp(-var)) / (sp.exp(var) + sp.exp(-var)),
        "heaviside": sp.Heaviside(var, sp.Rational(1, 2)),
        "relu": sp.Piecewise((var, var > 0), (0, True)),
    }
    if name not in forms:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(forms)}")
    return forms[name]


def derivative(name, var=x):
    """d phi / d var, derived by SymPy (Heaviside's is DiracDelta(x): 0 away from 0)."""
    return sp.diff(activation(name, var), var)


# Functions that SymPy produces but numpy does not have. DiracDelta is 0 everywhere except at 0,
# where it is not a number at all; on a grid that avoids 0 it is 0.
NUMPY_EXTRAS = {
    "DiracDelta": lambda v: np.zeros_like(np.asarray(v, dtype=float)),
    "Heaviside": lambda v, h0=0.5: np.heaviside(np.asarray(v, dtype=float), h0),
}


def lambdify(args, expr):
    """A numpy function of ``args`` (a symbol or a list of symbols) that evaluates ``expr``.

    A constant expression still returns an array of the input's shape."""
    f = sp.lambdify(args, expr, modules=[NUMPY_EXTRAS, "numpy"], cse=True)
    if isinstance(expr, (list, tuple)) or expr.free_symbols:
        return f
    return lambda *vals: np.full_like(np.asarray(vals[0], dtype=float), float(expr))


def activation_numpy(name, a_value=1.0, b_value=0.0):
    """(phi, phi') from SymPy as numpy functions of x; the linear one uses a, b as given."""
    subs = {a: a_value, b: b_value}
    return (lambdify(x, activation(name).subs(subs)), lambdify(x, derivative(name).subs(subs)))


# -- losses and softmax ---------------------------------------------------------------------
def logits(n, name="z"):
    """n real symbols z_1 ... z_n (the scores of n classes)."""
    return list(sp.symbols(f"{name}_1:{n + 1}", real=True))


def softmax(zs):
    """[e^{z_c} / sum_c' e^{z_c'}] for the list of symbols zs."""
    total = sum(sp.exp(z) for z in zs)
    return [sp.exp(z) / total for z in zs]


def cross_entropy(zs, ys):
    """-sum_c y_c ln p_c with p = softmax(zs), for one sample (ys: targets, symbols or numbers)."""
    return -sum(y * sp.log(p) for y, p in zip(ys, softmax(zs)))


def mse(preds, targets, mean=True):
    """sum_n (y_n - f_n)^2, divided by the number of samples when ``mean`` (the notes' 1/|D|)."""
    total = sum((y - f) ** 2 for y, f in zip(targets, preds))
    return total / len(preds) if mean else total


def gradient(expr, variables):
    """[d expr / d v for v in variables]."""
    return [sp.diff(expr, v) for v in variables]


# -- whole networks -------------------------------------------------------------------------
def _weight(layer, i, j, wide):
    sep = "," if wide else ""
    return sp.Symbol(f"w^{{({layer})}}_{{{i}{sep}{j}}}", real=True)


class Network:
    """A small fully connected network written out in SymPy, with the notes' names.

    ``Network([2, 3, 1])`` is the notes' example: x = (x_1, x_2), W^(1) (3x2) with entries
    w^(1)_ij, W^(2) (1x3), sigmoid everywhere, no biases. ``activations`` is one name or one per
    layer; ``bias=True`` adds b^(l)_i. For one sample (x, y):

    - ``z[l]``, ``h[l]``: the layer's pre-activations W h + b and activations phi(z) (sympy Matrices);
    - ``f``: the output, ``e = y - f``, ``loss = sum of e_i^2`` (the notes' per-sample loss);
    - ``theta``: every parameter in the notes' order (W^(1) row by row, then b^(1), W^(2), ...);
    - ``gradient()``: {parameter: d loss / d parameter}, derived by SymPy.
    """

    def __init__(self, sizes, activations="sigmoid", bias=False):
        sizes = list(sizes)
        n_layers = len(sizes) - 1
        acts = [activations] * n_layers if isinstance(activations, str) else list(activations)
        if n_layers < 1 or len(acts) != n_layers:
            raise ValueError(f"need at least two sizes and one activation per layer, got {sizes}, {acts}")
        self.sizes, self.activations, self.bias = sizes, acts, bias
        self.x = sp.Matrix(sp.symbols(f"x_1:{sizes[0] + 1}", real=True))
        outs = sizes[-1]
        self.y = sp.Matrix([sp.Symbol("y", real=True)] if outs == 1 else sp.symbols(f"y_1:{outs + 1}", real=True))
        wide = max(sizes) > 9
        self.W, self.b, self.z, self.h = [], [], [], []
        h = self.x
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            W = sp.Matrix(n_out, n_in, lambda i, j: _weight(l, i + 1, j + 1, wide))
            z = W * h
            if bias:
                b = sp.Matrix([sp.Symbol(f"b^{{({l})}}_{{{i + 1}}}", real=True) for i in range(n_out)])
                z = z + b
                self.b.append(b)
            h = z.applyfunc(lambda v, act=acts[l - 1]: activation(act, v))
            self.W.append(W)
            self.z.append(z)
            self.h.append(h)
        self.f = h
        self.e = self.y - self.f
        self.loss = sum(e_i**2 for e_i in self.e)
        self.theta = []
        for l in range(n_layers):
            self.theta += list(self.W[l])  # row by row, as the notes list theta
            if bias:
                self.theta += list(self.b[l])
        self._gradient = None

    def gradient(self):
        """{parameter symbol: d loss / d parameter} (computed once, then cached)."""
        if self._gradient is None:
            self._gradient = {p: sp.diff(self.loss, p) for p in self.theta}
        return self._gradient

    def values(self, model, x, y):
        """A substitution dict for SymPy: the parameters of an nnlib model with the same shape
        (its Dense layers in order), one input x: (n_in,) and target y: (n_out,)."""
        from .layers import Dense  # symbolic stays importable on its own

        dense = [layer for layer in getattr(model, "layers", [model]) if isinstance(layer, Dense)]
        if [d.W.data.shape for d in dense] != [W.shape for W in self.W]:
            raise ValueError("model's Dense layers do not match this network's sizes")
        subs = dict(zip(self.x, np.ravel(x)))
        subs.update(zip(self.y, np.ravel(y)))
        for l, d in enumerate(dense):
            subs.update(zip(self.W[l], d.W.data.ravel()))
            if self.bias:
                subs.update(zip(self.b[l], d.b.data.ravel()))
        return subs

    def lambdify_gradient(self):
        """A numpy function g(x, y, *theta_values) -> array of d loss / d theta in theta's order."""
        grads = self.gradient()
        args = list(self.x) + list(self.y) + self.theta
        f = lambdify(args, [grads[p] for p in self.theta])
        return lambda x, y, theta: np.array(f(*np.ravel(x), *np.ravel(y), *np.ravel(theta)), dtype=float)

    def theta_values(self, model):
        """The numbers of ``model``'s parameters in ``theta``'s order."""
        subs = self.values(model, np.zeros(self.sizes[0]), np.zeros(self.sizes[-1]))
        return np.array([float(subs[p]) for p in self.theta])
