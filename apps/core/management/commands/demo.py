"""``manage.py demo``: the whole portal on one machine, with no server installed.

Migrates, compiles the translation catalogs when gettext is there, makes one demo
person per role with a TOTP device (printing the password and the otpauth:// URI to
scan), runs every app's registered demo step, then runs the web server, a Celery worker
with beat on the filesystem broker and a loopback webhook receiver (the demo people's
contact methods and the war-room channels point at it) until Ctrl-C or SIGTERM. Safe to
run again. Everything it writes goes under var/ (OPSPORTAL_VAR_DIR).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules

from apps.core import demo
from apps.core.demo_receiver import DemoReceiver

STOP_GRACE_SECONDS = 20


def _with_receiver(entries, receiver_port: int) -> list[str]:
    """``NOTIFY_ALLOWED_HOSTS`` plus the demo receiver's own address and port (only)."""
    if isinstance(entries, str):
        entries = entries.split(",")
    listed = [str(entry).strip() for entry in entries or () if str(entry).strip()]
    own = f"127.0.0.1:{receiver_port}"
    return listed if own in listed else [*listed, own]


class _Stop(Exception):
    """Raised by the SIGTERM/SIGINT handler to leave the serve loop."""


class Command(BaseCommand):
    help = "Set up demo data and run the portal with a Celery worker and beat (not production)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on.")
        parser.add_argument(
            "--password",
            default=demo.DEFAULT_DEMO_PASSWORD,
            help="Password given to every demo person.",
        )
        parser.add_argument(
            "--receiver-port",
            type=int,
            default=demo.DEFAULT_RECEIVER_PORT,
            help="Loopback port of the demo's webhook receiver (where demo notifications go).",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Set up the database and demo data, then exit.",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo refuses to run with OPSPORTAL_ENV=production.")
        self._section("Database")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Migrations applied.")
        self._compile_translations()
        self._section("Demo people")
        # The demo's contact methods point at its own loopback receiver, which outbound
        # notifications refuse unless allowed: allow exactly that address and port.
        settings.NOTIFY_ALLOWED_HOSTS = _with_receiver(
            settings.NOTIFY_ALLOWED_HOSTS, options["receiver_port"]
        )
        context = demo.DemoContext(
            say=self.stdout.write, receiver_url=f"http://127.0.0.1:{options['receiver_port']}"
        )
        for person in demo.demo_people_ensure(password=options["password"]):
            context.users[person.user.username] = person.user
            self._print_person(person)
        self.stdout.write("")
        self.stdout.write(f"Password for everyone: {options['password']}")
        self.stdout.write(
            "Scan a URI above with an authenticator app (or paste it into one), or print the "
            "current code with: uv run python manage.py demo_totp <username>"
        )
        autodiscover_modules("demo")
        for step in demo.demo_steps():
            self._section(f"Demo data: {step.name}")
            step.func(context)
        if options["no_serve"]:
            self.stdout.write(self.style.SUCCESS("Demo data ready (--no-serve: not serving)."))
            return
        self._serve(options["host"], options["port"], options["receiver_port"])

    # --- set-up ----------------------------------------------------------------------
    def _section(self, title: str) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"== {title}"))

    def _compile_translations(self) -> None:
        if shutil.which("msgfmt") is None:
            self.stdout.write("msgfmt not found: using the committed translation catalogs.")
            return
        # Only the project's own catalogs; the virtualenv's packages ship theirs compiled.
        for locale_path in settings.LOCALE_PATHS:
            for po_file in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                mo_file = po_file.with_suffix(".mo")
                if mo_file.exists() and mo_file.stat().st_mtime >= po_file.stat().st_mtime:
                    continue
                result = subprocess.run(  # noqa: S603 - fixed program, our own files
                    ["msgfmt", "--check-format", "-o", str(mo_file), str(po_file)],  # noqa: S607
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode != 0:
                    raise CommandError(f"msgfmt failed on {po_file}:\n{result.stderr}")
        self.stdout.write("Translation catalogs compiled.")

    def _print_person(self, person: demo.DemoPerson) -> None:
        state = "created" if person.created else "kept"
        self.stdout.write(f"{person.user.username:<10} {person.role:<19} ({state})")
        self.stdout.write(f"    {person.device.config_url}")

    # --- serving -----------------------------------------------------------------------
    def _serve(self, host: str, port: int, receiver_port: int) -> None:
        manage_py = str(Path(settings.BASE_DIR) / "manage.py")
        log_path = Path(settings.VAR_DIR) / "demo" / "webhooks.jsonl"
        try:
            receiver = DemoReceiver(port=receiver_port, log_path=log_path)
        except OSError as exc:
            raise CommandError(
                f"The demo webhook receiver cannot listen on 127.0.0.1:{receiver_port} ({exc}); "
                "choose another port with --receiver-port."
            ) from exc
        # The receiver is on loopback, which outbound notifications refuse unless allowed.
        child_env = {
            **os.environ,
            "NOTIFY_ALLOWED_HOSTS": ",".join(
                _with_receiver(os.environ.get("NOTIFY_ALLOWED_HOSTS", ""), receiver_port)
            ),
        }
        schedule = Path(settings.VAR_DIR) / "celery" / "beat-schedule"
        schedule.parent.mkdir(parents=True, exist_ok=True)
        commands = {
            "web": [sys.executable, manage_py, "runserver", f"{host}:{port}", "--noreload"],
            "worker": [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "opsportal",
                "worker",
                "--beat",
                "--pool",
                "solo",
                "--concurrency",
                "1",
                "--schedule",
                str(schedule),
                "--loglevel",
                "INFO",
            ],
        }
        self._section("Serving")
        url_host = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Portal: http://{url_host}:{port}/  (Ctrl-C to stop)")
        self.stdout.write(
            f"Webhook receiver: {receiver.url}/ (what it receives: {log_path}; deliveries "
            "also show on each page and in the outbox)"
        )
        self.stdout.flush()

        def _raise_stop(signum, frame):
            raise _Stop

        previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        processes: dict[str, subprocess.Popen] = {}
        exit_code = 0
        try:
            receiver.start()
            for name, command in commands.items():
                # Own sessions: a Ctrl-C reaches this command only, which then stops both
                # children in order instead of each getting a second, forced signal.
                processes[name] = subprocess.Popen(  # noqa: S603 - our own interpreter
                    command, cwd=settings.BASE_DIR, env=child_env, start_new_session=True
                )
            while True:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(
                            f"The {name} process stopped (exit {process.returncode})."
                        )
                        exit_code = 1
                        raise _Stop
                time.sleep(0.5)
        except _Stop:
            pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._stop(processes)
            receiver.stop()
        if exit_code:
            raise CommandError("Stopped because a process exited.")
        self.stdout.write("Stopped.")

    def _stop(self, processes: dict[str, subprocess.Popen]) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, process in processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {name} process did not stop in time; killing it.")
                process.kill()
                process.wait()
