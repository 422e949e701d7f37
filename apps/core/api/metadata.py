"""What ``OPTIONS`` answers on every /v1/ endpoint.

DRF's ``SimpleMetadata`` describes a write action from ``view.get_serializer()``, which
fails (a server error) on views that have no ``serializer_class`` and, on views that
have one, describes the answer's serializer rather than the input the action takes. So
``OPTIONS`` says only what holds for every view: its name and description, the media
types, and the methods the endpoint serves with, of those, the ones the caller may use
(each checked with the view's own permission rule for that method). The input of each
action is in the OpenAPI document at /v1/schema/.
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import BaseMetadata
from rest_framework.request import clone_request

_SAFE_TO_PROBE = ("GET", "POST", "PUT", "PATCH", "DELETE")


class ApiMetadata(BaseMetadata):
    def determine_metadata(self, request, view) -> dict:
        allowed = [method for method in view.allowed_methods if method != "OPTIONS"]
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
            "methods": allowed,
            "allowed_for_you": [
                method
                for method in allowed
                if method in _SAFE_TO_PROBE and self._permitted(request, view, method)
            ],
        }

    def _permitted(self, request, view, method: str) -> bool:
        """Would the view's permission rules let this caller call ``method``? Nothing runs."""
        original_request = view.request
        original_action = getattr(view, "action", None)
        try:
            view.request = clone_request(request, method)
            if hasattr(view, "action_map"):
                view.action = view.action_map.get(method.lower())
            view.check_permissions(view.request)
        except (exceptions.APIException, Http404):
            return False
        finally:
            view.request = original_request
            if hasattr(view, "action_map"):
                view.action = original_action
        return True
