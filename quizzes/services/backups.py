"""Consistent backups of the live database, and restoring them.

SQLite: the online backup API copies a consistent snapshot page by page while the
app keeps writing (WAL readers never block the writer). PostgreSQL: ``pg_dump``
takes its snapshot in one transaction; ``pg_restore --clean`` brings it back.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

logger = logging.getLogger(__name__)

PG_BIN_DIRS = ["/usr/lib/postgresql/15/bin", "/usr/bin"]


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why."""


def database_backup(*, destination: Path, using: str = "default") -> Path:
    """Write a consistent copy of the database to ``destination``; returns it."""
    connection = connections[using]
    destination.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(destination)
        try:
            # Pages are copied in one go under a read snapshot: consistent even
            # while other connections keep committing.
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        _pg_run("pg_dump", ["--format=custom", f"--file={destination}"], connection)
    else:
        raise BackupError(f"no backup method for the {connection.vendor} database")
    logger.info("backup written to %s", destination)
    return destination


def database_restore(*, source: Path, using: str = "default") -> None:
    """Replace the database's contents with the backup at ``source``."""
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    connection = connections[using]
    if connection.vendor == "sqlite":
        try:
            backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            backup.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source}: not an SQLite backup ({exc})") from None
        connection.ensure_connection()
        try:
            backup.backup(connection.connection)
        finally:
            backup.close()
    elif connection.vendor == "postgresql":
        connection.close()
        _pg_run(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                str(source),
            ],
            connection,
            database_flag="--dbname",
        )
    else:
        raise BackupError(f"no restore method for the {connection.vendor} database")
    logger.info("restored %s", source)


def _pg_run(tool: str, args: list[str], connection, database_flag: str = "") -> None:
    settings = connection.settings_dict
    executable = next(
        (str(Path(d) / tool) for d in PG_BIN_DIRS if (Path(d) / tool).exists()),
        shutil.which(tool),
    )
    if not executable:
        raise BackupError(
            f"{tool} is not installed (apt-get install postgresql-client)"
        )
    name = settings["NAME"]
    command = [
        executable,
        f"--host={settings.get('HOST') or 'localhost'}",
        f"--port={settings.get('PORT') or 5432}",
        f"--username={settings.get('USER') or 'postgres'}",
        *args,
        f"{database_flag}={name}" if database_flag else name,
    ]
    env = os.environ | {"PGPASSWORD": settings.get("PASSWORD") or ""}
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")
