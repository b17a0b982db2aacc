"""save/load: exact round trips, no pickle, clear errors on damaged files."""
import zipfile

import numpy as np
import pytest

import nnlib


def model_zoo():
    rng = np.random.default_rng(0)
    return [
        nnlib.Sequential(nnlib.Dense(2, 3, bias=False, rng=rng), nnlib.Sigmoid(),
                         nnlib.Dense(3, 1, bias=False, rng=rng), nnlib.Sigmoid()),
        nnlib.Sequential(nnlib.Dense(4, 5, rng=rng), nnlib.ReLU(), nnlib.Dense(5, 5, rng=rng), nnlib.Tanh(),
                         nnlib.Dense(5, 3, rng=rng), nnlib.LinearActivation(a=2.5, b=-1.0), nnlib.Heaviside()),
        nnlib.Dense(3, 2, rng=rng, dtype=np.float32),
    ]


@pytest.mark.parametrize("index", range(3))
def test_round_trip_is_exact(tmp_path, index):
    model = model_zoo()[index]
    for p in model.parameters():  # non-zero biases, so they are really stored
        p.data += np.random.default_rng(1).standard_normal(p.data.shape).astype(p.data.dtype)
    path = tmp_path / "model.npz"
    nnlib.save(model, path)
    loaded = nnlib.load(path)
    assert type(loaded) is type(model) and repr(loaded) == repr(model)
    for (n1, p1), (n2, p2) in zip(model.named_parameters(), loaded.named_parameters()):
        assert n1 == n2 and p1.data.dtype == p2.data.dtype
        np.testing.assert_array_equal(p1.data, p2.data)
    X = np.random.default_rng(2).standard_normal((6, model.parameters()[0].data.shape[1]))
    np.testing.assert_array_equal(model(X), loaded(X))


def test_file_holds_no_pickle(tmp_path):
    path = tmp_path / "m.npz"
    nnlib.save(model_zoo()[1], path)
    with np.load(path, allow_pickle=False) as data:  # would raise if any array needed pickle
        assert "__architecture__" in data.files


def test_damaged_files_give_clear_errors(tmp_path):
    path = tmp_path / "m.npz"
    nnlib.save(model_zoo()[0], path)
    raw = path.read_bytes()
    (tmp_path / "cut.npz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="not an nnlib model file"):
        nnlib.load(tmp_path / "cut.npz")

    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    wrong = dict(arrays)
    wrong["param:0.W"] = np.zeros((2, 2))
    np.savez(tmp_path / "shape.npz", **wrong)
    with pytest.raises(ValueError, match=r"0\.W has shape \(2, 2\)"):
        nnlib.load(tmp_path / "shape.npz")

    missing = {k: v for k, v in arrays.items() if k != "param:2.W"}
    np.savez(tmp_path / "missing.npz", **missing)
    with pytest.raises(ValueError, match="do not match"):
        nnlib.load(tmp_path / "missing.npz")

    garbled = dict(arrays)
    garbled["__architecture__"] = np.array("{not json")
    np.savez(tmp_path / "garbled.npz", **garbled)
    with pytest.raises(ValueError, match="damaged architecture"):
        nnlib.load(tmp_path / "garbled.npz")

    foreign = dict(arrays)
    foreign["__architecture__"] = np.array('{"format": "nnlib-model-1", "model": {"type": "os.system"}}')
    np.savez(tmp_path / "foreign.npz", **foreign)
    with pytest.raises(ValueError, match="unknown layer type"):
        nnlib.load(tmp_path / "foreign.npz")
    assert zipfile.is_zipfile(path)


def test_save_rejects_what_it_cannot_rebuild(tmp_path):
    class Custom(nnlib.Layer):
        pass

    with pytest.raises(TypeError, match="Custom"):
        nnlib.save(Custom(), tmp_path / "c.npz")
    with pytest.raises(TypeError, match="model must be"):
        nnlib.save("model", tmp_path / "c.npz")
