"""save and load a model as a .npz file: the architecture as JSON text, the weights as arrays.

No pickle: loading a file never runs code from it, so a course file can be shared safely. And
``load`` trusts nothing in the file: it reads the zip directory and every array's .npy header
first (names, dtypes, shapes), checks them against the limits below and against the
architecture, and only then reads the arrays, each no further than its header says.

A layer type can be saved when it is registered (``nnlib.register_layer``; the built-in layers
are) and its ``config()`` gives its constructor arguments as JSON values (layers inside it as
Layers, as Sequential's ``layers``). ``save`` reads its own file back before keeping it, so it
never writes a file that ``load`` refuses.
"""
import json
import math
import os
import zipfile

import numpy as np

from .activations import ACTIVATIONS
from .conv import AvgPool2d, Conv2d, ConvTranspose2d, Flatten, MaxPool2d, Reshape
from .core import Layer
from .layers import Dense
from .network import Sequential
from .normalization import BatchNorm1d, BatchNorm2d, SpectralNorm
from .regularization import Dropout
from .recurrent import LSTM, RNN, LastTimeStep  # noqa: I001
from .embedding import Embedding

FORMAT = "nnlib-model-1"
MAX_BYTES = 256 * 2**20       # default limit on the arrays' total size: 32 million float64 numbers
MAX_ARRAYS = 10_000           # members of the zip file
MAX_ARCHITECTURE_CHARS = 200_000
MAX_DEPTH = 64                # nesting of the architecture's JSON (a Sequential adds 2)
MAX_HEADER_BYTES = 4096       # one .npy header (numpy's own limit is 10,000)
CHEAP_NUMBERS = 1_000_000     # an architecture this small is built even if the file cannot fill it

LAYER_TYPES = {}
_BUILT_IN = set()


def register_layer(cls):
    """Let ``save`` and ``load`` handle layers of class ``cls`` (a Layer subclass), under its
    class name; usable as a decorator. Registering a class of the same name again replaces it
    (a notebook cell run twice), except for nnlib's own layers."""
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise TypeError(f"register_layer takes a Layer subclass, got {cls!r}")
    name = cls.__name__
    if name in _BUILT_IN and LAYER_TYPES[name] is not cls:
        raise ValueError(f"{name!r} is one of nnlib's own layers: give your class another name")
    LAYER_TYPES[name] = cls
    return cls


for _cls in (Dense, Sequential, *ACTIVATIONS.values(), Dropout, BatchNorm1d, BatchNorm2d, SpectralNorm,
             Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, Flatten, Reshape, RNN, LSTM, LastTimeStep, Embedding):
    register_layer(_cls)
    _BUILT_IN.add(_cls.__name__)


# -- save -----------------------------------------------------------------------------------
def _spec(layer):
    """The layer as JSON values: {"type": name, **config}, the layers inside it as specs too."""
    name = type(layer).__name__
    if LAYER_TYPES.get(name) is not type(layer):
        raise TypeError(f"cannot save layers of type {name}: register the class with "
                        "nnlib.register_layer (after defining or redefining it)")
    config = layer.config()
    if not isinstance(config, dict) or "type" in config:
        raise TypeError(f"{name}.config() must return a dict without a 'type' key, got {config!r}")
    return {"type": name, **{key: _to_json(value, name) for key, value in config.items()}}


def _to_json(value, owner):
    if isinstance(value, Layer):
        return _spec(value)
    if isinstance(value, (list, tuple)):
        return [_to_json(v, owner) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"{owner}.config() must give JSON values: a number, string, bool, None, list or "
                    f"Layer, got {value!r}")


