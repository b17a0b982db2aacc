"""Helpers for tests that show a failed call changed nothing.

(Not in conftest.py: tests/browser has a conftest.py of its own, and `from conftest import`
would pick whichever of the two was imported first.)
"""
import numpy as np


def snapshot(model):
    """Copies of every parameter's data, to show a failed call changed nothing."""
    return [p.data.copy() for p in model.parameters()]


def assert_unchanged(model, before):
    after = [p.data for p in model.parameters()]
    assert len(after) == len(before)
    for a, b in zip(after, before):
        np.testing.assert_array_equal(a, b)
