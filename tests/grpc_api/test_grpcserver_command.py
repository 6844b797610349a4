"""`manage.py grpcserver` as operators run it: a process that serves until SIGTERM, lets the
calls in flight finish, refuses new ones, and exits cleanly."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from grpc_health.v1 import health_pb2, health_pb2_grpc

from community_service.grpc_api.gen.community.v1 import posts_pb2
from content.models import Post
from tests.content.world import build_world
from tests.grpc_api.conftest import SERVICE_SECRET, Client
from tests.grpc_api.test_platform import wait_for, waiting_on_locks

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("contents", [None, "", "{}", '{"services": [{"name": "x"}]}'])
def test_the_server_refuses_to_start_without_a_readable_credentials_file(contents, tmp_path):
    path = tmp_path / "credentials.json"
    if contents is not None:
        path.write_text(contents)
    with override_settings(GRPC_CREDENTIALS_FILE=str(path)), pytest.raises(CommandError, match="GRPC_CREDENTIALS_FILE"):
        call_command("grpcserver", "--port", "0")


def test_the_server_refuses_to_start_without_a_credentials_file_named():
    with override_settings(GRPC_CREDENTIALS_FILE=""), pytest.raises(CommandError, match="GRPC_CREDENTIALS_FILE"):
        call_command("grpcserver", "--port", "0")


@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_calls_in_flight_finish_and_refuses_new_ones():
    w = build_world()
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "community_service.settings_test", "GRPC_GRACE_SECONDS": "20",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"}
    process = subprocess.Popen([sys.executable, str(BASE_DIR / "manage.py"), "grpcserver", "--host", "127.0.0.1",
                                "--port", "0"], env=env, stdout=subprocess.PIPE, text=True, cwd=BASE_DIR)
    try:
        line = process.stdout.readline()
        assert line.startswith("gRPC serving on 127.0.0.1:"), line
        port = int(line.split()[3].rsplit(":", 1)[1])
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            client = Client(channel, SERVICE_SECRET)
            health = health_pb2_grpc.HealthStub(channel)
            assert health.Check(health_pb2.HealthCheckRequest(), timeout=5).status == \
                health_pb2.HealthCheckResponse.SERVING
            with transaction.atomic():
                Post.objects.select_for_update().get(pk=w.post.pk)
                in_flight = client.posts.UpdatePost.future(
                    posts_pb2.UpdatePostRequest(post_id=str(w.post.pk), title="Finished"),
                    metadata=client.metadata(w.users["author"]), timeout=30)
                wait_for(lambda: waiting_on_locks() == 1)
                process.send_signal(signal.SIGTERM)
                time.sleep(0.5)
                with pytest.raises(grpc.RpcError) as refused:
                    health.Check(health_pb2.HealthCheckRequest(), timeout=5)
                assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
            assert in_flight.result().title == "Finished"
        assert process.wait(timeout=20) == 0
        assert "gRPC server stopped." in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
