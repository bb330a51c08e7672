"""Safe Exam Browser in the page and API tests: a quiz that requires it, and the
headers SEB would send for a URL (``quizzes.seb``; keys from tests/test_seb.py)."""

from quizzes.seb import CONFIG_KEY_HEADER, REQUEST_HASH_HEADER, request_hash
from tests.test_seb import BROWSER_EXAM_KEY, EXAM_CONFIG_KEY

# Another SEB configuration's key: printf '%s' 'another exam' | sha256sum
OTHER_CONFIG_KEY = "7a69107d2e2d301b05884cdd32fc79eaa4849d7ada468b06dc6741303b584a7f"
SERVER = "http://testserver"


def require_seb(
    quiz, *, config_keys: str = EXAM_CONFIG_KEY, beks: str = "", file_key: str = ""
):
    """Make ``quiz`` require SEB with these keys (one a line)."""
    quiz.seb_required = True
    quiz.seb_config_keys = config_keys
    quiz.seb_browser_exam_keys = beks
    quiz.seb_file_config_key = file_key
    quiz.save()
    return quiz


def config_key_headers(path: str, key: str = EXAM_CONFIG_KEY, *, server=SERVER):
    """SEB's Config Key header for ``server + path`` (a path with its query)."""
    return {CONFIG_KEY_HEADER: request_hash(server + path, key)}


def browser_exam_key_headers(
    path: str, key: str = BROWSER_EXAM_KEY, *, server=SERVER
) -> dict:
    """SEB's request hash header (Browser Exam Key) for ``server + path``."""
    return {REQUEST_HASH_HEADER: request_hash(server + path, key)}
