"""Normalizations: ``batch_normalization``, ``instance_normalization``,
``layer_normalization`` (digest §2.2, §2.27, §2.28)."""

from __future__ import annotations

from typing import Final

from webnn._dtypes import FLOATS, cast_number
from webnn.ops._registry import Attrs, Check, Desc, Ins, OpDef, lim
from webnn.ops.conv import INPUT_LAYOUTS, desc, optional_desc, split_input


def epsilon(chk: Check, ins: Ins, value: object) -> float:
    """A ``double`` option: finite, then cast to the input's data type."""
    return float(cast_number(chk.finite("epsilon", value), desc(ins, "input").data_type))


def _check_params(chk: Check, ins: Ins, names: tuple[str, ...], shape: tuple[int, ...]) -> None:
    for name in names:
        d = optional_desc(ins, name)
        if d is not None:
            chk.shape(name, d, shape)


def _batch_normalize(chk: Check, ins: Ins, values: Attrs) -> Attrs:
    return {"axis": chk.axis("axis", values["axis"], desc(ins, "input").rank),
            "epsilon": epsilon(chk, ins, values["epsilon"])}


def _batch_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = desc(ins, "input")
    _check_params(chk, ins, ("mean", "variance", "scale", "bias"), (x.shape[attrs["axis"]],))
    return x


def _instance_normalize(chk: Check, ins: Ins, values: Attrs) -> Attrs:
    return {"epsilon": epsilon(chk, ins, values["epsilon"]),
            "layout": chk.one_of("layout", values["layout"], INPUT_LAYOUTS)}


def _instance_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = desc(ins, "input")
    _, c, _, _ = split_input(x.shape, attrs["layout"])
    _check_params(chk, ins, ("scale", "bias"), (c,))
    return x


def _layer_normalize(chk: Check, ins: Ins, values: Attrs) -> Attrs:
    rank = desc(ins, "input").rank
    axes = values["axes"]
    return {"axes": tuple(range(1, rank)) if axes is None else chk.axes("axes", axes, rank),
            "epsilon": epsilon(chk, ins, values["epsilon"])}


def _layer_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = desc(ins, "input")
    # scale/bias dimension i lines up with input axis axes[i], not numpy-style from the right.
    _check_params(chk, ins, ("scale", "bias"), tuple(x.shape[a] for a in attrs["axes"]))
    return x


_PARAM: Final = lim(FLOATS, (1, 1), same_as="input")

OPS: tuple[OpDef, ...] = (
    # https://www.w3.org/TR/webnn/#api-mlgraphbuilder-batchnorm
    OpDef("batch_normalization", "batchNormalization", ("input", "mean", "variance"),
          options={"scale": None, "bias": None, "axis": 1, "epsilon": 1e-5},
          limits={"input": lim(FLOATS, (1, None)), "mean": _PARAM, "variance": _PARAM,
                  "scale": _PARAM, "bias": _PARAM, "output": lim(FLOATS, (1, None))},
          normalize=_batch_normalize, infer=_batch_infer),
    # https://www.w3.org/TR/webnn/#api-mlgraphbuilder-instancenorm
    OpDef("instance_normalization", "instanceNormalization", ("input",),
          options={"scale": None, "bias": None, "epsilon": 1e-5, "layout": "nchw"},
          limits={"input": lim(FLOATS, (4, 4)), "scale": _PARAM, "bias": _PARAM,
                  "output": lim(FLOATS, (4, 4))},
          normalize=_instance_normalize, infer=_instance_infer),
    # https://www.w3.org/TR/webnn/#api-mlgraphbuilder-layernorm
    OpDef("layer_normalization", "layerNormalization", ("input",),
          options={"scale": None, "bias": None, "axes": None, "epsilon": 1e-5},
          limits={"input": lim(FLOATS), "scale": lim(FLOATS, same_as="input"),
                  "bias": lim(FLOATS, same_as="input"), "output": lim(FLOATS)},
          normalize=_layer_normalize, infer=_layer_infer),
)
