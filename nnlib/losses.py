"""Loss functions (MSELoss, CrossEntropyLoss, BCEWithLogitsLoss), and softmax.

A loss compares a batch of predictions with targets: ``forward(pred, target) -> float`` and
``backward() -> dpred``, the gradient of that float with respect to ``pred``, which is where
backpropagation starts.
"""
import numpy as np

from ._checks import as_float_array, to_float
from .activations import _sigmoid

REDUCTIONS = ("mean", "sum")


def softmax(z, axis=-1):
    """p_c = e^{z_c} / sum_c' e^{z_c'}. Shifting z by its maximum first changes nothing
    mathematically but keeps every exponent <= 0, so e^z never overflows."""
    z = to_float(z)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    """ln p_c = z_c - ln sum_c' e^{z_c'}, with the log-sum-exp computed after subtracting max z."""
    z = to_float(z)
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def _pred_and_target(pred, target):
    """pred: (N, D) and a target of the same shape ((N,) is taken as (N, 1) when D = 1), as float
    arrays of pred's dtype. pred is not checked for NaN: a diverged network's NaN shows in the
    loss (fit stops on it)."""
    pred = as_float_array(pred, "pred", ndim=2, finite=False)
    target = as_float_array(target, "target", dtype=pred.dtype)  # float32 pred: float32 work
    if target.ndim == 1 and pred.shape[1] == 1:
        target = target[:, None]  # (N,) -> (N, 1); never let (N, 1) - (N,) broadcast to (N, N)
    if target.shape != pred.shape:
        raise ValueError(f"target must have pred's shape {pred.shape}, got {target.shape}")
    if pred.shape[0] == 0:
        raise ValueError("pred is an empty batch (N = 0)")
    return pred, target


