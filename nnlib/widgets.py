"""Interactive figures: controls (ipywidgets) above a figure that redraws when they change.

Each builder returns an ``Explorer``: a VBox holding the controls and an Output with the figure
as a PNG. The drawing itself is a plain function ``draw(fig, **values)`` from ``nnlib.plotting``,
so it can be called and tested without a browser: set a control's ``.value`` as a user would,
and ``explorer.figure`` holds the new drawing, ``explorer.png`` the picture the student sees.
"""
import base64
import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from . import plotting
from .activations import ACTIVATIONS
from .losses import CrossEntropyLoss, softmax
from .network import count_parameters


def figure_png(fig, dpi=80):
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


class Explorer(widgets.VBox):
    """Controls on top, the figure below; any control's change redraws.

    ``controls``: dict name -> widget; the names are the keyword arguments of ``draw``.
    ``draw(fig, **values)`` draws on a cleared matplotlib Figure (not a pyplot one, so it is
    never shown twice) and may return a short text, shown under the figure.
    """

    def __init__(self, controls, draw, figsize=(6.4, 4.0)):
        self.controls = dict(controls)
        self._draw = draw
        self.figure = Figure(figsize=figsize, layout="constrained")
        self.output = widgets.Output()
        self.caption = widgets.HTML()
        self.png = b""
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        box = widgets.Box(list(self.controls.values()),
                          layout=widgets.Layout(display="flex", flex_flow="row wrap"))
        super().__init__([box, self.output, self.caption])
        self.redraw()

    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def _changed(self, _change):
        self.redraw()

    def redraw(self):
        self.figure.clear()
        text = self._draw(self.figure, **self.values())
        self.caption.value = f"<pre>{text}</pre>" if text else ""
        self.png = figure_png(self.figure)
        w, h = self.figure.get_size_inches()
        # Written straight into the Output: no kernel or display machinery needed, so the
        # same code runs in a notebook, under nbval and in a plain test.
        self.output.outputs = ({
            "output_type": "display_data",
            "data": {"image/png": base64.b64encode(self.png).decode("ascii"),
                     "text/plain": f"<Figure size {w * 100:.0f}x{h * 100:.0f}>"},
            "metadata": {},
        },)


def _slider(description, value, lo, hi, step):
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                               continuous_update=False, readout_format=".2f")


def _activation_dropdown(value):
    return widgets.Dropdown(options=list(ACTIVATIONS), value=value, description="activation")


# -- 01: one neuron over the plane ----------------------------------------------------------
def draw_neuron(fig, w1, w2, w0, activation):
    plotting.plot_neuron(fig.add_subplot(), w1, w2, w0, activation)


def neuron_explorer(w1=1.0, w2=-1.0, w0=0.5, activation="sigmoid"):
    """Sliders for w1, w2, w0 and an activation drop-down; the neuron's output over the plane."""
    controls = {"w1": _slider("w1", w1, -3, 3, 0.25), "w2": _slider("w2", w2, -3, 3, 0.25),
                "w0": _slider("w0", w0, -3, 3, 0.25), "activation": _activation_dropdown(activation)}
    return Explorer(controls, draw_neuron, figsize=(5.6, 4.4))


# -- 02: an activation function and its derivative ------------------------------------------
def draw_activation(fig, activation, a, b):
    plotting.plot_activation(fig.add_subplot(), activation, a=a, b=b)


def activation_explorer(activation="sigmoid", a=1.0, b=0.0):
    """An activation drop-down and sliders a, b: phi(a x + b) and its derivative."""
    controls = {"activation": _activation_dropdown(activation),
                "a": _slider("a", a, -3, 3, 0.25), "b": _slider("b", b, -3, 3, 0.25)}
    return Explorer(controls, draw_activation, figsize=(6.4, 3.8))


# -- 03: the shape of a network ------------------------------------------------------------
def draw_network(fig, n_in, hidden1, hidden2, n_out, bias, seed=0):
    """Layer sizes (a hidden size of 0 drops that layer); weights drawn from ``seed`` to colour
    the edges. Returns the parameter count as text."""
    sizes = [n_in] + [h for h in (hidden1, hidden2) if h > 0] + [n_out]
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
    plotting.plot_network(fig.add_subplot(), sizes, weights=weights, bias=bias)
    terms = " + ".join(f"{m}*{n}" + (f" + {m}" if bias else "") for n, m in zip(sizes[:-1], sizes[1:]))
    return f"parameters = {terms} = {count_parameters(sizes, bias=bias)}"


def network_explorer(n_in=2, hidden1=3, hidden2=0, n_out=1, bias=False):
    """Sliders for the layer sizes (0 hidden units = no such layer) and a bias check box."""
    def size(description, value, lo, hi):
        return widgets.IntSlider(value=value, min=lo, max=hi, description=description,
                                 continuous_update=False)
    controls = {"n_in": size("inputs", n_in, 1, 6), "hidden1": size("hidden 1", hidden1, 0, 8),
                "hidden2": size("hidden 2", hidden2, 0, 8), "n_out": size("outputs", n_out, 1, 6),
                "bias": widgets.Checkbox(value=bias, description="biases")}
    return Explorer(controls, draw_network, figsize=(6.4, 4.2))


# -- 04: scores to probabilities -----------------------------------------------------------
def draw_softmax(fig, z1, z2, z3, temperature, true_class):
    """Probability bars of softmax(z / T), and the cross-entropy loss for ``true_class``."""
    z = np.array([[z1, z2, z3]]) / temperature  # (1, 3)
    p = softmax(z)[0]
    loss = CrossEntropyLoss().forward(z, np.array([true_class]))
    ax = plotting.plot_probabilities(fig.add_subplot(), p, true_class=true_class)
    ax.set_title(f"softmax(z / T), T = {temperature:.2f}: loss = -ln p[{true_class}] = {loss:.3f}")
    return f"p = [{p[0]:.3f}, {p[1]:.3f}, {p[2]:.3f}]   cross-entropy = {loss:.4f}"


def softmax_explorer(z=(2.0, 1.0, 0.1), temperature=1.0, true_class=0):
    """Sliders for three logits and the temperature; a drop-down for the true class."""
    controls = {f"z{c + 1}": _slider(f"z{c + 1}", v, -5, 5, 0.1) for c, v in enumerate(z)}
    controls["temperature"] = widgets.FloatLogSlider(value=temperature, base=10, min=-1, max=1,
                                                     step=0.05, description="T",
                                                     continuous_update=False)
    controls["true_class"] = widgets.Dropdown(options=[("class 0", 0), ("class 1", 1), ("class 2", 2)],
                                              value=true_class, description="true class")
    return Explorer(controls, draw_softmax, figsize=(6.0, 3.8))
