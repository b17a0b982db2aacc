"""What training a GAN needs beyond layers, losses and optimisers: the ring of Gaussians it is
tested on, a way to run a network's backward pass without touching its parameters (``frozen``),
snapshots of the networks over training, and two measures of how well the samples match the data
(``mode_coverage``, a per-mode count; ``mmd``, a kernel distance between two sample sets).
"""
from collections import namedtuple

import numpy as np

from ._checks import as_float_array, as_rng, check_positive_int, check_real
from .core import Layer


# -- the data: a mixture of Gaussians on a ring ---------------------------------------------
def ring_centres(n_modes=8, radius=2.0):
    """(n_modes, 2): the centres of the mixture, evenly spaced on a circle, the first at (radius, 0)."""
    n_modes = check_positive_int(n_modes, "n_modes")
    radius = check_real(radius, "radius", low=0.0, low_open=True)
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def ring_of_gaussians(n, n_modes=8, radius=2.0, std=0.05, rng=None):
    """n samples of an equal mixture of ``n_modes`` round Gaussians (standard deviation ``std``)
    centred on ``ring_centres(n_modes, radius)``: the usual test of whether a GAN covers every mode.

    Returns X: (n, 2) and mode: (n,) ints, the component each sample was drawn from.
    """
    n = check_positive_int(n, "n")
    std = check_real(std, "std", low=0.0, low_open=True)
    centres = ring_centres(n_modes, radius)
    rng = as_rng(rng)
    mode = rng.integers(0, len(centres), size=n)
    X = centres[mode] + std * rng.standard_normal((n, 2))
    return X, mode


# -- a network whose parameters do not learn ------------------------------------------------
class frozen:
    """``with frozen(D): ...``: inside, ``D.backward`` still computes the gradient with respect
    to D's *input* (what the generator needs), but D's parameters' ``.grad`` are not touched, and
    D's buffers (spectral norm's ``u``) are put back on exit. So the generator's step leaves the
    discriminator exactly as it found it: same weights, same gradients, same buffers.

    How: on entry every parameter's ``grad`` is swapped for a scratch array of zeros, which
    backward adds into and which is thrown away on exit (the original arrays come back, unchanged).
    PyTorch gets the same effect with ``requires_grad_(False)``; here the swap is visible.

    ``model``: a Layer (a Sequential). Returns the model from ``__enter__``.
    """

    def __init__(self, model):
        if not isinstance(model, Layer):
            raise TypeError(f"model must be an nnlib Layer, got {type(model).__name__}")
        self.model = model
        self._grads = None
        self._buffers = None

    def __enter__(self):
        params = self.model.parameters()
        self._grads = [(p, p.grad) for p in params]
        self._buffers = [(buf, buf.copy()) for _, buf in self.model.named_buffers()]
        for p in params:
            p.grad = np.zeros_like(p.data)
        return self.model

    def __exit__(self, *exc):
        for p, grad in self._grads:
            p.grad = grad
        for buf, saved in self._buffers:
            buf[...] = saved
        self._grads = self._buffers = None
        return False


# -- snapshots over training ----------------------------------------------------------------
class Snapshots:
    """Copies of some networks' state (``state_dict``: parameters and buffers) taken during
    training, to look back at them later (a slider over training steps).

    >>> snaps = Snapshots()
    >>> snaps.record(0, G=G, D=D)        # at step 0
    >>> snaps.restore(0, G=G, D=D)       # G and D as they were then (in place)

    ``steps``: the step of each snapshot; ``states[i]``: {name: state_dict}.
    """

    def __init__(self):
        self.steps = []
        self.states = []

    def record(self, step, **models):
        """Keep a copy of every model's state under its keyword name, labelled with ``step``."""
        if not models:
            raise ValueError("record needs at least one model, as a keyword: record(step, G=G)")
        for name, model in models.items():
            if not isinstance(model, Layer):
                raise TypeError(f"{name} must be an nnlib Layer, got {type(model).__name__}")
        self.steps.append(check_positive_int(step, "step", minimum=0))
        self.states.append({name: model.state_dict() for name, model in models.items()})

    def restore(self, i, **models):
        """Load snapshot ``i`` (an index into ``steps``) into the given models, in place."""
        if not isinstance(i, (int, np.integer)) or not -len(self) <= i < len(self):
            raise IndexError(f"i must be an index into the {len(self)} snapshots, got {i!r}")
        state = self.states[i]
        for name, model in models.items():
            if name not in state:
                raise KeyError(f"snapshot {i} has no model {name!r}; it has {sorted(state)}")
            model.load_state_dict(state[name])

    def __len__(self):
        return len(self.steps)


