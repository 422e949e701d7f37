"""What both flags benchmarks share: the production stack on loopback, wrk, and figures.

The stack is the one README.md's "Production" section describes: ``OPSPORTAL_ENV=production``
with freshly generated secrets, PostgreSQL, Redis as cache, gunicorn with several sync
workers and ``PROMETHEUS_MULTIPROC_DIR``. Two things differ, both for the benchmark only:

- ``SECURE_SSL_REDIRECT=false`` (an existing variable), because there is no TLS proxy in
  front on loopback and every plain-HTTP request would otherwise get a redirect;
- ``DJANGO_SETTINGS_MODULE=bench.settings`` (production settings + waffle + opt-in bench
  middleware, see that module).

Every process started here is stopped here, by its pid; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
REDIS_BASE = "redis://127.0.0.1:6379"
REDIS_DB = 9
WRK = "/usr/bin/wrk"
LUA_SCRIPT = ROOT / "bench" / "paths.lua"


def log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


# --- environment -----------------------------------------------------------------------


@dataclass
class Stack:
    """One benchmark's database, cache prefix and scratch folder."""

    name: str
    db_name: str
    cache_prefix: str
    var_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="opsbench-")))
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(45))
    field_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    chain_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def __post_init__(self) -> None:
        self.metrics_dir.mkdir(parents=True, exist_ok=True)
        (self.var_dir / "static").mkdir(parents=True, exist_ok=True)

    @property
    def database_url(self) -> str:
        return f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{self.db_name}"

    @property
    def redis_url(self) -> str:
        return f"{REDIS_BASE}/{REDIS_DB}"

    @property
    def metrics_dir(self) -> Path:
        return self.var_dir / "metrics"

    def env(self, **extra: str) -> dict[str, str]:
        """The production environment (as .ci/run's production_env), on loopback."""
        env = {
            key: value
            for key, value in os.environ.items()
            # Nothing from the caller's shell may change what is measured.
            if not key.startswith(("DJANGO_", "OPSPORTAL_", "DATABASE_", "REDIS_", "CELERY_"))
        }
        env.update(
            {
                "OPSPORTAL_ENV": "production",
                "SECRET_KEY": self.secret_key,
                "FIELD_ENCRYPTION_KEY": self.field_key,
                "AUDIT_CHAIN_KEY": self.chain_key,
                "ALLOWED_HOSTS": "127.0.0.1",
                # No TLS proxy on loopback: let plain HTTP through (production default: on).
                "SECURE_SSL_REDIRECT": "false",
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "CACHE_KEY_PREFIX": self.cache_prefix,
                # Celery is not running; nothing here may wait on it.
                "CELERY_BROKER_URL": self.redis_url,
                "OPSPORTAL_VAR_DIR": str(self.var_dir),
                "STATIC_ROOT": str(self.var_dir / "static"),
                "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        env.update(extra)
        return env

    def cleanup(self) -> None:
        shutil.rmtree(self.var_dir, ignore_errors=True)


def run(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 300, **kw):
    return subprocess.run(cmd, env=env, cwd=ROOT, timeout=timeout, check=True, **kw)


def reset_database(stack: Stack) -> None:
    """Drop and recreate the benchmark's own database, then migrate it."""
    args = ["-h", PG["host"], "-p", PG["port"], "-U", PG["user"]]
    log(f"resetting database {stack.db_name}")
    run(["dropdb", *args, "--if-exists", "--force", stack.db_name], timeout=60)
    run(["createdb", *args, stack.db_name], timeout=60)
    clear_cache(stack)
    log("migrating (production settings + waffle)")
    started = time.monotonic()
    run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        env=stack.env(),
        timeout=900,
    )
    log(f"migrated in {time.monotonic() - started:.0f} s")


def clear_cache(stack: Stack) -> int:
    """Delete this benchmark's keys (its prefix) from Redis db 9; other keys stay."""
    import redis

    client = redis.Redis.from_url(stack.redis_url, socket_timeout=5)
    keys = list(client.scan_iter(match=f"{stack.cache_prefix}:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])
    return len(keys)


def bench_data(stack: Stack, *args: str, timeout: float = 900) -> dict:
    """Run ``bench/data.py`` (Django set up with the benchmark's settings); its JSON answer."""
    out = run(
        [sys.executable, "-m", "bench.data", *args],
        env=stack.env(),
        timeout=timeout,
        capture_output=True,
        text=True,
    )
    sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- gunicorn --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn ``opsportal.wsgi`` (README's production command) on a loopback port."""

    def __init__(
        self,
        stack: Stack,
        *,
        workers: int,
        extra_env: dict[str, str] | None = None,
        worker_class: str = "sync",
        threads: int = 1,
    ):
        self.stack = stack
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.extra_env = extra_env or {}
        self.log_path = RESULTS_DIR / f"{stack.name}-gunicorn.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        # An empty metrics folder per server start, as README's production section says.
        shutil.rmtree(self.stack.metrics_dir, ignore_errors=True)
        self.stack.metrics_dir.mkdir(parents=True)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in __exit__)
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "opsportal.wsgi",
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{self.port}",
            # The listen queue must hold every benchmark connection at once.
            "--backlog",
            "2048",
            "--graceful-timeout",
            "10",
            "--worker-class",
            self.worker_class,
        ]
        if self.worker_class == "gthread":
            cmd += ["--threads", str(self.threads)]
        log(f"starting gunicorn: {self.describe()} on {self.base_url}")
        self.process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.stack.env(**self.extra_env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base_url + "/health", timeout=2) as answer:
                    if answer.status == 200 and len(self.worker_pids()) == self.workers:
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer /health within 120 s; see {self.log_path}")

    def describe(self) -> str:
        if self.worker_class == "gthread":
            return f"{self.workers} gthread workers x {self.threads} threads"
        return f"{self.workers} {self.worker_class} workers"

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            log(f"stopping gunicorn (pid {self.process.pid})")
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return children_of(self.process.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far by the master and its workers."""
        assert self.process is not None
        return sum(cpu_seconds_of(pid) for pid in [self.process.pid, *self.worker_pids()])


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(part) for part in path.read_text().split()]
    except OSError:
        return []


def cpu_seconds_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # fields[11], [12] are utime and stime (fields 14 and 15 of proc(5)), in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU time of this process's finished children (wrk, once it has been waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def service_pids(stack: Stack) -> list[int]:
    """Redis's pid and the PostgreSQL backends connected to the benchmark's database."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() == "redis-server":
                    pids.append(int(proc.name))
            except OSError:
                continue
    try:
        out = subprocess.run(
            [
                "psql",
                "-h",
                PG["host"],
                "-U",
                PG["user"],
                "-d",
                "postgres",
                "-tAc",
                f"SELECT pid FROM pg_stat_activity WHERE datname = '{stack.db_name}'",
            ],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
        pids += [int(line) for line in out.split() if line.strip().isdigit()]
    except (OSError, subprocess.SubprocessError):
        pass
    return pids


def total_cpu_seconds() -> float:
    """All CPU time spent on this machine since boot (every process), from /proc/stat."""
    parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(p) for p in parts[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- server-side counts (the portal's own /metrics) ----------------------------------------

METRIC_LINE = re.compile(
    r"^opsportal_http_requests_total\{(?P<labels>[^}]*)\}\s+(?P<value>[0-9.e+]+)$"
)


def status_counts(base_url: str) -> dict[tuple[str, str], int]:
    """{(route, status): count} summed over every worker (multiprocess metrics)."""
    with urllib.request.urlopen(base_url + "/metrics", timeout=10) as answer:
        text = answer.read().decode()
    counts: dict[tuple[str, str], int] = {}
    for line in text.splitlines():
        match = METRIC_LINE.match(line)
        if not match:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', match["labels"]))
        key = (labels.get("route", ""), labels.get("status", ""))
        counts[key] = counts.get(key, 0) + int(float(match["value"]))
    return counts


def counts_delta(before: dict, after: dict) -> dict[str, int]:
    """Answers per status between two scrapes, every route but /metrics itself.

    Each wrk run loads one endpoint, so these are that endpoint's answers.
    """
    delta: dict[str, int] = {}
    for (metric_route, status), value in after.items():
        if metric_route != "metrics":
            diff = value - before.get((metric_route, status), 0)
            if diff:
                delta[status] = delta.get(status, 0) + diff
    return delta


# --- wrk -----------------------------------------------------------------------------------


@dataclass
class WrkResult:
    label: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    mean_ms: float
    socket_errors: int
    wrk_non_2xx_3xx: int
    statuses: dict[str, int]
    server_cpu_ms_per_request: float
    machine_cpu_share: float
    wrk_cpu_share: float
    server_cpu_share: float
    services_cpu_share: float
    others_cpu_share: float
    load_before: str
    load_after: str

    @property
    def non_2xx(self) -> int:
        return sum(count for status, count in self.statuses.items() if not status.startswith("2"))


def run_wrk(
    server: Gunicorn,
    *,
    label: str,
    paths: list[str],
    token: str,
    connections: int,
    seconds: int,
    threads: int = 2,
) -> WrkResult:
    """One bounded wrk run cycling over ``paths``; server-side status counts and CPU too."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    paths_file = RESULTS_DIR / f"{server.stack.name}-{slug}-paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    cmd = [
        WRK,
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "--latency",
        "-H",
        f"Authorization: Bearer {token}",
        "-s",
        str(LUA_SCRIPT),
        server.base_url,
        "--",
        str(paths_file),
    ]
    before = status_counts(server.base_url)
    load_before = load_average()
    services = service_pids(server.stack)
    cpu_before = server.cpu_seconds()
    services_before = sum(cpu_seconds_of(pid) for pid in services)
    wrk_before = children_cpu_seconds()
    machine_before = total_cpu_seconds()
    started = time.monotonic()
    out = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    elapsed = time.monotonic() - started
    machine_used = total_cpu_seconds() - machine_before
    cpu_used = server.cpu_seconds() - cpu_before
    services_used = sum(cpu_seconds_of(pid) for pid in services) - services_before
    wrk_used = children_cpu_seconds() - wrk_before
    load_after = load_average()
    after = status_counts(server.base_url)
    (RESULTS_DIR / f"{server.stack.name}-{slug}-wrk.txt").write_text(out.stdout + out.stderr)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    statuses = counts_delta(before, after)
    requests = data["requests"]
    duration = data["duration_us"] / 1e6
    return WrkResult(
        label=label,
        connections=connections,
        seconds=duration,
        requests=requests,
        rps=requests / duration if duration else 0.0,
        p50_ms=data["p50"] / 1000,
        p90_ms=data["p90"] / 1000,
        p99_ms=data["p99"] / 1000,
        p999_ms=data["p999"] / 1000,
        max_ms=data["lat_max"] / 1000,
        mean_ms=data["lat_mean"] / 1000,
        socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        wrk_non_2xx_3xx=data["status"],
        statuses=statuses,
        server_cpu_ms_per_request=(cpu_used * 1000 / requests) if requests else 0.0,
        machine_cpu_share=machine_used / (elapsed * (os.cpu_count() or 1)),
        wrk_cpu_share=wrk_used / (elapsed * (os.cpu_count() or 1)),
        server_cpu_share=cpu_used / (elapsed * (os.cpu_count() or 1)),
        services_cpu_share=services_used / (elapsed * (os.cpu_count() or 1)),
        others_cpu_share=max(0.0, machine_used - cpu_used - services_used - wrk_used)
        / (elapsed * (os.cpu_count() or 1)),
        load_before=load_before,
        load_after=load_after,
    )


def results_table(results: list[WrkResult]) -> str:
    header = (
        "| run | conns | requests | rps | p50 ms | p90 ms | p99 ms | max ms | "
        "non-2xx | socket errors | server CPU ms/req |"
    )
    lines = [header, "|" + "---|" * 11]
    for r in results:
        lines.append(
            f"| {r.label} | {r.connections} | {r.requests} | {r.rps:,.0f} | {r.p50_ms:.2f} | "
            f"{r.p90_ms:.2f} | {r.p99_ms:.2f} | {r.max_ms:.1f} | {r.non_2xx} | "
            f"{r.socket_errors} | {r.server_cpu_ms_per_request:.2f} |"
        )
    lines += [
        "",
        "Where the machine's CPU went during each run (share of both cores):",
        "",
        "| run | gunicorn | wrk | PostgreSQL (our backends) + Redis | other processes "
        " | load avg before → after |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.label} ({r.connections}) | {r.server_cpu_share:.0%} | {r.wrk_cpu_share:.0%} | "
            f"{r.services_cpu_share:.0%} | {r.others_cpu_share:.0%} | "
            f"{r.load_before} → {r.load_after} |"
        )
    return "\n".join(lines)


# --- the machine ---------------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    cpu_model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=30
        ).stdout.strip()
        if dirty:
            commit += " + uncommitted changes"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    try:
        pg_version = subprocess.run(
            [
                "psql",
                "-h",
                PG["host"],
                "-U",
                PG["user"],
                "-d",
                "postgres",
                "-tAc",
                "SHOW server_version",
            ],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pg_version = "unknown"
    import redis

    redis_version = redis.Redis.from_url(f"{REDIS_BASE}/{REDIS_DB}").info("server")["redis_version"]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "cpus": str(os.cpu_count()),
        "cpu_model": cpu_model,
        "memory_gib": f"{mem_kib / 1024 / 1024:.1f}",
        "python": platform.python_version(),
        "postgresql": pg_version,
        "redis": redis_version,
        "wrk": _wrk_version(),
        "load_average": load_average(),
    }


def _wrk_version() -> str:
    """wrk's version line, or "wrk not installed" (benchmarks without wrk still run)."""
    if not Path(WRK).exists():
        return "wrk not installed"
    return subprocess.run([WRK, "-v"], capture_output=True, text=True, timeout=10).stdout.split(
        "\n"
    )[0]


def print_machine(info: dict[str, str]) -> None:
    print(
        f"machine: {info['cpus']} CPUs ({info['cpu_model']}), {info['memory_gib']} GiB RAM; "
        f"Python {info['python']}, PostgreSQL {info['postgresql']}, Redis {info['redis']}, "
        f"{info['wrk']}"
    )
    print(f"date: {info['date']}; commit {info['commit']}; load average {info['load_average']}")


@contextmanager
def bounded(seconds: float, what: str):
    """Refuse to let a whole benchmark run past ``seconds`` (SIGALRM)."""

    def expire(signum, frame):
        raise TimeoutError(f"{what} took longer than {seconds:.0f} s; stopped")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(int(seconds))
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
