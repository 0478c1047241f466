"""Demo data of the codes app: a code for every enterprise that has a current score."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from parkcredit.codes.models import EnterpriseCode
from parkcredit.codes.services import code_issue_many
from parkcredit.enterprises.models import Enterprise
from parkcredit.scoring.models import Score


def demo_load() -> str:
    """Issue codes (system actor) for scored enterprises without a current code of their grade.

    Running it again issues nothing new, so a repeated `parkcredit demo` keeps the codes (and
    any printed plaques) valid.
    """
    current_score = Score.objects.filter(enterprise=OuterRef("pk"), is_current=True)
    matching_code = EnterpriseCode.objects.filter(
        enterprise=OuterRef("pk"),
        revoked_at__isnull=True,
        superseded_at__isnull=True,
        grade=Score.objects.filter(enterprise=OuterRef(OuterRef("pk")), is_current=True).values("grade")[:1],
    )
    enterprises = (
        Enterprise.objects.filter(Exists(current_score)).exclude(Exists(matching_code)).order_by("pk")
    )
    issued = code_issue_many(actor=None, enterprises=enterprises)
    total = EnterpriseCode.objects.filter(revoked_at__isnull=True, superseded_at__isnull=True).count()
    return _("企业信用码:新签发 %(n)d 个,现有有效信用码 %(total)d 个。") % {"n": len(issued), "total": total}
