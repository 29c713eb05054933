"""``civility serve``: the Perspective-compatible API (and ingest API) under uvicorn.

The settings are resolved here once and exported as ``CIVILITY_*`` variables, so every worker
process builds the same app from the environment. The store is migrated here, before workers
start, and on a store with no key at all a first key is created and printed, so that a first
run with no configuration is immediately usable. Which store it is comes next, on standard
error: a key made with ``civility keys`` in another store would not be valid here.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Annotated

import typer

from civility.cli.store import announce_store
from civility.settings import SETTINGS, Settings, env_name, load_settings


def serve_command(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Server processes (each loads the model once).")
    ] = None,
    database: Annotated[
        str | None, typer.Option("--database", help="Store URL, e.g. postgresql+psycopg://...")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Directory for the SQLite store and local state.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML config file (default: $CIVILITY_CONFIG).")
    ] = None,
    get: Annotated[
        str | None,
        typer.Option(
            "--get", help="Answer one GET request for this path and exit (no port opened)."
        ),
    ] = None,
) -> None:
    """Serve the API until interrupted."""
    from civility.api.keys import create_key, list_keys
    from civility.api.logs import log_config
    from civility.scoring import load_scorer
    from civility.store import check_servable, open_store

    settings = load_settings(
        config,
        host=host,
        port=port,
        workers=workers,
        database_url=database,
        data_dir=str(data_dir) if data_dir is not None else None,
    )
    log_settings = log_config(settings.log_level, settings.log_format)  # refuse a bad format first
    load_scorer(settings.tier, settings.model_path or None)  # fail here, in one line, if missing
    check_servable(settings.resolved_database_url, settings.workers)
    store = open_store(settings.resolved_database_url, settings=settings)
    if settings.require_key and not list_keys(store):
        key, _ = create_key(store, "first key", scopes=("admin",))
        typer.echo(
            f"First API key, scope admin (shown once; more with 'civility keys create'): {key}"
        )
    store.dispose()
    announce_store(settings)
    if get is not None:
        _get_once(settings, get)
        return
    for setting in SETTINGS:
        os.environ[env_name(setting.name)] = str(getattr(settings, setting.name))
    os.environ.pop("CIVILITY_CONFIG", None)  # everything it said is now in the environment
    import uvicorn

    if settings.workers > 1:
        metrics_dir = settings.resolved_data_dir / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())
    typer.echo(f"Serving on http://{settings.host}:{settings.port} ({settings.workers} worker(s))")
    uvicorn.run(
        "civility.api.app:create_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        log_config=log_settings,
        access_log=False,  # uvicorn's would log ?key=; the app logs requests without it
        # uvicorn believes X-Forwarded-For from loopback by default, which would let any local
        # client pick its address (and so its login throttle); only named proxies are believed.
        proxy_headers=bool(settings.trusted_proxies),
        http="civility.api.protocol:JsonErrorsProtocol",
        forwarded_allow_ips=settings.trusted_proxies or None,
    )


def _get_once(settings: Settings, path: str) -> None:
    from fastapi.testclient import TestClient

    from civility.api.app import create_app

    with TestClient(create_app(settings)) as client:
        response = client.get(path)
    typer.echo(response.text)
    if response.status_code >= 400:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
