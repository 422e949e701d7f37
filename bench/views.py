"""The bench-only peer of ``GET /v1/flags/{key}/evaluate``: one django-waffle flag check.

It is a DRF view with the same authentication (``Authorization: Bearer`` service token),
the same permission class and the same rule (``flags:read``) as the flags API, so the two
endpoints differ only in what they do once the caller is let in: our evaluation of one
flag with a context, against ``waffle.flag_is_active(request, name)`` for one flag.
"""

from __future__ import annotations

import waffle
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import Rule


class WaffleFlagCheckView(APIView):
    action_rules = {"get": Rule(perm="flags.view_flag", scope="flags:read")}

    def get(self, request, name: str):
        return Response({"flag": name, "active": waffle.flag_is_active(request, name)})
