"""Recurrent layers: RNN and LSTM over whole sequences, and LastTimeStep to keep only the end.

A recurrent layer is one dense layer applied at every time step, fed with the input of that
step *and* its own output of the step before::

    h_t = tanh(Wx x_t + Wh h_{t-1} + b)          (RNN; h_0 given, zeros by default)

Unrolled over T steps it is a T-layer network whose layers all share Wx, Wh and b, so
backprop through it ("backprop through time", BPTT) is ordinary backprop: run the steps
backwards, and add up each shared weight's gradient over the steps. Along the way the gradient
reaching h_{t-1} is the gradient at h_t multiplied by the same Jacobian Wh^T diag(tanh') again
and again, so after many steps it shrinks (or grows) geometrically: the vanishing (exploding)
gradient. The LSTM's cell state c_t = f * c_{t-1} + i * g is a path along which the gradient is
only multiplied by the forget gate f, elementwise: with f near 1 it survives many steps.

Shapes (CS231n style): x: (N, T, D) (N sequences of T steps of D features), h: (N, T, H);
weights as ``torch.nn.RNN``/``torch.nn.LSTM`` store them: Wx (H, D), Wh (H, H) for the RNN,
(4H, D) and (4H, H) for the LSTM. Inside, the steps are kept time-major, (T, N, H), so that
the state of one step is one contiguous (N, H) block.

The backward loops mirror the forward loops line by line, in reverse, as in Karpathy's
``min-char-rnn.py``; the products that do not depend on the previous step (x Wx^T for every
step at once; dWx, dWh, db and dx after the loop) are one matrix product each.

**Passing a gradient into the final state.** ``forward`` keeps the last hidden state as ``h_n``
(and the LSTM its last cell state as ``c_n``). If something else used them (a decoder started
from the encoder's final state), give their gradients to backward: ``backward(dout, dh_n=...)``
(``dc_n=...`` for the LSTM). ``dout`` may then be None when the per-step outputs were not used.
After backward, ``dh0`` (and ``dc0``) hold the gradient with respect to the initial state, to
hand on the same way::

    decoder.backward(dout_decoder)
    encoder.backward(None, dh_n=decoder.dh0, dc_n=decoder.dc0)
"""
import numpy as np

from ._checks import as_float_array, as_rng, check_positive_int, to_float
from .core import Layer, Parameter

NONLINEARITIES = ("tanh", "relu")


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


