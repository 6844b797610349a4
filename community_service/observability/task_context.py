"""The request id travels with Celery tasks, so a task's log lines name the request that queued it.

The publishing process stamps the id into the task message's headers; the worker adopts it
for the run (Celery exposes custom headers on `task.request`). Eager tasks (no broker) run
inside the request and already see its id.
"""

from contextvars import Token
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

from community_service.observability.request_context import request_id_var

_tokens: dict[str, Token] = {}


@before_task_publish.connect(dispatch_uid="task_context_stamp")
def _stamp_request_id(headers: dict | None = None, **kwargs: Any) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


@task_prerun.connect(dispatch_uid="task_context_adopt")
def _adopt_request_id(task_id: str, task: Any, **kwargs: Any) -> None:
    request_id = getattr(task.request, "request_id", None)
    if request_id:
        _tokens[task_id] = request_id_var.set(request_id)


@task_postrun.connect(dispatch_uid="task_context_release")
def _release_request_id(task_id: str, **kwargs: Any) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)
