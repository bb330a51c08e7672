"""Uploads kept on disk between an import's preview and its confirmation.

The admin's document import and question-file import are upload → preview →
import, and nothing may be written to the database before "Import". The uploaded
bytes wait in a file under ``settings.DOCUMENT_STAGING_DIR``, named by a random
token. The browser carries the
token, the file name and the bytes' checksum in a signed, timestamped value, so that
it cannot point at another file, rename the upload (the name selects Markdown), or
keep a stale one: the bytes read back must match the checksum, and a value older
than ``STAGING_MAX_AGE`` is refused. Files are deleted after the import, or by the
sweep that every new upload runs once they are older than a day.

No database: a model would need a migration and a cleaning job for rows that are
only ever read back by the request after next.

Each kind of upload signs its references with its own salt (``kind``), so that a
document's reference is refused by the question-file import and the other way
round. A reference may carry the choices the preview was made with (``extra``),
signed with it, so that the confirmation imports exactly what was previewed.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core import signing

STAGING_MAX_AGE = timedelta(days=1)
DOCUMENT_UPLOAD = "document-upload"
QUESTION_FILE = "question-file"
SALT = f"quizzes.staging.{DOCUMENT_UPLOAD}"
SUFFIX = ".upload"
# Inserted before SUFFIX while an import holds the file (so the sweep still sees it).
CLAIMED = ".importing"
NO_LONGER_KEPT = (
    "this upload is no longer kept (already imported, or expired); upload the file "
    "again"
)
NO_LONGER_MATCHES = (
    "the staged file no longer matches the upload; upload the file again"
)


class StagingError(ValueError):
    """A staged upload that cannot be used; the message says why, in one line."""


@dataclass(frozen=True)
class StagedUpload:
    token: str
    name: str
    data: bytes
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StagedFile:
    """A staged upload opened for reading, its bytes checked against the checksum."""

    token: str
    name: str
    file: BinaryIO
    extra: dict = field(default_factory=dict)


def staging_dir() -> Path:
    return Path(settings.DOCUMENT_STAGING_DIR)


def upload_stage(
    *,
    name: str,
    data: bytes | Iterable[bytes],
    kind: str = DOCUMENT_UPLOAD,
    extra: dict | None = None,
) -> str:
    """Keep ``data`` (bytes, or chunks of them) on disk; return the signed value
    that finds it again. ``extra`` (JSON values) is signed with it."""
    directory = staging_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging_sweep(now=time.time())
    token = secrets.token_urlsafe(24)
    digest = hashlib.sha256()
    # O_EXCL: a token is used once; 0600: the file holds an instructor's upload.
    fd = os.open(
        directory / f"{token}{SUFFIX}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
    )
    # Chunks (an uploaded file's ``chunks()``) go to disk as they come, so that a
    # large upload is never whole in memory.
    with os.fdopen(fd, "wb") as file:
        for chunk in (data,) if isinstance(data, bytes) else data:
            file.write(chunk)
            digest.update(chunk)
    value = {"token": token, "name": name, "sha256": digest.hexdigest()}
    if extra:
        value["extra"] = extra
    return signing.dumps(value, salt=_salt(kind))


def upload_staged_resign(*, signed: str, kind: str, extra: dict) -> str:
    """The reference ``signed`` with other choices: the same staged file, previewed
    again with ``extra``. ``StagingError`` as ``upload_staged_read``."""
    value = _staged_value(signed=signed, kind=kind)
    return signing.dumps({**value, "extra": extra}, salt=_salt(kind))


def upload_staged_read(*, signed: str, kind: str = DOCUMENT_UPLOAD) -> StagedUpload:
    """The staged upload that ``signed`` names, or ``StagingError`` saying why not."""
    value = _staged_value(signed=signed, kind=kind)
    token = value["token"]
    try:
        data = (staging_dir() / f"{token}{SUFFIX}").read_bytes()
    except FileNotFoundError:
        raise StagingError(NO_LONGER_KEPT) from None
    if hashlib.sha256(data).hexdigest() != value["sha256"]:
        raise StagingError(NO_LONGER_MATCHES)
    return StagedUpload(
        token=token, name=value["name"], data=data, extra=value.get("extra", {})
    )


@contextmanager
def upload_staged_open(*, signed: str, kind: str) -> Iterator[StagedFile]:
    """The staged upload that ``signed`` names, open for reading (closed on exit),
    or ``StagingError`` saying why not. Its bytes are checked, then read, from the
    same open file, a chunk at a time: never whole in memory."""
    value = _staged_value(signed=signed, kind=kind)
    token = value["token"]
    try:
        file = (staging_dir() / f"{token}{SUFFIX}").open("rb")
    except FileNotFoundError:
        raise StagingError(NO_LONGER_KEPT) from None
    with file:
        if hashlib.file_digest(file, "sha256").hexdigest() != value["sha256"]:
            raise StagingError(NO_LONGER_MATCHES)
        file.seek(0)
        yield StagedFile(
            token=token, name=value["name"], file=file, extra=value.get("extra", {})
        )


def _salt(kind: str) -> str:
    return f"quizzes.staging.{kind}"


def _staged_value(*, signed: str, kind: str) -> dict:
    try:
        value = signing.loads(signed, salt=_salt(kind), max_age=STAGING_MAX_AGE)
    except signing.SignatureExpired:
        raise StagingError(
            "this upload has expired (uploads are kept for a day); upload the file "
            "again"
        ) from None
    except signing.BadSignature:
        raise StagingError(
            "the reference to this upload has been altered; upload the file again"
        ) from None
    return value


@contextmanager
def upload_staged_claim(*, token: str) -> Iterator[None]:
    """Hold a staged upload for one import, so that a second "Import" (a double
    click, another tab) is refused rather than importing it twice.

    The file is renamed (atomic: of two claims, one finds it gone, and gets a
    ``StagingError``); a reader that already has it open keeps reading it. It is
    deleted when the block succeeds, and put back when it raises, so that the
    upload can still be previewed and imported.
    """
    path = staging_dir() / f"{token}{SUFFIX}"
    claimed = staging_dir() / f"{token}{CLAIMED}{SUFFIX}"
    try:
        os.rename(path, claimed)
    except FileNotFoundError:
        raise StagingError(
            "this upload is being imported, or was imported already; see the list"
        ) from None
    try:
        yield
    except BaseException:
        os.rename(claimed, path)
        raise
    claimed.unlink(missing_ok=True)


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
