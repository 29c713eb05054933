"""Evaluation: metrics, the evaluation report, bias, functional and robustness measurements."""
