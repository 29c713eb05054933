"""One writer for the moderation tables: the moderation service (and the store's own upkeep).

Before the service, SQL that changed comments lived in 13 modules and drifted apart (a ban
from the pages sent no webhook). This reads every source file and fails when a module outside
``WRITERS`` inserts, updates or deletes rows of a moderation table, builds one of their rows,
or sets one of their columns on a loaded row.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from civility import store

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "civility"
MODELS = {
    "Article",
    "Author",
    "AuthorAction",
    "Comment",
    "Decision",
    "Report",
    "Score",
    "WebhookDelivery",
}
"""The moderation tables: threads, their scores, the audit trails, reports and the outbox."""
WRITERS = {
    "moderation/service.py",  # moderators' decisions and actions
    "moderation/ingest.py",  # the service's batch write path (``ModerationService.ingest``)
    "moderation/webhooks.py",  # the outbox: queued with a decision, marked when delivered
    "store/retention.py",  # the store's upkeep: text blanked after the retention period
}
STORE_MODULES = ("civility.store", "civility.store.models")
COLUMNS = {
    column.key
    for name in MODELS
    for column in getattr(store, name).__table__.columns
    if column.key not in {"id", "created_at"}
}


def _models_imported(tree: ast.Module) -> set[str]:
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module in ("civility.store", "civility.store.models")
        for alias in node.names
        if alias.name in MODELS
    }


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def writes(path: Path) -> list[str]:
    """Where ``path`` writes a moderation table, as ``line: what``."""
    tree = ast.parse(path.read_text("utf-8"))
    models = _models_imported(tree)
    if not models:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in {"insert", "update", "delete"} and node.args:
                if _names(node.args[0]) & models:
                    found.append(f"{node.lineno}: {node.func.id}({ast.unparse(node.args[0])})")
            elif node.func.id in models:
                found.append(f"{node.lineno}: a new {node.func.id} row")
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in COLUMNS:
                    found.append(f"{node.lineno}: {ast.unparse(target)} = ...")
    return found


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_moderation_service_writes_the_moderation_tables(path: Path) -> None:
    where = str(path.relative_to(PACKAGE))
    if where in WRITERS:
        return
    found = writes(path)
    assert not found, f"{where} writes moderation tables; go through ModerationService: {found}"


def test_the_check_sees_a_write(tmp_path: Path) -> None:
    """The check itself: the ban the pages used to write by hand is caught."""
    source = tmp_path / "queue.py"
    source.write_text(
        "from civility.store import Author, Decision\n"
        "def ban(session, author):\n"
        "    author.status = 'banned'\n"
        "    session.add(Decision(comment_id=1, actor='x', action='ban_author'))\n"
    )
    assert [w.split(":")[0] for w in writes(source)] == ["3", "4"]
