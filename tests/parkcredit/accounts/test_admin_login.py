from __future__ import annotations

from typing import Any

from django.test import Client


def test_the_admin_login_form_is_the_platform_login(db: Any, client: Client) -> None:
    # Django's own admin login would skip lock-out and the login audit.
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_admin_pages_send_anonymous_visitors_to_the_platform_login(db: Any, client: Client) -> None:
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
