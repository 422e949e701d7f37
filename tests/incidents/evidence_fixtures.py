"""Evidence stored in a temporary folder for each test (imported by the evidence tests)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _evidence_in_tmp(settings, tmp_path) -> Path:
    """The "evidence" storage in a fresh folder (import it into a test module)."""
    root = tmp_path / "evidence"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": str(root),
                "base_url": None,
                "file_permissions_mode": 0o440,
            },
        },
    }
    return root


def stored_files() -> list[Path]:
    """The files in the "evidence" storage's folder."""
    from django.conf import settings

    root = Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])
    return [Path(folder) / name for folder, _dirs, names in os.walk(root) for name in names]


def overwrite(path: Path, content: bytes) -> None:
    """Change a stored file behind the portal's back (what tampering would do)."""
    path.chmod(0o640)
    path.write_bytes(content)
