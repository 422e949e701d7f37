"""Carry the request id and actor from whoever queues a task into the task itself.

``before_task_publish`` adds two message headers (``opsportal_request_id``,
``opsportal_actor_id``) from the current context; ``task_prerun`` binds them in the
worker for the task's duration, so audit rows written by the task name the same request
and person. The actor is loaded lazily, only if the task writes something that needs it.
A task run eagerly (no message) keeps the caller's context.
"""

from __future__ import annotations

from celery.signals import before_task_publish, task_postrun, task_prerun

from apps.core import context

REQUEST_ID_HEADER = "opsportal_request_id"
ACTOR_HEADER = "opsportal_actor_id"

# Open bindings per task id, closed by task_postrun (prerun and postrun run in the same
# thread, one task at a time per thread).
_TASK_BINDINGS: dict[str, object] = {}


@before_task_publish.connect
def _add_context_headers(headers=None, **kwargs):
    if headers is None:
        return
    headers.setdefault(REQUEST_ID_HEADER, context.get_request_id())
    actor = context.get_actor()
    headers.setdefault(ACTOR_HEADER, actor.pk if actor is not None else None)


def _lazy_user(user_id):
    cache: dict[str, object] = {}

    def resolve():
        if "user" not in cache:
            from django.contrib.auth import get_user_model

            cache["user"] = get_user_model().objects.filter(pk=user_id).first()
        return cache["user"]

    return resolve


def _header(request, name):
    value = getattr(request, name, None)
    if value is None:
        headers = getattr(request, "headers", None) or {}
        value = headers.get(name)
    return value


@task_prerun.connect
def _bind_task_context(task_id=None, task=None, **kwargs):
    request = getattr(task, "request", None)
    if request is None:
        return
    if getattr(request, "is_eager", False):
        # Run in the caller's thread: its request id and actor already apply.
        request_id = context.get_request_id()
        actor = context.get_actor()
        remote_addr = context.get_remote_addr()
    else:
        remote_addr = None
        request_id = _header(request, REQUEST_ID_HEADER)
        actor_id = _header(request, ACTOR_HEADER)
        actor = _lazy_user(actor_id) if actor_id else None
    manager = context.bind(
        request_id=request_id or f"task-{task_id}", actor=actor, remote_addr=remote_addr
    )
    manager.__enter__()
    _TASK_BINDINGS[task_id] = manager


@task_postrun.connect
def _unbind_task_context(task_id=None, **kwargs):
    manager = _TASK_BINDINGS.pop(task_id, None)
    if manager is not None:
        manager.__exit__(None, None, None)
