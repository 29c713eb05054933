"""Store fixtures: every store test runs on SQLite, and on PostgreSQL when one is configured.

Set ``CIVILITY_TEST_POSTGRES_URL`` (``.ci/run`` does) to a database the tests may wipe; each
test gets a fresh schema. In CI (``CI=true``) a missing PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from civility.store import Store, open_store

POSTGRES_URL = os.environ.get("CIVILITY_TEST_POSTGRES_URL", "")


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'civility.db'}"
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must set CIVILITY_TEST_POSTGRES_URL (see .ci/run)")
        pytest.skip("CIVILITY_TEST_POSTGRES_URL is not set")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.dispose()
