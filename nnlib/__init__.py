"""nnlib: a small numpy neural-network library for the backprop course.

Read it in this order: core (Parameter, Layer), layers (Dense), activations, losses,
network (Sequential), optim (Optimizer, SGD, RMSprop, Adam), train (fit), gradcheck, serialize (save, load);
then regularization (Dropout), normalization (BatchNorm1d, BatchNorm2d, SpectralNorm) and conv
(Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, Flatten, Reshape; im2col, col2im);
then recurrent (RNN, LSTM, LastTimeStep) and embedding (Embedding); seq2seq (Seq2Seq,
an LSTM encoder-decoder); gan (frozen, Snapshots, the ring of Gaussians, mode coverage, MMD).
``import nnlib`` loads numpy only; ``nnlib.symbolic`` (SymPy), ``nnlib.plotting`` (matplotlib)
and ``nnlib.widgets`` (ipywidgets) load when first used.
"""
import importlib

from .activations import (ACTIVATIONS, Activation, Heaviside, LinearActivation, ReLU, Sigmoid, Tanh,
                          get_activation, heaviside, heaviside_prime, linear, linear_prime,
                          relu, relu_prime, sigmoid, sigmoid_prime, tanh, tanh_prime)
from .conv import (AvgPool2d, Conv2d, ConvTranspose2d, Flatten, MaxPool2d, Reshape, col2im,
                   conv_output_size, im2col)
from .core import Layer, Parameter
from .datasets import circles, digits, moons, sine, spirals, train_test_split, xor
from .gan import Snapshots, frozen, mmd, mode_coverage, ring_centres, ring_of_gaussians
from .gradcheck import check_gradients, numerical_gradient, rel_error
from .layers import Dense
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, log_softmax, softmax
from .network import Sequential, count_parameters, mlp
from .normalization import BatchNorm1d, BatchNorm2d, SpectralNorm
from .optim import SGD, Adam, Optimizer, RMSprop, clip_grad_norm
from .regularization import Dropout
from .recurrent import LSTM, RNN, LastTimeStep  # noqa: I001  (sequence layers: one block)
from .embedding import Embedding
from .seq2seq import Seq2Seq, position_accuracy, sequence_task, train_seq2seq
from .serialize import LAYER_TYPES, load, register_layer, save
from .train import History, accuracy, evaluate, fit, minibatches

__version__ = "0.1.0"

_LAZY = ("symbolic", "plotting", "widgets")


def __getattr__(name):
    """``nnlib.symbolic`` and friends import their heavy dependency only when first touched."""
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")


__all__ = [
    "Parameter", "Layer", "Dense", "Sequential", "mlp", "count_parameters",
    "Dropout", "BatchNorm1d", "BatchNorm2d", "SpectralNorm",
    "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "Flatten", "Reshape", "im2col", "col2im", "conv_output_size",
    "Activation", "LinearActivation", "Sigmoid", "Tanh", "Heaviside", "ReLU", "ACTIVATIONS", "get_activation",
    "linear", "linear_prime", "sigmoid", "sigmoid_prime", "tanh", "tanh_prime",
    "heaviside", "heaviside_prime", "relu", "relu_prime",
    "MSELoss", "CrossEntropyLoss", "BCEWithLogitsLoss", "softmax", "log_softmax",
    "Optimizer", "SGD", "RMSprop", "Adam", "fit", "History", "evaluate", "accuracy", "minibatches",
    "numerical_gradient", "rel_error", "check_gradients",
    "xor", "moons", "circles", "spirals", "sine", "digits", "train_test_split",
    "save", "load", "register_layer", "LAYER_TYPES",
    "RNN", "LSTM", "LastTimeStep", "Embedding", "clip_grad_norm",
    "Seq2Seq", "sequence_task", "position_accuracy", "train_seq2seq",
    "ring_centres", "ring_of_gaussians", "frozen", "Snapshots", "mode_coverage", "mmd",
]
