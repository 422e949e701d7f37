"""The approvals handler for seed-configuration changes (kind ``seedconfig.change``).

The payload is the whole desired configuration (see ``apps.seedconfig.document``); the
target is the one configuration, so only one change can be pending at a time, and its
version is the number of the latest ``ConfigVersion`` ("0" before the first).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.approvals.registry import ChangeHandler
from apps.seedconfig import services
from apps.seedconfig.document import validate_document
from apps.seedconfig.snapshot import current_version, diff_documents, projected_document


class SeedConfigChangeHandler(ChangeHandler):
    kind = services.KIND
    approve_permission = "approvals.approve_change"
    request_permission = "seedconfig.request_change"
    freezable = True

    def validate(self, payload: dict) -> dict:
        return validate_document(payload)

    def target(self, payload: dict) -> str:
        return services.TARGET

    def current_version(self, target: str) -> str:
        version = current_version()
        return str(version.number) if version is not None else "0"

    def diff(self, payload: dict) -> list[dict]:
        version = current_version()
        before = version.document if version is not None else None
        return diff_documents(before, projected_document(validate_document(payload)))

    def apply(self, *, change_request, actor) -> dict:
        version = services.config_apply(
            actor=actor, payload=change_request.payload, change_request_id=change_request.pk
        )
        return {"version": version.number, "sha256": version.sha256}

    def describe(self, payload: dict) -> str:
        changes = len(self.diff(payload))
        return _("Seed configuration: %(n)d change(s) to version %(v)s") % {
            "n": changes,
            "v": self.current_version(services.TARGET),
        }

    def public_payload(self, payload: dict) -> dict:
        """The payload without sealed RPC endpoints (only how many there are)."""
        shown = dict(payload)
        shown["networks"] = [
            {
                **{k: v for k, v in network.items() if not k.startswith("rpc_endpoints")},
                **(
                    {
                        "rpc_endpoints": _("%(n)d set (sealed)")
                        % {"n": network["rpc_endpoints_count"]}
                    }
                    if "rpc_endpoints_sealed" in network
                    else {}
                ),
            }
            for network in payload.get("networks", [])
        ]
        return shown

    def allows_bootstrap(self, *, payload: dict, actor) -> bool:
        return False
