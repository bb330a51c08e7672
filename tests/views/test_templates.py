"""Template hygiene: what Django would print as text instead of reading as code."""

import re
from pathlib import Path

from django.conf import settings

# Django's {# … #} comment ends at the end of its line: one spanning several lines
# is not a comment, and the page shows it to the trainee word for word.
MULTI_LINE_COMMENT = re.compile(r"\{#(?:(?!#\}).)*\n", re.S)


def test_no_template_has_a_multi_line_short_comment():
    """Comments over several lines use {% comment %}; a {# … #} over two lines
    was shown at the top of the attempt bar."""
    root = Path(settings.BASE_DIR)
    offenders = [
        f"{path.relative_to(root)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in sorted(root.glob("quizzes/templates/**/*.html"))
        for text in [path.read_text()]
        for m in MULTI_LINE_COMMENT.finditer(text)
    ]
    assert offenders == []
