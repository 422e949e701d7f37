"""The Celery application.

The broker comes from settings: a filesystem folder for the embedded demo (no server),
Redis or RabbitMQ in production. Tasks carry the request id and actor of whoever queued
them, so their audit rows name the same person and request (see apps.core.celery_context).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsportal.settings")

app = Celery("opsportal")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _configure_filesystem_broker() -> None:
    from django.conf import settings

    if not str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        return
    queue_dir = settings.CELERY_QUEUE_DIR
    processed_dir = settings.CELERY_PROCESSED_DIR
    control_dir = settings.CELERY_CONTROL_DIR
    for folder in (queue_dir, processed_dir, control_dir):
        folder.mkdir(parents=True, exist_ok=True)
    app.conf.broker_transport_options = {
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        "processed_folder": str(processed_dir),
        "store_processed": False,
        # Exchange tables (the remote-control "pidbox" among them); kombu's default is a
        # `control` folder in the current directory.
        "control_folder": str(control_dir),
    }


@app.on_after_configure.connect
def _after_configure(sender, **kwargs):
    _configure_filesystem_broker()


app.autodiscover_tasks()