class _Recurrent(Layer):
    """What RNN and LSTM share: the weights, the checks, the time-major bookkeeping."""

    input_ndim = 3
    gate_count = 1  # rows of Wx per hidden unit: 1 for the RNN, 4 (i, f, g, o) for the LSTM

    def __init__(self, input_size, hidden_size, bias=True, rng=None, dtype=np.float64):
        super().__init__()
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"bias must be True or False, got {type(bias).__name__} {bias!r}")
        dtype = _check_dtype(dtype)
        rng = as_rng(rng)
        shapes = self.param_shapes(self.input_size, self.hidden_size, bias)
        # as PyTorch: every weight uniform in [-1/sqrt(H), 1/sqrt(H)]
        k = 1.0 / np.sqrt(self.hidden_size)
        self.Wx = Parameter(rng.uniform(-k, k, shapes["Wx"]).astype(dtype))
        self.Wh = Parameter(rng.uniform(-k, k, shapes["Wh"]).astype(dtype))
        self._params = {"Wx": self.Wx, "Wh": self.Wh}
        self.b = None
        if bias:
            self.b = Parameter(np.zeros(shapes["b"], dtype=dtype))
            self._params["b"] = self.b
        self._cache = None
        self.h_n = None   # (N, H): the last hidden state of the last forward
        self.dh0 = None   # (N, H): dloss/dh0 from the last backward

    @classmethod
    def param_shapes(cls, input_size, hidden_size, bias=True, **_):
        """{name: shape} of the parameters (``load`` checks a file against it first)."""
        g = cls.gate_count * hidden_size
        shapes = {"Wx": (g, input_size), "Wh": (g, hidden_size)}
        if bias:
            shapes["b"] = (g,)
        return shapes

    def __call__(self, x, *states):
        """``layer(x)``, ``layer(x, h0)`` (LSTM: ``layer(x, h0, c0)``): checked, then forward."""
        return self.forward(self.check_input(x), *states)

    def _check_x(self, x):
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"x must have shape (N, T, {self.input_size}), got {x.shape}")
        if x.shape[1] == 0:
            raise ValueError(f"x has no time steps (T = 0): shape {x.shape}")

    def _check_state(self, s, name, n, dtype):
        """An initial state (N, H), or zeros when None."""
        if s is None:
            return np.zeros((n, self.hidden_size), dtype=dtype)
        s = as_float_array(s, name, ndim=2)
        if s.shape != (n, self.hidden_size):
            raise ValueError(f"{name} must have shape (N, hidden_size) = {(n, self.hidden_size)}, got {s.shape}")
        return s

    def _check_grad(self, g, name, shape, dtype):
        if g is None:
            return None
        g = to_float(g)
        if g.shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {g.shape}")
        return g.astype(dtype, copy=False)

    def _dtype(self, x):
        return np.result_type(x.dtype, self.Wx.data.dtype)

    def _input_projection(self, x, dtype, Wx=None, b=None):
        """x: (N, T, D) -> (x1, a): x1 (T, N, D+1) is x time-major with a column of ones
        appended (D without a bias), and a (T, N, G*H) = x_t Wx^T + b for every step at once.

        One matrix product for all T steps: the input's part of every step does not depend on
        the previous step, so it need not wait inside the loop. The bias rides along as the
        weight of the constant input 1 ([x_t, 1] [Wx, b]^T = x_t Wx^T + b), so backward gets dWx
        and db from one product too. (Wx and b: the layer's own, or the LSTM's scaled copies.)"""
        Wx = self.Wx.data if Wx is None else Wx
        if self.b is not None:
            Wx = np.concatenate([Wx, (self.b.data if b is None else b)[:, None]], axis=1)  # (G*H, D+1)
        n, t, d = x.shape
        x1 = np.empty((t, n, Wx.shape[1]), dtype=dtype)
        x1[:, :, :d] = x.transpose(1, 0, 2)
        x1[:, :, d:] = 1.0
        a = x1.reshape(t * n, -1) @ Wx.T.astype(dtype, copy=False)  # (T*N, G*H)
        return x1, a.reshape(t, n, -1)

    def _weight_grads(self, x1, hprev, da, input_grad):
        """After the backward loop: da (T, N, G*H), the gradients of the pre-activations of every
        step. Every step used the same weights, so their gradients are sums over the steps:
        dWx = sum_t da_t^T x_t, dWh = sum_t da_t^T h_{t-1}, db = sum_t sum_n da_t; each sum over
        (t, n) is one product of (T*N)-row matrices (db: the column of ones' weight). dx_t =
        da_t Wx: (N, T, D)."""
        t, n, _ = da.shape
        da2 = da.reshape(t * n, -1)
        d = self.input_size
        dW1 = da2.T @ x1.reshape(t * n, -1)              # (G*H, D+1): [dWx, db]
        self.Wx.grad += dW1[:, :d]
        if self.b is not None:
            self.b.grad += dW1[:, d]
        self.Wh.grad += da2.T @ hprev.reshape(t * n, -1)
        if not input_grad:
            return None
        dx = (da2 @ self.Wx.data).reshape(t, n, -1)
        return dx.transpose(1, 0, 2).astype(x1.dtype, copy=False)  # (N, T, D)

    def config(self):
        cfg = {"input_size": self.input_size, "hidden_size": self.hidden_size, "bias": self.b is not None}
        if self.Wx.data.dtype != np.float64:
            cfg["dtype"] = str(self.Wx.data.dtype)
        return cfg