class Loss:
    """Base class: subclasses implement ``forward`` and ``backward``; ``loss(pred, target)``
    is ``loss.forward(pred, target)``."""

    def __init__(self, reduction="mean"):
        self.reduction = _check_reduction(reduction)
        self._cache = None

    def __call__(self, pred, target):
        return self.forward(pred, target)

    def _scale(self, n):
        return 1.0 / n if self.reduction == "mean" else 1.0

    def _need_forward(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._cache

    def __repr__(self):
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class MSELoss(Loss):
    """Squared error, as in the notes: loss = (1/|D|) sum_n ||y_n - f(x_n)||^2, where D is the
    data set (|D| = N samples).

    With ``reduction="mean"`` (the default) the sum is divided by N, the number of samples
    (the notes' 1/|D|); with ``"sum"`` it is not (the notes' backprop derivation). For K outputs
    per sample (notebook 04's K) the K squared errors of a sample are *summed*, as in the notes,
    not averaged:

        nnlib's MSELoss():           (1/N)     sum_n sum_k (y_nk - f_nk)^2
        PyTorch's torch.nn.MSELoss(): (1/(N K)) sum_n sum_k (y_nk - f_nk)^2   (every element)

    so nnlib's loss and gradient are K times PyTorch's (notebook 04 prints both); for one
    output (K = 1) the two agree.

    pred: (N, K); target: (N, K), or (N,) when K = 1.
    backward -> dpred: (N, K) = -2 e / N (or -2 e), with e = target - pred as in the notes.
    """

    def forward(self, pred, target):
        pred, target = _pred_and_target(pred, target)
        e = target - pred  # (N, D)
        scale = self._scale(pred.shape[0])
        self._cache = (e, scale)
        return float(scale * (e * e).sum())  # the method: np.sum(...) adds a few us of dispatch

    def backward(self):
        e, scale = self._need_forward()
        return -2.0 * scale * e


class CrossEntropyLoss(Loss):
    """Cross-entropy of softmax(logits) against the true classes, computed stably.

    loss = -(1/N) sum_n sum_c y_nc ln p_nc, with p = softmax(logits) (``reduction="sum"``
    drops the 1/N, as the notes write it). The network outputs *scores* (logits); softmax lives
    here, because ln softmax is computed by log-sum-exp without ever forming e^z for large z,
    and because the gradient then takes the simple form dloss/dz = (p - y) / N.

    pred: (N, C) logits. target: (N,) integer labels in [0, C), or (N, C) one-hot rows.

    **Sequences.** pred: (N, T, C) scores (a score vector at every position, as a language
    model gives), target: (N, T) labels. Every position is one classification: the loss is the
    mean of the N*T per-position losses (``"sum"``: their sum), as ``torch.nn.CrossEntropyLoss``
    computes it after moving C to axis 1. Any (N, ..., C) with (N, ...) labels works the same.

    **Padding.** ``ignore_index`` (an int, None by default: nothing ignored): positions whose
    label is ``ignore_index`` add nothing to the loss, get a zero gradient, and are not counted
    in the mean: with padded sequences of different lengths the loss is the mean over the real
    positions only. Their label need not be a valid class (PyTorch's default of -100 works as
    ``ignore_index=-100``). A batch in which every label is ignored raises a ValueError (the mean
    of no positions; PyTorch returns NaN).
    """

    def __init__(self, reduction="mean", ignore_index=None):
        super().__init__(reduction)
        if ignore_index is not None and (not isinstance(ignore_index, (int, np.integer))
                                         or isinstance(ignore_index, (bool, np.bool_))):
            raise TypeError(f"ignore_index must be an int or None, got {type(ignore_index).__name__} "
                            f"{ignore_index!r}")
        self.ignore_index = None if ignore_index is None else int(ignore_index)

    def forward(self, pred, target):
        logits = as_float_array(pred, "pred", ndim=(2, None), finite=False)  # NaN logits: a NaN loss
        shape, n, c = logits.shape, logits.shape[0], logits.shape[-1]
        if n == 0:
            raise ValueError("pred is an empty batch (N = 0)")
        labels = self.check_target(target, shape)  # (M,): the true class of each of M rows
        logits = logits.reshape(-1, c)  # (N, T, C): every position a row of its own
        rows, dropped = np.arange(labels.shape[0]), None
        if self.ignore_index is not None:
            keep = labels != self.ignore_index
            if not keep.any():
                raise ValueError(f"every target label is ignore_index={self.ignore_index}: "
                                 "no position to compute a loss on")
            if not keep.all():
                rows, labels, dropped = rows[keep], labels[keep], ~keep
        logp = log_softmax(logits)  # (M, C)
        scale = self._scale(rows.shape[0])  # the mean over the positions that count
        self._cache = (logp, rows, labels, scale, shape, dropped)
        # y is one-hot, so sum_c y_nc ln p_nc is the one term ln p_n,label: picked, not multiplied
        return float(-scale * logp[rows, labels].sum())

    def backward(self):
        logp, rows, labels, scale, shape, dropped = self._need_forward()
        dz = np.exp(logp)  # (M, C): p
        if dropped is not None:
            dz[dropped] = 0.0  # ignored positions: no gradient
        dz[rows, labels] -= 1.0  # p - y: y is 1 at the true class and 0 elsewhere
        dz *= scale  # (p - y) / N
        return dz.reshape(shape)

    def check_target(self, target, pred_shape):
        """``target`` checked against scores of ``pred_shape``, as forward checks it; returns the
        labels, one per row of C scores, flattened ((N,) or (N*T,)). ``fit`` calls it first."""
        n, c = pred_shape[0], pred_shape[-1]
        if len(pred_shape) > 2 or (self.ignore_index is not None and np.ndim(target) == 1):
            return self.sequence_labels(target, pred_shape[:-1], c, self.ignore_index)
        return self.target_labels(target, n, c)

    @staticmethod
    def sequence_labels(target, shape, c, ignore_index=None):
        """Check integer labels ``target`` of ``shape`` ((N, T) for (N, T, C) scores), each in
        [0, c) or equal to ``ignore_index``; return them flattened, (N*T,)."""
        if isinstance(target, (str, bytes)):
            raise TypeError(f"target must be integer labels, got a string: {target!r}")
        t = np.asarray(target)
        if t.dtype.kind not in "iu":
            raise TypeError(f"target labels must be integers, got dtype {t.dtype}")
        if t.shape != tuple(shape):
            raise ValueError(f"target must have shape {tuple(shape)} (pred's shape without the class "
                             f"axis), got {t.shape}")
        t = t.reshape(-1).copy()  # a copy: backward uses them later
        real = t if ignore_index is None else t[t != ignore_index]
        if real.size and (real.min() < 0 or real.max() >= c):
            ignored = "" if ignore_index is None else f" (or ignore_index={ignore_index})"
            raise ValueError(f"target labels must be in [0, {c}){ignored}, got values from "
                             f"{real.min()} to {real.max()}")
        return t

    def __repr__(self):
        extra = "" if self.ignore_index is None else f", ignore_index={self.ignore_index}"
        return f"CrossEntropyLoss(reduction={self.reduction!r}{extra})"

    @staticmethod
    def target_labels(target, n, c):
        """Check ``target`` against n samples and c classes; return the true classes, (n,) ints.

        ``target`` is (n,) integer labels in [0, c), or (n, c) one-hot rows.
        """
        if isinstance(target, (str, bytes)):
            raise TypeError(f"target must be integer labels or one-hot rows, got a string: {target!r}")
        t = np.asarray(target)
        if t.dtype.kind not in "biuf":
            raise TypeError(f"target must be integer labels or one-hot rows, got dtype {t.dtype}")
        if t.ndim == 1:
            if t.dtype.kind not in "iu":
                raise TypeError(f"target labels must be integers, got dtype {t.dtype} "
                                "(for one-hot targets pass shape (N, C))")
            if t.shape[0] != n:
                raise ValueError(f"target must have {n} labels (one per row of pred), got {t.shape[0]}")
            if t.size and (t.min() < 0 or t.max() >= c):
                raise ValueError(f"target labels must be in [0, {c}), got values from {t.min()} to {t.max()}")
            return t.copy()  # backward uses them later: a caller changing target must not matter
        if t.ndim == 2:
            if t.shape != (n, c):
                raise ValueError(f"one-hot target must have pred's shape {(n, c)}, got {t.shape}")
            if not np.isin(t, (0, 1)).all() or not (t.sum(axis=1) == 1).all():
                raise ValueError("one-hot target rows must contain a single 1 and otherwise 0")
            return t.argmax(axis=1)
        raise ValueError(f"target must be (N,) labels or (N, C) one-hot, got shape {t.shape}")

    @staticmethod
    def one_hot_target(target, n, c, dtype=np.float64):
        """``target`` (checked as in ``target_labels``) as one-hot rows, (n, c) of ``dtype``: the y
        of the formula above, for anyone who wants to see it (the loss itself does not need it)."""
        labels = CrossEntropyLoss.target_labels(target, n, c)
        y = np.zeros((n, c), dtype=dtype)
        y[np.arange(n), labels] = 1.0
        return y


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy of sigmoid(logits) against targets in [0, 1], computed stably.

    For one logit z and target y, with p = sigmoid(z)::

        l(z, y) = -(y ln p + (1 - y) ln(1 - p)) = max(z, 0) - z y + ln(1 + e^-|z|)

    The right-hand form never forms e^z for a large z, nor ln of an underflowed p: at
    z = +-1e4 it is exact (the last term is ln 1 = 0), where ln(sigmoid(z)) would be ln 0.
    The gradient takes the same simple form as softmax's: dl/dz = p - y.

    Reduction as ``MSELoss``'s: the terms of one sample are *summed* over its D outputs, and
    ``"mean"`` divides by the number of samples N (``"sum"`` does not). ``torch.nn.BCEWithLogitsLoss``
    with ``reduction="mean"`` divides by N*D instead; for one output per sample (D = 1, the
    usual binary classifier or a GAN's discriminator) the two agree.

    pred: (N, D) logits; target: (N, D) (or (N,) when D = 1), each in [0, 1] (soft labels are
    fine, e.g. 0.9 for "real" in a GAN). backward -> dpred: (N, D) = (sigmoid(pred) - target) / N.
    Simplified compared with PyTorch: no ``weight`` and no ``pos_weight``.
    """

    def forward(self, pred, target):
        logits, y = _pred_and_target(pred, target)  # NaN logits give a NaN loss
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError(f"target must hold probabilities in [0, 1], got values from {y.min()} to {y.max()}")
        scale = self._scale(logits.shape[0])
        self._cache = (logits, y.copy(), scale)  # a copy: a caller changing target must not matter
        terms = np.maximum(logits, 0) - logits * y + np.log1p(np.exp(-np.abs(logits)))  # (N, D)
        return float(scale * terms.sum())

    def backward(self):
        logits, y, scale = self._need_forward()
        return scale * (_sigmoid(logits) - y)  # (N, D)
