"""Uploads staged between a preview and its import: private, checked, short-lived."""

import os
import stat
import time

import pytest
from django.core import signing

from quizzes.staging import (
    SALT,
    StagingError,
    staging_sweep,
    upload_stage,
    upload_staged_discard,
    upload_staged_read,
)

pytestmark = pytest.mark.usefixtures("staging_dir")


def test_a_staged_upload_reads_back_with_its_name_and_only_its_owner_may_read_it(
    staging_dir,
):
    signed = upload_stage(name="notes.md", data=b"# A\nB\n")
    staged = upload_staged_read(signed=signed)
    assert (staged.name, staged.data) == ("notes.md", b"# A\nB\n")
    (path,) = staging_dir.iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    upload_staged_discard(token=staged.token)
    assert list(staging_dir.iterdir()) == []


def test_a_reference_signed_for_another_purpose_is_refused():
    signed = upload_stage(name="notes.md", data=b"x\n")
    value = signing.loads(signed, salt=SALT)
    other = signing.dumps({**value, "name": "notes.txt"}, salt="another.salt")
    with pytest.raises(StagingError, match="has been altered"):
        upload_staged_read(signed=other)


def test_the_sweep_deletes_uploads_older_than_a_day_and_keeps_the_rest(staging_dir):
    old = upload_staged_read(signed=upload_stage(name="old.txt", data=b"old\n"))
    new = upload_stage(name="new.txt", data=b"new\n")
    two_days_ago = time.time() - 2 * 86400
    os.utime(staging_dir / f"{old.token}.upload", (two_days_ago, two_days_ago))
    assert staging_sweep(now=time.time()) == 1
    assert upload_staged_read(signed=new).data == b"new\n"
    with pytest.raises(StagingError, match="no longer kept"):
        upload_staged_read(signed=signing.dumps({"token": old.token}, salt=SALT))