class RNN(_Recurrent):
    """A vanilla (Elman) recurrent layer over a batch of sequences::

        a_t = Wx x_t + Wh h_{t-1} + b        h_t = tanh(a_t)   (or relu(a_t))

    Parameters
    ----------
    input_size, hidden_size : int
        D and H. ``Wx`` is (H, D), ``Wh`` (H, H), ``b`` (H,), as ``torch.nn.RNN``'s
        weight_ih_l0, weight_hh_l0 and (b_ih + b_hh) would be.
    nonlinearity : 'tanh' or 'relu'
    bias : bool
    rng : int, numpy Generator or None
        The weights are drawn uniformly from [-1/sqrt(H), 1/sqrt(H)] (PyTorch's choice); b starts
        at 0 (PyTorch draws two biases; one is enough, they only ever appear summed).
    dtype : float64 (default; gradient checks) or float32

    ``forward(x, h0=None)``: x: (N, T, D), h0: (N, H) (zeros if None) -> h: (N, T, H), every
    hidden state; ``h_n`` (N, H) keeps the last. ``backward(dout, input_grad=True, dh_n=None)``:
    dout: (N, T, H) -> dx: (N, T, D); adds dWx, dWh, db; keeps ``dh0`` (N, H). See the module
    docstring for dh_n. Simplified compared with PyTorch: one layer, one direction, batch first.
    """

    def __init__(self, input_size, hidden_size, nonlinearity="tanh", bias=True, rng=None, dtype=np.float64):
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {NONLINEARITIES}, got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias=bias, rng=rng, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, x, h0=None):
        """x: (N, T, D), h0: (N, H) or None -> h: (N, T, H)"""
        self._check_x(x)
        n, T, _ = x.shape
        dtype = self._dtype(x)
        h0 = self._check_state(h0, "h0", n, dtype)
        x1, a = self._input_projection(x, dtype)       # (T, N, D+1), (T, N, H): x_t Wx^T + b
        WhT = self.Wh.data.T.astype(dtype, copy=False)
        hs = np.empty((T + 1, n, self.hidden_size), dtype=dtype)  # hs[0] = h0, hs[t+1] = h_t
        hs[0] = h0
        for t in range(T):
            a_t = a[t]
            a_t += hs[t] @ WhT                         # a_t = Wx x_t + b + Wh h_{t-1}
            if self.nonlinearity == "tanh":
                np.tanh(a_t, out=hs[t + 1])            # h_t = tanh(a_t)
            else:
                np.maximum(a_t, 0, out=hs[t + 1])      # h_t = relu(a_t)
        self._cache = (x1, hs)
        self.h_n = hs[T].copy()
        return hs[1:].transpose(1, 0, 2).copy()        # (N, T, H), not a view of the cache

    def backward(self, dout, input_grad=True, dh_n=None):
        """dout: (N, T, H) = dloss/dh (or None: the outputs were not used) -> dx: (N, T, D).

        ``dh_n``: (N, H), a gradient arriving at the last hidden state from outside (a decoder);
        added to dout's last step. Adds dWx (H, D), dWh (H, H), db (H,) to the grads; keeps
        ``dh0`` (N, H). ``input_grad=False`` skips dx (returns None)."""
        if self._cache is None:
            raise RuntimeError("RNN.backward called before forward")
        x1, hs = self._cache
        T, n = x1.shape[:2]
        H = self.hidden_size
        dh_n = self._check_grad(dh_n, "dh_n", (n, H), hs.dtype)
        if dout is None and dh_n is None:
            raise ValueError("dout and dh_n are both None: there is no gradient to propagate")
        douts = None
        if dout is not None:
            douts = self._check_dout(dout, (n, T, H)).astype(hs.dtype, copy=False).transpose(1, 0, 2)
        Wh = self.Wh.data.astype(hs.dtype, copy=False)
        da = np.empty((T, n, H), dtype=hs.dtype)        # da[t] = dloss/da_t
        dh = np.zeros((n, H), dtype=hs.dtype) if dh_n is None else dh_n.copy()  # dloss/dh_t
        for t in reversed(range(T)):
            if douts is not None:
                dh += douts[t]                          # h_t went to the output and to step t+1
            h = hs[t + 1]
            if self.nonlinearity == "tanh":
                np.multiply(h, h, out=da[t])            # tanh' = 1 - h_t^2
                np.subtract(1.0, da[t], out=da[t])
            else:
                np.greater(h, 0, out=da[t])             # relu' = [a_t > 0] = [h_t > 0]
            da[t] *= dh                                 # da_t = dh_t * phi'(a_t)
            dh = da[t] @ Wh                             # dh_{t-1} = da_t Wh
        self.dh0 = dh
        return self._weight_grads(x1, hs[:-1], da, input_grad)

    def config(self):
        cfg = super().config()
        return {"input_size": cfg.pop("input_size"), "hidden_size": cfg.pop("hidden_size"),
                "nonlinearity": self.nonlinearity, **cfg}  # the constructor's order


