"""Queue members' Celery tasks by name.

The services send mail and finish account closes through `task_enqueue`, so they never
import members.tasks, which imports the services it runs (tasks call services, never the
other way round). MembersConfig.ready() imports members.tasks, so every process that loads
Django has the names registered; a missing name fails loudly (KeyError), not silently.
"""

from celery import current_app


def task_enqueue(name: str, *args: str) -> None:
    """Queue `members.tasks.<name>(*args)`; callers run it from transaction.on_commit."""
    current_app.tasks[f"members.tasks.{name}"].delay(*args)
