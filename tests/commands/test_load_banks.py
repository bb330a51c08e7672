"""``load_banks``: every problem printed, nothing loaded."""

import pytest
from django.core.management import CommandError, call_command

from quizzes.models import Question

pytestmark = pytest.mark.django_db


def test_banks_before_their_document_are_refused_with_every_problem(capsys):
    with pytest.raises(CommandError, match="nothing loaded"):
        call_command("load_banks")
    assert "import the document first" in capsys.readouterr().err
    assert not Question.objects.exists()
