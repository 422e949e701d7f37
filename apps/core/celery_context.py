"""Carry the request id and actor from whoever queues a task into the task itself."""

from __future__ import annotations

from celery.signals import before_task_publish, task_postrun, task_prerun

from apps.core import context

_TASK_BINDINGS: dict[str, object] = {}


@before_task_publish.connect
def _add_context_headers(headers=None, **kwargs):
    if headers is None:
        return
    headers.setdefault("opsportal_request_id", context.get_request_id())
    actor = context.get_actor()
    headers.setdefault("opsportal_actor_id", actor.pk if actor is not None else None)


def _lazy_user(user_id):
    cache: dict[str, object] = {}

    def resolve():
        if "user" not in cache:
            from django.contrib.auth import get_user_model

            cache["user"] = get_user_model().objects.filter(pk=user_id).first()
        return cache["user"]

    return resolve


@task_prerun.connect
def _bind_task_context(task_id=None, task=None, **kwargs):
    request = getattr(task, "request", None)
    request_id = getattr(request, "opsportal_request_id", None) if request else None
    actor_id = getattr(request, "opsportal_actor_id", None) if request else None
    if request is not None and not request_id:
        headers = getattr(request, "headers", None) or {}
        request_id = headers.get("opsportal_request_id")
        actor_id = headers.get("opsportal_actor_id")
    manager = context.bind(
        request_id=request_id or f"task-{task_id}",
        actor=_lazy_user(actor_id) if actor_id else None,
    )
    manager.__enter__()
    _TASK_BINDINGS[task_id] = manager


@task_postrun.connect
def _unbind_task_context(task_id=None, **kwargs):
    manager = _TASK_BINDINGS.pop(task_id, None)
    if manager is not None:
        manager.__exit__(None, None, None)
