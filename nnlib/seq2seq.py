"""Sequence to sequence: an LSTM encoder reads a sequence, an LSTM decoder writes another.

The encoder's final state (h_n, c_n) is the *only* thing the decoder is given: it starts from
that state and from a start token, and produces one symbol a step. So everything the decoder
needs to know about the input must fit into 2H numbers, however long the input is: the
bottleneck that attention was invented to remove.

Training uses **teacher forcing**: the decoder's input at step t is the true symbol of step
t - 1 (the start token at t = 0), not its own guess, so all T steps run as one LSTM forward and
one cross-entropy over (N, T) labels. At test time there is no true symbol to feed:
**greedy decoding** feeds back the decoder's own most likely symbol, one step at a time.

Backward is where two networks meet: the decoder's backward ends with dh0 and dc0, the gradient
with respect to the state it started from, and that state was the encoder's (h_n, c_n). So::

    decoder.backward(dh_dec)                                   # keeps decoder.dh0, decoder.dc0
    encoder.backward(None, dh_n=decoder.dh0, dc_n=decoder.dc0)  # the hand-over

``Seq2Seq.backward`` does exactly this; the encoder's per-step outputs were not used, hence None.
"""
import numpy as np

from ._checks import as_index_array, as_rng, check_positive_int
from .core import Layer
from .embedding import Embedding
from .layers import Dense
from .losses import CrossEntropyLoss
from .optim import clip_grad_norm
from .recurrent import LSTM, _check_dtype
from .serialize import register_layer

TASKS = ("reverse", "sort")


def sequence_task(n, length, task="reverse", vocab=10, rng=None):
    """n random sequences of ``length`` digits in [0, vocab) and the sequences to produce.

    Returns src: (n, length) ints and target: (n, length) ints, with target = src reversed
    (``task="reverse"``) or sorted ascending (``task="sort"``)."""
    n = check_positive_int(n, "n")
    length = check_positive_int(length, "length")
    vocab = check_positive_int(vocab, "vocab", minimum=2)
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    src = as_rng(rng).integers(0, vocab, size=(n, length))
    target = src[:, ::-1].copy() if task == "reverse" else np.sort(src, axis=1)
    return src, target


def position_accuracy(pred, target):
    """pred, target: (N, T) ints -> (T,): the fraction of sequences right at each position."""
    pred = as_index_array(pred, "pred", ndim=2)
    target = as_index_array(target, "target", ndim=2)
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape, got {pred.shape} and {target.shape}")
    return (pred == target).mean(axis=0)


