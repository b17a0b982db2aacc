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