# -- how close are the samples to the data? -------------------------------------------------
ModeCoverage = namedtuple("ModeCoverage", "counts covered quality distance")
ModeCoverage.__doc__ = """The result of ``mode_coverage``.

counts: (K,) ints, the samples assigned to each mode; covered: the number of modes that got at
least their ``min_share`` of samples; quality: the fraction of samples near some mode;
distance: the total-variation distance between the samples' histogram over "mode 1..K or far
from all" and the data's (1/K per mode), from 0 (the same) to 1 (disjoint)."""


def mode_coverage(samples, centres, std, n_std=3.0, min_share=0.25):
    """Count, for a 2-D mixture of round Gaussians, how the samples spread over its modes.

    A sample belongs to its nearest centre if it lies within ``n_std`` standard deviations of
    it; otherwise it is "far" (a low-quality sample). A mode is *covered* when it holds at least
    ``min_share`` of its fair share, ``min_share * N / K`` samples: a mode the generator only
    grazes with a sample or two does not count.

    samples: (N, D); centres: (K, D); std: the components' standard deviation.
    Returns a ``ModeCoverage`` (counts, covered, quality, distance).
    """
    samples = as_float_array(samples, "samples", ndim=2)
    centres = as_float_array(centres, "centres", ndim=2)
    if samples.shape[1] != centres.shape[1]:
        raise ValueError(f"samples and centres must have the same number of columns, got "
                         f"{samples.shape} and {centres.shape}")
    if samples.shape[0] == 0:
        raise ValueError("samples must hold at least one sample, got shape (0, ...)")
    std = check_real(std, "std", low=0.0, low_open=True)
    n_std = check_real(n_std, "n_std", low=0.0, low_open=True)
    min_share = check_real(min_share, "min_share", low=0.0, high=1.0)
    n, k = samples.shape[0], centres.shape[0]
    dist = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2)  # (N, K)
    nearest = dist.argmin(axis=1)
    near = dist[np.arange(n), nearest] <= n_std * std
    counts = np.bincount(nearest[near], minlength=k)
    covered = int((counts >= min_share * n / k).sum()) if min_share > 0 else int((counts > 0).sum())
    share = counts / n
    distance = 0.5 * (np.abs(share - 1.0 / k).sum() + (1.0 - near.mean()))
    return ModeCoverage(counts, covered, float(near.mean()), float(distance))


def mmd(x, y, bandwidth=1.0):
    """The maximum mean discrepancy between two sample sets with a Gaussian kernel
    k(a, b) = exp(-||a - b||^2 / (2 bandwidth^2)): the distance between their mean embeddings,

        MMD = sqrt( mean k(x, x') + mean k(y, y') - 2 mean k(x, y) )

    (the biased estimate: all pairs, the diagonals included, so it is never negative). It is 0
    for identical sets and, for a Gaussian kernel, 0 between two distributions only when they are
    equal; ``bandwidth`` sets the scale of the differences it sees.

    x: (N, D); y: (M, D). Returns a float.
    """
    x = as_float_array(x, "x", ndim=2)
    y = as_float_array(y, "y", ndim=2)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have the same number of columns, got {x.shape} and {y.shape}")
    if x.shape[0] == 0 or y.shape[0] == 0:
        raise ValueError(f"x and y must hold at least one sample each, got {x.shape} and {y.shape}")
    bandwidth = check_real(bandwidth, "bandwidth", low=0.0, low_open=True)

    def mean_kernel(a, b):
        sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T  # (len a, len b)
        return np.exp(-np.maximum(sq, 0.0) / (2 * bandwidth**2)).mean()

    value = mean_kernel(x, x) + mean_kernel(y, y) - 2 * mean_kernel(x, y)
    return float(np.sqrt(max(value, 0.0)))
