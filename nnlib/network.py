"""Sequential: layers applied one after another, y = f_L(... f_2(f_1(x)))."""
from .core import Layer


class Sequential(Layer):
    """A chain of layers. ``forward`` runs them first to last; ``backward`` runs them last to
    first, each turning the gradient at its output into the gradient at its input: that
    reversed loop *is* backpropagation.

    >>> model = Sequential(Dense(2, 3, rng=0), Sigmoid(), Dense(3, 1, rng=1), Sigmoid())
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {i} must be an nnlib Layer, got {type(layer).__name__}")
        self.layers = list(layers)

    def forward(self, x):
        """x: (N, in) -> output of the last layer, (N, out)"""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        """dout: dloss/d(output) -> dloss/dx; every layer adds its parameters' gradients."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def named_parameters(self):
        """[("0.W", ...), ("0.b", ...), ("2.W", ...), ...]: the layer's index, then its name."""
        return [(f"{i}.{name}", p) for i, layer in enumerate(self.layers)
                for name, p in layer.named_parameters()]

    def train(self, mode=True):
        super().train(mode)
        for layer in self.layers:
            layer.train(mode)
        return self

    def config(self):
        return {"layers": [{"type": type(layer).__name__, **layer.config()} for layer in self.layers]}

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
