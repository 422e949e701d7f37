"""Attaching evidence to an incident, and reading it back verified.

- ``evidence_attach_file``: an uploaded file (logs, exports), at most EVIDENCE_MAX_BYTES;
- ``evidence_snapshot_rows``: "snapshot these rows into incident N" — the service other
  apps call; the rows become a JSON document without their secrets;
- ``evidence_read_verified``: the bytes of a piece of evidence after their SHA-256 and size
  were checked against what was recorded when it was attached; a mismatch is refused
  (``EvidenceTampered``) with an audit event, and a verified read is in the access log.

The bytes go through Django's storage API (the "evidence" storage): a folder under var/
by default, an S3-compatible bucket in production. Storage keys are random and never come
from the uploaded file's name.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
import secrets
import tempfile
import unicodedata
from collections.abc import Iterable
from typing import IO, Any

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.policy import require
from apps.audit.writers import write_access, write_event
from apps.incidents.models import EntryKind, Evidence, EvidenceKind, Incident
from apps.incidents.services.incidents import require_run
from apps.incidents.services.timeline import timeline_append

VIEW_PERMISSION = "incidents.view_evidence"
SNAPSHOT_FORMAT = "opsportal.evidence.snapshot/1"
CHUNK_BYTES = 64 * 1024
# Served with their own type; anything else is application/octet-stream (and every
# download is an attachment with nosniff).
SAFE_CONTENT_TYPES = frozenset(
    {"text/plain", "text/csv", "application/json", "application/pdf", "image/png", "image/jpeg"}
)
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$")


class EvidenceTampered(Exception):
    """The stored bytes are missing or no longer match the recorded SHA-256 and size."""


def evidence_storage():
    return storages["evidence"]


def max_bytes() -> int:
    return int(settings.EVIDENCE_MAX_BYTES)


def too_large_message(limit: int | None = None) -> str:
    limit = max_bytes() if limit is None else limit
    return _("The file is larger than the limit of %(limit)s (%(bytes)s bytes).") % {
        "limit": filesizeformat(limit),
        "bytes": limit,
    }


def _too_large(field: str) -> ValidationError:
    return ValidationError({field: [ValidationError(too_large_message(), code="too_large")]})


# --- secrets kept out of snapshots ---------------------------------------------------

# A field is left out of a snapshot when its name says it holds a secret (any word of it:
# password, secret, token, salt, otp, private, credential, credentials, passphrase, or
# api_key / session_key / session_data), when it ends in "hash" or "digest" (stored
# password, token and code hashes), when it is an encrypted field, when it is the key of
# a django-otp device, or when its model lists it in ``SNAPSHOT_EXCLUDE``.
_SECRET_WORDS = {
    "password",
    "passwd",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "salt",
    "otp",
    "private",
    "credential",
    "credentials",
}
_SECRET_NAMES = {"api_key", "session_key", "session_data", "signing_key", "encryption_key"}


def is_secret_field(model: type[models.Model], field: models.Field) -> bool:
    name = field.name.lower()
    if name in _SECRET_NAMES or _SECRET_WORDS.intersection(name.split("_")):
        return True
    if name.endswith("hash") or name.endswith("digest"):
        return True
    if "encrypted" in type(field).__name__.lower():
        return True
    if name == "key" and model._meta.app_label.startswith("otp_"):
        return True
    return name in set(getattr(model, "SNAPSHOT_EXCLUDE", ()))


def snapshot_fields(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """(kept, excluded) field names of ``model`` in a snapshot (the pk is always kept)."""
    kept: list[str] = []
    excluded: list[str] = []
    for field in [*model._meta.local_fields, *model._meta.local_many_to_many]:
        if field.primary_key:
            continue
        if getattr(field, "remote_field", None) and getattr(field.remote_field, "parent_link", 0):
            continue
        (excluded if is_secret_field(model, field) else kept).append(field.name)
    return kept, excluded


# --- writing ------------------------------------------------------------------------


def _new_key(incident: Incident, suffix: str) -> str:
    # Random, unguessable and independent of anything the uploader chose.
    return f"incidents/{incident.pk}/{secrets.token_hex(16)}{suffix}"


def clean_filename(name: str, fallback: str = "evidence") -> str:
    """The last part of an uploaded file's name, without control or path characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '"<>:|?*;'
    ).strip(" .")
    return name[:200] or fallback


def _clean_content_type(declared: str | None, filename: str) -> str:
    value = (declared or "").split(";", 1)[0].strip().lower()
    if not _CONTENT_TYPE.match(value) or value in ("application/x-unknown", ""):
        value = mimetypes.guess_type(filename)[0] or ""
        if not value and filename.lower().endswith((".log", ".txt", ".out")):
            value = "text/plain"
        value = (value or "application/octet-stream").lower()
    return value[:100]


