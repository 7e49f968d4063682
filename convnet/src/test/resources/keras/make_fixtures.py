#!/usr/bin/env python3
"""Writes the tiny Keras-layout .h5 fixtures of KerasH5FixturesTest with h5py (Debian: python3-h5py),
exactly as Keras 2 does: root attributes layer_names/backend/keras_version, a group per layer with a
weight_names attribute (an empty float64 array for layers without weights, as h5py stores []), datasets at
<layer>/<weight name>. Values are a formula the Java test recomputes: 0.25 * sin(0.37 * i + layer_index).

  /usr/bin/python3 make_fixtures.py    # run in this folder; writes tiny_*.h5
"""
import json
import math

import h5py
import numpy as np

# (name, kernel shape, bias shape) of the test's TinyKeras model: 8x8x3 -> conv 4 -> pool -> conv 4 -> pool
# -> flatten (2x2x4 = 16) -> output Dense 3 softmax
LAYERS = [("input_1", None), ("conv_1", (3, 3, 3, 4)), ("maxpool_1", None), ("conv_2", (3, 3, 4, 4)),
          ("maxpool_2", None), ("flatten", None), ("output", (16, 3))]


def values(shape, layer_index):
    n = int(np.prod(shape))
    return np.array([0.25 * math.sin(0.37 * i + layer_index) for i in range(n)], dtype=np.float32).reshape(shape)


def write_layers(g, style, prefix=""):
    g.attrs["layer_names"] = np.array([name.encode("utf8") for name, _ in LAYERS])
    g.attrs["backend"] = b"tensorflow"
    if style != "keras1":
        g.attrs["keras_version"] = b"2.2.4"
    for index, (name, kernel) in enumerate(LAYERS):
        lg = g.create_group(name)
        if kernel is None:
            lg.attrs["weight_names"] = []  # h5py: float64 array of shape (0,)
            continue
        bias = (kernel[-1],)
        if style == "keras1":
            names = [name + "_W_1:0", name + "_b_1:0"]
        else:
            names = [prefix + name + "/kernel:0", prefix + name + "/bias:0"]
        lg.attrs["weight_names"] = np.array([n.encode("utf8") for n in names])
        lg.create_dataset(names[0], data=values(kernel, index))
        lg.create_dataset(names[1], data=values(bias, index + 100))


def write_nested(g):
    """Chollet's model.add(conv_base); model.save(): the base is one layer whose weights carry inner names."""
    g.attrs["layer_names"] = np.array([b"tiny_base", b"flatten", b"output"])
    g.attrs["backend"] = b"tensorflow"
    g.attrs["keras_version"] = b"2.2.4"
    base = g.create_group("tiny_base")
    names = []
    for index, (name, kernel) in enumerate(LAYERS):
        if kernel is None or name == "output":
            continue
        for suffix, shape, k in (("kernel:0", kernel, index), ("bias:0", (kernel[-1],), index + 100)):
            names.append(name + "/" + suffix)
            base.create_dataset(name + "/" + suffix, data=values(shape, k))
    base.attrs["weight_names"] = np.array([n.encode("utf8") for n in names])
    g.create_group("flatten").attrs["weight_names"] = []
    out = g.create_group("output")
    out.attrs["weight_names"] = np.array([b"output/kernel:0", b"output/bias:0"])
    out.create_dataset("output/kernel:0", data=values((16, 3), 6))
    out.create_dataset("output/bias:0", data=values((3,), 106))


with h5py.File("tiny_keras2.h5", "w") as f:
    write_layers(f, "keras2")
with h5py.File("tiny_keras1.h5", "w") as f:
    write_layers(f, "keras1")
with h5py.File("tiny_model_saved.h5", "w") as f:
    f.attrs["keras_version"] = b"2.2.4"
    f.attrs["backend"] = b"tensorflow"
    f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {
        "name": "tiny", "layers": [{"class_name": "Conv2D", "config": {"name": "conv_1"}}]}}).encode("utf8")
    write_layers(f.create_group("model_weights"), "keras2")
    f.create_group("optimizer_weights")
with h5py.File("tiny_nested_saved.h5", "w") as f:
    f.attrs["keras_version"] = b"2.2.4"
    f.attrs["backend"] = b"tensorflow"
    f.attrs["model_config"] = b'{"class_name": "Sequential", "config": {"name": "nested", "layers": []}}'
    write_nested(f.create_group("model_weights"))
