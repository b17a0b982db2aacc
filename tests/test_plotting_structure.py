"""plot_network's layer labels (notebook 03): "1 unit", "3 units"."""
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection

from nnlib import plotting


def test_plot_network_labels_singular_and_plural():
    fig, ax = plt.subplots()
    try:
        plotting.plot_network(ax, [2, 3, 1], bias=False)
        labels = [t.get_text() for t in ax.texts]
        assert labels == ["input\n2 units", "hidden 1\n3 units", "output\n1 unit"]
    finally:
        plt.close(fig)


def test_plot_decision_boundary_legend_is_optional():
    """The colour key of notebooks 02 and 03: off by default (07 and the Playground unchanged),
    "class 0", "class 1" in the classes' colours when asked for."""
    import nnlib

    X, y = nnlib.xor()
    model = nnlib.mlp([2, 4, 2], "tanh", rng=0)
    fig, (ax_plain, ax_key) = plt.subplots(1, 2)
    try:
        plotting.plot_decision_boundary(ax_plain, model, X, y, resolution=20)
        assert ax_plain.get_legend() is None
        plotting.plot_decision_boundary(ax_key, model, X, y, resolution=20, legend="upper left")
        legend = ax_key.get_legend()
        assert [t.get_text() for t in legend.get_texts()] == ["class 0", "class 1"]
        assert [h.get_markerfacecolor() for h in legend.legend_handles] == plotting.CLASS_COLORS[:2]
        assert len(ax_key.collections) == len(ax_plain.collections)  # the key adds no data
        ax_plain.clear()
        plotting.plot_decision_boundary(ax_plain, model, X, y, resolution=20,
                                        legend={"loc": "upper left", "bbox_to_anchor": (1.02, 1.0)})
        assert [t.get_text() for t in ax_plain.get_legend().get_texts()] == ["class 0", "class 1"]
    finally:
        plt.close(fig)


def test_plot_network_draws_biases_and_a_colour_key():
    """Issue 10: the drawing's colours are explained by a key, and biases are drawn: one bias
    node "1" per layer that has a next layer, with one (dashed) edge to each unit it feeds."""
    import numpy as np

    W = [np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 1.0]]), np.array([[1.0, -1.0, 2.0]])]
    b = [np.array([0.5, -0.5, 0.0]), np.array([-3.0])]
    fig, (ax, ax_nob) = plt.subplots(1, 2)
    try:
        plotting.plot_network(ax, [2, 3, 1], weights=W, biases=b)
        assert len(ax.lines) == 2 * 3 + 3 * 1  # the weights
        (bias_edges,) = [c for c in ax.collections if isinstance(c, LineCollection)]
        assert len(bias_edges.get_segments()) == 3 + 1
        assert [t.get_text() for t in ax.texts].count("1") == 2  # bias nodes of layers 0 and 1
        colours = [tuple(c) for c in bias_edges.get_colors()]
        # blue > 0, red < 0, grey for exactly 0 (nnlib's starting biases)
        expected = [mcolors.to_rgba("0.6" if v == 0 else plotting.POS if v > 0 else plotting.NEG)
                    for v in np.r_[b[0], b[1]]]
        assert colours == expected
        widths = list(bias_edges.get_linewidths())
        assert widths[-1] == max(widths)  # |b| = 3 is the largest number drawn
        key = [t.get_text() for t in ax.get_legend().get_texts()]
        assert key == ["weight > 0 (width: |w|)", "weight < 0", "bias: a weight from a constant 1"]
        plotting.plot_network(ax_nob, [2, 3, 1], bias=False)
        assert "1" not in [t.get_text() for t in ax_nob.texts]
        assert [t.get_text() for t in ax_nob.get_legend().get_texts()] == ["weight"]
    finally:
        plt.close(fig)


def test_plot_network_notation_puts_w_ij_on_its_edge():
    """The notes' 2-3-1 network with every w^(l)_ij on its edge (notebook 05): the label of
    w^(l)_ij sits on the edge from unit j of layer l-1 to unit i of layer l."""
    import numpy as np

    fig, ax = plt.subplots()
    try:
        plotting.plot_network(ax, [2, 3, 1], bias=False, notation=True)
        labels = {t.get_text(): t.get_position() for t in ax.texts}
        for name in ("$x_{1}$", "$x_{2}$", "$h_{1}$", "$h_{3}$", "$y_{1}$"):
            assert name in labels
        for l, (n_in, n_out) in enumerate([(2, 3), (3, 1)], start=1):
            for i in range(1, n_out + 1):
                for j in range(1, n_in + 1):
                    x, y = labels[f"$w^{{({l})}}_{{{i}{j}}}$"]
                    (x0, y0), (x1, y1) = (labels[_node(l - 1, j)], labels[_node(l, i)])
                    # on the segment from unit j (layer l-1) to unit i (layer l)
                    assert np.isclose((x - x0) * (y1 - y0), (y - y0) * (x1 - x0))
                    assert min(x0, x1) < x < max(x0, x1)
    finally:
        plt.close(fig)


def _node(layer, unit):
    return f"${'xhy'[layer]}_{{{unit}}}$"
