"""Teacher scores: what Jigsaw-trained models say about our training texts.

Three MIT-licensed models trained on Jigsaw's 160k human-labelled Wikipedia comments were run
once over every text of the shared collection (``teacher-scores/``). Mixing their probabilities
into our labels carries what those labels taught them into our models, where our own data is thin
(Wikipedia-style insults, profanity). They are training-time inputs only: nothing at scoring time
needs them. IDENTITY_ATTACK never takes them (they learned words, not who is targeted); the
registry's ``teacher_label`` says which Jigsaw label feeds which attribute.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np

from civility.attributes import ATTRIBUTES, attribute_index
from civility.errors import DataUnavailableError

TEACHER_FILE = Path("teacher-scores") / "teacher_scores.jsonl.gz"
TEACHER_MODELS = ("tox_block", "toxic_comment_classifier")
IDENTITY_ATTACK_COLUMN = attribute_index("IDENTITY_ATTACK")


def text_sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def load_teacher_scores(root: Path) -> dict[str, np.ndarray]:
    """sha1 of text -> teacher probability per attribute (NaN where no teacher applies)."""
    path = root / TEACHER_FILE
    if not path.is_file():
        raise DataUnavailableError(f"Training data file {path} (teacher scores) not found.")
    scores: dict[str, np.ndarray] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            row = np.full(len(ATTRIBUTES), np.nan, dtype=np.float32)
            for j, attribute in enumerate(ATTRIBUTES):
                label = attribute.teacher_label
                if label is None:
                    continue
                values = [record[m][label] for m in TEACHER_MODELS if record.get(m)]
                if label == "obscene" and record.get("alt_profanity_check") is not None:
                    values.append(record["alt_profanity_check"])
                if values:
                    row[j] = sum(values) / len(values)
            scores[record["sha1"]] = row
    return scores


def mix_teachers(
    texts: list[str],
    labels: np.ndarray,
    teachers: dict[str, np.ndarray],
    teacher_share: float = 0.5,
    teacher_only_weight: float = 0.3,
    protect_identity_attacks: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Soft targets, per-cell weights, and which rows had teacher scores.

    Where a human label exists the target is ``(1 - teacher_share) * human + teacher_share *
    teacher`` with weight 1; where only the teacher speaks the target is the teacher's
    probability with ``teacher_only_weight``; where neither does, the cell stays missing.

    With ``protect_identity_attacks``, texts that people labelled identity attacks keep their
    human labels unmixed: the teachers score slur-free hate ("those people are vermin") as
    harmless, and would otherwise teach that to TOXICITY too.
    """
    teacher = np.full(labels.shape, np.nan, dtype=np.float32)
    found = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        row = teachers.get(text_sha1(text))
        if row is not None:
            teacher[i] = row
            found[i] = True
    human = ~np.isnan(labels)
    has_teacher = ~np.isnan(teacher)
    if protect_identity_attacks:
        attack = np.nan_to_num(labels[:, IDENTITY_ATTACK_COLUMN]) >= 0.5
        has_teacher &= ~(attack[:, None] & human)
    targets = np.where(
        human & has_teacher,
        (1 - teacher_share) * labels + teacher_share * teacher,
        np.where(human, labels, teacher),
    )
    weights = np.where(human, 1.0, np.where(has_teacher, teacher_only_weight, 0.0))
    return targets.astype(np.float32), weights.astype(np.float32), found