@register_layer  # nnlib.save and nnlib.load take it, as any layer
class Seq2Seq(Layer):
    """An encoder-decoder of two LSTMs for sequences of symbols 0..vocab-1.

    ::

        encoder:  src (N, T_in) -> Embedding(vocab, E) -> LSTM(E, H)          -> (h_n, c_n)
        decoder:  [start, y_0 .. y_{T-2}] (N, T) -> Embedding(vocab + 1, E)
                  -> LSTM(E, H) started from (h_n, c_n) -> Dense(H, vocab)      -> logits (N, T, vocab)

    The decoder's inputs are the target shifted right by one, with the start token ``vocab``
    in front (teacher forcing); the decoder has its own embedding because it reads one more
    symbol than the encoder. The encoder's per-step outputs are thrown away: only its final
    state crosses.

    Parameters
    ----------
    vocab : int
        The number of symbols (10 for digits); ``start = vocab`` is the decoder's start token.
    embed_dim, hidden_size : int
        E and H. The decoder sees 2H numbers about the input: h_n and c_n.
    rng, dtype : as the layers'.

    ``forward(src, target)`` -> logits (N, T, vocab) (teacher forcing). ``loss(src, target)``:
    forward and the mean cross-entropy. ``backward(dlogits=None)``: dlogits (N, T, vocab), or
    None for the gradient of the last ``loss``; accumulates every parameter's gradient, with the
    hand-over from decoder to encoder; returns None (there is no gradient for integer input).
    ``greedy_decode(src, length)`` -> (N, length) ints.
    """

    input_ndim = 2
    input_dtype = "int"

    def __init__(self, vocab=10, embed_dim=8, hidden_size=32, rng=None, dtype=np.float64):
        super().__init__()
        self.vocab = check_positive_int(vocab, "vocab", minimum=2)
        self.embed_dim = check_positive_int(embed_dim, "embed_dim")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        dtype = _check_dtype(dtype)
        rng = as_rng(rng)
        self.start = self.vocab
        self.src_embed = Embedding(self.vocab, self.embed_dim, rng=rng, dtype=dtype)
        self.encoder = LSTM(self.embed_dim, self.hidden_size, rng=rng, dtype=dtype)
        self.tgt_embed = Embedding(self.vocab + 1, self.embed_dim, rng=rng, dtype=dtype)
        self.decoder = LSTM(self.embed_dim, self.hidden_size, rng=rng, dtype=dtype)
        self.out = Dense(self.hidden_size, self.vocab, rng=rng, dtype=dtype)
        self.loss_fn = CrossEntropyLoss()
        self._ran_forward = False

    def _symbols(self, x, name, top):
        x = as_index_array(x, name, ndim=2)
        if x.shape[1] == 0:
            raise ValueError(f"{name} has no time steps: shape {x.shape}")
        if x.size and (x.min() < 0 or x.max() >= top):
            raise ValueError(f"{name} must hold symbols in [0, {top}), got values from {x.min()} to {x.max()}")
        return x

    def decoder_inputs(self, target):
        """target: (N, T) -> (N, T): the start token, then target[:, :-1] (teacher forcing)."""
        target = self._symbols(target, "target", self.vocab)
        start = np.full((target.shape[0], 1), self.start, dtype=target.dtype)
        return np.concatenate([start, target[:, :-1]], axis=1)

    def encode(self, src):
        """src: (N, T_in) -> (h_n, c_n), each (N, H): all the decoder will know about src."""
        src = self._symbols(src, "src", self.vocab)
        self.encoder.forward(self.src_embed.forward(src))
        return self.encoder.h_n, self.encoder.c_n

    def forward(self, src, target):
        """src: (N, T_in), target: (N, T) -> logits (N, T, vocab), teacher-forced."""
        src = self._symbols(src, "src", self.vocab)
        target = self._symbols(target, "target", self.vocab)
        if src.shape[0] != target.shape[0]:
            raise ValueError(f"src and target must have the same number of sequences, got {src.shape[0]} "
                             f"and {target.shape[0]}")
        h_n, c_n = self.encode(src)
        h = self.decoder.forward(self.tgt_embed.forward(self.decoder_inputs(target)), h_n, c_n)
        self._ran_forward = True
        return self.out.forward(h)

    def __call__(self, src, target):
        return self.forward(src, target)

    def loss(self, src, target):
        """The mean cross-entropy of the teacher-forced predictions over all N*T positions."""
        return self.loss_fn(self.forward(src, target), target)

    def backward(self, dlogits=None, input_grad=False):
        """dlogits: (N, T, vocab), or None: the gradient of the last ``loss``. Returns None."""
        if not self._ran_forward:
            raise RuntimeError("Seq2Seq.backward called before forward")
        if dlogits is None:
            dlogits = self.loss_fn.backward()
        dh = self.out.backward(dlogits)                   # (N, T, H): into the decoder's outputs
        demb = self.decoder.backward(dh)                  # keeps decoder.dh0, decoder.dc0
        self.tgt_embed.backward(demb, input_grad=False)
        # the hand-over: the decoder started from the encoder's final state, so the gradient of
        # that start state is the gradient arriving at the encoder's (h_n, c_n)
        demb = self.encoder.backward(None, dh_n=self.decoder.dh0, dc_n=self.decoder.dc0)
        self.src_embed.backward(demb, input_grad=False)
        return None

    def greedy_decode(self, src, length=None):
        """src: (N, T_in) -> (N, length) ints (length defaults to T_in): the decoder fed its own
        most likely symbol of each step, starting from the start token and the encoder's state."""
        src = self._symbols(src, "src", self.vocab)
        length = src.shape[1] if length is None else check_positive_int(length, "length")
        h, c = self.encode(src)
        symbol = np.full((src.shape[0], 1), self.start, dtype=np.int64)
        out = np.empty((src.shape[0], length), dtype=np.int64)
        for t in range(length):
            step = self.decoder.forward(self.tgt_embed.forward(symbol), h, c)  # (N, 1, H)
            h, c = self.decoder.h_n, self.decoder.c_n
            out[:, t] = self.out.forward(step[:, 0]).argmax(axis=1)
            symbol = out[:, t:t + 1]
        self._ran_forward = False  # the caches now hold single steps, not a teacher-forced pass
        return out

    def config(self):
        cfg = {"vocab": self.vocab, "embed_dim": self.embed_dim, "hidden_size": self.hidden_size}
        if self.out.W.data.dtype != np.float64:
            cfg["dtype"] = str(self.out.W.data.dtype)
        return cfg

    def __repr__(self):
        return f"Seq2Seq(vocab={self.vocab}, embed_dim={self.embed_dim}, hidden_size={self.hidden_size})"


def train_seq2seq(model, optimizer, src, target, *, epochs, batch_size, rng, max_norm=None):
    """Teacher-forced minibatch training; returns the mean training loss of each epoch (a list).

    src: (N, T_in), target: (N, T) ints. Each epoch shuffles with ``rng``; each batch: loss,
    backward (with the hand-over), optionally ``clip_grad_norm(max_norm)``, an optimiser step."""

    if not isinstance(model, Seq2Seq):
        raise TypeError(f"model must be a Seq2Seq, got {type(model).__name__}")
    src = model._symbols(src, "src", model.vocab)
    target = model._symbols(target, "target", model.vocab)
    if src.shape[0] != target.shape[0]:
        raise ValueError(f"src and target must have the same number of sequences, got {src.shape[0]} "
                         f"and {target.shape[0]}")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    rng = as_rng(rng)
    n, losses = src.shape[0], []
    for _ in range(epochs):
        order, total = rng.permutation(n), 0.0
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            total += model.loss(src[idx], target[idx]) * idx.size
            model.backward()
            if max_norm is not None:
                clip_grad_norm(model.parameters(), max_norm)
            optimizer.step()
        losses.append(total / n)
    return losses