def _hash_file(file: IO[bytes] | File) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    chunks = (
        file.chunks(CHUNK_BYTES)
        if hasattr(file, "chunks")
        else iter(lambda: file.read(CHUNK_BYTES), b"")
    )
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    if hasattr(file, "seek"):
        file.seek(0)
    return digest.hexdigest(), size


def _store(key: str, file) -> str:
    storage = evidence_storage()
    stored = storage.save(key, file)
    if stored != key:  # a random key never collides; if the storage renamed it, keep both
        key = stored
    return key


def _attach(
    *,
    actor,
    incident: Incident,
    kind: str,
    title: str,
    description: str,
    content: File,
    sha256: str,
    size: int,
    original_filename: str,
    content_type: str,
    source: dict[str, Any],
    key_suffix: str,
) -> Evidence:
    key = _store(_new_key(incident, key_suffix), content)
    try:
        with transaction.atomic():
            evidence = Evidence(
                incident=incident,
                kind=kind,
                title=title,
                description=description,
                storage_key=key,
                original_filename=original_filename,
                content_type=content_type,
                size=size,
                sha256=sha256,
                source=source,
                added_by=actor if getattr(actor, "pk", None) else None,
                added_at=timezone.now(),
            )
            evidence.full_clean(exclude=["storage_key"])
            evidence.save(force_insert=True)
            facts = {
                "evidence": evidence.pk,
                "kind": kind,
                "title": title,
                "sha256": sha256,
                "size": size,
                "filename": original_filename,
                "source": source,
            }
            timeline_append(incident, EntryKind.EVIDENCE, body=title, data=facts, actor=actor)
            write_event("incident.evidence_added", actor=actor, target=evidence, data=facts)
    except BaseException:
        # The row was never written: the stored bytes are an orphan nobody can reach.
        evidence_storage().delete(key)
        raise
    return evidence


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("Give the evidence a title.")]})
    if len(title) > 200:
        raise ValidationError({"title": [_("At most 200 characters.")]})
    return title


def evidence_attach_file(
    *,
    actor,
    incident: Incident,
    file: File,
    title: str = "",
    description: str = "",
) -> Evidence:
    """Attach an uploaded file to ``incident``. Needs the right to run the incident.

    ``file`` is a Django ``UploadedFile`` (or any ``File``); its SHA-256 is the one the
    upload handler computed while the body streamed in (``file.sha256``), else it is
    computed here. Files over EVIDENCE_MAX_BYTES are refused (field ``file``)."""
    require_run(actor, incident)
    if file is None:
        raise ValidationError({"file": [_("Choose a file to upload.")]})
    original = clean_filename(getattr(file, "name", "") or "")
    title = _check_title(title or original)
    size = file.size
    if size is None or size > max_bytes():
        raise _too_large("file")
    sha256 = getattr(file, "sha256", None)
    if not sha256:
        sha256, size = _hash_file(file)
        if size > max_bytes():
            raise ValidationError(
                {"file": [ValidationError(too_large_message(), code="too_large")]}
            )
    else:
        file.seek(0)
    content_type = _clean_content_type(getattr(file, "content_type", None), original)
    return _attach(
        actor=actor,
        incident=incident,
        kind=EvidenceKind.FILE,
        title=title,
        description=(description or "").strip(),
        content=file,
        sha256=sha256,
        size=size,
        original_filename=original,
        content_type=content_type,
        source={},
        key_suffix="",
    )


def _rows(queryset_or_objects) -> list[models.Model]:
    if isinstance(queryset_or_objects, models.QuerySet):
        rows = list(queryset_or_objects)
    elif isinstance(queryset_or_objects, models.Model):
        rows = [queryset_or_objects]
    else:
        rows = list(queryset_or_objects or [])
    if not rows:
        raise ValidationError({"rows": [_("There are no rows to snapshot.")]})
    if not all(isinstance(row, models.Model) and row.pk is not None for row in rows):
        raise ValidationError({"rows": [_("Only saved rows can be snapshot.")]})
    seen: set[tuple[str, str]] = set()
    unique = []
    for row in rows:
        marker = (row._meta.label_lower, str(row.pk))
        if marker not in seen:
            seen.add(marker)
            unique.append(row)
    return sorted(unique, key=lambda row: (row._meta.label_lower, str(row.pk).zfill(20)))


