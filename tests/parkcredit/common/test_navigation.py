"""The navigation bar groups a role's feature links into drop-downs instead of one long row."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from parkcredit.common.navigation import navigation_for, navigation_menu


def test_groups_with_several_links_become_drop_downs_and_single_links_stay_flat(
    park_admin: Any, auditor: Any
) -> None:
    menu = navigation_menu(park_admin)
    groups = [entry for entry in menu if entry.group is not None]
    assert groups and all(len(entry.children) >= 2 for entry in groups)
    # Every link the role may use is reachable exactly once, in the registry's order.
    flattened = [item for entry in menu for item in ((entry.item,) if entry.item else entry.children)]
    assert flattened == navigation_for(park_admin)
    # The auditor sees one tool only: it stands on its own instead of in a one-item menu.
    assert all(entry.item is not None for entry in navigation_menu(auditor))


def test_the_open_groups_link_is_marked_current(client: Any, park_admin: Any) -> None:
    client.force_login(park_admin)
    html = client.get(reverse("records:quality")).content.decode()
    assert 'class="nav-item dropdown active"' in html
    assert f'href="{reverse("records:quality")}" aria-current="page"' in html
