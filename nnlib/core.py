"""Parameter and Layer: the two classes every part of a network is built from.

A *Parameter* is an array the optimiser may change, with a ``grad`` array of the same shape.
A *Layer* maps an input batch ``x`` to an output batch in ``forward`` and, in ``backward``,
turns the gradient of the loss with respect to its output (``dout``) into the gradient with
respect to its input (``dx``), adding the gradients of its own parameters to their ``.grad``
on the way (the chain rule, one layer at a time).

The contract a layer implements (README, "Writing a layer"): ``input_ndim`` / ``input_dtype``
(what ``check_input`` accepts), ``forward(x)``, ``backward(dout, input_grad=True)``, its
parameters (``self._params`` or Parameter attributes), its buffers (``register_buffer``),
``config()`` and, to be saved, ``nnlib.register_layer``.
"""
import functools
import inspect

import numpy as np

from ._checks import as_float_array, as_index_array, to_float


class Parameter:
    """A trainable array ``data`` and the gradient of the loss with respect to it, ``grad``.

    ``backward`` *adds* to ``grad`` (so gradients of several samples or several uses add up);
    call ``zero_grad()`` before each new batch.
    """

    def __init__(self, data):
        self.data = as_float_array(data, "data")
        self.grad = np.zeros_like(self.data)

    @property
    def shape(self):
        return self.data.shape

    def zero_grad(self):
        self.grad.fill(0.0)

    def __repr__(self):
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


def _takes_input_grad(backward):
    params = inspect.signature(backward).parameters.values()
    return any(p.name == "input_grad" or p.kind is p.VAR_KEYWORD for p in params)