def save(model, path, *, max_bytes=MAX_BYTES):
    """Write ``model`` (any registered layer, Sequentials nested as deep as you like) to
    ``path`` (.npz is added if missing): parameters and buffers, exactly. The file is read back
    with ``load`` before it replaces ``path``: what ``load`` would refuse raises here instead."""
    if not isinstance(model, Layer):
        raise TypeError(f"model must be an nnlib Layer, got {type(model).__name__}")
    path = os.fspath(path)
    path = path if path.endswith(".npz") else path + ".npz"
    try:
        arch = json.dumps({"format": FORMAT, "model": _spec(model)}, allow_nan=False)
    except ValueError as exc:  # NaN or inf in a config
        raise ValueError(f"cannot save {type(model).__name__}: its config has {exc}") from None
    arrays = {f"param:{name}": p.data for name, p in model.named_parameters()}
    arrays.update({f"buffer:{name}": b for name, b in model.named_buffers()})
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            np.savez(f, __architecture__=np.array(arch), **arrays)
        try:
            back = load(tmp, max_bytes=max_bytes)
        except ValueError as exc:
            raise ValueError(f"cannot save {type(model).__name__}: "
                             f"{str(exc).replace(tmp, path)}") from None
        if _spec(back) != json.loads(arch)["model"]:
            raise ValueError(f"cannot save {type(model).__name__}: rebuilt from its config() it is "
                             f"{back!r}; config() must give every constructor argument")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


# -- load -----------------------------------------------------------------------------------
def load(path, *, max_bytes=MAX_BYTES):
    """Read a model written by ``save``. A missing file raises FileNotFoundError; anything else
    wrong with it (not a zip, a foreign or damaged architecture, arrays that do not fit it,
    NaN or inf weights, more than ``max_bytes`` of arrays) a ValueError naming the file."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such model file: {path}")
    try:
        with zipfile.ZipFile(path) as zf:
            return _load(zf, os.fspath(path), max_bytes)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValueError(f"{path} is not an nnlib model file (.npz): {exc}") from None


def _load(zf, path, max_bytes):
    infos = zf.infolist()
    if len(infos) > MAX_ARRAYS:
        raise ValueError(f"{path} has {len(infos)} members, more than {MAX_ARRAYS}")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise ValueError(f"{path} names a member twice")
    if "__architecture__.npy" not in names:
        raise ValueError(f"{path} is a .npz file but not an nnlib model (no architecture)")
    headers = {info.filename.removesuffix(".npy"): _header(zf, info, path) for info in infos}
    arch = headers.pop("__architecture__")
    if arch[1] != () or arch[2].kind != "U" or arch[2].itemsize // 4 > MAX_ARCHITECTURE_CHARS:
        raise ValueError(f"{path} has a damaged architecture: a {arch[2]} array of shape {arch[1]}, "
                         f"expected text of at most {MAX_ARCHITECTURE_CHARS} characters")
    for key, (_, shape, dtype) in headers.items():
        if not key.startswith(("param:", "buffer:")):
            raise ValueError(f"{path} has an unexpected array {key!r}")
        if dtype.kind != "f":
            raise ValueError(f"{path}: {key} has dtype {dtype}; weights must be real floats")
    total = sum(math.prod(shape) * dtype.itemsize for _, shape, dtype in headers.values())
    if total > max_bytes:
        raise ValueError(f"{path}: its arrays would take {total:,} bytes, more than max_bytes={max_bytes:,}")

    model = _build_model(str(_read(zf, arch, path)[()]), path,
                         sum(math.prod(shape) for _, shape, _ in headers.values()))
    wanted = {f"param:{n}": p.data for n, p in model.named_parameters()}
    wanted.update({f"buffer:{n}": b for n, b in model.named_buffers()})
    if set(wanted) != set(headers):
        raise ValueError(f"{path}: arrays {sorted(headers)} do not match the architecture's {sorted(wanted)}")
    for key, target in wanted.items():
        _, shape, dtype = headers[key]
        if shape != target.shape or dtype.newbyteorder("=") != target.dtype:
            raise ValueError(f"{path}: {key.replace('param:', 'parameter ')} has shape {shape} ({dtype}), "
                             f"the architecture needs {target.shape} ({target.dtype})")
    state = {}
    for key, target in wanted.items():
        value = _read(zf, headers[key], path).astype(target.dtype)
        if not np.isfinite(value).all():
            raise ValueError(f"{path}: {key.replace('param:', 'parameter ')} contains NaN or inf")
        state[key.split(":", 1)[1]] = value
    model.load_state_dict(state)
    return model


def _npy_header(fp):
    """(shape, fortran_order, dtype) from a .npy stream, its header at most MAX_HEADER_BYTES."""
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(fp, max_header_size=MAX_HEADER_BYTES)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(fp, max_header_size=MAX_HEADER_BYTES)
    raise ValueError(f".npy version {version} (nnlib writes 1.0)")


def _header(zf, info, path):
    """(info, shape, dtype) from a member's .npy header, read without reading its data."""
    if not info.filename.endswith(".npy"):
        raise ValueError(f"{path} has a member {info.filename!r} that is not a .npy array")
    with zf.open(info) as fp:
        try:
            shape, fortran, dtype = _npy_header(fp)
        except (ValueError, SyntaxError, RecursionError, MemoryError, TypeError) as exc:
            reason = str(exc).split("\n")[0]  # numpy adds lines of advice for its own users
            raise ValueError(f"{path}: {info.filename} has a damaged header: {reason}") from None
    if fortran:  # (np.save writes C order; other dtypes than float weights are refused by _load)
        raise ValueError(f"{path}: {info.filename} is in Fortran order")
    return info, tuple(shape), dtype


