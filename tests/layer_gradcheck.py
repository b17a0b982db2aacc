"""A gradient check of one layer on its own: loss = sum(R * layer(x)) with a fixed random R, so
dloss/dout = R, and every parameter and the input are compared with finite differences.

(Not in conftest.py: tests/browser has a conftest.py of its own.)
"""
import numpy as np

import nnlib


def layer_errors(layer, x, rng):
    """{"input": rel. error of dx, name: rel. error of each parameter's grad}, float64."""
    R = rng.standard_normal(layer.forward(x).shape)

    def loss(_):
        return float(np.sum(R * layer.forward(x)))

    layer.zero_grad()
    layer.forward(x)
    dx = layer.backward(R)
    report = {name: nnlib.rel_error(p.grad, nnlib.numerical_gradient(loss, p.data))
              for name, p in layer.named_parameters()}
    report["input"] = nnlib.rel_error(dx, nnlib.numerical_gradient(loss, x))
    return report


def with_top_singular_gap(W, rng, top=2.0):
    """W's singular vectors with singular values top > 1 >= the others (power iteration then
    converges fast: the error shrinks by (1/top)^2 per step)."""
    U, s, Vt = np.linalg.svd(W, full_matrices=False)
    s = np.sort(rng.uniform(0.1, 1.0, size=s.size))[::-1]
    s[0] = top
    return (U * s) @ Vt
