"""plot_network's layer labels (notebook 03): "1 unit", "3 units"."""
import matplotlib.pyplot as plt

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
