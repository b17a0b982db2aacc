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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from . import plotting
from .activations import ACTIVATIONS
from .losses import CrossEntropyLoss, softmax
from .network import count_parameters


PNG_DPI = 80  # pixels per inch of the PNGs the student sees: a 6.4 x 4 inch figure is 512 x 320
TICKS = 5  # at most about this many intervals between labelled ticks on a widget's axis


def new_figure(figsize):
    """A Figure for a widget: drawn at the PNG's dpi, on an Agg canvas of its own.

    With another dpi, or with no canvas that writes PNG, every ``savefig`` makes a new renderer
    and so throws away matplotlib's cache of laid-out text (the canvas alone took the neuron
    widget's redraw from about 220 to 170 ms in one measurement). Widgets also set fixed margins
    (``subplots_adjust``) rather than ``layout="constrained"``, which would draw every figure
    twice to measure it.
    """
    fig = Figure(figsize=figsize, dpi=PNG_DPI)
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig):
    """The figure as PNG bytes, at the figure's own dpi.

    compress_level 1 instead of PIL's default 6: a colour map of 450 x 350 pixels takes
    ~40 ms to compress at 6 and ~10 ms at 1, for a PNG about 1.4x as large.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def redraw_figure(fig, margins, draw, *args, **kwargs):
    """Clear ``fig``, set its margins (``clear`` resets them), call ``draw(fig, ...)``, and
    thin the ticks: each tick is four matplotlib artists to create and render, and with at
    most about 5 per axis instead of 7 to 9 a redraw takes a third less time."""
    for ax in fig.axes:
        fig.delaxes(ax)  # first: Figure.clear() would clear each axes before dropping it (slow)
    fig.clear()
    fig.subplots_adjust(**margins)
    result = draw(fig, *args, **kwargs)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            locator = axis.get_major_locator()
            if isinstance(locator, MaxNLocator):  # numeric axes (not class names, not log scales)
                locator.set_params(nbins=TICKS)
    return result


def _png_output(out, fig):
    """Show ``fig`` in the Output widget ``out`` as a PNG; return the PNG bytes.

    Written straight into ``out.outputs``: no kernel or display machinery is needed, so the same
    code runs in a notebook, under nbval and in a plain test.
    """
    png = figure_png(fig)
    w, h = fig.get_size_inches() * fig.dpi  # the PNG's size in pixels
    out.outputs = ({"output_type": "display_data",
                    "data": {"image/png": base64.b64encode(png).decode("ascii"),
                             "text/plain": f"<Figure size {w:.0f}x{h:.0f}>"},
                    "metadata": {}},)
    return png


MARGINS = {"left": 0.11, "right": 0.97, "bottom": 0.13, "top": 0.9}  # fractions of the figure


class Explorer(widgets.VBox):
    """Controls on top, the figure below; any control's change redraws.

    ``controls``: dict name -> widget; the names are the keyword arguments of ``draw``.
    ``draw(fig, **values)`` draws on a cleared matplotlib Figure (not a pyplot one, so it is
    never shown twice) and may return a short text, shown under the figure.
    ``margins``: the figure's ``subplots_adjust`` keywords (left, right, bottom, top), fixed
    rather than computed on every redraw (see ``new_figure``).
    """

    def __init__(self, controls, draw, figsize=(6.4, 4.0), margins=None):
        self.controls = dict(controls)
        self._draw = draw
        unknown = set(margins or {}) - set(MARGINS)
        if unknown:
            raise ValueError(f"margins takes the keys {sorted(MARGINS)}, got {sorted(unknown)}")
        self.margins = dict(MARGINS, **(margins or {}))
        self.figure = new_figure(figsize)
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
        text = redraw_figure(self.figure, self.margins, self._draw, **self.values())
        self.caption.value = f"<pre>{text}</pre>" if text else ""
        self.png = _png_output(self.output, self.figure)


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
    the edges. Returns the parameter count as text, and, when hidden 1 is 0 but hidden 2 is not,
    a line saying that the empty layer was skipped (the drawing numbers the hidden layers it
    shows, so hidden 2's units appear as "hidden 1")."""
    sizes = [n_in] + [h for h in (hidden1, hidden2) if h > 0] + [n_out]
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
    plotting.plot_network(fig.add_subplot(), sizes, weights=weights, bias=bias)
    terms = " + ".join(f"{m}*{n}" + (f" + {m}" if bias else "") for n, m in zip(sizes[:-1], sizes[1:]))
    text = f"parameters = {terms} = {count_parameters(sizes, bias=bias)}"
    if hidden1 == 0 and hidden2 > 0:
        text += (f"\nhidden 1 = 0: an empty layer is skipped, so the {hidden2} units of hidden 2 are "
                 "the only hidden layer\n(drawn as \"hidden 1\": the drawing counts the layers it shows)")
    return text


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
def draw_softmax(fig, z0, z1, z2, temperature, true_class):
    """Probability bars of softmax(z / T), and the cross-entropy loss for ``true_class``.
    z0, z1, z2: the scores of classes 0, 1, 2 (classes count from 0, as p[c] in the title)."""
    z = np.array([[z0, z1, z2]]) / temperature  # (1, 3)
    p = softmax(z)[0]
    loss = CrossEntropyLoss().forward(z, np.array([true_class]))
    ax = plotting.plot_probabilities(fig.add_subplot(), p, true_class=true_class)
    ax.set_title(f"softmax(z / T), T = {temperature:.2f}: loss = -ln p[{true_class}] = {loss:.3f}")
    return f"p = [{p[0]:.3f}, {p[1]:.3f}, {p[2]:.3f}]   cross-entropy = {loss:.4f}"


