"""``manage.py bench_import_questions``: tiny size, every step timed, nothing left."""

import pytest
from django.core.management import call_command

from quizzes.models import Question

pytestmark = pytest.mark.django_db


def test_the_bench_times_baseline_parse_preview_and_import_and_cleans_up(capsys):
    call_command("bench_import_questions", "--questions", "30", "--memory")
    out = capsys.readouterr().out
    for step in [
        "baseline: bulk write",
        "parse only",
        "preview (parse + rules)",
        "import (target)",
        "import peak memory, 15 questions",
        "import peak memory, 30 questions",
    ]:
        assert step in out
    assert "SLOW" not in out
    assert " 30" in out.splitlines()[-3]
    assert not Question.objects.exists()
