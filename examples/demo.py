"""Demo: build one small convolutional network with the WebNN builder and run it on
every installed backend, checking that all backends agree.

Run it with ``scripts/demo.sh`` (which also sets up the environment).
"""

from __future__ import annotations

import sys
import time

import numpy as np

import webnn


def build(ctx: webnn.MLContext, rng: np.random.Generator) -> webnn.MLGraph:
    """conv 3x3 (8 channels, stride 2) -> relu -> global average pool -> linear -> softmax."""
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("image", webnn.MLOperandDescriptor([1, 3, 32, 32], "float32"))
    w = b.constant(rng.standard_normal((8, 3, 3, 3), dtype=np.float32) * 0.2)
    bias = b.constant(rng.standard_normal(8, dtype=np.float32) * 0.1)
    y = b.relu(b.conv2d(x, w, bias=bias, padding=[1, 1, 1, 1], strides=[2, 2], label="stem"))
    y = b.reshape(b.average_pool2d(y), [1, 8])
    fc = b.constant(rng.standard_normal((8, 10), dtype=np.float32) * 0.5)
    logits = b.gemm(y, fc, c=b.constant(np.zeros(10, np.float32)))
    return b.build({"probabilities": b.softmax(logits, 1)})


def main() -> int:
    backends = [i for i in webnn.list_backends() if i.backend is not None]
    if not backends:
        print("no WebNN backend is installed", file=sys.stderr)
        return 1
    image = np.random.default_rng(1).random((1, 3, 32, 32), dtype=np.float32)
    results = {}
    for info in backends:
        ctx = webnn.MLContext(backend=info.name)
        graph = build(ctx, np.random.default_rng(0))
        ctx.compute(graph, {"image": image})  # warm-up
        start = time.perf_counter()
        runs = 50
        for _ in range(runs):
            out = ctx.compute(graph, {"image": image})["probabilities"]
        ms = (time.perf_counter() - start) / runs * 1e3
        results[info.name] = out
        top = int(out.argmax())
        print(f"{info.name:>8} {info.version:<14} devices={','.join(info.devices):<8} "
              f"top class {top} p={out[0, top]:.4f}  {ms:.3f} ms/run")
    reference = next(iter(results.values()))
    for name, out in results.items():
        if not np.allclose(out, reference, rtol=1e-4, atol=1e-6):
            print(f"backend {name} disagrees with {next(iter(results))}", file=sys.stderr)
            return 1
    print(f"all {len(results)} backend(s) agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
