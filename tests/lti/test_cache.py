"""The LTI cache (nonces, states, keysets) is shared by every worker process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _in_another_process(code: str, cache_dir: Path) -> str:
    """Run ``code`` after django.setup() in a new process, as another gunicorn
    worker would, with the test settings and ``LTI_CACHE_DIR``."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "quizsite.settings.test",
        "LTI_CACHE_DIR": str(cache_dir),
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_a_nonce_one_worker_stored_is_consumed_once_by_another(tmp_path):
    """The OIDC login (one worker) stores the nonce; the launch (another) takes it
    out, and only once: a per-process memory cache would refuse the launch."""
    _in_another_process(
        "from django.core.cache import caches; caches['lti'].set('nonce-1', 1, 60)",
        tmp_path,
    )
    taken = _in_another_process(
        "from django.core.cache import caches; c = caches['lti']; "
        "print(c.delete('nonce-1'), c.delete('nonce-1'))",
        tmp_path,
    )
    assert taken == "True False"
