"""A second process for the propagation test: evaluates one flag in a loop and prints a
JSON line each time the answer changes (not a test module; run by test_propagation)."""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsportal.settings")


def say(data: dict) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def main() -> None:
    import django

    django.setup()
    from apps.flags import evaluation

    key, context, seconds = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3])
    deadline = time.monotonic() + seconds
    last = None
    say({"ready": True, "pid": os.getpid()})
    while time.monotonic() < deadline:
        decision = evaluation.evaluate(key, context)
        if decision.allowed != last:
            last = decision.allowed
            line = {"t": time.time(), "allowed": decision.allowed, "version": decision.version}
            say(line)
        time.sleep(0.002)


if __name__ == "__main__":
    main()
