"""The five activation functions of the lecture notes, as functions and as layers.

Each comes as a pair of plain functions, phi(x) and its derivative phi'(x), that work on any
array elementwise, and as a Layer whose backward is ``dx = dout * phi'(z)``:

===============  ==========================  ===============================================
name             phi(x)                      phi'(x)
===============  ==========================  ===============================================
``linear``       a x + b                     a
``sigmoid``      1 / (1 + e^-x)              phi(x) (1 - phi(x))
``tanh``         (e^x - e^-x) / (e^x + e^-x) 1 - phi(x)^2
``heaviside``    0 (x<0), 0.5 (x=0), 1 (x>0)  0 (undefined at 0; we use 0 there too)
``relu``         max(x, 0)                   1 for x > 0, else 0 (at 0 we take 0, as PyTorch)
===============  ==========================  ===============================================

``get_activation("relu")`` looks a layer up by name (for drop-downs); ``ACTIVATIONS`` lists them.
"""
import numpy as np

from ._checks import check_real, to_float
from .core import Layer


# -- functions ------------------------------------------------------------------------------
# phi'(x) is not written here a second time: it is the layer's ``grad`` (the one chain-rule step
# dloss/dz = dout * phi'(z)) with dout = 1, so plots, exercises and training share one formula.
def linear(x, a=1.0, b=0.0):
    return a * to_float(x) + b


def linear_prime(x, a=1.0, b=0.0):
    return LinearActivation(a, b).dphi(to_float(x))


def sigmoid(x):
    """1 / (1 + e^-x), computed without overflow: e^-|x| never exceeds 1.

    With e = e^-|x|: for x >= 0 that is 1 / (1 + e); for x < 0, multiplying top and bottom by
    e^x, it is e / (1 + e). So the numerator is picked by the sign of x and the division is
    done once.
    """
    return _sigmoid(to_float(x))


def _sigmoid(x):
    """sigmoid of a float ndarray x, as is: ``sigmoid`` converts lists and ints first, and the
    Sigmoid layer's forward pass, like every layer's, is given an array already."""
    e = np.exp(-np.abs(x))  # e^-|x| <= 1
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def sigmoid_prime(x):
    return Sigmoid().dphi(to_float(x))


def tanh(x):
    return np.tanh(to_float(x))


def tanh_prime(x):
    return Tanh().dphi(to_float(x))


def heaviside(x):
    return np.heaviside(to_float(x), 0.5)


def heaviside_prime(x):
    """Zero everywhere: at x = 0 the true derivative does not exist, and we return 0 there too.

    This is why the notes say Heaviside "makes training very hard": no gradient ever flows.
    """
    return Heaviside().dphi(to_float(x))


def relu(x):
    return np.maximum(to_float(x), 0.0)


def relu_prime(x):
    """1 where x > 0, else 0. ReLU has no derivative at 0; like PyTorch we take 0 there."""
    return ReLU().dphi(to_float(x))


# -- layers ---------------------------------------------------------------------------------
class Activation(Layer):
    """An elementwise layer h = phi(z), for input of any shape. Subclasses define ``phi(z)`` and
    ``grad(dout, z, h)``, the chain-rule step dout * phi'(z) (given h = phi(z) too, since
    sigmoid's and tanh's derivatives are cheapest from it). ``dphi(z)`` is ``grad`` with dout = 1.
    """

    name = None
    input_ndim = None  # elementwise: any shape

    def __init__(self):
        super().__init__()
        self._z = None  # the input of the last forward, needed for phi'(z)
        self._h = None  # and its output

    def phi(self, z):
        raise NotImplementedError

    def grad(self, dout, z, h):
        """dout: dloss/dh, z: the input, h = phi(z) -> dloss/dz = dout * phi'(z), all one shape."""
        if type(self).dphi is Activation.dphi:
            raise NotImplementedError(f"{type(self).__name__} must define grad(dout, z, h) or dphi(z)")
        return dout * self.dphi(z)  # an activation written with dphi only

    def dphi(self, z):
        """phi'(z), elementwise: the same formula the backward pass uses."""
        z = to_float(z)
        return self.grad(np.ones_like(z), z, self.phi(z))

    def forward(self, z):
        """z: (N, ...) -> h: (N, ...), the same shape"""
        self._z = z
        self._h = self.phi(z)
        return self._h

    def backward(self, dout, input_grad=True):
        """dout: dloss/dh -> dz: dout * phi'(z), the same shape. There is nothing to skip for
        ``input_grad=False``: dz is all an activation computes."""
        z = self._z
        dout = self._check_dout(dout, None if z is None else z.shape)
        return self.grad(dout, z, self._h)


class LinearActivation(Activation):
    """phi(x) = a x + b. With it a single neuron is linear regression."""

    name = "linear"

    def __init__(self, a=1.0, b=0.0):
        super().__init__()
        self.a = check_real(a, "a")
        self.b = check_real(b, "b")

    def phi(self, z):
        return linear(z, self.a, self.b)

    def grad(self, dout, z, h):
        return dout * np.full_like(z, self.a)  # phi' = a

    def config(self):
        return {"a": self.a, "b": self.b}


class Sigmoid(Activation):
    """phi(x) = 1 / (1 + e^-x); phi' = phi (1 - phi), from the stored output: no second exp."""

    name = "sigmoid"

    def phi(self, z):
        return sigmoid(z)

    def grad(self, dout, z, h):
        return dout * h * (1.0 - h)


class Tanh(Activation):
    """phi(x) = tanh(x); phi' = 1 - tanh^2, from the stored output."""

    name = "tanh"

    def phi(self, z):
        return tanh(z)

    def grad(self, dout, z, h):
        return dout * (1.0 - h**2)


class Heaviside(Activation):
    """The step function with H(0) = 0.5. Its derivative is 0, so nothing before it learns."""

    name = "heaviside"

    def phi(self, z):
        return heaviside(z)

    def grad(self, dout, z, h):
        return dout * np.zeros_like(z)


class ReLU(Activation):
    """max(z, 0); the derivative at exactly 0 is taken as 0."""

    name = "relu"

    def phi(self, z):
        return relu(z)

    def grad(self, dout, z, h):
        """dout where the unit was on (z > 0), else 0."""
        # Multiplying by the 0/1 mask is several times faster than np.where(z > 0, dout, 0.0) on
        # large batches (no branch per element); the "+= 0.0" turns the -0.0 that (negative dout)
        # * 0 gives into a plain 0.0.
        dz = dout * (z > 0)
        dz += 0.0
        return dz


ACTIVATIONS = {cls.name: cls for cls in (LinearActivation, Sigmoid, Tanh, Heaviside, ReLU)}


def get_activation(name, **kwargs):
    """A new activation layer by name: one of ``ACTIVATIONS`` ('linear', 'sigmoid', ...)."""
    if not isinstance(name, str):
        raise TypeError(f"activation name must be a str, got {type(name).__name__}")
    key = name.lower()
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[key](**kwargs)
