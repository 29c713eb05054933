"""Opening the store: one call gives a migrated database and sessions to use it.

``open_store(url)`` creates the engine, applies SQLite's pragmas (WAL, foreign keys, a busy
timeout), brings the schema to the latest Alembic revision and returns a ``Store``. Migrating on
open means a fresh data directory just works and an upgraded package never runs on an old
schema. Several server processes may open the same store at once, so migrations run under a
lock (an advisory lock on PostgreSQL, a lock file next to a SQLite database).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from civility.errors import ConfigError, StoreBusyError, StoreError
from civility.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_PG_MIGRATION_LOCK = 0x63697669  # "civi": any constant shared by every Civility process


class WriteGate:
    """One SQLite writer at a time in this process, a bounded queue, and a bounded wait.

    SQLite has one write lock per database. Left to its busy handler, every waiting writer
    polls the lock with sleeps, in no order, for as long as the busy timeout; under a burst of
    writes, requests wait tens of seconds and then fail. Here the writers of one process queue
    on a lock instead, in turn: when ``queue`` are already waiting, or a turn does not come
    within ``timeout`` seconds, the write is refused at once with ``StoreBusyError`` (503 and
    ``Retry-After`` over HTTP). Writers in other processes still meet on SQLite's busy timeout.
    """

    def __init__(self, queue: int, timeout: float) -> None:
        self.queue = queue
        self.timeout = timeout
        self._turn = threading.Lock()
        self._counts = threading.Lock()
        self.waiting = 0

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        with self._counts:
            if self.waiting >= self.queue and self._turn.locked():
                raise StoreBusyError()
            self.waiting += 1
        try:
            acquired = self._turn.acquire(timeout=self.timeout)
        finally:
            with self._counts:
                self.waiting -= 1
        if not acquired:
            raise StoreBusyError()
        try:
            yield
        finally:
            self._turn.release()


@dataclass
class Store:
    """A migrated database: ``session()`` to read, ``writer()`` to change it.

    On SQLite, ``writer()`` transactions start with ``BEGIN IMMEDIATE`` so concurrent writers
    queue instead of failing with "database is locked" half-way through, and they queue on a
    bounded ``WriteGate`` that refuses a write it would keep waiting too long; reads stay
    deferred and never wait for writers (WAL). On PostgreSQL both are ordinary transactions.
    """

    url: str
    engine: Engine
    write_engine: Engine
    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]
    gate: WriteGate | None = None

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A read session (changes are rolled back unless you commit)."""
        with self.read_sessions() as session:
            yield session

    @contextlib.contextmanager
    def writer(self) -> Iterator[Session]:
        """A write transaction, committed on success and rolled back on any exception."""
        with contextlib.ExitStack() as stack:
            if self.gate is not None:
                stack.enter_context(self.gate.turn())
            session = stack.enter_context(self.write_sessions())
            stack.enter_context(session.begin())
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


def conflict_insert(session: Session, model: type[Any]) -> Any:
    """``INSERT`` for ``model`` with ``on_conflict_do_nothing/update`` on the session's backend.

    SQLite and PostgreSQL spell ``INSERT ... ON CONFLICT`` the same way, but SQLAlchemy builds
    it from each dialect's own ``insert``.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


SYNCHRONOUS_LEVELS = ("normal", "full")
"""SQLite's ``synchronous`` levels a store may use (``off`` could corrupt it on a crash)."""


def _sqlite_engine(url: str, immediate: bool, settings: Settings) -> Engine:
    busy_ms = settings.sqlite_busy_timeout_ms
    synchronous = settings.sqlite_synchronous.strip().lower()
    if synchronous not in SYNCHRONOUS_LEVELS:
        raise ConfigError(
            f"Setting 'sqlite_synchronous' has value {settings.sqlite_synchronous!r}. "
            f"Must be one of: {', '.join(SYNCHRONOUS_LEVELS)}."
        )
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_ms / 1000},
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself (below) instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")  # docs/store.md: what each survives
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _create_private(database: Path) -> None:
    """Create the SQLite file readable by its owner only (0600), whatever the umask.

    It holds comment text and moderators' password hashes. SQLite gives the WAL and
    shared-memory files it creates next to it the database file's permissions.
    """
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.fchmod(fd, 0o600)
    os.close(fd)


