"""Uploads staged between a preview and its import: private, checked, short-lived."""

import os
import stat
import time

import pytest
from django.core import signing

from quizzes.staging import (
    QUESTION_FILE,
    SALT,
    StagingError,
    staging_sweep,
    upload_stage,
    upload_staged_claim,
    upload_staged_discard,
    upload_staged_open,
    upload_staged_read,
    upload_staged_resign,
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


def test_a_reference_for_one_kind_of_upload_is_refused_by_another():
    """A document's upload cannot be confirmed as a question file, nor the reverse."""
    document = upload_stage(name="notes.md", data=b"# A\nB\n")
    question_file = upload_stage(name="q.gift", data=b"Q{T}\n", kind=QUESTION_FILE)
    with (
        pytest.raises(StagingError, match="has been altered"),
        upload_staged_open(signed=document, kind=QUESTION_FILE),
    ):
        pass
    with pytest.raises(StagingError, match="has been altered"):
        upload_staged_read(signed=question_file)


def test_chunks_are_staged_as_they_come_and_read_back_with_the_signed_choices():
    signed = upload_stage(
        name="bank.gift",
        data=iter([b"Q1{T}\n", b"\n", b"Q2{F}\n"]),
        kind=QUESTION_FILE,
        extra={"section": 3, "skip_invalid": False},
    )
    with upload_staged_open(signed=signed, kind=QUESTION_FILE) as staged:
        assert staged.file.read() == b"Q1{T}\n\nQ2{F}\n"
        assert staged.name == "bank.gift"
        assert staged.extra == {"section": 3, "skip_invalid": False}
    resigned = upload_staged_resign(
        signed=signed, kind=QUESTION_FILE, extra={"section": 3, "skip_invalid": True}
    )
    with upload_staged_open(signed=resigned, kind=QUESTION_FILE) as staged:
        assert staged.extra["skip_invalid"] is True
        assert staged.file.read() == b"Q1{T}\n\nQ2{F}\n"


def test_a_staged_file_changed_on_disk_is_refused(staging_dir):
    signed = upload_stage(name="bank.gift", data=b"Q{T}\n", kind=QUESTION_FILE)
    (path,) = staging_dir.iterdir()
    path.write_bytes(b"Q{F}\n")
    with (
        pytest.raises(StagingError, match="no longer matches"),
        upload_staged_open(signed=signed, kind=QUESTION_FILE),
    ):
        pass


def test_a_staged_upload_is_claimed_by_one_import_at_a_time(staging_dir):
    """A second claim while the first holds it is refused; a failed import puts
    the upload back, a successful one deletes it."""
    signed = upload_stage(name="bank.gift", data=b"Q{T}\n", kind=QUESTION_FILE)
    with upload_staged_open(signed=signed, kind=QUESTION_FILE) as staged:
        token = staged.token
        with pytest.raises(RuntimeError), upload_staged_claim(token=token):
            with (
                pytest.raises(StagingError, match="being imported"),
                upload_staged_claim(token=token),
            ):
                pass
            raise RuntimeError("the import failed")
        with upload_staged_claim(token=token):
            assert staged.file.read() == b"Q{T}\n"  # still readable, once claimed
    assert list(staging_dir.iterdir()) == []