def snapshot_document(
    rows: Iterable[models.Model], *, incident: Incident, title: str, actor
) -> tuple[bytes, dict]:
    """The JSON bytes of a snapshot of ``rows`` (stable: sorted rows and keys) and its
    ``source`` (model label → primary keys)."""
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    serialised: list[dict] = []
    excluded_fields: dict[str, list[str]] = {}
    source: dict[str, list[str]] = {}
    for model, model_rows in sorted(by_model.items(), key=lambda item: item[0]._meta.label_lower):
        kept, excluded = snapshot_fields(model)
        serialised.extend(serializers.serialize("python", model_rows, fields=kept))
        label = model._meta.label_lower
        if excluded:
            excluded_fields[label] = sorted(excluded)
        source[label] = [str(row.pk) for row in model_rows]
    document = {
        "format": SNAPSHOT_FORMAT,
        "incident": incident.number,
        "title": title,
        "taken_at": timezone.now(),
        "taken_by": getattr(actor, "username", None),
        "excluded_fields": excluded_fields,
        "rows": serialised,
    }
    content = json.dumps(
        document, cls=DjangoJSONEncoder, sort_keys=True, indent=2, ensure_ascii=False
    ).encode("utf-8")
    return content + b"\n", source


def evidence_snapshot_rows(
    *, actor, incident: Incident, queryset_or_objects, title: str, description: str = ""
) -> Evidence:
    """Snapshot rows (a queryset, a list of model instances, or one instance) into
    ``incident`` as a JSON document, without secret fields (see ``is_secret_field``).
    Needs the right to run the incident."""
    require_run(actor, incident)
    title = _check_title(title)
    rows = _rows(queryset_or_objects)
    content, source = snapshot_document(rows, incident=incident, title=title, actor=actor)
    if len(content) > max_bytes():
        raise _too_large("rows")
    digest = hashlib.sha256(content).hexdigest()
    name = f"snapshot-{incident.number}-{'-'.join(sorted(source))}.json"
    return _attach(
        actor=actor,
        incident=incident,
        kind=EvidenceKind.SNAPSHOT,
        title=title,
        description=(description or "").strip(),
        content=ContentFile(content, name="snapshot.json"),
        sha256=digest,
        size=len(content),
        original_filename=clean_filename(name[:200]),
        content_type="application/json",
        source=source,
        key_suffix=".json",
    )


# --- reading ------------------------------------------------------------------------


def download_filename(evidence: Evidence) -> str:
    fallback = f"{evidence.incident.number}-evidence-{evidence.pk}"
    return clean_filename(evidence.original_filename, fallback=fallback)


def served_content_type(evidence: Evidence) -> str:
    return (
        evidence.content_type
        if evidence.content_type in SAFE_CONTENT_TYPES
        else "application/octet-stream"
    )


def _refuse_tampered(*, actor, evidence: Evidence, reason: str, facts: dict) -> None:
    # Outside any caller's transaction would be ideal; the view runs without one, so the
    # event is committed even though the download is refused.
    write_event(
        "incident.evidence_tampered",
        actor=actor,
        target=evidence,
        data={"incident": evidence.incident.number, "reason": reason, **facts},
    )
    raise EvidenceTampered(reason)


def evidence_read_verified(*, actor, evidence: Evidence, reason: str = "") -> IO[bytes]:
    """The bytes of ``evidence`` in a temporary file, after checking them against the
    recorded SHA-256 and size, and an access-log row saying who read it.

    Reads the whole object before returning so that nothing is served unless it verifies.
    A missing or changed object raises ``EvidenceTampered`` after an audit event."""
    require(actor, VIEW_PERMISSION, evidence)
    storage = evidence_storage()
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
    digest = hashlib.sha256()
    size = 0
    try:
        with storage.open(evidence.storage_key, "rb") as stored:
            for chunk in iter(lambda: stored.read(CHUNK_BYTES), b""):
                digest.update(chunk)
                size += len(chunk)
                spool.write(chunk)
                if size > evidence.size:
                    break  # already longer than recorded: changed, stop reading
    except Exception as error:  # noqa: BLE001 - a missing object differs per storage
        spool.close()
        _refuse_tampered(
            actor=actor,
            evidence=evidence,
            reason="missing",
            facts={"error": type(error).__name__},
        )
    if size != evidence.size or digest.hexdigest() != evidence.sha256:
        spool.close()
        _refuse_tampered(
            actor=actor,
            evidence=evidence,
            reason="hash_mismatch",
            facts={
                "expected_sha256": evidence.sha256,
                "expected_size": evidence.size,
                "read_size": size,
            },
        )
    spool.seek(0)
    write_access(
        subject=evidence,
        reason=reason.strip()
        or _("Download of evidence %(id)s of %(incident)s")
        % {"id": evidence.pk, "incident": evidence.incident.number},
        actor=actor,
        what="evidence_download",
    )
    return spool
