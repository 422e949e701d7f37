"""The one declaration of who may open a support page.

    @page_rule("support.view_customer")
    def customer_page(request, pk): ...

Login first (else the login page), then ``policy.can`` for the named permission (else
403). The rule is stored on the view (``view.page_permission``) so a walker can read it.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from apps.accounts.policy import can


def page_rule(permission: str):
    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded = login_required(wrapped)
        guarded.page_permission = permission
        return guarded

    return decorate
