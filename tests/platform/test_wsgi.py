"""The WSGI module every server imports: views loaded up front, the loaded heap frozen."""

import json
import os
import subprocess
import sys

from django.conf import settings


def test_importing_the_wsgi_application_loads_every_view_and_freezes_what_was_loaded():
    # A fresh interpreter, as a server worker starts: nothing of the test run is loaded there.
    script = (
        "import gc, json, sys\n"
        "import community_service.wsgi\n"
        "print(json.dumps({'frozen': gc.get_freeze_count(), 'views': sorted(m for m in sys.modules\n"
        "    if m.split('.')[1:2] == ['views'])}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "community_service.settings_test"}
    done = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    # Every app's views, before any request (the URL conf imports them).
    for app in ("members", "content", "events", "billing", "analytics"):
        assert f"{app}.views" in loaded["views"], (app, loaded["views"])
    # The framework and the app are out of the collector's sight: a full collection no longer
    # walks them (hundreds of thousands of objects; a few thousand would mean nothing was frozen).
    assert loaded["frozen"] > 100_000, loaded["frozen"]
