"""Demo data of the portal: one published red list and one published black list, drafted from
the grades exactly as staff would (the grade-based suggestions), so the public pages have
something to show right after `parkcredit demo`."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from parkcredit.accounts.models import Role, User
from parkcredit.portal import services
from parkcredit.portal.models import ListKind, PublishedList
from parkcredit.portal.selectors import list_candidates

# A public list of hundreds of names helps nobody: the demo lists take the first few candidates.
DEMO_LIST_SIZE = 12


def demo_load() -> str:
    """Draft, fill and publish the demo lists as the demo park administrator (idempotent by title)."""
    admin = User.objects.filter(role=Role.PARK_ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        return _("红黑名单:没有园区管理员账号,未生成演示名单。")
    period = _("%(year)s年") % {"year": timezone.localdate().year}
    counts: list[int] = []
    for kind, title in (
        (ListKind.RED, _("%(period)s守信激励红名单(演示)") % {"period": period}),
        (ListKind.BLACK, _("%(period)s失信惩戒黑名单(演示)") % {"period": period}),
    ):
        existing = PublishedList.objects.filter(title=title).first()
        if existing is not None:
            counts.append(existing.entries.count())
            continue
        draft = services.list_create(actor=admin, kind=kind, title=title, period=period)
        chosen = [c.enterprise.pk for c in list_candidates(draft)[:DEMO_LIST_SIZE]]
        added = services.list_fill_suggested(actor=admin, published_list=draft, enterprise_ids=chosen)
        if added:
            services.list_publish(actor=admin, published_list=draft)
        counts.append(added)
    return _("红黑名单:已发布红名单 %(red)d 家、黑名单 %(black)d 家。") % {
        "red": counts[0],
        "black": counts[1],
    }
