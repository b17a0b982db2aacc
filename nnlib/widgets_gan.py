"""Notebook 14's interactive figure: a slider over the snapshots of a GAN's training, showing the
generator's samples and the discriminator's decision surface at that step.

Built as ``nnlib.widgets`` builds its explorers (a control over a PNG in an Output widget; the
drawing is a plain function ``draw_gan_snapshot(fig, ...)`` that tests call without a browser).
"""
import copy

import ipywidgets as widgets

from . import plotting_gan as P
from .gan import mode_coverage
from .widgets import Explorer


def draw_gan_snapshot(fig, snapshot, snapshots, G, D, z, data, centres, std, lim=3.0):
    """Snapshot number ``snapshot`` of ``snapshots`` (a ``nnlib.gan.Snapshots`` holding "G" and
    "D") loaded into G and D, then the samples G(z) over D's surface and the data. G and D are
    overwritten: pass copies. Returns the caption: the step and the modes covered."""
    snapshots.restore(snapshot, G=G, D=D)
    samples = G.forward(z)
    step = snapshots.steps[snapshot]
    cov = mode_coverage(samples, centres, std)
    P.plot_gan(fig.add_subplot(), data, samples, D, lim=lim,
               title=f"step {step}: {cov.covered} of {len(centres)} modes covered")
    return (f"step {step}: modes covered {cov.covered} of {len(centres)}, samples near a mode "
            f"{cov.quality:.0%}, counts per mode {cov.counts.tolist()}")


def gan_explorer(snapshots, G, D, z, data, centres, std, snapshot=0, lim=3.0):
    """A slider "snapshot" over ``snapshots``: the generator's samples G(z) (z: (M, z_dim), fixed,
    so the same noise is followed through training) and D's probability "real" over the plane.
    G and D are copied first: moving the slider never changes the networks you trained."""
    G, D = copy.deepcopy(G), copy.deepcopy(D)
    slider = widgets.IntSlider(value=snapshot, min=0, max=len(snapshots) - 1, step=1,
                               description="snapshot", continuous_update=False)

    def draw(fig, snapshot):
        return draw_gan_snapshot(fig, snapshot, snapshots, G, D, z, data, centres, std, lim)

    # room on the right for the colour bar and its label
    return Explorer({"snapshot": slider}, draw, figsize=(6.0, 4.6), margins={"right": 0.84})
