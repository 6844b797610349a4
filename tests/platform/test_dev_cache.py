"""Without Redis, CACHE_DIR (make run sets var/cache) is a cache every process shares."""

import os
import subprocess
import sys

from django.conf import settings


def _in_a_process(code: str, cache_dir: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "community_service.settings", "ENV_FILE": "none",
           "DEBUG": "true", "REDIS_URL": "", "CACHE_DIR": cache_dir}
    script = f"import django; django.setup(); from django.core.cache import cache; {code}"
    return subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def test_a_value_one_process_caches_another_reads_and_deletes(tmp_path):
    _in_a_process("cache.set('community:x:analytics', 'cached', 600)", str(tmp_path))
    assert _in_a_process("print(cache.get('community:x:analytics'))", str(tmp_path)) == "cached"
    _in_a_process("cache.delete('community:x:analytics')", str(tmp_path))
    assert _in_a_process("print(cache.get('community:x:analytics'))", str(tmp_path)) == "None"
