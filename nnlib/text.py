"""Text as numbers, for notebook 12's character model: a vocabulary, windows of (input, next
character) pairs, perplexity, counting baselines (unigram, bigram), sampling from a trained
model, and two ways to look at learned embeddings (PCA to 2-D, nearest neighbours).

A character model reads a window of characters as integer indices ``X: (N, T)`` and predicts,
at every position, the character that comes next: ``Y: (N, T)`` is ``X`` shifted left by one.
Its loss is the cross-entropy per character; its **perplexity** is ``exp(loss)``: the number of
equally likely characters the model is, on average, choosing between (V for a model that knows
nothing, 1 for one that is always sure and right).
"""
import numpy as np

from ._checks import as_index_array, as_rng, check_positive_int, check_real
from .core import Layer
from .embedding import Embedding
from .losses import CrossEntropyLoss, softmax
from .network import Sequential
from .recurrent import LSTM, RNN


class Vocabulary:
    """The characters of a text, sorted, each with its index: ``encode`` turns text into
    indices, ``decode`` turns indices back into text.

    ``Vocabulary("hello")`` has the characters "ehlo": ``encode("hole")`` is [1, 3, 2, 0]."""

    def __init__(self, text):
        if not isinstance(text, str) or not text:
            raise TypeError(f"text must be a non-empty string, got {type(text).__name__} {text!r:.40}")
        self.chars = "".join(sorted(set(text)))
        self._index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def __repr__(self):
        return f"Vocabulary({len(self)} characters: {self.chars!r})"

    def index(self, char):
        """The index of one character; a ValueError naming it if it is not in the vocabulary."""
        if char not in self._index:
            raise ValueError(f"char {char!r} is not in the vocabulary {self.chars!r}")
        return self._index[char]

    def encode(self, text):
        """text (a string) -> (len(text),) int64 indices. Characters outside the vocabulary are a
        ValueError that names them."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        unknown = sorted(set(text) - set(self._index))
        if unknown:
            raise ValueError(f"text holds characters that are not in the vocabulary: {''.join(unknown)!r} "
                             f"(the vocabulary is {self.chars!r})")
        return np.array([self._index[c] for c in text], dtype=np.int64)

    def decode(self, ids):
        """ids: integer indices of any shape -> the string of their characters (flattened)."""
        ids = as_index_array(ids, "ids")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids must be in [0, {len(self)}), got values from {ids.min()} to {ids.max()}")
        return "".join(self.chars[i] for i in ids.reshape(-1))


def next_char_windows(ids, length, n_windows=None, rng=None):
    """Cut a text (its indices) into windows of ``length`` inputs and their next characters.

    ids: (L,) indices. Returns X, Y: (n_windows, length) int64, with ``Y[k, t] = ids[s + t + 1]``
    for ``X[k, t] = ids[s + t]``: at every position, the target is the character after it.
    ``n_windows=None``: consecutive windows that do not overlap, from the start, as many as fit
    (for evaluating on all of a held-out text). An int: that many windows starting at random
    places (drawn from ``rng``), for training batches.
    """
    ids = as_index_array(ids, "ids", ndim=1)
    length = check_positive_int(length, "length")
    if ids.size < length + 1:
        raise ValueError(f"ids must hold at least length + 1 = {length + 1} indices, got {ids.size}")
    if n_windows is None:
        starts = np.arange(0, ids.size - length, length)
    else:
        n_windows = check_positive_int(n_windows, "n_windows")
        starts = as_rng(rng).integers(0, ids.size - length, size=n_windows)
    offsets = starts[:, None] + np.arange(length)[None, :]          # (n, T)
    return ids[offsets].astype(np.int64), ids[offsets + 1].astype(np.int64)


def perplexity(model, X, Y, batch_size=256):
    """exp(mean cross-entropy per character) of ``model`` on windows X, Y: (N, T), in evaluation
    mode (the model's mode is put back). ``model(X)`` must give scores (N, T, V)."""
    if not isinstance(model, Layer):
        raise TypeError(f"model must be an nnlib Layer (a Sequential), got {type(model).__name__}")
    X = as_index_array(X, "X", ndim=2)
    Y = as_index_array(Y, "Y", ndim=2)
    if X.shape != Y.shape:
        raise ValueError(f"X and Y must have the same shape, got {X.shape} and {Y.shape}")
    batch_size = check_positive_int(batch_size, "batch_size")
    was_training = model.training
    model.eval()
    try:
        loss_fn, total = CrossEntropyLoss(reduction="sum"), 0.0
        for start in range(0, len(X), batch_size):
            total += float(loss_fn(model(X[start:start + batch_size]), Y[start:start + batch_size]))
    finally:
        model.train(was_training)
    return float(np.exp(total / Y.size))


def ngram_perplexity(train_ids, test_ids, n_symbols, order=2, alpha=1.0):
    """The perplexity on ``test_ids`` of a model that only counts: the next character's
    probability given the ``order - 1`` characters before it, from counts in ``train_ids``
    (order 1: character frequencies; order 2: bigrams, "which character follows which").

    ``alpha`` is added to every count (add-alpha smoothing), so a pair never seen in training
    gets a small probability instead of 0 (which would make the perplexity infinite). The first
    ``order - 1`` test characters, which have no full context, are not scored.
    train_ids, test_ids: (L,) indices in [0, n_symbols).
    """
    n_symbols = check_positive_int(n_symbols, "n_symbols")
    order = check_positive_int(order, "order")
    alpha = check_real(alpha, "alpha", low=0.0, low_open=True)
    if order > 4:
        raise ValueError(f"order must be at most 4 (the counts take n_symbols**order cells), got {order}")
    arrays = {}
    for name, ids in (("train_ids", train_ids), ("test_ids", test_ids)):
        ids = as_index_array(ids, name, ndim=1)
        if ids.size < order:
            raise ValueError(f"{name} must hold at least order = {order} indices, got {ids.size}")
        if ids.min() < 0 or ids.max() >= n_symbols:
            raise ValueError(f"{name} must be in [0, {n_symbols}), got values from {ids.min()} to {ids.max()}")
        arrays[name] = ids

    def grams(ids):  # (L - order + 1,) one code per n-gram: the context's digits, then the character
        code = np.zeros(ids.size - order + 1, dtype=np.int64)
        for k in range(order):
            code = code * n_symbols + ids[k:ids.size - order + 1 + k]
        return code

    counts = np.bincount(grams(arrays["train_ids"]), minlength=n_symbols ** order).astype(float)
    counts = counts.reshape(-1, n_symbols) + alpha                   # (contexts, next character)
    log_p = np.log(counts / counts.sum(axis=1, keepdims=True)).reshape(-1)
    return float(np.exp(-log_p[grams(arrays["test_ids"])].mean()))


def _check_char_model(model):
    """The layers of a character model ``Sequential(Embedding, RNN or LSTM, ...)``: (before, the
    recurrent layer, after), or a TypeError that says what is expected."""
    layers = list(model) if isinstance(model, Sequential) else None
    recurrent = [i for i, layer in enumerate(layers or []) if isinstance(layer, (RNN, LSTM))]
    if layers is None or len(recurrent) != 1 or not isinstance(layers[0], Embedding):
        raise TypeError("model must be a Sequential that starts with an Embedding and holds one RNN or "
                        "LSTM, e.g. Sequential(Embedding(V, D), LSTM(D, H), Dense(H, V)); got "
                        f"{type(model).__name__}")
    r = recurrent[0]
    return layers[:r], layers[r], layers[r + 1:]


def _step(parts, ids, state):
    """Run the model over ids: (1, T) from ``state`` (the recurrent layer's (h, c) or None);
    return the last position's scores (V,) and the new state."""
    before, rec, after = parts
    x = ids
    for layer in before:
        x = layer.forward(x)
    if isinstance(rec, LSTM):
        x = rec.forward(x, *(state or (None, None)))
        state = (rec.h_n, rec.c_n)
    else:
        x = rec.forward(x, state[0] if state else None)
        state = (rec.h_n,)
    x = x[:, -1:]
    for layer in after:
        x = layer.forward(x)
    return x.reshape(-1), state


def _check_temperature(temperature):
    return check_real(temperature, "temperature", low=0.0, low_open=True)


def next_char_probabilities(model, vocab, prompt, temperature=1.0):
    """What the model predicts after ``prompt``: (V,) probabilities, softmax(scores / temperature).

    temperature > 0: below 1 sharpens the distribution towards the likeliest characters, above 1
    flattens it towards uniform."""
    parts = _check_char_model(model)
    temperature = _check_temperature(temperature)
    ids = vocab.encode(prompt)
    if not ids.size:
        raise ValueError("prompt must hold at least one character")
    scores, _ = _step(parts, ids[None, :], None)
    return softmax(scores[None, :] / temperature)[0]


def sample(model, vocab, prompt, length, temperature=1.0, rng=None):
    """Generate ``length`` characters after ``prompt``, one at a time: each is drawn from the
    model's prediction softmax(scores / temperature), then fed back in as the next input, the
    recurrent state carried along. Returns the generated characters (without the prompt).

    model: ``Sequential(Embedding(V, D), LSTM(D, H) or RNN, Dense(H, V))`` as trained on windows;
    vocab: its ``Vocabulary``; rng: the draws, so a seed gives the same text every time. The
    model is run in evaluation mode and its mode put back."""
    parts = _check_char_model(model)
    length = check_positive_int(length, "length")
    temperature = _check_temperature(temperature)
    rng = as_rng(rng)
    ids = vocab.encode(prompt)
    if not ids.size:
        raise ValueError("prompt must hold at least one character")
    was_training = model.training
    model.eval()
    try:
        scores, state = _step(parts, ids[None, :], None)
        out = []
        for _ in range(length):
            p = softmax(scores[None, :] / temperature)[0]
            k = int(rng.choice(len(p), p=p))
            out.append(k)
            scores, state = _step(parts, np.array([[k]]), state)
    finally:
        model.train(was_training)
    return vocab.decode(np.array(out))


def pca_2d(W):
    """W: (V, D) vectors, one per row -> (V, 2) their coordinates on the two directions along
    which they vary most (principal component analysis: the rows centred, then projected on
    the top two right singular vectors), and the fraction of the variance each direction holds.

    Each direction's sign is fixed (the row farthest along it has a positive coordinate), so
    the same W always gives the same picture."""
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] < 2 or W.shape[1] < 2:
        raise ValueError(f"W must be (V, D) with V >= 2 and D >= 2, got shape {W.shape}")
    if not np.isfinite(W).all():
        raise ValueError("W contains NaN or inf")
    centred = W - W.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    coords = centred @ vt[:2].T                                     # (V, 2)
    far = np.abs(coords).argmax(axis=0)
    coords = coords * np.sign(coords[far, [0, 1]])
    variance = s ** 2
    return coords, variance[:2] / variance.sum()


def nearest_neighbours(W, index, k=3):
    """The ``k`` rows of W: (V, D) most similar to row ``index`` by cosine similarity (the angle
    between the vectors, whatever their lengths), most similar first, without the row itself.
    Returns (indices (k,), similarities (k,))."""
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"W must be (V, D), got shape {W.shape}")
    V = W.shape[0]
    index = int(as_index_array(index, "index", ndim=0))
    if not 0 <= index < V:
        raise ValueError(f"index must be in [0, {V}), got {index}")
    k = check_positive_int(k, "k")
    if k > V - 1:
        raise ValueError(f"k must be at most V - 1 = {V - 1}, got {k}")
    unit = W / np.maximum(np.linalg.norm(W, axis=1, keepdims=True), 1e-12)
    similarity = unit @ unit[index]
    similarity[index] = -np.inf
    order = np.argsort(-similarity, kind="stable")[:k]
    return order, similarity[order]