def softmax_explorer(z=(2.0, 1.0, 0.1), temperature=1.0, true_class=0):
    """Sliders z0, z1, z2 for the scores of classes 0, 1, 2 and the temperature; a drop-down for
    the true class."""
    controls = {f"z{c}": _slider(f"z{c}", v, -5, 5, 0.1) for c, v in enumerate(z)}
    controls["temperature"] = widgets.FloatLogSlider(value=temperature, base=10, min=-1, max=1,
                                                     step=0.05, description="T",
                                                     continuous_update=False)
    controls["true_class"] = widgets.Dropdown(options=[("class 0", 0), ("class 1", 1), ("class 2", 2)],
                                              value=true_class, description="true class")
    return Explorer(controls, draw_softmax, figsize=(6.0, 3.8))


# -- 07: the training Playground ------------------------------------------------------------
LOSS_LOG_RANGE = 10  # a loss curve whose values span more than this factor gets a log axis
TREND_WORDS = {"growing": "diverging", "unstable": "unstable", "diverged": "diverged"}


def draw_loss(fig, history, epochs, run=None):
    """The loss curve so far, on an x-axis that already spans all ``epochs``: training and
    validation loss, and with a ``run`` (a PlaygroundRun) the untrained model's loss at epoch 0,
    a dashed line at what guessing scores and, once training is over, a dot at what the trained
    network scores on its training data (``nnlib.evaluate``; the curve is a running figure).

    A log axis where a linear one would squash the curve: a flagged run (diverging, unstable,
    diverged: the climb from 0.7 to 30 or to 1e300 shows as a climb, not as a flat line at the
    top), or any curve spanning more than LOSS_LOG_RANGE (sine starts near 2 and ends near
    0.02; moons from 0.7 to 0.03). A run that diverged before its first epoch ended has no epoch to draw: it shows the
    loss of each SGD step that ran instead. The legend sits above the axes, so it covers no
    curve and no line."""
    from .playground import loss_trend

    ax = fig.add_subplot()
    start = run.start_loss if run is not None else None
    if run is not None and run.step_losses and not history.epochs:
        _draw_step_losses(ax, run)
        return
    if history.diverged:
        trend = "diverged"
    else:
        trend = loss_trend(history.train_loss, start) if start is not None else "ok"
    drawn = []
    if history.epochs:
        x = np.arange(1, history.epochs + 1)
        train = np.asarray(history.train_loss, dtype=float)
        if start is not None:  # epoch 0: before any step
            x, train = np.r_[0, x], np.r_[start, train]
        val = np.asarray(history.val_loss, dtype=float)
        train, val = np.minimum(train, LOG_TOP), np.minimum(val, LOG_TOP)
        ax.plot(x, train, color=plotting.POS, lw=2, label="training (running)")
        if val.size:
            ax.plot(np.arange(1, val.size + 1), val, color="#e67e22", lw=2, label="validation")
        drawn = [train, val]
    elif start is not None:
        ax.plot([0], [start], "o", color=plotting.POS, ms=4, label="training (running)")
        drawn = [[start]]
    if run is not None and run.after_loss is not None and run.history is history:
        ax.plot([history.epochs], [min(run.after_loss, LOG_TOP)], "o", color=plotting.POS, mfc="white",
                mew=1.5, ms=6, label="trained network", zorder=3)
        drawn.append([run.after_loss])
    if run is not None:
        ax.axhline(run.chance_loss, color="0.45", lw=1, ls="--", label="guessing")
        drawn.append([run.chance_loss])
    values = np.concatenate([np.ravel(d) for d in drawn]) if drawn else np.array([])
    positive = values[np.isfinite(values) & (values > 0)]
    log = trend != "ok" or (positive.size and positive.max() > LOSS_LOG_RANGE * positive.min())
    if log:  # a linear y costs a third of the time of a log one: only where it is needed
        _log_y(ax, values)
    else:
        ax.set_ylim(0, 1.05 * max(values.max(), 1e-3) if values.size else 1)
    title = "loss (log scale)" if log else "loss"
    if trend != "ok":
        title += f": {TREND_WORDS[trend]}"
    ax.set(xlim=(0, epochs + 1), xlabel="epoch", ylabel="loss")
    _title_and_legend(ax, title)


