"""``civility report``: the HTML report an editor reads, and the numbers behind its figures.

The store is filled through the ingest path with a policy whose rules read links and length
(not model scores), so which comments are held or rejected is known exactly.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from civility.cli import main
from civility.errors import InvalidParameterError
from civility.moderation.archive import ArchiveComment
from civility.moderation.ingest import IngestOptions, ingest
from civility.moderation.report import (
    CommentRow,
    load_report,
    parse_since,
    repeat_offenders,
    score_distributions,
    thread_temperature,
)
from civility.moderation.service import ModerationService
from civility.scoring import FastScorer
from civility.store import Community, Moderator, Store, open_store
from tests.conftest import english_only

POLICY = """
name = "report-test"
default = "approve"

[[rules]]
name = "too-long"
when = "length > 120"
action = "reject"

[[rules]]
name = "links"
when = "links > 0"
action = "hold"
"""
START = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
LONG = "This is a very long comment that goes on and on about the council " * 3
HOT = "Council votes on the bridge"
CALM = "Weather <script>alert(1)</script> this weekend"


def _comments() -> list[ArchiveComment]:
    """Hot thread: 6 held (links), 1 rejected (long), 3 approved; calm thread: 1 held of 4."""
    out: list[ArchiveComment] = []

    def add(article: str, title: str, text: str, author: str, minute: int) -> None:
        out.append(
            ArchiveComment(
                article_id=article,
                comment_id=f"c{len(out)}",
                text=text,
                author=author,
                created_at=START + timedelta(minutes=minute),
                article_title=title,
                article_url=f"https://news.example/{article}",
            )
        )

    for minute in range(6):
        add("hot", HOT, f"read https://spam.example.com/{minute} now", "troll", minute)
    add("hot", HOT, LONG, "troll", 6)
    for minute in range(7, 10):
        add("hot", HOT, "Thanks for the careful reporting.", "ann", minute)
    add("calm", CALM, "see www.example.org/forecast", "ann", 11)
    for minute in range(12, 15):
        add("calm", CALM, "Lovely weather, thank you.", "bob", minute)
    # Long before the period the tests report on.
    out.append(
        ArchiveComment(
            article_id="old",
            comment_id="old1",
            text="spam at https://old.example.com/x",
            author="troll",
            created_at=START - timedelta(days=60),
            article_title="Old story",
        )
    )
    return out


def run(argv: list[str]) -> int:
    """The command as a shell runs it: the exit code, errors printed by ``main``."""
    try:
        main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _fill(store: Store, scorer: FastScorer) -> None:
    with store.writer() as session:
        session.add(Community(slug="news", name="News", policy=POLICY))
        session.add(Moderator(username="alice", password_hash="x", is_admin=True))
    ingest(
        store,
        english_only(scorer),
        _comments(),
        "news",
        options=IngestOptions(create_articles=True),
    )
    # A moderator approves one held comment: the article still counts it as held by the policy.
    ModerationService(store).decide("news", "c0", "approve", "alice")


@pytest.fixture
def filled(store: Store, tiny_scorer: FastScorer) -> Store:
    _fill(store, tiny_scorer)
    return store


def test_report_numbers_follow_the_policy_decisions(filled: Store) -> None:
    report = load_report(filled, "news", START - timedelta(days=1))
    assert report.total == 14
    assert report.policy_actions == {"approve": 6, "hold": 7, "reject": 1}
    assert report.moderator_actions == {"approve": 1}
    hot, calm = report.articles
    assert (hot.title, hot.comments, hot.held, hot.rejected, hot.waiting) == (HOT, 10, 6, 1, 5)
    assert (calm.title, calm.held) == (CALM, 1)
    assert {(r.rule, r.action): r.count for r in report.rules} == {
        ("(default)", "approve"): 6,
        ("links", "hold"): 7,
        ("too-long", "reject"): 1,
    }
    (troll,) = report.offenders
    assert (troll.external_id, troll.held, troll.rejected) == ("troll", 6, 1)
    assert troll.last_flagged == START + timedelta(minutes=6)
    assert [d.n for d in report.distributions] == [14] * len(report.distributions)
    assert report.distributions and report.model_version
    # 7 of the hot thread's first 8 comments were flagged: the alert fired at the 8th.
    assert report.temperature[0].alerts == [START + timedelta(minutes=7)]


def test_report_without_since_includes_old_comments(filled: Store) -> None:
    report = load_report(filled, "news")
    assert report.total == 15
    assert "Old story" in {a.title for a in report.articles}


def test_report_command_writes_a_self_contained_page(
    filled: Store, store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("the page is the same whatever the backend; drawn once")
    output = tmp_path / "out" / "report.html"
    argv = ["report", "--output", str(output), "--database", store_url, "--community", "news"]
    assert run([*argv, "--since", "2024-04-01"]) == 0
    assert "Wrote" in capsys.readouterr().out
    page = output.read_text()
    for section in (
        "summary",
        "score-distributions",
        "decisions-per-rule",
        "most-held-articles",
        "thread-temperature",
        "repeat-offenders",
    ):
        assert f'id="{section}"' in page
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 3
    assert all(base64.b64decode(image).startswith(b"\x89PNG") for image in images)
    assert "<link" not in page and "<script" not in page  # nothing to fetch, nothing run
    first = re.search(r'<tr class="article">(.*?)</tr>', page, re.S)
    assert first is not None
    cells = re.findall(r'<td class="n">(\d+)</td>', first.group(1))
    assert HOT in first.group(1) and cells[:3] == ["10", "6", "1"]
    assert "Weather &lt;script&gt;alert(1)&lt;/script&gt; this weekend" in page
    assert "Old story" not in page  # before --since
    assert re.search(r'<tr class="offender"><td>troll</td>', page)
    assert not list(output.parent.glob("*.partial"))


def test_report_on_an_empty_store_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(url).dispose()
    output = tmp_path / "report.html"
    assert run(["report", "-o", str(output), "--database", url]) == 0
    page = output.read_text()
    assert "No comments in this period." in page and "data:image/png" not in page


def test_report_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_store(url).dispose()
    output = tmp_path / "report.html"
    for args, message in (
        (["--community", "nope"], "[C062] Unknown community 'nope'"),
        (["--since", "last tuesday"], "[C040] The 'since' parameter must be"),
    ):
        assert run(["report", "-o", str(output), "--database", url, *args]) == 2
        *store_line, error = capsys.readouterr().err.strip().splitlines()
        assert store_line in ([], [f"Store: {url}"])  # said once the store is opened
        assert message in error and "Traceback" not in error
    assert not output.exists()


def test_since_accepts_dates_and_ages() -> None:
    now = datetime(2024, 5, 8, 12, 0, tzinfo=UTC)
    assert parse_since("7d", now) == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_since("24h", now) == datetime(2024, 5, 7, 12, 0, tzinfo=UTC)
    assert parse_since("2024-05-01", now) == datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_since(None, now) is None
    with pytest.raises(InvalidParameterError):
        parse_since("yesterday", now)


def test_distributions_bin_scores_per_attribute() -> None:
    (toxicity,) = score_distributions(
        [("TOXICITY", 0.0), ("TOXICITY", 0.52), ("TOXICITY", 1.0), ("NOT_AN_ATTRIBUTE", 0.9)]
    )
    assert toxicity.attribute == "TOXICITY" and toxicity.n == 3
    assert (toxicity.counts[0], toxicity.counts[10], toxicity.counts[-1]) == (1, 1, 1)
    assert toxicity.high_share == pytest.approx(2 / 3)


def _row(i: int, action: str, author: int | None = 1, status: str | None = None) -> CommentRow:
    status = status or {"approve": "approved", "hold": "held", "reject": "rejected"}[action]
    return CommentRow(i, 1, author, START + timedelta(minutes=i), status, action, None, 0.1)


def test_temperature_cools_down_after_an_episode() -> None:
    rows = [_row(i, "hold") for i in range(8)] + [_row(i, "approve") for i in range(8, 40)]
    curve = thread_temperature(rows, "t")
    assert len(curve.alerts) == 1
    assert curve.points[7].flagged_share == 1.0 and curve.points[-1].flagged_share == 0.0


def test_offenders_count_rejections_by_moderators() -> None:
    rows = [_row(0, "approve", status="rejected"), _row(1, "hold"), _row(2, "approve", author=2)]
    (offender,) = repeat_offenders(rows, {1: ("u1", "User One", True), 2: ("u2", None, False)})
    assert (offender.name, offender.banned, offender.held, offender.rejected) == (
        "User One",
        True,
        1,
        1,
    )
    assert repeat_offenders(rows, {}, min_flagged=3) == []
