"""Backup and restore of a whole installation: the database and every stored file.

A backup is a folder: `database.dump` (pg_dump's custom format; on SQLite, a copy made with
SQLite's online backup), `files.tar` (uploads, videos and certificate PDFs, from the filesystem
or the object storage alike, read through Django's storages) and `manifest.json` with the
SHA-256 of both. Restoring checks those sums first, then replaces the database and the files.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection

from certification.models.certificates import certificate_storage

DATABASE = "database.dump"
FILES = "files.tar"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def storages():
    """Each storage with the prefix its files carry in the archive."""
    return {"public": default_storage, "private": certificate_storage()}


def walk(storage, folder="", skip=()):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        path = f"{folder}/{sub}" if folder else sub
        if path not in skip:
            yield from walk(storage, path)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def database_url_parts():
    db = settings.DATABASES["default"]
    return db, db["ENGINE"].endswith("sqlite3")


def pg_environment(db):
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    env.update(
        {
            "PGHOST": db.get("HOST") or "localhost",
            "PGPORT": str(db.get("PORT") or 5432),
            "PGUSER": db.get("USER") or "",
            "PGDATABASE": db["NAME"],
        }
    )
    return env


def back_up(folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=False)
    db, is_sqlite = database_url_parts()
    if is_sqlite:
        with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(folder / DATABASE) as out:
            source.backup(out)
    else:
        subprocess.run(  # noqa: S603 - our own arguments; PostgreSQL's tools from PATH
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / DATABASE)],  # noqa: S607
            env=pg_environment(db),
            check=True,
        )
    n_files = 0
    with tarfile.open(folder / FILES, "w") as archive:
        for prefix, storage in storages().items():
            # On the filesystem the certificates' folder lies inside the uploads' one.
            skip = ("private",) if prefix == "public" and not settings.USES_OBJECT_STORAGE else ()
            for name in walk(storage, skip=skip):
                with storage.open(name, "rb") as source:
                    info = tarfile.TarInfo(f"{prefix}/{name}")
                    info.size = storage.size(name)
                    archive.addfile(info, source)
                n_files += 1
    manifest = {
        "made_at": datetime.now(UTC).isoformat(),
        "database": {"vendor": "sqlite" if is_sqlite else "postgresql"},
        "n_files": n_files,
        "sha256": {DATABASE: sha256(folder / DATABASE), FILES: sha256(folder / FILES)},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def restore(folder: Path) -> dict:
    manifest = json.loads((folder / MANIFEST).read_text())
    for part, expected in manifest["sha256"].items():
        if sha256(folder / part) != expected:
            raise BackupError(f"{part} does not match its checksum: the backup is damaged.")
    db, is_sqlite = database_url_parts()
    vendor = "sqlite" if is_sqlite else "postgresql"
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(f"This backup is of {manifest['database']['vendor']}, not {vendor}.")
    connection.close()
    if is_sqlite:
        shutil.copyfile(folder / DATABASE, db["NAME"])
    else:
        subprocess.run(  # noqa: S603
            ["pg_restore",  # noqa: S607 "--clean", "--if-exists", "--no-owner", "--exit-on-error",
             "--single-transaction", "--dbname", db["NAME"], str(folder / DATABASE)],
            env=pg_environment(db),
            check=True,
        )  # fmt: skip
    targets = storages()
    with tarfile.open(folder / FILES) as archive:
        for member in archive:
            prefix, _, name = member.name.partition("/")
            if not member.isfile() or prefix not in targets or ".." in Path(name).parts:
                raise BackupError(f"Unexpected entry in the archive: {member.name}")
            storage = targets[prefix]
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, File(archive.extractfile(member), name=name))
            if saved != name:
                raise BackupError(f"{name} was stored as {saved}.")
    # Cached verification records and pages describe the data that was replaced.
    cache.clear()
    return manifest
