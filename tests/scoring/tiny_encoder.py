"""A tiny but real encoder for the accurate tier's tests.

A real ONNX graph (word vectors averaged over the attention mask, then L2-normalised: the same
inputs and output as the shipped MiniLM graph) with a real ``tokenizers`` tokenizer, so
everything but the pretrained weights runs as in production.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

DIM = 24


def write_tiny_encoder(directory: Path, vocabulary: list[str], project: bool = False) -> Path:
    """``project`` adds a dense layer after pooling, which int8 quantisation can act on."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordLevel

    directory.mkdir(parents=True, exist_ok=True)
    vocab = {"[PAD]": 0, "[UNK]": 1} | {w: i + 2 for i, w in enumerate(vocabulary)}
    tokenizer = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.save(str(directory / "tokenizer.json"))
    table = np.random.default_rng(0).normal(size=(len(vocab), DIM)).astype(np.float32)
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["vectors"]),
        helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask", "axis2"], ["mask3"]),
        helper.make_node("Mul", ["vectors", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["total"], keepdims=0),
        helper.make_node("ReduceSum", ["mask3", "axis1"], ["count"], keepdims=0),
        helper.make_node("Div", ["total", "count"], ["mean"]),
    ]
    projection = []
    if project:
        nodes.append(helper.make_node("MatMul", ["mean", "projection"], ["projected"]))
        weights = np.random.default_rng(1).normal(size=(DIM, DIM)).astype(np.float32)
        projection.append(numpy_helper.from_array(weights, "projection"))
    nodes.append(
        helper.make_node(
            "LpNormalization", ["projected" if project else "mean"], ["embedding"], axis=-1, p=2
        )
    )
    graph = helper.make_graph(
        nodes,
        "tiny-encoder",
        [
            helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "tokens"])
            for n in ("input_ids", "attention_mask")
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIM])],
        [
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(np.array([2], np.int64), "axis2"),
            numpy_helper.from_array(np.array([1], np.int64), "axis1"),
            *projection,
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(directory / "encoder.onnx"))
    return directory
