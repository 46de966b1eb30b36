"""The ``torch`` backend: devices, support limits, MLTensor storage and compilation."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch

from pywebnn_torch._dtypes import TORCH
from pywebnn_torch.executor import TorchGraph
from pywebnn_torch.ops import KERNELS, limit_for
from webnn import DataType
from webnn.backend import Backend, CompiledGraph, DeviceType
from webnn.ir import Graph
from webnn.ops import Desc, Limits


def probe_devices(torch_module: Any = torch) -> dict[DeviceType, str]:
    """Map WebNN device types to torch device strings for what this process can use.

    "gpu" is CUDA (or ROCm, which torch also calls cuda), else XPU or MPS; "npu" is an
    NPU that a torch extension registers as ``torch.npu``.  Takes the module as a
    parameter so the selection logic is testable on machines without accelerators.
    """
    found: dict[DeviceType, str] = {"cpu": "cpu"}
    for name in ("cuda", "xpu", "mps"):
        mod = getattr(torch_module, name, None) if name != "mps" else getattr(
            getattr(torch_module, "backends", None), "mps", None)
        try:
            if mod is not None and mod.is_available():
                found["gpu"] = name
                break
        except (RuntimeError, AssertionError):  # a broken driver means "not available"
            continue
    npu = getattr(torch_module, "npu", None)
    try:
        if npu is not None and npu.is_available():
            found["npu"] = "npu"
    except (RuntimeError, AssertionError):
        pass
    return found


class TorchBackend(Backend):
    name: ClassVar[str] = "torch"
    version: ClassVar[str] = torch.__version__
    priority: ClassVar[int] = 10
    # int4/uint4 run unpacked in int8/uint8 tensors (quantize/dequantize_linear only).
    extension_types: ClassVar[tuple[DataType, ...]] = ("int4", "uint4")

    def __init__(self) -> None:
        self._devices: dict[DeviceType, str] | None = None

    def _torch_device(self, device: DeviceType) -> torch.device:
        if self._devices is None:
            self._devices = probe_devices()
        return torch.device(self._devices[device])

    def devices(self) -> tuple[DeviceType, ...]:
        if self._devices is None:
            self._devices = probe_devices()
        return tuple(self._devices)

    def limit(self, op: str, operand: str, allowed: Limits, device: DeviceType) -> Limits:
        if op not in KERNELS:
            return Limits(data_types=(), max_rank=0)
        return limit_for(op, operand, allowed)

    def op_support_limits(self, device: DeviceType) -> dict[str, Any]:
        limits = super().op_support_limits(device)
        # Operations without a kernel are left out entirely, so the core rejects them.
        return {k: v for k, v in limits.items() if k in KERNELS or not _is_op(k)}

    def compile(self, graph: Graph, device: DeviceType) -> CompiledGraph:
        return TorchGraph(self, graph, self._torch_device(device))

    def create_tensor(self, desc: Desc, device: DeviceType) -> torch.Tensor:
        return torch.zeros(desc.shape, dtype=TORCH[desc.data_type],
                           device=self._torch_device(device))

    def write_tensor(self, handle: torch.Tensor, data: np.ndarray) -> None:
        with torch.inference_mode():
            handle.copy_(torch.from_numpy(data))

    def read_tensor(self, handle: torch.Tensor) -> np.ndarray:
        array: np.ndarray = handle.detach().cpu().numpy().copy()
        return array


def _is_op(key: str) -> bool:
    from webnn.ops import OPS

    return key in OPS
