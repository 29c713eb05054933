"""The accurate tier's sentence encoder, served by onnxruntime: no torch at scoring time.

The encoder is all-MiniLM-L6-v2 with its mean pooling and L2 normalisation folded into one
ONNX graph and quantised to int8 with fixed activation ranges (``civility.training.accurate``
builds it; ``civility.training.quantize`` says why the ranges are fixed). Texts are
tokenised with the ``tokenizers`` package from the tokenizer shipped beside the graph. Batches
are formed from texts of similar token length, so short comments do not pay for the padding of
long ones; that alone is worth more than any kernel setting on news-length comments.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from civility.errors import ArtifactError
from civility.text.normalize import normalize

if TYPE_CHECKING:
    from tokenizers import Encoding

ENCODER_FILE = "encoder.onnx"
TOKENIZER_FILE = "tokenizer.json"
DYNAMIC = "DynamicQuantizeLinear"
"""The operator that picks an int8 activation range per batch (see ``training.quantize``)."""


def serialized_has_dynamic_ranges(graph: bytes) -> bool:
    """``has_dynamic_ranges`` for a graph's file contents, without onnx (a training dependency).

    An operator's type is stored in the file as its plain name, so a search of the bytes
    finds it: what serving can afford at load time.
    """
    return DYNAMIC.encode() in graph


class OnnxEncoder:
    """Texts in, one L2-normalised sentence embedding per text out.

    Parameters
    ----------
    directory : path
        Holds ``encoder.onnx`` (inputs ``input_ids``/``attention_mask``, output ``embedding``)
        and ``tokenizer.json``.
    max_length : int
        Tokens kept per text; news comments rarely exceed it, and attention cost grows with it.
    batch_size : int
        Texts per onnxruntime call.
    threads : int or None
        onnxruntime intra-op threads; default ``CIVILITY_ONNX_THREADS`` or every core.
    """

    def __init__(
        self,
        directory: str | Path,
        max_length: int = 128,
        batch_size: int = 32,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.directory = Path(directory)
        self.max_length = max_length
        self.batch_size = batch_size
        try:
            self.tokenizer_ = Tokenizer.from_file(str(self.directory / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises a bare Exception for unreadable files
            raise ArtifactError(f"Cannot read the tokenizer in {self.directory}: {exc}") from None
        # Padding is ours to do per batch; the shipped tokenizer pads every text to 128 tokens.
        self.tokenizer_.no_padding()
        self.tokenizer_.enable_truncation(max_length)
        options = ort.SessionOptions()
        threads = threads or int(os.environ.get("CIVILITY_ONNX_THREADS", "0"))
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        path = self.directory / ENCODER_FILE
        if not path.is_file():
            raise ArtifactError(f"No encoder at {path}.")
        try:
            self.session_ = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime's errors are not a public hierarchy
            raise ArtifactError(f"Cannot load the encoder {path}: {exc}") from None
        self.dim_ = int(self.session_.get_outputs()[0].shape[-1])

    def _feeds(self, encodings: Sequence[Encoding]) -> dict[str, np.ndarray]:
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        return {"input_ids": ids, "attention_mask": mask}

    def batches(self, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """The graph's inputs for ``texts`` (normalised), a batch at a time, shortest first.

        Yields each batch's positions in ``texts`` with its inputs.
        """
        encodings = self.tokenizer_.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), self.batch_size):
            chosen = order[start : start + self.batch_size]
            yield chosen, self._feeds([encodings[i] for i in chosen])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings (len(texts), dim), in input order.

        Texts go through the fast tier's ``normalize`` first: the encoder's word pieces know
        "idiot" but read "i.d.i.o.t" or "іdіot" (Cyrillic і) as noise, so without it every
        disguise the fast tier sees through would blind this one.
        """
        return self.embed_normalized([normalize(text) for text in texts])

    def embed_normalized(self, texts: Sequence[str]) -> np.ndarray:
        """``embed`` for texts already normalised (the training cache keys on those)."""
        if len(texts) == 0:
            return np.zeros((0, self.dim_), dtype=np.float32)
        result = np.empty((len(texts), self.dim_), dtype=np.float32)
        for chosen, feeds in self.batches(texts):
            result[chosen] = self.session_.run(None, feeds)[0]
        return result
