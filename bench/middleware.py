"""Bench-only middleware, switched on by environment variables in ``bench/settings.py``."""

from __future__ import annotations

import cProfile
import os
from pathlib import Path


class WorkerPidMiddleware:
    """Adds ``X-Worker-Pid`` so a client can tell which gunicorn worker answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["X-Worker-Pid"] = str(os.getpid())
        return response


class ProfileMiddleware:
    """Profiles every request of this worker into one cProfile file per process.

    The first ``WARM_UP`` requests are not profiled (imports, first connections); the file
    (``BENCH_PROFILE_DIR/<pid>.prof``) is rewritten every 250 requests, so it is there when
    the worker is stopped. Profiling slows requests several-fold: use it to
    see where the time goes, never for the figures.
    """

    WARM_UP = 100

    def __init__(self, get_response):
        self.get_response = get_response
        self.profile = cProfile.Profile()
        self.count = 0
        self.path = Path(os.environ["BENCH_PROFILE_DIR"]) / f"{os.getpid()}.prof"

    def __call__(self, request):
        self.count += 1
        if self.count <= self.WARM_UP:
            # The first requests of a worker import the URL map and views: not steady state.
            return self.get_response(request)
        self.profile.enable()
        try:
            return self.get_response(request)
        finally:
            self.profile.disable()
            if self.count % 250 == 0:
                self.profile.dump_stats(self.path)
