"""How fast the moderator pages answer with a full queue: prints latency figures.

    .venv/bin/python bench/web_pages.py [--model-dir DIR] [--held 1000] [--requests 20]

Seeds a temporary SQLite store with ``--held`` held comments through the ingest service, signs
a moderator in, then times (in-process, no network) the queue's first render (the first request
after the server started, with its caches cold; the target is under 300 ms at 10,000 held), the
queue page (50 items, each with its highlighted words) sorted by score and by date, a search,
the live count's poll, an author's page, a comment's page with its thread, a keyboard-style
approve that returns the refreshed queue, and the try-it page. ``--model-dir`` is a fast-tier
artifact (default: the model shipped in the package).
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from civility.api import create_app
from civility.moderation.archive import ArchiveComment
from civility.moderation.ingest import IngestOptions, ingest
from civility.scoring import LanguageScorers, language_table, load_scorer
from civility.settings import Settings
from civility.store import Community, open_store
from civility.web.accounts import create_moderator

TEXTS = [
    "you are a stupid idiot and everyone here knows it",
    "what a load of rubbish, the council are clowns",
    "shut up you pathetic loser, nobody asked you",
    "I disagree strongly with the budget but thanks for reporting",
]
HOLD_ALL = 'name = "hold-all"\ndefault = "hold"\nrules = []\n'


def timed(call, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"{name:<34} median {statistics.median(times):7.1f} ms"
        f"   p95 {p95:7.1f} ms  (n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", default=None, help="fast-tier artifact directory")
    parser.add_argument("--held", type=int, default=1000, help="held comments in the queue")
    parser.add_argument("--requests", type=int, default=20, help="requests timed per page")
    args = parser.parse_args()
    scorer = load_scorer("fast", args.model_dir)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'civility.db'}")
        with store.writer() as session:
            session.add(Community(slug="news", name="News", policy=HOLD_ALL))
        comments = [
            ArchiveComment(
                article_id=f"a{i % 40}",
                comment_id=f"c{i}",
                text=f"{TEXTS[i % len(TEXTS)]} #{i}",
                author=f"user{i % 97}",
                article_title=f"Story {i % 40}",
            )
            for i in range(args.held)
        ]
        options = IngestOptions(create_articles=True)
        languages = LanguageScorers(scorer, language_table(scorer.labels_))
        for start in range(0, len(comments), 500):
            ingest(store, languages, comments[start : start + 500], "news", options=options)
        create_moderator(store, "bench", "a long bench password", ["news"])
        app = create_app(Settings(data_dir=tmp, require_key=False), store=store, scorer=scorer)
        with TestClient(app, base_url="https://bench") as client:
            login = client.get("/moderate/login").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
            client.post(
                "/moderate/login",
                data={"username": "bench", "password": "a long bench password", "csrf": csrf},
                follow_redirects=False,  # the queue's first render is timed below
            )
            first = timed(lambda: client.get("/moderate"), 1)
            page = client.get("/moderate").text
            token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            latest = re.search(r'data-latest="(\d+)"', page).group(1)  # type: ignore[union-attr]
            one = re.search(r'data-id="(\d+)"', page).group(1)  # type: ignore[union-attr]
            print(f"model {scorer.version}; {args.held} held comments; 50 per page")
            report("GET /moderate (first render)", first)
            pages = {
                "GET /moderate (queue page)": "/moderate",
                "GET /moderate?sort=newest": "/moderate?sort=newest",
                "GET /moderate?q=clowns (search)": "/moderate?q=clowns",
                "GET /moderate/new (live count)": f"/moderate/new?after={latest}",
                "GET /moderate/authors/... (author)": "/moderate/authors/news/user1",
                "GET /moderate/comments/N (thread)": f"/moderate/comments/{one}",
            }
            for name, path in pages.items():
                report(name, timed(lambda path=path: client.get(path), args.requests))

            def approve_first() -> None:
                first = re.search(r'data-id="(\d+)"', client.get("/moderate").text).group(1)  # type: ignore[union-attr]
                start = time.perf_counter()
                client.post(
                    "/moderate/decide",
                    data={"csrf": token, "one": f"approve:{first}"},
                    headers={"x-civility-partial": "1"},
                )
                approvals.append((time.perf_counter() - start) * 1000)

            approvals: list[float] = []
            for _ in range(args.requests):
                approve_first()
            report("POST /moderate/decide (approve)", approvals)
            text = {"text": TEXTS[0]}
            report("POST / (try it)", timed(lambda: client.post("/", data=text), args.requests))
        store.dispose()


if __name__ == "__main__":
    main()