class LSTM(_Recurrent):
    """A long short-term memory layer over a batch of sequences. With a = Wx x_t + Wh h_{t-1} + b
    (4H numbers per sample) cut into four blocks of H, in PyTorch's order i, f, g, o::

        i = sigmoid(a[0:H])     input gate: how much of the candidate to write
        f = sigmoid(a[H:2H])    forget gate: how much of the old cell to keep
        g = tanh(a[2H:3H])      the candidate values
        o = sigmoid(a[3H:4H])   output gate: how much of the cell to show
        c_t = f * c_{t-1} + i * g
        h_t = o * tanh(c_t)

    Parameters
    ----------
    input_size, hidden_size : int
        D and H. ``Wx`` is (4H, D), ``Wh`` (4H, H), ``b`` (4H,): rows in the order i, f, g, o, as
        ``torch.nn.LSTM``'s weight_ih_l0, weight_hh_l0 and b_ih + b_hh (copy them across and
        the two layers compute the same numbers; the benchmark does).
    bias, rng, dtype : as RNN's. A common trick for long memories: start the forget gate's
        bias at 1 (``lstm.b.data[H:2*H] = 1.0``), so f starts near 0.73 instead of 0.5.

    ``forward(x, h0=None, c0=None)``: x: (N, T, D) -> h: (N, T, H); keeps ``h_n`` and ``c_n``
    (N, H). ``backward(dout, input_grad=True, dh_n=None, dc_n=None)``: dout: (N, T, H) ->
    dx: (N, T, D); adds dWx, dWh, db; keeps ``dh0`` and ``dc0`` (N, H). After a forward,
    ``gates()`` gives i, f, g, o and ``cells()`` every c_t, each (N, T, H), to look at.

    Backward, one step (the forward read bottom-up; dh_t and dc_t arrive from step t+1 and from
    the output)::

        do = dh * tanh(c_t)            dc += dh * o * (1 - tanh(c_t)^2)
        di = dc * g    dg = dc * i     df = dc * c_{t-1}     dc_{t-1} = dc * f
        da = [di i(1-i), df f(1-f), dg (1-g^2), do o(1-o)]     dh_{t-1} = da Wh

    dc_{t-1} = dc * f is the cell state's gradient path: multiplied only by f, no weight matrix,
    no squashing derivative, which is why the LSTM remembers over many steps.
    """

    gate_count = 4

    def __init__(self, input_size, hidden_size, bias=True, rng=None, dtype=np.float64):
        super().__init__(input_size, hidden_size, bias=bias, rng=rng, dtype=dtype)
        self.c_n = None
        self.dc0 = None

    def _gate_constants(self, dtype):
        """(scale, shift, lo), each (4H,) in blocks i f g o, for computing all four gates with
        one tanh. sigmoid(a) = (1 + tanh(a/2)) / 2, so with u = tanh(scale * a), scale = 1/2 on
        the sigmoid blocks and 1 on g's, every gate is shift + scale * u: (1 + u)/2 for i, f,
        o and u itself for g. Their derivatives are alike too: d gate / d a = (gate - lo)(1 -
        gate) with lo = 0 for a sigmoid, s(1 - s), and lo = -1 for the tanh, (1 + g)(1 - g)."""
        H = self.hidden_size
        scale = np.full(4 * H, 0.5, dtype=dtype)
        scale[2 * H:3 * H] = 1.0
        shift = np.full(4 * H, 0.5, dtype=dtype)
        shift[2 * H:3 * H] = 0.0
        lo = np.zeros(4 * H, dtype=dtype)
        lo[2 * H:3 * H] = -1.0
        return scale, shift, lo

    def forward(self, x, h0=None, c0=None):
        """x: (N, T, D), h0, c0: (N, H) or None -> h: (N, T, H)

        Per step, as the class docstring, with the four gates computed together: the halving
        of sigmoid(a) = (1 + tanh(a/2))/2 is folded into copies of the weights (exact: a power
        of 2), so one product gives scale * a, one tanh the whole (N, 4H) block u, and one
        multiply-add the gates."""
        self._check_x(x)
        n, T, _ = x.shape
        H = self.hidden_size
        dtype = self._dtype(x)
        h0 = self._check_state(h0, "h0", n, dtype)
        c0 = self._check_state(c0, "c0", n, dtype)
        scale, shift, _ = self._gate_constants(dtype)
        Wx_s = self.Wx.data * scale[:, None]             # (4H, D): rows of Wx times 1/2 or 1
        Wh_sT = (self.Wh.data * scale[:, None]).T        # (H, 4H)
        b_s = None if self.b is None else self.b.data * scale
        x1, gates = self._input_projection(x, dtype, Wx_s, b_s)  # (T, N, 4H): scale * (x_t Wx^T + b)
        hs = np.empty((T + 1, n, H), dtype=dtype)       # hs[0] = h0, hs[t+1] = h_t
        cs = np.empty((T + 1, n, H), dtype=dtype)       # cs[0] = c0, cs[t+1] = c_t
        tanh_c = np.empty((T, n, H), dtype=dtype)       # tanh(c_t), backward needs it
        ig = np.empty((n, H), dtype=dtype)
        hs[0], cs[0] = h0, c0
        for t in range(T):
            a = gates[t]                                # (N, 4H)
            a += hs[t] @ Wh_sT                          # scale * (Wx x_t + b + Wh h_{t-1})
            np.tanh(a, out=a)                           # u
            a *= scale                                  # the gates: shift + scale * u
            a += shift
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            c = cs[t + 1]
            np.multiply(f, cs[t], out=c)                # c_t = f * c_{t-1}
            np.multiply(i, g, out=ig)
            c += ig                                     #       + i * g
            np.tanh(c, out=tanh_c[t])
            np.multiply(o, tanh_c[t], out=hs[t + 1])    # h_t = o * tanh(c_t)
        self._cache = (x1, hs, cs, tanh_c, gates)
        self.h_n, self.c_n = hs[T].copy(), cs[T].copy()
        return hs[1:].transpose(1, 0, 2).copy()         # (N, T, H)

    def backward(self, dout, input_grad=True, dh_n=None, dc_n=None):
        """dout: (N, T, H) = dloss/dh (or None) -> dx: (N, T, D) (None if not input_grad).

        ``dh_n``, ``dc_n``: (N, H) gradients arriving at the last hidden and cell states from
        outside (a decoder started from them). Adds dWx (4H, D), dWh (4H, H), db (4H,) to the
        grads; keeps ``dh0`` and ``dc0`` (N, H)."""
        if self._cache is None:
            raise RuntimeError("LSTM.backward called before forward")
        x1, hs, cs, tanh_c, gates = self._cache
        T, n = x1.shape[:2]
        H = self.hidden_size
        dtype = hs.dtype
        dh_n = self._check_grad(dh_n, "dh_n", (n, H), dtype)
        dc_n = self._check_grad(dc_n, "dc_n", (n, H), dtype)
        if dout is None and dh_n is None and dc_n is None:
            raise ValueError("dout, dh_n and dc_n are all None: there is no gradient to propagate")
        douts = None
        if dout is not None:
            douts = self._check_dout(dout, (n, T, H)).astype(dtype, copy=False).transpose(1, 0, 2)
        Wh = self.Wh.data.astype(dtype, copy=False)
        _, _, lo = self._gate_constants(dtype)
        da = np.empty((T, n, 4 * H), dtype=dtype)      # da[t] = dloss/da_t, blocks i f g o
        dh = np.zeros((n, H), dtype=dtype) if dh_n is None else dh_n.copy()  # dloss/dh_t
        dc = np.zeros((n, H), dtype=dtype) if dc_n is None else dc_n.copy()  # dloss/dc_t
        tmp = np.empty((n, H), dtype=dtype)
        slope, one_minus = np.empty((n, 4 * H), dtype=dtype), np.empty((n, 4 * H), dtype=dtype)
        for t in reversed(range(T)):
            if douts is not None:
                dh += douts[t]                          # h_t went to the output and to step t+1
            a, d, tc = gates[t], da[t], tanh_c[t]
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            np.multiply(dh, tc, out=d[:, 3 * H:])       # do = dh * tanh(c_t)
            np.multiply(tc, tc, out=tmp)                # dc += dh * o * (1 - tanh(c_t)^2)
            np.subtract(1.0, tmp, out=tmp)
            tmp *= o
            tmp *= dh
            dc += tmp
            np.multiply(dc, g, out=d[:, :H])            # di = dc * g
            np.multiply(dc, cs[t], out=d[:, H:2 * H])   # df = dc * c_{t-1}
            np.multiply(dc, i, out=d[:, 2 * H:3 * H])   # dg = dc * i
            dc *= f                                     # dc_{t-1} = dc * f
            np.subtract(a, lo, out=slope)               # through the squashing functions:
            np.subtract(1.0, a, out=one_minus)          # d gate / d a = (gate - lo)(1 - gate)
            slope *= one_minus
            d *= slope
            np.matmul(d, Wh, out=dh)                    # dh_{t-1} = da_t Wh
        self.dh0, self.dc0 = dh, dc
        return self._weight_grads(x1, hs[:-1], da, input_grad)

    def gates(self):
        """{"i", "f", "g", "o"}: each (N, T, H), the gate values of the last forward (copies)."""
        if self._cache is None:
            raise RuntimeError("LSTM.gates called before forward")
        a, H = self._cache[4], self.hidden_size
        return {name: a[:, :, k * H:(k + 1) * H].transpose(1, 0, 2).copy()
                for k, name in enumerate("ifgo")}

    def cells(self):
        """Every cell state c_1..c_T of the last forward: (N, T, H) (a copy)."""
        if self._cache is None:
            raise RuntimeError("LSTM.cells called before forward")
        return self._cache[2][1:].transpose(1, 0, 2).copy()


class LastTimeStep(Layer):
    """Keep only the last time step of a sequence: h: (N, T, H) -> h[:, -1]: (N, H).

    So a sequence classifier is one Sequential: ``Sequential(Embedding(V, D), LSTM(D, H),
    LastTimeStep(), Dense(H, C))``. Backward puts dout at the last step and zeros elsewhere: the
    earlier outputs were not used (their influence on h_T flows inside the recurrent layer).
    """

    input_ndim = 3

    def __init__(self):
        super().__init__()
        self._shape = None

    def forward(self, x):
        """x: (N, T, H) -> (N, H)"""
        if x.shape[1] == 0:
            raise ValueError(f"x has no time steps (T = 0): shape {x.shape}")
        self._shape, self._dtype = x.shape, x.dtype
        return x[:, -1].copy()

    def backward(self, dout, input_grad=True):
        """dout: (N, H) -> dx: (N, T, H), zero but at the last step."""
        shape = self._shape
        dout = self._check_dout(dout, None if shape is None else (shape[0],) + shape[2:])
        dx = np.zeros(shape, dtype=np.result_type(dout.dtype, self._dtype))
        dx[:, -1] = dout
        return dx
