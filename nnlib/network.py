"""Sequential: layers applied one after another, y = f_L(... f_2(f_1(x))); and mlp() to build one."""
import numpy as np

from ._checks import as_rng, check_positive_int
from .activations import get_activation
from .core import Layer
from .layers import Dense


class Sequential(Layer):
    """A chain of layers. ``forward`` runs them first to last; ``backward`` runs them last to
    first, each turning the gradient at its output into the gradient at its input: that
    reversed loop *is* backpropagation.

    >>> model = Sequential(Dense(2, 3, rng=0), Sigmoid(), Dense(3, 1, rng=1), Sigmoid())

    A layer instance may appear only once (it caches one input): ``Sequential(d, Tanh(), d)``
    raises ValueError.
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {i} must be an nnlib Layer, got {type(layer).__name__}")
        self.layers = list(layers)
        self.named_layers()  # raises if a layer instance is used twice

    def check_input(self, x, name="x"):
        """The first layer decides what input the network takes."""
        if not self.layers:
            return super().check_input(x, name)
        return self.layers[0].check_input(x, name)

    def forward(self, x):
        """x: (N, in) -> output of the last layer, (N, out)"""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout, input_grad=True):
        """dout: dloss/d(output) -> dloss/dx; every layer adds its parameters' gradients.

        ``input_grad=False`` (what ``fit`` passes) is handed to the first layer, which may then
        skip dloss/dx, the gradient with respect to the data, and return None (Dense does):
        training never uses it, and it costs a matrix product as large as that layer's dW.
        """
        for layer in self.layers[:0:-1]:  # last to second
            dout = layer.backward(dout)
        if not self.layers:
            return dout if input_grad else None
        return self.layers[0].backward(dout, input_grad=input_grad)

    def named_children(self):
        return [(str(i), layer) for i, layer in enumerate(self.layers)]

    def config(self):
        return {"layers": list(self.layers)}

    @classmethod
    def from_config(cls, config):
        return cls(*config["layers"])

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self):
        lines = [f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers)]
        lines.append(f"  parameters: {self.num_parameters()}")
        return "Sequential(\n" + "\n".join(lines) + "\n)"


def mlp(sizes, activation="relu", *, rng=None, bias=True, output_activation=None, init=None,
        dtype=np.float64):
    """A fully connected network: ``mlp([2, 3, 1], "sigmoid")`` is Dense(2, 3), Sigmoid,
    Dense(3, 1). The activation goes after every layer but the last; ``output_activation``
    (a name) adds one after the last too. ``init`` defaults to 'he' for ReLU, else 'lecun'.
    ``dtype=np.float32`` makes every weight float32 (give it float32 data too).

    Every layer draws its weights from the one ``rng``, so a seed fixes the whole network.
    """
    sizes = list(sizes) if isinstance(sizes, (list, tuple)) else sizes
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise ValueError(f"sizes must be a list of at least two layer sizes, got {sizes!r}")
    sizes = [check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
    get_activation(activation)  # fail before building anything if the name is wrong
    if output_activation is not None:
        get_activation(output_activation)
    init = init or ("he" if activation.lower() == "relu" else "lecun")
    rng = as_rng(rng)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(n_in, n_out, bias=bias, rng=rng, init=init, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(get_activation(activation))
    if output_activation is not None:
        layers.append(get_activation(output_activation))
    return Sequential(*layers)


def count_parameters(sizes, bias=True):
    """Parameters of a fully connected network with these layer sizes: for each layer,
    out * in weights plus out biases. ``count_parameters([2, 3, 1], bias=False)`` is 9."""
    sizes = [check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
    return sum(n_out * n_in + (n_out if bias else 0) for n_in, n_out in zip(sizes[:-1], sizes[1:]))
