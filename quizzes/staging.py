"""Uploads kept on disk between an import's preview and its confirmation.

The admin's document import is upload → preview → import, and nothing may be
written to the database before "Import". The uploaded bytes wait in a file under
``settings.DOCUMENT_STAGING_DIR``, named by a random token. The browser carries the
token, the file name and the bytes' checksum in a signed, timestamped value, so that
it cannot point at another file, rename the upload (the name selects Markdown), or
keep a stale one: the bytes read back must match the checksum, and a value older
than ``STAGING_MAX_AGE`` is refused. Files are deleted after the import, or by the
sweep that every new upload runs once they are older than a day.

No database: a model would need a migration and a cleaning job for rows that are
only ever read back by the request after next.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing

STAGING_MAX_AGE = timedelta(days=1)
SALT = "quizzes.staging.document-upload"
SUFFIX = ".upload"


class StagingError(ValueError):
    """A staged upload that cannot be used; the message says why, in one line."""


@dataclass(frozen=True)
class StagedUpload:
    token: str
    name: str
    data: bytes


def staging_dir() -> Path:
    return Path(settings.DOCUMENT_STAGING_DIR)


def upload_stage(*, name: str, data: bytes) -> str:
    """Keep ``data`` on disk; return the signed value that finds it again."""
    directory = staging_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging_sweep(now=time.time())
    token = secrets.token_urlsafe(24)
    # O_EXCL: a token is used once; 0600: the file holds an instructor's upload.
    fd = os.open(
        directory / f"{token}{SUFFIX}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
    )
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    checksum = hashlib.sha256(data).hexdigest()
    return signing.dumps({"token": token, "name": name, "sha256": checksum}, salt=SALT)


def upload_staged_read(*, signed: str) -> StagedUpload:
    """The staged upload that ``signed`` names, or ``StagingError`` saying why not."""
    try:
        value = signing.loads(signed, salt=SALT, max_age=STAGING_MAX_AGE)
    except signing.SignatureExpired:
        raise StagingError(
            "this upload has expired (uploads are kept for a day); upload the file "
            "again"
        ) from None
    except signing.BadSignature:
        raise StagingError(
            "the reference to this upload has been altered; upload the file again"
        ) from None
    token = value["token"]
    try:
        data = (staging_dir() / f"{token}{SUFFIX}").read_bytes()
    except FileNotFoundError:
        raise StagingError(
            "this upload is no longer kept (already imported, or expired); upload "
            "the file again"
        ) from None
    if hashlib.sha256(data).hexdigest() != value["sha256"]:
        raise StagingError(
            "the staged file no longer matches the upload; upload the file again"
        )
    return StagedUpload(token=token, name=value["name"], data=data)


def upload_staged_discard(*, token: str) -> None:
    """Delete a staged upload (after its import); a missing file is fine."""
    (staging_dir() / f"{token}{SUFFIX}").unlink(missing_ok=True)


def staging_sweep(*, now: float) -> int:
    """Delete the staged uploads older than ``STAGING_MAX_AGE``; return how many."""
    cutoff = now - STAGING_MAX_AGE.total_seconds()
    swept = 0
    for path in staging_dir().glob(f"*{SUFFIX}"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                swept += 1
        except FileNotFoundError:  # another worker swept it first
            pass
    return swept
