"""Settings for the benchmarks only: the production settings plus the bench-only pieces.

Everything comes from ``opsportal.settings`` read with ``OPSPORTAL_ENV=production`` (the
harness sets the environment; plain HTTP on loopback is allowed through the existing
``SECURE_SSL_REDIRECT=false`` variable, not here). This module adds only:

- django-waffle (a dev dependency), the peer the evaluation benchmark compares against,
  with its URLs and one bench view under ``/bench/`` (``bench/urls.py``);
- ``X-Worker-Pid`` on every answer when ``BENCH_WORKER_HEADER=1``, so the propagation
  benchmark can tell which gunicorn worker answered;
- a cProfile middleware when ``BENCH_PROFILE_DIR`` is set (profiling runs only).
"""

from __future__ import annotations

import os

from opsportal.settings import *  # noqa: F403
from opsportal.settings import INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [*INSTALLED_APPS, "waffle"]
ROOT_URLCONF = "bench.urls"

# Waffle reads flags through the default cache (Redis here), like our evaluation does.
WAFFLE_CACHE_NAME = "default"
WAFFLE_CREATE_MISSING_FLAGS = False
WAFFLE_FLAG_DEFAULT = False

MIDDLEWARE = list(MIDDLEWARE)
if os.environ.get("BENCH_WORKER_HEADER") == "1":
    MIDDLEWARE.insert(0, "bench.middleware.WorkerPidMiddleware")
if os.environ.get("BENCH_PROFILE_DIR"):
    MIDDLEWARE.insert(0, "bench.middleware.ProfileMiddleware")
