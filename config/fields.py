"""API fields that look a row up by a text key (a username).

PostgreSQL cannot compare text holding a NUL character: the lookup raises a DataError, a 500,
where any other unknown key is a 400. DRF's CharField and every Django form field refuse NUL
already; its SlugRelatedField does not, so this one refuses it before the query.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class TextKeyRelatedField(serializers.SlugRelatedField):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)
