"""Normalization layers: batch normalization (BatchNorm1d, BatchNorm2d) and spectral normalization.

Batch norm rescales each feature (channel) of a batch to mean 0 and variance 1, then lets the
network choose a scale gamma and a shift beta back; spectral norm divides a layer's weight by
its largest singular value, so the layer can stretch no input difference by more than 1.
"""
import numpy as np

from ._checks import as_rng, check_positive_int, check_real
from .core import Layer, Parameter


class _BatchNorm(Layer):
    """Batch normalization over every axis but axis 1 (the feature or channel axis).

    For one channel, with the m values x_1..x_m it takes in a batch (m = N for (N, C) input,
    N*H*W for (N, C, H, W))::

        mu      = (1/m) sum_i x_i
        var     = (1/m) sum_i (x_i - mu)^2          (the biased variance: divide by m)
        s       = sqrt(var + eps)
        xhat_i  = (x_i - mu) / s
        y_i     = gamma * xhat_i + beta

    **The backward pass in compact form.** Given dy_i = dloss/dy_i, first dgamma = sum_i dy_i
    xhat_i, dbeta = sum_i dy_i, and dxhat_i = gamma dy_i. Every xhat_i depends on every x_j,
    directly and through mu and var. With d mu / d x_j = 1/m and
    d var / d x_j = (2/m) sum_i (x_i - mu)(delta_ij - 1/m) = (2/m)(x_j - mu)
    (the sum of x_i - mu is zero)::

        d xhat_i / d x_j = (delta_ij - 1/m) / s  -  (x_i - mu) / (2 s^3) * (2/m)(x_j - mu)
                         = (delta_ij - 1/m - xhat_i xhat_j / m) / s

    so dx_j = sum_i dxhat_i d xhat_i / d x_j is three terms, the direct path, the path through
    the mean and the path through the variance::

        dx_j = (1 / (m s)) * (m dxhat_j  -  sum_i dxhat_i  -  xhat_j sum_i dxhat_i xhat_i)

    Two sums per channel and one elementwise line, instead of backpropagating through the
    nine steps of the forward one at a time (the tests check that both give the same numbers).
    It also shows what batch norm does to a gradient: dx is dxhat / s with its mean removed and
    its component along xhat removed, so a shift or a rescaling of the whole batch gets no
    gradient at all.

    **Training and evaluation.** In training the batch's own mu and var are used, and the
    buffers move towards them: running_mean += momentum (mu - running_mean), and running_var
    likewise towards the *unbiased* variance var * m / (m - 1), as PyTorch does. In evaluation
    the running statistics are used instead (constants: then dx_j = dxhat_j / s only), so a
    sample's output no longer depends on the others in its batch. A training batch with one
    value per channel has no variance to estimate and raises a ValueError.

    A constant feature has var = 0: xhat is 0 and s = sqrt(eps), no division by zero (dx is then
    steep, dout's deviation from its mean / sqrt(eps), which is the true derivative). The
    variance squares x - mu, so inputs beyond about 1e150 in size would overflow it.

    Simplified compared with PyTorch: no ``momentum=None`` (a cumulative average), no
    ``track_running_stats=False``, no counter of batches; gamma and beta are float64 (float32
    input gives float64 output).
    """

    input_ndim = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        super().__init__()
        self.num_features = check_positive_int(num_features, "num_features")
        self.eps = check_real(eps, "eps", low=0.0, low_open=True)
        self.momentum = check_real(momentum, "momentum", low=0.0, high=1.0)
        if not isinstance(affine, (bool, np.bool_)):
            raise TypeError(f"affine must be True or False, got {type(affine).__name__} {affine!r}")
        self.affine = bool(affine)
        self.gamma = self.beta = None
        if self.affine:
            self.gamma = Parameter(np.ones(self.num_features))   # (C,)
            self.beta = Parameter(np.zeros(self.num_features))   # (C,)
        self.register_buffer("running_mean", np.zeros(self.num_features))  # (C,)
        self.register_buffer("running_var", np.ones(self.num_features))    # (C,)
        self._cache = None

    @staticmethod
    def param_shapes(num_features, affine=True, **_):
        """{name: shape} of the parameters (``load`` checks a file against it first)."""
        return {"gamma": (num_features,), "beta": (num_features,)} if affine else {}

    def _axes_and_shape(self, x):
        """The axes a channel's statistics run over, and the shape (1, C, 1, ...) that
        broadcasts a (C,) array against x."""
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, self.num_features) + (1,) * (x.ndim - 2)
        return axes, shape

    def forward(self, x):
        """x: (N, C) or (N, C, H, W) -> y: the same shape, each channel normalized"""
        if x.shape[1] != self.num_features:
            raise ValueError(f"x must have {self.num_features} features (channels) on axis 1, "
                             f"got shape {x.shape}")
        axes, shape = self._axes_and_shape(x)
        m = x.size // self.num_features  # values per channel
        if self.training:
            if m < 2:
                raise ValueError(f"x has shape {x.shape}: one value per channel, a batch of one sample. "
                                 "Batch norm in training needs at least 2 to estimate a variance "
                                 "(use a larger batch, or model.eval() to use the running statistics)")
            mu = x.mean(axis=axes)                                # (C,)
            var = ((x - mu.reshape(shape)) ** 2).mean(axis=axes)  # (C,), biased
            running_mean, running_var = self._buffers["running_mean"], self._buffers["running_var"]
            running_mean += self.momentum * (mu - running_mean)
            running_var += self.momentum * (var * (m / (m - 1)) - running_var)
        else:
            mu, var = self._buffers["running_mean"], self._buffers["running_var"]
        inv_std = 1.0 / np.sqrt(var + self.eps)                   # (C,): 1/s
        xhat = (x - mu.reshape(shape)) * inv_std.reshape(shape)   # (N, C, ...)
        self._cache = (xhat, inv_std, m, self.training)
        if not self.affine:
            return xhat
        return self.gamma.data.reshape(shape) * xhat + self.beta.data.reshape(shape)

    def backward(self, dout, input_grad=True):
        """dout: (N, C, ...) = dloss/dy -> dx: (N, C, ...) = dloss/dx; adds dgamma: (C,) and
        dbeta: (C,) to the grads. The compact form derived in the class docstring."""
        xhat = None if self._cache is None else self._cache[0]
        dout = self._check_dout(dout, None if xhat is None else xhat.shape)
        xhat, inv_std, m, training = self._cache
        axes, shape = self._axes_and_shape(xhat)
        dxhat = dout  # y = xhat without affine
        if self.affine:  # y = gamma xhat + beta
            dgamma = (dout * xhat).sum(axis=axes)  # (C,)
            dbeta = dout.sum(axis=axes)            # (C,)
            self.gamma.grad += dgamma
            self.beta.grad += dbeta
            dxhat = dout * self.gamma.data.reshape(shape)
        if not input_grad:
            return None
        if not training:  # xhat = (x - running_mean) / s: mu and s were constants
            return dxhat * inv_std.reshape(shape)
        # xhat = (x - mu) / s with mu and s from this batch: the three paths of the docstring
        sum_dxhat = dxhat.sum(axis=axes).reshape(shape)                  # (1, C, 1, ...)
        sum_dxhat_xhat = (dxhat * xhat).sum(axis=axes).reshape(shape)    # (1, C, 1, ...)
        dx = (inv_std / m).reshape(shape) * (m * dxhat - sum_dxhat - xhat * sum_dxhat_xhat)
        return dx

    def config(self):
        return {"num_features": self.num_features, "eps": self.eps, "momentum": self.momentum,
                "affine": self.affine}


