"""Demo data: the v1 seed applied through the two-person rule, and one request left pending.

``admin`` files the seed from ``seeds/config-v1.json`` and ``admin2`` approves it with a
code from the demo authenticator, through the same approvals service a person uses; then
``finance`` files a fee change that stays pending, so a newcomer can approve it.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from apps.core.demo import demo_device, fresh_totp_code, register_demo_step

SEED_FILE = Path(settings.BASE_DIR) / "seeds" / "config-v1.json"


def _seed_config(ctx) -> None:
    from apps.approvals.models import ChangeRequest
    from apps.approvals.services import change_request_approve
    from apps.seedconfig import services
    from apps.seedconfig.document import unwrap_seed
    from apps.seedconfig.models import ConfigVersion

    pending = ChangeRequest.objects.pending().filter(target=services.TARGET).first()
    if not ConfigVersion.objects.exists():
        if pending is not None:
            ctx.say(f"Configuration: request #{pending.pk} is pending; approve it in Approvals.")
            return
        document = unwrap_seed(json.loads(SEED_FILE.read_text(encoding="utf-8")))
        change_request = services.config_change_request(
            actor=ctx.users["admin"],
            document=document,
            reason="Demo: the v1 seed configuration from the launch runbook.",
            ticket="DEMO-1",
        )
        device = demo_device("admin2")
        change_request = change_request_approve(
            actor=ctx.users["admin2"],
            change_request_id=change_request.pk,
            otp_code=fresh_totp_code(device),
            comment="Demo: checked against the runbook.",
        )
        ctx.say(
            f"Configuration: v1 seed filed by admin, approved by admin2 "
            f"(request #{change_request.pk}, {change_request.status})."
        )
    if pending is None:
        document = services.current_document()
        for rule in document["fee_rules"]:
            if rule["key"] == "blue_check_fee":
                rule["splits"] = {"referral": 2500, "treasury": 7500}
        change_request = services.config_change_request(
            actor=ctx.users["finance"],
            document=document,
            reason="Demo: move 5% of the blue check fee from referral to treasury.",
            ticket="DEMO-2",
        )
        ctx.say(
            f"Configuration: fee change #{change_request.pk} by finance is pending; "
            "approve it as admin or admin2 in Approvals."
        )
    else:
        ctx.say(f"Configuration: request #{pending.pk} is pending.")


register_demo_step("seedconfig", _seed_config, order=150)
