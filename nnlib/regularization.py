"""Dropout: switch random units off while training, so no unit can rely on another being there.

Inverted dropout, as PyTorch does it: in training each unit is kept with probability 1 - p and
the kept ones are multiplied by 1 / (1 - p), so the expected output equals the input,
E[out] = (1 - p) * x / (1 - p) = x; in evaluation the layer is the identity and nothing needs
rescaling at test time.
"""
import numpy as np

from ._checks import as_rng, check_real
from .core import Layer


class Dropout(Layer):
    """out = x * mask, with mask_i = 1/(1-p) (kept, probability 1-p) or 0 (dropped, probability p).

    Parameters
    ----------
    p : float in [0, 1)
        The probability of DROPPING a unit (as ``torch.nn.Dropout``). p = 0 is the identity;
        p = 1 would drop everything and divide by zero, so it is refused.
    rng : int, numpy Generator or None
        Where the masks come from: one fresh mask per forward pass in training.

    Input ``x``: any shape (N, ...); the output and ``dx`` have the same shape. In eval mode
    (``model.eval()``) the output is ``x`` itself.

    Backward uses the mask of the last forward: dx = dout * mask (the layer is linear in x for
    a fixed mask). A gradient check therefore needs a *fixed* mask, since every forward in
    training draws a new one: ``layer.draw_mask = lambda shape, dtype: mask`` pins it (the
    tests do this). Simplified: the mask is drawn for every element, not per channel (no
    ``Dropout2d``), and the random numbers are not saved with the model (``rng`` is not part of
    ``config()``), so a loaded model draws other masks.
    """

    input_ndim = None  # elementwise: any shape

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        self.p = check_real(p, "p", low=0.0, high=1.0, high_open=True)
        self.rng = as_rng(rng)
        self.mask = None    # (N, ...) of the last training forward: 0 or 1/(1-p); None: identity
        self._shape = None  # the shape of the last forward's input, to check dout against

    def draw_mask(self, shape, dtype):
        """A new mask of ``shape``: 0 with probability p, else 1/(1-p), in ``dtype``."""
        keep = self.rng.random(shape) >= self.p  # uniform in [0, 1): kept with probability 1-p
        return keep.astype(dtype) * dtype.type(1.0 / (1.0 - self.p))

    def forward(self, x):
        """x: (N, ...) -> out: (N, ...), the same shape"""
        self._shape = x.shape
        if not self.training or self.p == 0.0:
            self.mask = None
            return x
        self.mask = self.draw_mask(x.shape, x.dtype)
        return x * self.mask

    def backward(self, dout, input_grad=True):
        """dout: (N, ...) = dloss/dout -> dx: (N, ...) = dout * mask (dout itself in eval mode).
        There is nothing to skip for ``input_grad=False``: dx is all dropout computes."""
        dout = self._check_dout(dout, self._shape)
        return dout if self.mask is None else dout * self.mask

    def config(self):
        return {"p": self.p}
