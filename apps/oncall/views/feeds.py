"""Calendar feeds: the page where people make them, and the secret iCal URL itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.core.web.once import one_submission
from apps.oncall import selectors, services
from apps.oncall.forms import FeedForm, apply_service_errors
from apps.oncall.models import CalendarFeed
from apps.oncall.services.feeds import feed_path
from apps.oncall.views._common import paginate, require


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


@login_required
@never_cache
@one_submission
def feed_list(request: HttpRequest) -> HttpResponse:
    """My feeds; a new feed's URL is shown on the answer to its creation, once."""
    require(request, "oncall.view_schedule")
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
                apply_service_errors(form, error)
            else:
                url = request.build_absolute_uri(feed_path(token))
                return _feeds_page(request, FeedForm(), created_url=url, status=201)
        return _feeds_page(request, form, status=400)
    return _feeds_page(request, form)


@login_required
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