def create_store_engine(url: str, settings: Settings | None = None) -> tuple[Engine, Engine]:
    """(read engine, write engine) for ``url``; the same engine twice except on SQLite."""
    settings = settings or Settings()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"Database URL {url!r} is not a valid SQLAlchemy URL.") from None
    try:
        if parsed.get_backend_name() == "sqlite":
            in_memory = (
                parsed.database in {None, "", ":memory:"} or parsed.query.get("mode") == "memory"
            )
            if not in_memory:
                _create_private(Path(str(parsed.database)))
            return (
                _sqlite_engine(url, immediate=False, settings=settings),
                _sqlite_engine(url, immediate=True, settings=settings),
            )
        # hide_parameters: an error's message and traceback never carry bound values, which
        # hold comment text.
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    except NoSuchModuleError:
        raise StoreError(f"Database URL {url!r} names an unsupported backend.") from None
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"Database URL {url!r} needs the {exc.name!r} driver: pip install 'civility[postgres]'."
        ) from None
    return engine, engine


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with os.fdopen(os.open(f"{database}.lock", os.O_RDWR | os.O_CREAT, 0o600), "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision (a no-op when it is already there)."""
    with _migration_lock(engine):
        if current_revision(engine) == head_revision():
            return
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


def open_store(url: str, *, upgrade: bool = True, settings: Settings | None = None) -> Store:
    """Connect to ``url``, migrate it to the latest schema and return a ``Store``.

    ``url`` is any SQLAlchemy URL: ``sqlite:///var/civility.db`` (the parent directory is
    created) or ``postgresql+psycopg://user:password@host/db``. ``settings`` give SQLite's
    busy timeout and write queue (default: the defaults).
    """
    settings = settings or Settings()
    engine, write_engine = create_store_engine(url, settings)
    try:
        if upgrade:
            migrate(write_engine)
    except OperationalError as exc:
        engine.dispose()
        write_engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"Cannot open the store at {_safe(url)}: {reason}") from None
    return Store(
        url=url,
        engine=engine,
        write_engine=write_engine,
        read_sessions=sessionmaker(engine, expire_on_commit=False),
        write_sessions=sessionmaker(write_engine, expire_on_commit=False),
        gate=WriteGate(settings.sqlite_write_queue, settings.sqlite_busy_timeout_ms / 1000)
        if engine.dialect.name == "sqlite"
        else None,
    )


NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "fuse.sshfs",
        "9p",
        "lustre",
        "gpfs",
        "afs",
        "beegfs",
        "davfs",
        "fuse.s3fs",
        "fuse.rclone",
        "fuse.juicefs",
    }
)
"""Filesystems that hosts share over a network: SQLite's locks do not hold across hosts there."""


def filesystem_type(path: Path, mounts: Path = Path("/proc/mounts")) -> str | None:
    """The type of the filesystem holding ``path``, from the mount table (None if unknown)."""
    try:
        table = mounts.read_text()
    except OSError:
        return None
    target = str(path.resolve())
    best, kind = "", None
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def check_servable(url: str, processes: int, mounts: Path = Path("/proc/mounts")) -> None:
    """Refuse, before serving, a SQLite store that ``processes`` processes cannot share.

    SQLite serves any number of processes on one host (WAL, ``BEGIN IMMEDIATE``), whatever
    address they listen on. It cannot serve several hosts: its locks and WAL index live in
    shared memory on one machine, and on a network filesystem two hosts writing one file
    corrupt it. An in-memory database is a separate empty store in every process. Both are
    refused with what to use instead; PostgreSQL serves every shape.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return
    database = parsed.database or ""
    if database in {"", ":memory:"} or parsed.query.get("mode") == "memory":
        if processes > 1:
            raise StoreError(
                f"An in-memory SQLite store cannot be shared by {processes} server processes: "
                "each would have its own empty database. Use a database file, or PostgreSQL."
            )
        return
    kind = filesystem_type(Path(database).parent, mounts)
    if kind in NETWORK_FILESYSTEMS:
        raise StoreError(
            f"The SQLite store {database} is on a network filesystem ({kind}): SQLite cannot be "
            "shared by several hosts, and its locks do not hold there. Keep it on a local disk "
            "for one host, or use PostgreSQL (database_url = postgresql+psycopg://...) for "
            "several nodes (docs/deploy.md)."
        )


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
