"""Fixed activation ranges for the int8 encoder, so that a comment's scores are its own.

onnxruntime's dynamic quantisation (``quantize_dynamic``) picks the int8 range of every
activation tensor at run time, from the whole tensor: every text in the batch, padding
included. A comment scored beside a long rant then got a coarser range, and so a different
embedding, than the same comment scored alone (on our holdout suite the accurate tier's
TOXICITY moved by up to 0.24 between the two). ``fix_activation_ranges`` replaces each
run-time range with one measured once on training texts. The int8 arithmetic is unchanged;
only where the range comes from is. ``fuse_integer_matmuls`` then hands each integer matrix
product and its rescaling to one onnxruntime kernel, which its optimiser does by itself for
dynamic ranges but not for fixed ones: without it the fixed graph ran at 0.92 to 1.03 of the
dynamic graph's speed, with it at 0.98 to 1.07 (docs/tiers.md, *One comment, one score*).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import onnx

from civility.scoring._encoder import DYNAMIC


def has_dynamic_ranges(model: onnx.ModelProto) -> bool:
    """Whether any activation range of ``model`` is still chosen per batch."""
    return any(node.op_type == DYNAMIC for node in model.graph.node)


def measure_ranges(
    model: onnx.ModelProto,
    batches: Iterable[dict[str, np.ndarray]],
) -> dict[str, tuple[float, float]]:
    """Per dynamically quantised tensor, the mean over ``batches`` of each batch's min and max.

    The mean, not the extreme: the extreme is set by one outlier text and would coarsen every
    other text's range; the mean is what a typical batch chose before, so embeddings stay as
    close to the ones the head was fitted on. The rare value outside it saturates.
    """
    import onnx
    import onnxruntime as ort

    watched = [node.input[0] for node in model.graph.node if node.op_type == DYNAMIC]
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    for name in watched:
        probe.graph.output.append(
            onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None)
        )
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(
        probe.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    lows: dict[str, list[float]] = {name: [] for name in watched}
    highs: dict[str, list[float]] = {name: [] for name in watched}
    for feeds in batches:
        for name, values in zip(watched, session.run(watched, feeds), strict=True):
            lows[name].append(float(values.min()))
            highs[name].append(float(values.max()))
    if watched and not lows[watched[0]]:
        raise ValueError("Measuring activation ranges needs at least one batch.")
    return {name: (float(np.mean(lows[name])), float(np.mean(highs[name]))) for name in watched}


def fix_activation_ranges(
    model: onnx.ModelProto,
    ranges: dict[str, tuple[float, float]],
) -> onnx.ModelProto:
    """A copy of ``model`` whose ``DynamicQuantizeLinear`` nodes use the fixed ``ranges``.

    Each becomes a ``QuantizeLinear`` whose scale and zero point are constants computed the
    way ``DynamicQuantizeLinear`` computes them (uint8, the range widened to include zero), so
    every node downstream reads the same inputs it always did.
    """
    import onnx
    from onnx import numpy_helper

    fixed = onnx.ModelProto()
    fixed.CopyFrom(model)
    nodes, constants = [], []
    for node in fixed.graph.node:
        if node.op_type != DYNAMIC:
            nodes.append(node)
            continue
        low, high = ranges[node.input[0]]
        low, high = min(low, 0.0), max(high, 0.0)
        scale = np.float32((high - low) / 255) if high > low else np.float32(1.0)
        zero_point = np.uint8(np.clip(np.round(-low / scale), 0, 255))
        quantized, scale_name, zero_point_name = node.output
        constants += [
            numpy_helper.from_array(np.array(scale, dtype=np.float32), scale_name),
            numpy_helper.from_array(np.array(zero_point, dtype=np.uint8), zero_point_name),
        ]
        nodes.append(
            onnx.helper.make_node(
                "QuantizeLinear",
                [node.input[0], scale_name, zero_point_name],
                [quantized],
                name=node.name,
            )
        )
    del fixed.graph.node[:]
    fixed.graph.node.extend(nodes)
    fixed.graph.initializer.extend(constants)
    onnx.checker.check_model(fixed)
    return fixed


def _integer_matmul_chains(model: onnx.ModelProto) -> list[tuple[Any, Any, Any, Any, str, str]]:
    """Each ``MatMulInteger -> Cast -> Mul(a_scale * b_scale)`` that ``quantize_dynamic`` wrote.

    Returned as (product, cast, rescale, scales, a_scale, b_scale); only chains whose activation
    comes from a ``QuantizeLinear`` (a fixed range) and whose product and cast feed nothing else.
    """
    producer = {output: node for node in model.graph.node for output in node.output}
    consumers: dict[str, list[Any]] = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    chains = []
    for node in model.graph.node:
        quantize = producer.get(node.input[0]) if node.op_type == "MatMulInteger" else None
        if quantize is None or quantize.op_type != "QuantizeLinear":
            continue
        casts = consumers.get(node.output[0], [])
        if len(casts) != 1 or casts[0].op_type != "Cast":
            continue
        cast = casts[0]
        rescales = consumers.get(cast.output[0], [])
        if len(rescales) != 1 or rescales[0].op_type != "Mul":
            continue
        rescale = rescales[0]
        scales = producer.get(next(i for i in rescale.input if i != cast.output[0]))
        a_scale = quantize.input[1]
        if scales is None or scales.op_type != "Mul" or a_scale not in scales.input:
            continue
        b_scale = next(i for i in scales.input if i != a_scale)
        chains.append((node, cast, rescale, scales, a_scale, b_scale))
    return chains


def needs_fusing(model: onnx.ModelProto) -> bool:
    """Whether ``model`` has integer matrix products ``fuse_integer_matmuls`` would fuse."""
    return bool(_integer_matmul_chains(model))


def fuse_integer_matmuls(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of ``model`` with each chain of ``_integer_matmul_chains`` as one kernel.

    onnxruntime's ``MatMulIntegerToFloat`` computes the same int32 products and scales them the
    same way (the embeddings are bit for bit the ones of the unfused graph), in one pass.
    """
    import onnx

    fused = onnx.ModelProto()
    fused.CopyFrom(model)
    # Nodes are keyed by their first output: ONNX names every tensor once.
    chains = _integer_matmul_chains(fused)
    replaced = {chain[0].output[0]: chain for chain in chains}
    dropped = {node.output[0] for chain in chains for node in chain[1:3]}
    nodes = []
    for node in fused.graph.node:
        if node.output[0] in dropped:
            continue
        if node.output[0] in replaced:
            product, _, rescale, _, a_scale, b_scale = replaced[node.output[0]]
            a, b, a_zero_point, b_zero_point = product.input
            node = onnx.helper.make_node(
                "MatMulIntegerToFloat",
                [a, b, a_scale, b_scale, a_zero_point, b_zero_point],
                list(rescale.output),
                name=product.name,
                domain="com.microsoft",
            )
        nodes.append(node)
    # The scale products (a_scale * b_scale) fed only the rescalings fused away.
    used = {name for node in nodes for name in node.input} | {o.name for o in fused.graph.output}
    unused = {chain[3].output[0] for chain in chains} - used
    nodes = [node for node in nodes if node.output[0] not in unused]
    del fused.graph.node[:]
    fused.graph.node.extend(nodes)
    if not any(entry.domain == "com.microsoft" for entry in fused.opset_import):
        fused.opset_import.append(onnx.helper.make_opsetid("com.microsoft", 1))
    return fused