class BatchNorm1d(_BatchNorm):
    __doc__ = ("Batch normalization of (N, C) input: each of the C features over the N samples.\n\n"
               "``BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True)``: Parameters "
               "``gamma`` (C,) (starts at 1) and ``beta`` (C,) (starts at 0) if ``affine``; buffers "
               "``running_mean`` (C,) (starts at 0) and ``running_var`` (C,) (starts at 1).\n"
               + _BatchNorm.__doc__)
    input_ndim = 2


class BatchNorm2d(_BatchNorm):
    __doc__ = ("Batch normalization of (N, C, H, W) images: each of the C channels over the N*H*W "
               "values it has in the batch (one mean and variance per channel, shared by every "
               "position, as a convolution shares its weights).\n\n"
               "``BatchNorm2d(num_features, eps=1e-5, momentum=0.1, affine=True)``, parameters and "
               "buffers as BatchNorm1d's, all (C,).\n" + _BatchNorm.__doc__)
    input_ndim = 4


def _normalize(v, eps):
    """v / ||v||, with the norm clamped at eps (``torch.nn.functional.normalize``)."""
    return v / max(float(np.linalg.norm(v)), eps)


class SpectralNorm(Layer):
    """A layer whose weight is divided by its largest singular value: W_sn = W / sigma(W).

    sigma(W) = max over unit x of ||W x|| is how much W can stretch a vector, so the wrapped
    layer (Dense: z = W_sn x + b) satisfies ||z(x) - z(x')|| <= ||x - x'||: it is 1-Lipschitz.
    GAN discriminators use it to keep their gradients tame.

    Parameters
    ----------
    layer : Dense (or any layer with a Parameter ``W``)
        The layer to wrap; it keeps its own ``W`` and ``b`` (named "layer.W", "layer.b"), the
        optimiser moves the *unnormalized* W. A weight of more than two axes (a Conv2d's
        (out, in, kh, kw)) is viewed as a matrix (W.shape[dim], -1), as PyTorch does.
    n_power_iterations : int >= 1
        Power-iteration steps per training forward.
    eps : float > 0
        Norms are clamped at eps before dividing (and sigma too: an all-zero W stays zero).
    dim : int or None
        The axis of W that becomes the matrix's rows: the output channels. None picks it as
        ``torch.nn.utils.spectral_norm`` does: 1 for a ConvTranspose2d, whose W is
        (C_in, C_out, kh, kw), and 0 for every other layer (Dense and Conv2d put "out" first).
        The two views are different matrices with different top singular values; neither is
        exactly the largest stretch of the convolution itself: both are the cheap stand-in that
        spectrally normalized GANs use.
    rng : int, numpy Generator or None
        Draws the starting ``u``.

    **Power iteration.** sigma is the largest singular value; computing it by an SVD at every
    step would cost far more than the layer. The buffer ``u`` (out,) holds an estimate of the
    top left singular vector, and every training forward improves it::

        v = W^T u / ||W^T u||,   u = W v / ||W v||,   sigma = u^T W v

    Each step multiplies the error in u by about (sigma_2 / sigma_1)^2, and since the weights
    change little between steps, one step per forward is enough after the first few (the tests
    check sigma against ``np.linalg.svd``). In eval mode u stays as it is: v = W^T u / ||W^T u||
    and sigma = u^T W v = ||W^T u|| (PyTorch keeps v in a second buffer instead; here it is
    recomputed from u). ``self.sigma`` is the value the last forward used.

    **The backward pass**, as PyTorch does it: u and v are held fixed, so sigma = u^T W v is
    linear in W and d sigma / dW = u v^T. With G = dloss/dW_sn from the wrapped layer::

        dW = (G - <G, W_sn> u v^T) / sigma         (<A, B> = sum of A * B)

    Holding u and v fixed is a simplification: the true derivative would also run through the
    power iteration. It is exact when u and v are the true singular vectors (sigma is
    stationary in them: the derivative of the largest singular value is exactly u v^T), and in
    eval mode, where sigma = ||W^T u|| and its derivative is u v^T too. The tests check both.
    """

    def __init__(self, layer, n_power_iterations=1, eps=1e-12, dim=None, rng=None):
        super().__init__()
        if not isinstance(layer, Layer):
            raise TypeError(f"layer must be an nnlib Layer with a weight W (a Dense), got {type(layer).__name__}")
        weight = getattr(layer, "W", None)
        if not isinstance(weight, Parameter) or weight.data.ndim < 2:
            raise TypeError(f"layer must have a Parameter W of at least 2 axes (a Dense), "
                            f"{type(layer).__name__} has none")
        self.layer = layer
        self.n_power_iterations = check_positive_int(n_power_iterations, "n_power_iterations")
        self.eps = check_real(eps, "eps", low=0.0, low_open=True)
        if dim is None:
            from .conv import ConvTranspose2d  # here, not at the top: conv does not need normalization
            dim = 1 if isinstance(layer, ConvTranspose2d) else 0
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not 0 <= dim < weight.data.ndim:
            raise ValueError(f"dim must be an axis of W (an int from 0 to {weight.data.ndim - 1}; "
                             f"W has shape {weight.data.shape}) or None, got {dim!r}")
        self.dim = int(dim)
        rng = as_rng(rng)
        self.register_buffer("u", _normalize(rng.standard_normal(weight.data.shape[self.dim]), self.eps))
        self.sigma = None  # the sigma of the last forward (a float)
        self._cache = None

    def check_input(self, x, name="x"):
        """The wrapped layer decides what input it takes."""
        return self.layer.check_input(x, name)

    def _weight_matrix(self):
        w = np.moveaxis(self.layer.W.data, self.dim, 0)
        return w.reshape(w.shape[0], -1)  # (out, in) for Dense; (out, in*kh*kw) for a conv

    def _weight_shaped(self, matrix):
        """The inverse of _weight_matrix: a (W.shape[dim], -1) matrix back in W's layout."""
        moved = np.moveaxis(self.layer.W.data, self.dim, 0).shape
        return np.moveaxis(matrix.reshape(moved), 0, self.dim)

    def _power_iteration(self, W):
        """W: (out, k) -> (u: (out,), v: (k,), sigma), starting from the buffer u (not changed here)."""
        u = self._buffers["u"]
        if self.training:
            for _ in range(self.n_power_iterations):
                v = _normalize(W.T @ u, self.eps)
                u = _normalize(W @ v, self.eps)
        else:
            u, v = u.copy(), _normalize(W.T @ u, self.eps)
        return u, v, float(u @ (W @ v))

    def forward(self, x):
        """x: the wrapped layer's input, (N, in) for Dense -> its output with W / sigma, (N, out)"""
        W = self._weight_matrix()
        u, v, sigma = self._power_iteration(W)
        clamped = sigma < self.eps
        sigma = max(sigma, self.eps)
        w_sn = self.layer.W.data / sigma
        out = self._with_weight(w_sn, None, lambda: self.layer.forward(x))
        if self.training:  # only now: a forward that raised (x of a wrong shape) changes nothing
            self._buffers["u"][...] = u
        self.sigma = sigma
        self._cache = (u, v, sigma, clamped, w_sn)
        return out

    def _with_weight(self, data, grad, run):
        """Run ``run()`` with the wrapped layer's W.data (and W.grad) swapped for these, then put
        the layer's own arrays back (the same objects: whoever holds them sees no change)."""
        W = self.layer.W
        saved = W.data, W.grad
        W.data = data
        if grad is not None:
            W.grad = grad
        try:
            return run()
        finally:
            W.data, W.grad = saved

    def backward(self, dout, input_grad=True):
        """dout: the wrapped layer's dout, (N, out) -> its dx, (N, in); adds dW (see the class
        docstring) to layer.W.grad and the wrapped layer's other gradients (db) as it does."""
        if self._cache is None:
            raise RuntimeError("SpectralNorm.backward called before forward")
        u, v, sigma, clamped, w_sn = self._cache
        g = np.zeros_like(w_sn)  # G = dloss/dW_sn, collected apart from W.grad
        dx = self._with_weight(w_sn, g, lambda: self.layer.backward(dout, input_grad=input_grad))
        dW = g / sigma
        if not clamped:  # a clamped sigma is the constant eps
            dW -= (np.sum(g * w_sn) / sigma) * self._weight_shaped(np.outer(u, v))
        self.layer.W.grad += dW
        return dx

    def config(self):
        return {"layer": self.layer, "n_power_iterations": self.n_power_iterations, "eps": self.eps,
                "dim": self.dim}