class Layer:
    """Base class: ``forward(x) -> out``, ``backward(dout, input_grad=True) -> dx``.

    ``layer(x)`` checks ``x`` with ``check_input`` (rank ``input_ndim``, floats or, for an index
    layer, integers; no NaN or inf) and then calls ``forward``, which trusts its input: a network
    checks its input once, at its first layer. ``forward`` caches what ``backward`` needs.
    ``backward(dout, input_grad=False)`` says the caller will not use dx: a layer may then skip
    computing it and return None (Dense does; the first layer of a network is called this way).
    A subclass whose ``backward`` takes only ``dout`` (the simple way) is adapted: it computes dx
    anyway and the flag is dropped.

    A layer instance holds one cached input, so it may appear only once in a model: use two
    instances (or share a Parameter between two layers) instead.
    """

    training = True
    input_ndim = 2          # an int, (lowest, highest) with None for "or more", or None: any
    input_dtype = "float"   # "float", or "int" for a layer that takes indices (an embedding)

    def __init__(self):
        self._params = {}
        self._buffers = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        backward = cls.__dict__.get("backward")
        if backward is not None and not _takes_input_grad(backward):
            @functools.wraps(backward)
            def adapted(self, dout, input_grad=True):
                return backward(self, dout)
            cls.backward = adapted

    # -- the two passes -------------------------------------------------------------------
    def forward(self, x):
        raise NotImplementedError

    def backward(self, dout, input_grad=True):
        raise NotImplementedError

    def check_input(self, x, name="x"):
        """``x`` as an array this layer accepts, or a ValueError/TypeError naming ``name``."""
        if self.input_dtype == "int":
            return as_index_array(x, name, ndim=self.input_ndim)
        return as_float_array(x, name, ndim=self.input_ndim)

    def __call__(self, x):
        return self.forward(self.check_input(x))

    # -- the layers inside this one (a container overrides this) --------------------------
    def named_children(self):
        """[(name, layer), ...] of the layers directly inside this one: its Layer attributes (a
        container that keeps them in a list, as Sequential, overrides this)."""
        return [(name, value) for name, value in vars(self).items() if isinstance(value, Layer)]

    def named_layers(self, prefix=""):
        """Every layer of the tree, this one first: [("", self), ("0", ...), ("1.0", ...), ...].
        Raises ValueError if one layer instance appears twice (it has one cached input)."""
        out, seen = [], {}
        stack = [(prefix, self)]
        while stack:
            name, layer = stack.pop()
            if id(layer) in seen:
                raise ValueError(f"layer {name} ({type(layer).__name__}) is the same instance "
                                 f"as layer {seen[id(layer)] or '(model)'}: a layer caches one input, so use "
                                 "a new instance for each place (or share a Parameter between two layers)")
            seen[id(layer)] = name
            out.append((name, layer))
            children = [(f"{name}.{n}" if name else str(n), c) for n, c in layer.named_children()]
            stack.extend(reversed(children))
        return out

    # -- parameters and buffers -----------------------------------------------------------
    def _own_parameters(self):
        """This layer's own (name, Parameter): ``self._params``, then Parameter attributes."""
        own = dict(vars(self).get("_params", {}))
        own.update((name, value) for name, value in vars(self).items()
                   if isinstance(value, Parameter) and name not in own)
        return own.items()  # one Parameter under two names: named_parameters keeps the first

    def named_parameters(self):
        """List of (name, Parameter) pairs, e.g. [("W", ...), ("b", ...)]; in a container the
        layer's name comes first ("0.W"). A Parameter shared by two layers is listed once."""
        out, seen = [], set()
        for prefix, layer in self._tree():
            for name, p in layer._own_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append((prefix + name, p))
        return out

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def register_buffer(self, name, value):
        """Keep ``value`` (a float array of finite numbers, as every saved array) as state that is
        saved with the model but not trained, e.g. batch norm's running mean; read it back as
        ``self._buffers[name]`` and change it in place."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"buffer name must be an identifier, got {name!r}")
        if name in dict(self._own_parameters()):
            raise ValueError(f"{name!r} is already a parameter of {type(self).__name__}")
        if "_buffers" not in vars(self):
            self._buffers = {}
        self._buffers[name] = as_float_array(value, name)

    def named_buffers(self):
        """List of (name, array) of every buffer, named as parameters are ("3.running_mean")."""
        return [(prefix + name, buf) for prefix, layer in self._tree()
                for name, buf in vars(layer).get("_buffers", {}).items()]

    def _tree(self):
        return [(f"{name}." if name else "", layer) for name, layer in self.named_layers()]

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def num_parameters(self):
        return sum(p.data.size for p in self.parameters())

    # -- state: everything save writes ----------------------------------------------------
    def state_dict(self):
        """{name: copy of the array} for every parameter and buffer."""
        return {name: np.array(value.data if isinstance(value, Parameter) else value)
                for name, value in self.named_parameters() + self.named_buffers()}

    def load_state_dict(self, state):
        """Copy ``state`` (names as ``state_dict``'s) into the model, in place. Everything is
        checked first (names, shapes, dtypes, finite values), so a bad state changes nothing."""
        targets = {name: (p.data if isinstance(p, Parameter) else p)
                   for name, p in self.named_parameters() + self.named_buffers()}
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict, got {type(state).__name__}")
        if set(state) != set(targets):
            raise ValueError(f"state has entries {sorted(state)}, the model needs {sorted(targets)}")
        for name, target in targets.items():
            value = state[name]
            if not isinstance(value, np.ndarray) or value.dtype != target.dtype:
                raise TypeError(f"state[{name!r}] must be a {target.dtype} array, "
                                f"got {getattr(value, 'dtype', type(value).__name__)}")
            if value.shape != target.shape:
                raise ValueError(f"state[{name!r}] has shape {value.shape}, the model needs {target.shape}")
            if not np.isfinite(value).all():
                raise ValueError(f"state[{name!r}] contains NaN or inf")
        for name, target in targets.items():
            target[...] = state[name]

    # -- modes (dropout and batch norm behave differently in training and in evaluation) --
    def train(self, mode=True):
        self.training = bool(mode)
        for _, child in self.named_children():
            child.train(mode)
        return self

    def eval(self):
        return self.train(False)

    # -- saving ---------------------------------------------------------------------------
    def config(self):
        """The constructor arguments, as a JSON-friendly dict (used by ``nnlib.save``); a layer
        argument is given as the Layer itself (Sequential's ``layers``)."""
        return {}

    @classmethod
    def from_config(cls, config):
        """The layer that ``config()`` describes (``load`` calls this)."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"

    # -- helpers for subclasses -----------------------------------------------------------
    def _check_dout(self, dout, cached, what="forward"):
        """Raise if backward comes before forward, or if ``dout`` does not match the output."""
        if cached is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before {what}")
        dout = to_float(dout)  # no finiteness check: fit detects a diverging loss itself
        if dout.shape != cached:
            raise ValueError(f"dout must have the output's shape {cached}, got {dout.shape}")
        return dout
