"""PostgreSQL restarting under a request: a 503 with Retry-After the client may retry, never a 500.

Found by the fault drill (`make chaos`, issue 40): a fast or immediate restart terminates the
server's connections ("terminating connection due to administrator command", 57P01, or a
closed socket), and every request on one of them was answered 500 with a traceback logged.
Here the request's connection is terminated by the server, as a restart does, without one.
"""

import uuid

import psycopg
import pytest
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from community_service.db.transactions import database_unavailable
from community_service.urls import handler500  # noqa: F401  # this URLconf's
from community_service.urls import urlpatterns as service_urlpatterns


def plain_view(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:  # not a DRF view: Django's handler500 answers its crash
        cursor.execute("SELECT 1")
    return HttpResponse(status=204)


urlpatterns = [path("api/test-plain-db", plain_view), *service_urlpatterns]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def terminated_connection():
    """The test connection, killed by the server as a restart kills it."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(host=params.get("host"), port=params.get("port"), user=params.get("user"),
                         dbname=params["dbname"], autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    yield
    connection.close()  # the next use reconnects


@pytest.mark.usefixtures("terminated_connection")
def test_an_api_request_on_a_connection_the_restart_killed_is_503_with_retry_after(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get(f"/api/v1/communities/{uuid.uuid4()}/members")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json()["code"] == "database_unavailable"


@pytest.mark.usefixtures("terminated_connection")
def test_a_plain_view_on_a_dead_connection_is_503_too(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/api/test-plain-db")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json()["code"] == "database_unavailable"


def test_a_refused_connection_is_unavailable_but_a_bad_statement_is_not():
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect("postgres://postgres@127.0.0.1:1/none", connect_timeout=2)
    assert database_unavailable(OperationalError("wrapped")) is False
    wrapped = OperationalError("connection failed")
    wrapped.__cause__ = refused.value
    assert database_unavailable(wrapped) is True
    with pytest.raises(Exception) as bad, connection.cursor() as cursor:
        cursor.execute("SELECT 1/0")
    assert database_unavailable(bad.value) is False
