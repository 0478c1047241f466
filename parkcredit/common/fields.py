"""Model fields shared across apps."""

from __future__ import annotations

from typing import Any

from django.db import models

from parkcredit.common import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Personal data encrypted at rest with SM4-GCM (GB/T 35273 §6.3; 密评 8.4 e).

    The database holds `sm4gcm:<nonce><ciphertext>` in base64; Python code sees the plain text.
    Such a field cannot be searched or sorted in SQL, which is intended: it is shown masked and
    only to those allowed.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt_text(str(value))
