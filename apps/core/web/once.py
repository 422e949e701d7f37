"""One submission per rendered form: a double submit creates one row.

A create form carries a one-time token, issued when the page renders it
(``{% form_once %}`` inside the ``<form>``). Its view is wrapped in ``@one_submission``:

- the first POST with a token claims it (inserts a ``FormSubmission``; the token is unique,
  so of two submissions racing, exactly one claims it) and runs the view;
- a later POST with the same token runs nothing: it is sent where the first one led
  (what it created), with the message "This form was already submitted" (an htmx
  request gets an empty 204: the first answer already replaced the form);
- a submission that failed — the view answered 4xx/5xx (the form re-rendered with its
  errors, which carries a fresh token) or raised — releases its token, so submitting
  that same form again after a failure is not refused.

A POST without a token (a script, an older page) runs the view as before: the token
protects people's double clicks; automation has the API's Idempotency-Key.
"""

from __future__ import annotations

import re
import secrets
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from apps.core.models import FormSubmission
from apps.core.web.htmx import is_htmx

FIELD = "form_token"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _claim(request, token: str) -> FormSubmission | None:
    """Claim ``token`` for this request; the earlier submission's row if it was used."""
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=user, path=request.path[:500])
    except IntegrityError:
        return FormSubmission.objects.filter(token=token).first() or FormSubmission(path="")
    return None


def _release(token: str) -> None:
    FormSubmission.objects.filter(token=token).delete()


def _where_it_led(request, earlier: FormSubmission) -> str:
    url = earlier.result_url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return request.path


def one_submission(view):
    """Run ``view`` once per form token (see the module doc)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _TOKEN.match(token):
            return view(request, *args, **kwargs)
        earlier = _claim(request, token)
        if earlier is not None and is_htmx(request):
            # The first submission's answer already replaced the form in the page.
            return HttpResponse(status=204)
        if earlier is not None:
            messages.info(
                request,
                _(
                    "This form was already submitted; it was not done a second time. "
                    "Here is where the first submission led."
                ),
            )
            return redirect(_where_it_led(request, earlier))
        try:
            response = view(request, *args, **kwargs)
        except Exception:
            _release(token)
            raise
        if response.status_code >= 400:
            _release(token)
        elif response.status_code in (301, 302, 303, 307, 308):
            FormSubmission.objects.filter(token=token).update(result_url=response["Location"][:500])
        return response

    return wrapper
