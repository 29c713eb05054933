"""The moderation report as one self-contained HTML file: tables, and charts as inline PNGs.

Editors open the file from a mail or a shared drive, often offline, so nothing is linked: the
charts are base64 PNGs drawn with matplotlib's Agg backend (no display needed) and the styles
are in the page. The numbers come from ``civility.moderation.report``; this module only draws.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import jinja2

from civility.moderation.history import ALERT_FLAGGED_SHARE, ALERT_TOXICITY, THREAD_WINDOW
from civility.moderation.report import BINS, Report

ACTION_COLOURS = {"approve": "#4c9a5f", "hold": "#d9a441", "reject": "#c2453d"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(figure: Any) -> str:
    """The figure as a base64 PNG (closed afterwards: a report draws several)."""
    plt = _pyplot()
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def distributions_chart(report: Report) -> str | None:
    if not report.distributions:
        return None
    plt = _pyplot()
    n = len(report.distributions)
    columns = min(4, n)
    rows = (n + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(3.0 * columns, 2.4 * rows), squeeze=False)
    edges = [i / BINS for i in range(BINS)]
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax, dist in zip(axes.flat, report.distributions, strict=False):
        ax.bar(edges, dist.counts, width=1 / BINS, align="edge", color="#4a6fa5")
        ax.axvline(0.5, color="grey", linestyle="--", linewidth=0.8)
        ax.set_yscale("symlog")
        ax.set_xlim(0, 1)
        ax.set_title(f"{dist.attribute} (mean {dist.mean:.2f})", fontsize=9)
        ax.tick_params(labelsize=7)
    return _png(figure)


def rules_chart(report: Report) -> str | None:
    if not report.rules:
        return None
    plt = _pyplot()
    shown = report.rules[:15][::-1]
    figure, ax = plt.subplots(figsize=(8, 0.35 * len(shown) + 1))
    ax.barh(
        [f"{r.rule} ({r.action})" for r in shown],
        [r.count for r in shown],
        color=[ACTION_COLOURS.get(r.action, "grey") for r in shown],
    )
    ax.set_xlabel("comments decided", fontsize=8)
    ax.tick_params(labelsize=8)
    return _png(figure)


def temperature_chart(report: Report) -> str | None:
    curves = [c for c in report.temperature if c.points]
    if not curves:
        return None
    plt = _pyplot()
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.2), sharex=True)
    for curve in curves:
        when = [p.when for p in curve.points]
        label = curve.title if len(curve.title) <= 40 else curve.title[:39] + "…"
        (line,) = top.plot(when, [p.flagged_share for p in curve.points], label=label)
        bottom.plot(when, [p.toxicity for p in curve.points], color=line.get_color())
        alerts = [p for p in curve.points if p.alert]
        top.scatter(
            [p.when for p in alerts],
            [p.flagged_share for p in alerts],
            color=line.get_color(),
            marker="^",
            s=50,
            zorder=3,
        )
    top.axhline(ALERT_FLAGGED_SHARE, color="grey", linestyle="--", linewidth=0.8)
    bottom.axhline(ALERT_TOXICITY, color="grey", linestyle="--", linewidth=0.8)
    top.set_ylabel(f"held or rejected\n(last {THREAD_WINDOW})", fontsize=8)
    bottom.set_ylabel(f"mean TOXICITY\n(last {THREAD_WINDOW})", fontsize=8)
    for ax in (top, bottom):
        ax.set_ylim(0, 1)
        ax.tick_params(labelsize=7)
    top.legend(fontsize=7, loc="upper left")
    figure.autofmt_xdate()
    return _png(figure)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("civility.moderation", "templates"),
        autoescape=True,  # titles, names and rules are other people's text
        undefined=jinja2.StrictUndefined,
    )


def render_html(report: Report) -> str:
    """The whole page; the charts of empty sections are left out rather than drawn blank."""
    charts = {
        "distributions": distributions_chart(report),
        "rules": rules_chart(report),
        "temperature": temperature_chart(report),
    }
    return (
        _environment()
        .get_template("report.html")
        .render(
            report=report,
            charts=charts,
            window=THREAD_WINDOW,
            alert_share=ALERT_FLAGGED_SHARE,
            alert_toxicity=ALERT_TOXICITY,
        )
    )
