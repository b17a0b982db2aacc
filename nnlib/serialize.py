"""save and load a model as a .npz file: the architecture as JSON text, the weights as arrays.

No pickle: loading a file never runs code from it, so a course file can be shared safely.
"""
import json
import os
import zipfile

import numpy as np

from .activations import ACTIVATIONS
from .core import Layer
from .layers import Dense
from .network import Sequential

FORMAT = "nnlib-model-1"
LAYER_TYPES = {cls.__name__: cls for cls in (Dense, Sequential, *ACTIVATIONS.values())}


def save(model, path):
    """Write ``model`` (any nnlib layer or Sequential) to ``path`` (.npz is added if missing)."""
    if not isinstance(model, Layer):
        raise TypeError(f"model must be an nnlib Layer, got {type(model).__name__}")
    if type(model).__name__ not in LAYER_TYPES:
        raise TypeError(f"cannot save layers of type {type(model).__name__}")
    arch = json.dumps({"format": FORMAT, "model": {"type": type(model).__name__, **model.config()}})
    arrays = {f"param:{name}": p.data for name, p in model.named_parameters()}
    np.savez(path, __architecture__=np.array(arch), **arrays)


def _build(cfg):
    cfg = dict(cfg)
    kind = cfg.pop("type", None)
    if kind not in LAYER_TYPES:
        raise ValueError(f"unknown layer type {kind!r} in the file")
    if kind == "Sequential":
        return Sequential(*[_build(c) for c in cfg["layers"]])
    return LAYER_TYPES[kind](**cfg)


def load(path):
    """Read a model written by ``save``. A missing, foreign or damaged file raises ValueError
    (or FileNotFoundError) saying what is wrong with it."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such model file: {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ValueError(f"{path} is not an nnlib model file (.npz): {exc}") from None
    if "__architecture__" not in arrays:
        raise ValueError(f"{path} is a .npz file but not an nnlib model (no architecture)")
    try:
        header = json.loads(str(arrays.pop("__architecture__")))
        if header.get("format") != FORMAT:
            raise ValueError(f"format {header.get('format')!r}, expected {FORMAT!r}")
        model = _build(header["model"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} has a damaged architecture: {exc}") from None
    params = dict(model.named_parameters())
    stored = {k.removeprefix("param:"): v for k, v in arrays.items()}
    if set(stored) != set(params):
        raise ValueError(f"{path}: parameters {sorted(stored)} do not match the architecture's {sorted(params)}")
    for name, p in params.items():
        if stored[name].shape != p.data.shape:
            raise ValueError(f"{path}: parameter {name} has shape {stored[name].shape}, "
                             f"the architecture needs {p.data.shape}")
        p.data[...] = stored[name]
    return model
