"""Where evidence is kept is chosen by environment variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

_SHOW = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
storage = storages["evidence"]
print(json.dumps({
    "backend": settings.STORAGES["evidence"]["BACKEND"],
    "class": type(storage).__name__,
    "bucket": getattr(storage, "bucket_name", None),
    "endpoint": getattr(storage, "endpoint_url", None),
    "region": getattr(storage, "region_name", None),
    "location": str(getattr(storage, "location", "")),
    "overwrite": getattr(storage, "file_overwrite", None),
    "max": settings.EVIDENCE_MAX_BYTES,
}))
"""


def _load(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="opsportal.settings",
        OPSPORTAL_VAR_DIR=str(tmp_path / "var"),
        **variables,
    )
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", _SHOW],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_default__a_folder_under_var_not_media(tmp_path):
    result = _load(tmp_path)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["class"] == "FileSystemStorage"
    assert shown["location"] == str(tmp_path / "var" / "evidence")
    assert shown["max"] == 25 * 1024 * 1024


def test_s3__bucket_endpoint_and_region_from_the_environment(tmp_path):
    result = _load(
        tmp_path,
        EVIDENCE_STORAGE="s3",
        EVIDENCE_S3_BUCKET="incident-evidence",
        EVIDENCE_S3_ENDPOINT_URL="https://s3.internal:9000",
        EVIDENCE_S3_REGION="eu-central-1",
        EVIDENCE_MAX_BYTES="1048576",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["class"] == "S3Storage"
    assert (shown["bucket"], shown["endpoint"], shown["region"]) == (
        "incident-evidence",
        "https://s3.internal:9000",
        "eu-central-1",
    )
    assert shown["location"] == "evidence" and shown["overwrite"] is False
    assert shown["max"] == 1048576


def test_s3_without_a_bucket__start_up_stops_naming_it(tmp_path):
    result = _load(tmp_path, EVIDENCE_STORAGE="s3")
    assert result.returncode != 0
    assert "EVIDENCE_S3_BUCKET" in result.stderr


def test_unknown_storage__start_up_stops(tmp_path):
    result = _load(tmp_path, EVIDENCE_STORAGE="ftp")
    assert result.returncode != 0
    assert "EVIDENCE_STORAGE must be filesystem or s3" in result.stderr
