"""Calendar feeds: the page where people make them, and the secret iCal URL itself."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.pages import ANY_VERIFIED, PUBLIC, Rule, page_rule
from apps.core.web.forms import apply_validation_error
from apps.core.web.once import one_submission
from apps.core.web.pages import paginate
from apps.oncall import selectors, services
from apps.oncall.forms import FeedForm
from apps.oncall.models import CalendarFeed
from apps.oncall.services.feeds import feed_path


def _feeds_page(request, form, created_url=None, status=200):
    return render(
        request,
        "oncall/feeds.html",
        {
            "page": paginate(request, selectors.feed_list(user=request.user)),
            "form": form,
            "created_url": created_url,
        },
        status=status,
    )


@page_rule("oncall.view_schedule")
@never_cache
@one_submission
def feed_list(request: HttpRequest) -> HttpResponse:
    """My feeds; a new feed's URL is shown on the answer to its creation, once."""
    form = FeedForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            schedule = form.cleaned_data["schedule"]
            try:
                feed, token = services.feed_create(
                    actor=request.user,
                    kind=CalendarFeed.Kind.SCHEDULE if schedule else CalendarFeed.Kind.PERSON,
                    schedule=schedule,
                    days=form.cleaned_data["days"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                url = request.build_absolute_uri(feed_path(token))
                return _feeds_page(request, FeedForm(), created_url=url, status=201)
        return _feeds_page(request, form, status=400)
    return _feeds_page(request, form)


@page_rule(Rule(perm=ANY_VERIFIED))
@require_POST
@never_cache
def feed_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    feed = get_object_or_404(selectors.feed_list(user=request.user), pk=pk)
    if action == "rotate":
        _feed, token = services.feed_rotate(actor=request.user, feed=feed)
        url = request.build_absolute_uri(feed_path(token))
        return _feeds_page(request, FeedForm(), created_url=url, status=201)
    services.feed_revoke(actor=request.user, feed=feed)
    messages.success(request, _("Feed revoked: its address no longer works."))
    return redirect("warroom:feeds")


@page_rule(PUBLIC)
@require_GET
@never_cache
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret feed URL: no login (calendar apps cannot log in); unknown or revoked
    tokens answer 404, as does every other address."""
    body = services.feed_render(token=token)
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="oncall.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
