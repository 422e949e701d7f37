"""The form renderer of the portal: every form shows every error next to its field and a
summary at the top, with links to the fields.

``{{ form }}``, ``form.as_p`` and ``form.as_div`` all render ``core/form.html``: the
summary (``core/_error_summary.html``), then each field as Django's field group (label,
help text, errors, widget; the widget's ``aria-describedby`` names the help text and the
errors, ``aria-invalid`` is set on a field with errors). Pages that lay a form out by hand
(a formset in a table, a checklist item) include the summary themselves.
"""

from __future__ import annotations

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property

FORM_TEMPLATE = "core/form.html"
# Django's own layouts that the portal's layout replaces.
REPLACED_FORM_TEMPLATES = frozenset({"django/forms/p.html", "django/forms/div.html"})


class PortalFormRenderer(DjangoTemplates):
    form_template_name = FORM_TEMPLATE

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [Path(django.forms.__file__).parent / self.backend.app_dirname],
                "NAME": "portalforms",
                "OPTIONS": {"builtins": ["apps.core.templatetags.portal"]},
            }
        )

    def get_template(self, template_name):
        if template_name in REPLACED_FORM_TEMPLATES:
            template_name = FORM_TEMPLATE
        return super().get_template(template_name)
