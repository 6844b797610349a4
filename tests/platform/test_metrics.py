"""The Prometheus endpoint: protected by a token, and carrying the series operators alert on."""

import pytest

from content.models import Post
from tests.conftest import client_for
from tests.factories import CommunityFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_metrics_are_off_without_a_token(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_refuse_a_wrong_or_missing_token(client, metrics_on):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 404


def test_metrics_carry_requests_queries_cache_outbox_and_tasks(client, metrics_on,
                                                              django_capture_on_commit_callbacks):
    community = CommunityFactory()
    author = member_add(community)
    api = client_for(author)
    for _ in range(2):  # the second read of the list is a cache hit
        assert api.get(url_for("community-list")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the outbox publish task is queued on commit
        created = api.post(url_for("post-list", community_pk=community.pk), {"title": "t", "content": "c"})
    assert created.status_code == 201, created.content
    assert Post.objects.filter(community=community).exists()
    body = scrape(client)
    # The `route` label is the route's path template as the metrics publish it, not a request path.
    assert 'http_requests_total{method="GET",route="/api/v1/communities",status="200"}' in body
    assert 'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/communities"}' in body
    assert 'http_request_db_queries_count{route="/api/v1/communities"}' in body
    assert 'cache_requests_total{cache="' in body and 'result="hit"' in body and 'result="miss"' in body
    assert "outbox_pending_events " in body and "outbox_oldest_pending_age_seconds " in body
    # The post's outbox.publish task ran (eagerly here, in the worker in production).
    assert 'celery_tasks_total{outcome="succeeded",task="outbox.publish"}' in body


def test_unknown_urls_share_one_series(client, metrics_on):
    client.get("/no/such/page/1"), client.get("/no/such/page/2")
    assert 'route="<unmatched>",status="404"' in scrape(client)


def test_gunicorn_workers_metrics_are_summed_in_multiprocess_mode(tmp_path):
    # As the entrypoint runs it: PROMETHEUS_MULTIPROC_DIR set before the app starts; two
    # processes serve requests, a third scrapes, and sees both.
    import subprocess
    import sys

    from django.conf import settings

    serve = ("import django; django.setup(); from django.test import Client; "
             "[Client().get('/health') for _ in range(3)]")
    scrape = ("import django; django.setup(); from django.test import Client; "
              f"print(Client().get('/metrics', HTTP_AUTHORIZATION='Bearer {TOKEN}').content.decode())")
    env = {"DJANGO_SETTINGS_MODULE": "community_service.settings_test", "PATH": "/usr/bin:/bin",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "METRICS_TOKEN": TOKEN,
           "DATABASE_URL": _database_url()}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", serve], env=env, check=True, cwd=settings.BASE_DIR,
                       capture_output=True)
    body = subprocess.run([sys.executable, "-c", scrape], env=env, check=True, cwd=settings.BASE_DIR,
                          capture_output=True, text=True).stdout
    assert 'http_requests_total{method="GET",route="/health",status="200"} 6.0' in body


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
