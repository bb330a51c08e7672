"""``import_document`` from the command line: one-line refusals, non-zero exits."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from quizzes.models import SourceDocument
from tests.conftest import ROOT, SEED_MARKDOWN

pytestmark = pytest.mark.django_db


def test_import_reports_the_sections_it_created(capsys):
    call_command(
        "import_document", str(SEED_MARKDOWN), title="Ketamine Clinical Overview"
    )
    out = capsys.readouterr().out
    assert "created (ketamine-clinical-overview); 65 sections, 10 top-level" in out
    call_command(
        "import_document", str(SEED_MARKDOWN), title="Ketamine Clinical Overview"
    )
    assert "unchanged" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "is empty"), (b"\xff\xfe\x00x", "binary"), (b"na\xefve", "not UTF-8")],
)
def test_bad_files_raise_a_command_error_and_write_nothing(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=reason):
        call_command("import_document", str(path))
    assert not SourceDocument.objects.exists()


def test_missing_file_exits_non_zero_with_a_one_line_reason(tmp_path):
    """Run as an operator would: the real process, its exit code and its stderr."""
    result = subprocess.run(
        [sys.executable, "manage.py", "import_document", str(tmp_path / "missing.md")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            "DJANGO_SETTINGS_MODULE": "quizsite.settings.test",
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {tmp_path / 'missing.md'}: no such file"
    ]