def _read(zf, header, path):
    """The member's array, read no further than its header says (a short or long member is an
    error, so a small header cannot unpack gigabytes)."""
    info, shape, dtype = header
    nbytes = math.prod(shape) * dtype.itemsize
    with zf.open(info) as fp:
        _npy_header(fp)
        data = fp.read(nbytes)
        if len(data) != nbytes or fp.read(1):
            raise ValueError(f"{path}: {info.filename} does not hold the {nbytes:,} bytes its header says")
    return np.frombuffer(data, dtype=dtype).reshape(shape)


def _build_model(text, path, numbers_in_file):
    """The (empty) model the architecture text describes, after checking its nesting and that
    its layers need no more numbers than the file holds (so a small file cannot make us draw
    gigabytes of initial weights)."""
    depth, deepest, in_string, escaped = 0, 0, False, False
    for ch in text:  # nesting, counted before json.loads, which would recurse
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    if deepest > MAX_DEPTH:
        raise ValueError(f"{path} has a damaged architecture: nested {deepest} deep, more than {MAX_DEPTH}")
    try:
        header = json.loads(text, parse_constant=_no_constant)
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError(f"format {header.get('format') if isinstance(header, dict) else None!r}, "
                             f"expected {FORMAT!r}")
        spec = header["model"]
        needed = _numbers_needed(spec)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} has a damaged architecture: {exc}") from None
    if needed > max(numbers_in_file, CHEAP_NUMBERS):  # cheap ones are built, for a precise error
        raise ValueError(f"{path}: the architecture needs {needed:,} numbers, the file holds {numbers_in_file:,}")
    try:
        return _build(spec)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} has a damaged architecture: {exc}") from None


def _no_constant(name):
    raise ValueError(f"{name} in the architecture")


def _layer_class(spec):
    if not isinstance(spec, dict) or spec.get("type") not in LAYER_TYPES:
        kind = repr(spec.get("type") if isinstance(spec, dict) else spec)
        raise ValueError(f"unknown layer type {kind if len(kind) <= 60 else kind[:57] + '...'} in the file")
    return LAYER_TYPES[spec["type"]]


def _numbers_needed(spec):
    """Numbers the parameters of ``spec``'s layers will hold, for the layers that can tell from
    their config (``param_shapes``), counted without building anything."""
    total, stack = 0, [spec]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            cls = _layer_class(value)
            config = {k: v for k, v in value.items() if k != "type"}
            if hasattr(cls, "param_shapes"):
                for name, shape in cls.param_shapes(**config).items():
                    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape):
                        raise ValueError(f"{value['type']} has a parameter {name} of shape {shape}")
                    total += math.prod(shape)
            stack.extend(config.values())
    return total


def _build(spec):
    cls = _layer_class(spec)
    config = {k: _from_json(v) for k, v in spec.items() if k != "type"}
    return cls.from_config(config)


def _from_json(value):
    if isinstance(value, dict):
        return _build(value)
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value
