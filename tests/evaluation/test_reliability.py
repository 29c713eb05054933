"""Reliability diagrams: bins worked out by hand, and a real PNG written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from civility.evaluation.reliability import plot_reliability, reliability_curve


def test_bins_hold_mean_prediction_and_observed_share() -> None:
    y = np.array([0, 1, 0, 0, 1, 1])
    p = np.array([0.05, 0.15, 0.12, 0.85, 0.9, 1.0])
    curve = reliability_curve(y, p, bins=2)
    # bin [0, 0.5): predictions 0.05, 0.15, 0.12, one positive of three
    # bin [0.5, 1]: predictions 0.85, 0.9, 1.0, two positives of three
    assert curve.counts.tolist() == [3, 3]
    assert curve.mean_predicted == pytest.approx([0.32 / 3, 2.75 / 3])
    assert curve.fraction_positive == pytest.approx([1 / 3, 2 / 3])
    gaps = abs(0.32 / 3 - 1 / 3) + abs(2.75 / 3 - 2 / 3)
    assert curve.expected_calibration_error == pytest.approx(gaps / 2)


def test_a_calibrated_model_has_almost_no_calibration_error() -> None:
    rng = np.random.default_rng(0)
    p = rng.random(20_000)
    y = (rng.random(20_000) < p).astype(int)
    assert reliability_curve(y, p).expected_calibration_error < 0.02
    assert reliability_curve(y, p**4).expected_calibration_error > 0.1


def test_the_diagram_is_a_png_with_one_panel_per_attribute(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    curves = {name: reliability_curve(rng.random(50) < 0.5, rng.random(50)) for name in "ABC"}
    path = plot_reliability(curves, tmp_path / "out" / "reliability.png", title="test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5_000
