"""Placeholder pages; the MFA work replaces them."""

from django.http import HttpResponse


def mfa_enrol(request):
    return HttpResponse("enrol")


def mfa_verify(request):
    return HttpResponse("verify")


def profile(request):
    return HttpResponse("profile")
