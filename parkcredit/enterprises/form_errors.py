"""Form errors that name the field and the value, as the house rules require of bad input.

Django's built-in messages ("请输入一个有效的日期") say neither which field nor what was typed;
on a phone, with the message far from the input, users cannot tell what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _

MAX_SHOWN = 40


class NamedErrorsMixin(forms.Form):
    """Prefixes each field error with `label「value」:` unless the message already names the field.

    `masked_fields` maps personal-data fields to the function that masks their value: the typed
    value is still shown, but masked.
    """

    masked_fields: ClassVar[dict[str, Callable[[str], str]]] = {}

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        for name, errors in self.errors.items():
            if name == NON_FIELD_ERRORS or name not in self.fields:
                continue
            label = str(self.fields[name].label or name)
            value = self._shown_value(name)
            prefix = _("%(label)s「%(value)s」") % {"label": label, "value": value} if value else label
            errors.data[:] = [
                message
                if label in message
                else _("%(field)s:%(message)s") % {"field": prefix, "message": message}
                for message in map(str, errors)
            ]
            attrs = self.fields[name].widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def _shown_value(self, name: str) -> str:
        field = self.fields[name]
        raw: Any = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        if isinstance(raw, list | tuple):
            raw = "、".join(str(item) for item in raw)
        text = str(raw or "").strip()
        if name in self.masked_fields and text:
            return self.masked_fields[name](text)
        return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"