def _title_and_legend(ax, title):
    """The title, and the legend in one row between it and the axes: outside the plotting
    area, so it covers no data whatever the curves do."""
    if ax.get_legend_handles_labels()[0]:
        handles = len(ax.get_legend_handles_labels()[0])
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=handles, fontsize=7.5,
                  frameon=False, borderaxespad=0.1, handlelength=1.6, columnspacing=0.9,
                  handletextpad=0.4)
        ax.set_title(title, pad=16)
    else:
        ax.set_title(title)


LOG_TOP = 1e300  # a loss above this is drawn at it: a tick at 10^309 is inf, which matplotlib cannot label


def decade_ticks(lo, hi, most=6):
    """Exponents of the labelled ticks of a log axis from 10^lo to 10^hi (integers): every
    decade, or every 2nd, 5th, 10th, 20th, 50th, 100th..., whichever gives at most ``most``
    ticks, on round multiples (10^0, 10^100, 10^200, not 10^-1, 10^60, 10^121)."""
    span = hi - lo
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500) if span / s < most)
    first = -(-lo // step) * step
    return np.arange(first, hi + 1, step)


def _log_y(ax, values):
    """A log y-axis over ``values`` (the losses drawn), with round decades labelled
    (``decade_ticks``) and no minor ticks (they doubled the redraw time). The ticks are chosen
    here: matplotlib's own locator can place one past 1e308, which overflows to inf and fails
    to format."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    lo = int(np.floor(np.log10(values.min()))) if values.size else -1
    hi = int(np.ceil(np.log10(min(values.max(), LOG_TOP)))) if values.size else 1
    hi = max(hi, lo + 1)
    ax.set_ylim(10.0 ** lo, 10.0 ** hi)  # first: no autoscaling (with margins past 1e308) on the switch
    ax.set_yscale("log")
    ax.set_yticks(10.0 ** decade_ticks(lo, hi), minor=False)
    ax.set_yticks([], minor=True)


def _draw_step_losses(ax, run):
    """The steps of a run that diverged in its first epoch, on a log axis; the inf or NaN that
    stopped it marked at the right."""
    finite = np.minimum(run.step_losses[:-1], LOG_TOP)
    steps = np.arange(1, len(finite) + 1)
    ax.plot(np.r_[0, steps], np.r_[run.start_loss, finite], color=plotting.POS, lw=2, marker="o",
            ms=3, label="training, per step")
    ax.axhline(run.chance_loss, color="0.45", lw=1, ls="--", label="guessing")
    _log_y(ax, np.r_[run.start_loss, run.chance_loss, finite])
    ax.axvline(len(finite) + 1, color=plotting.NEG, lw=1.5)
    ax.text(len(finite) + 1, 0.5, f" step {len(finite) + 1}: loss {run._inf_or_nan()}",
            color=plotting.NEG, transform=ax.get_xaxis_transform(), ha="right", va="center",
            rotation=90, fontsize=9)
    ax.set(xlim=(0, len(finite) + 2), xlabel="SGD step (epoch 1)", ylabel="loss (log scale)")
    _title_and_legend(ax, "diverged in epoch 1: the loss per step")


def draw_result(fig, run):
    """The decision boundary (classification) or the fitted curve (regression) of a run, with
    the training points (the validation points are not drawn)."""
    ax = fig.add_subplot()
    if run.history.diverged:
        ax.text(0.5, 0.5, "training diverged (loss became inf or NaN):\nlower the learning rate",
                ha="center", va="center", transform=ax.transAxes, fontsize=12)
        ax.axis("off")
        return
    with np.errstate(over="ignore", invalid="ignore"):  # an unstable run's huge outputs
        if run.task == "regression":
            plotting.plot_regression_fit(ax, run.model, run.X, run.y)
        else:
            plotting.plot_decision_boundary(ax, run.model, run.X, run.y, resolution=100)
    what = "fitted curve" if run.task == "regression" else "decision boundary"
    if run.diverging:
        ax.set_title(f"{run.dataset}, {run.history.epochs} epochs: {TREND_WORDS[run.trend]}\n"
                     f"(training points)", color=plotting.NEG, fontsize=10)
    else:
        ax.set_title(f"{run.dataset}: {what} after {run.history.epochs} epochs\n(training points)",
                     fontsize=10)


# The hidden-unit panel, in inches: the pictures at UNIT_SCALE screen pixels per image pixel
# (at the PNG's dpi), a column for the layer labels on the left, the title and the colour key
UNIT_SCALE = 1.5
UNITS_LABELS, UNITS_TITLE, UNITS_KEY = 0.95, 0.45, 0.6
UNITS_MIN_WIDTH = 6.4  # room for the title and the key's words when the layers are narrow


def _hidden_widths(run):
    return [layer.W.data.shape[0] for layer in list(run.model)[:-1] if hasattr(layer, "W")][:4]


def units_figsize(run):
    """The hidden-unit panel's size for a run: as wide and as tall as its pictures need (see
    ``plotting.hidden_units_shape``), plus the labels, the title and the colour key; a short
    panel for a message when there are no hidden layers."""
    width, height = plotting.hidden_units_shape(_hidden_widths(run), run.X.shape[1])
    if not width:
        return (UNITS_MIN_WIDTH + UNITS_LABELS, 0.9)
    inch = UNIT_SCALE / PNG_DPI
    return (max(UNITS_LABELS + width * inch + 0.1, UNITS_MIN_WIDTH),
            UNITS_TITLE + height * inch + UNITS_KEY)


def draw_units(fig, run):
    """Each hidden unit's own picture (see ``plotting.plot_hidden_units``), the model as it is
    now, under a title that says what a picture is, above a key that says what its colours are."""
    w, h = fig.get_size_inches()
    if not run.hidden_layers:
        plotting.plot_hidden_units(fig.add_axes((0, 0, 1, 1)), run.model, run.X)
        return
    ax = fig.add_axes((UNITS_LABELS / w, UNITS_KEY / h, 1 - (UNITS_LABELS + 0.05) / w,
                       1 - (UNITS_TITLE + UNITS_KEY) / h))
    layers = plotting.plot_hidden_units(ax, run.model, run.X)
    if run.X.shape[1] == 2:
        what = "each hidden unit's output over the input plane (the area of the decision boundary)"
    else:
        what = ("each hidden unit's output along the input x\n(the input is a line here, not a "
                "plane: each unit is a strip, x growing to the right)")
    fig.text(0.01, 1 - 0.08 / h, what, fontsize=9, va="top", ha="left")
    name = layers[0][0]  # the Playground gives every hidden layer one activation
    key = fig.add_axes((UNITS_LABELS / w, 0.22 / h, 1.2 / w, 0.14 / h))
    key.imshow(np.linspace(-1, 1, 65)[None, :], cmap=plotting.UNIT_CMAP, vmin=-1, vmax=1,
               aspect="auto", extent=(-1, 1, 0, 1))
    lo, mid, hi = plotting.UNIT_KEYS.get(name, ("lowest", "", "highest"))
    key.set_xticks([-1, 0, 1], [lo, mid, hi], fontsize=8)
    key.set_yticks([])
    key.tick_params(length=2, pad=1)
    words = [f"red {lo}"] + ([f"white {mid}"] if mid else []) + [f"blue {hi}"]
    fixed = (", fixed (a pale unit barely moves)" if name in plotting.RANGES
             else ", each unit scaled to its own largest output")
    fig.text((UNITS_LABELS + 1.3) / w, 0.29 / h, f"{name}: {', '.join(words)}{fixed}", fontsize=8,
             va="center", ha="left")


PLAYGROUND_MARGINS = {"left": 0.16, "right": 0.96, "bottom": 0.15, "top": 0.83}
UNITS_MARGINS = {"left": 0.0, "right": 1.0, "bottom": 0.0, "top": 1.0}  # draw_units places its axes


class Playground(widgets.VBox):
    """Controls for data, network and SGD; Train and Stop; a live loss curve, the result, and
    each hidden unit's picture.

    ``train()`` trains and draws in the calling thread (tests and notebooks call it). The Train
    button calls ``start()``, which runs ``train()`` in a thread of its own: a click reaches the
    kernel as a message, and the kernel handles one message at a time, so a Stop click could
    not be seen before a training run inside the Train click's handler had finished. With the
    run in a thread, the kernel is free; the Stop click sets a flag, and the loss curve's
    per-epoch callback returns False to ``fit``, which stops after that epoch.

    The pictures never pretend to show what they do not: when a run starts, the status says
    "training" at once and the old pictures turn grey; the controls are disabled while it runs
    (they would not change it); and a control changed after a run adds "settings changed: press
    Train" to the status, which names the data set and learning rate of the run shown.

    After a run, ``run`` holds the PlaygroundRun, and ``loss_figure``, ``result_figure`` and
    ``units_figure`` the drawings.
    """

    def __init__(self, dataset="moons", noise=0.15, hidden_layers=2, units=8, activation="tanh",
                 lr=0.1, batch_size=16, epochs=100):
        import threading

        from .playground import DATASETS

        self.controls = {
            "dataset": widgets.Dropdown(options=list(DATASETS), value=dataset, description="data"),
            "noise": _slider("noise", noise, 0.0, 0.5, 0.05),
            "hidden_layers": widgets.IntSlider(value=hidden_layers, min=0, max=4, description="layers",
                                               continuous_update=False),
            "units": widgets.IntSlider(value=units, min=1, max=32, description="units",
                                       continuous_update=False),
            "activation": _activation_dropdown(activation),
            "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=1, step=0.1,
                                         description="lr", continuous_update=False),
            "batch_size": widgets.Dropdown(options=[1, 4, 16, 64, 200], value=batch_size,
                                           description="batch size"),
            "epochs": widgets.IntSlider(value=epochs, min=10, max=500, step=10, description="epochs",
                                        continuous_update=False),
        }
        # with no hidden layer there are no units and no activation to choose: say so by greying them
        self.controls["hidden_layers"].observe(self._layers_changed, names="value")
        self._layers_changed()
        for control in self.controls.values():
            control.observe(self._settings_changed, names="value")
        self.train_button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.train_button.on_click(lambda _button: self.start())
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True)
        self.stop_button.on_click(lambda _button: self.stop())
        self.status = widgets.HTML("press Train")
        self.loss_figure = new_figure((4.8, 3.6))
        self.result_figure = new_figure((4.8, 3.6))
        self.units_figure = new_figure((UNITS_MIN_WIDTH, 0.9))
        self.loss_output, self.result_output = widgets.Output(), widgets.Output()
        self.units_output = widgets.Output()
        self.run = None
        self.run_settings = None  # the control values of the run shown
        self._summary = ""
        self.thread = None
        self._stop_requested = threading.Event()
        box = widgets.Box(list(self.controls.values()) + [self.train_button, self.stop_button],
                          layout=widgets.Layout(display="flex", flex_flow="row wrap"))
        super().__init__([box, self.status, widgets.HBox([self.loss_output, self.result_output]),
                          self.units_output])

    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def _layers_changed(self, _change=None):
        linear = self.controls["hidden_layers"].value == 0
        self.controls["units"].disabled = linear
        self.controls["activation"].disabled = linear

    def _settings_changed(self, _change=None):
        """After a run, a changed control makes the pictures out of date: say so."""
        if self.busy or self.run_settings is None:
            return
        changed = self.values() != self.run_settings
        self.status.value = self._summary + (" · settings changed: press Train" if changed else "")

    def _enable_controls(self, enabled):
        for control in self.controls.values():
            control.disabled = not enabled
        if enabled:
            self._layers_changed()

    @property
    def busy(self):
        return self.thread is not None and self.thread.is_alive()

    def start(self):
        """The Train button: ``train()`` in a thread, so the kernel stays free for Stop."""
        import threading

        if self.busy:
            return
        self._starting()  # here, not in the thread: the click's answer is immediate
        self.thread = threading.Thread(target=self._train_in_thread, name="playground-train", daemon=True)
        self.thread.start()

    def _train_in_thread(self):
        try:
            self.train()
        except Exception as exc:  # a thread's exception would only reach the server's log
            self.status.value = f"error: {type(exc).__name__}: {exc}"
            self.train_button.disabled, self.stop_button.disabled = False, True
            self._enable_controls(True)

    def wait(self, timeout=None):
        """Wait for a run started by ``start()`` (the Train button) to end; True if it has."""
        if self.thread is not None:
            self.thread.join(timeout)
        return not self.busy

    def stop(self):
        """The Stop button: training stops at the end of the current epoch."""
        self._stop_requested.set()
        if self.busy:
            self.status.value = "stopping at the end of this epoch..."

    def _starting(self):
        """What a run does first, before any computing: the buttons and controls switch, the
        status says training, and the old pictures turn grey (stale)."""
        settings = self.values()
        self.train_button.disabled, self.stop_button.disabled = True, False
        self._enable_controls(False)
        self.status.value = f"training ({settings['dataset']}, lr {settings['lr']:g})..."
        for out in (self.loss_output, self.result_output, self.units_output):
            _grey_out(out)

    def train(self):
        from .playground import new_run

        if not self.train_button.disabled:  # called directly, not by start(), which did this
            self._starting()
        settings = self.values()
        self.run_settings = None
        run_settings = dict(settings)
        lr, batch_size, epochs = (settings.pop(k) for k in ("lr", "batch_size", "epochs"))
        every = max(1, epochs // 10)  # about 10 redraws of the live curve per run
        self._stop_requested.clear()
        try:
            self.run = run = new_run(**settings)
            run.lr = lr  # named in the status from the first epoch on (fit sets it again)
            self.redraw_loss(run.history, epochs)  # epoch 0 at once: the untrained loss

            def live(epoch, history):
                run.history = history
                if epoch % every == 0 or epoch == epochs:
                    self.redraw_loss(history, epochs)
                    self.status.value = (f"training ({run.settings()}): epoch {epoch}/{epochs}, "
                                         f"loss {history.train_loss[-1]:.4f}")
                return False if self._stop_requested.is_set() else None  # False: fit stops

            run.fit(lr=lr, batch_size=batch_size, epochs=epochs, callback=live)
            self.redraw_loss(run.history, epochs)
            self.redraw_result()
            self.redraw_units()
        finally:
            self.train_button.disabled, self.stop_button.disabled = False, True
            self._enable_controls(True)
        self._summary = run.summary()
        self.run_settings = run_settings
        # last: when it says "done", the pictures are there and the controls work again
        self.status.value = self._summary
        return run

    def redraw_loss(self, history, epochs):
        """The live loss curve: drawn about 10 times per run, so it must be quick."""
        redraw_figure(self.loss_figure, PLAYGROUND_MARGINS, draw_loss, history, epochs, self.run)
        _png_output(self.loss_output, self.loss_figure)

    def redraw_result(self):
        redraw_figure(self.result_figure, PLAYGROUND_MARGINS, draw_result, self.run)
        _png_output(self.result_output, self.result_figure)

    def redraw_units(self):
        self.units_figure.set_size_inches(units_figsize(self.run))
        redraw_figure(self.units_figure, UNITS_MARGINS, draw_units, self.run)
        _png_output(self.units_output, self.units_figure)


def _grey_out(out):
    """Turn the PNG an Output widget shows pale grey: the picture of a run that is over, while a
    new one trains (a few ms: the PNG is small, nothing is redrawn)."""
    from PIL import Image

    if not out.outputs:
        return
    data = dict(out.outputs[0]["data"])
    image = Image.open(io.BytesIO(base64.b64decode(data["image/png"]))).convert("L")
    image = image.point(lambda v: 150 + v * 105 // 255)  # grey, and lighter: clearly not live
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=1)
    data["image/png"] = base64.b64encode(buf.getvalue()).decode("ascii")
    data["text/plain"] = data.get("text/plain", "") + " (stale)"
    out.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)


def playground(**settings):
    """The training Playground widget (see ``Playground``); keyword arguments set its controls."""
    return Playground(**settings)
