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
    f = sp.lambdify(args, expr, modules=[NUMPY_EXTRAS, "numpy"])
    if expr.free_symbols:
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
