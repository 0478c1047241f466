"""Signing is idempotent per confirmation page: the signing token makes a double click, a re-sent
form and two simultaneous requests sign one commitment, while deliberate repeats stay possible."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from parkcredit.audit.models import AuditEntry
from parkcredit.commitments import services
from parkcredit.commitments.models import Commitment, CommitmentEvent, CommitmentTemplate
from parkcredit.commitments.services import CommitmentAlreadySigned, commitment_sign, sign_token_issue
from tests.parkcredit.concurrency import first_call_runs, in_threads, on_postgres

pytestmark = pytest.mark.django_db


def policy() -> CommitmentTemplate:
    return CommitmentTemplate.objects.get(code="policy", is_current=True)


def _signed_once(commitment: Commitment) -> None:
    assert list(Commitment.objects.values_list("pk", flat=True)) == [commitment.pk]
    assert CommitmentEvent.objects.filter(commitment=commitment).count() == 1
    assert AuditEntry.objects.filter(action="commitment.signed").count() == 1


def test_the_same_token_signs_once(ent_a_user: Any, ent_a: Any) -> None:
    token = sign_token_issue()
    signed = commitment_sign(actor=ent_a_user, enterprise=ent_a, template=policy(), sign_token=token)
    assert signed.sign_token == token
    with pytest.raises(CommitmentAlreadySigned) as caught:
        commitment_sign(actor=ent_a_user, enterprise=ent_a, template=policy(), sign_token=token)
    assert caught.value.existing == signed
    assert f"承诺编号 {signed.number}" in caught.value.messages[0]
    _signed_once(signed)


@pytest.mark.parametrize("forged", ["abc", "x" * 65, sign_token_issue().upper()])
def test_a_token_no_page_was_given_signs_nothing(ent_a_user: Any, ent_a: Any, forged: str) -> None:
    # Checked by shape, as the repair and objection pages are: a truncated, padded or altered
    # token is not a page, so nothing is signed and the field says so.
    with pytest.raises(ValidationError) as caught:
        commitment_sign(actor=ent_a_user, enterprise=ent_a, template=policy(), sign_token=forged)
    assert caught.value.message_dict == {"sign_token": ["签署页凭据无效,请重新打开签署页面"]}
    assert not Commitment.objects.exists()


def test_repeats_without_a_shared_token_stay_allowed(
    ent_a_user: Any, ent_a: Any, dept_staff: Any, park_admin: Any
) -> None:
    # The same template again (another project, next year), callers without a page (the repair
    # workflow, the demo), and another signer whose page happened to carry the same token.
    commitment_sign(actor=ent_a_user, enterprise=ent_a, template=policy(), sign_token=sign_token_issue())
    commitment_sign(actor=ent_a_user, enterprise=ent_a, template=policy(), sign_token=sign_token_issue())
    commitment_sign(actor=ent_a_user, enterprise=ent_a, template=policy())
    commitment_sign(actor=ent_a_user, enterprise=ent_a, template=policy())
    token = sign_token_issue()
    commitment_sign(actor=ent_a_user, enterprise=ent_a, template=policy(), sign_token=token)
    commitment_sign(actor=dept_staff, enterprise=ent_a, template=policy(), sign_token=token)
    assert Commitment.objects.count() == 6


def test_a_request_that_loses_the_race_lands_on_the_winner(
    ent_a_user: Any, ent_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other request signs between this one's look for the token and its insert: the unique
    constraint refuses the second row and the loser answers with the winner's commitment."""
    token = sign_token_issue()
    winner = first_call_runs(
        monkeypatch,
        services,
        "commitment_prepare",
        lambda: commitment_sign(actor=ent_a_user, enterprise=ent_a, template=policy(), sign_token=token),
        after=True,
    )
    with pytest.raises(CommitmentAlreadySigned) as caught:
        commitment_sign(actor=ent_a_user, enterprise=ent_a, template=policy(), sign_token=token)
    assert caught.value.existing == winner[0]
    _signed_once(winner[0])


@on_postgres
def test_two_simultaneous_requests_sign_once_on_postgres(
    transactional_db: None, ent_a_user: Any, ent_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads, two database connections: both have looked for the token and found nothing
    before either inserts, so only the database's uniqueness can decide."""
    template = policy()
    token = sign_token_issue()
    both_looked = threading.Barrier(2, timeout=60)
    real_prepare = services.commitment_prepare

    def prepare_together(**kwargs: Any) -> Any:
        both_looked.wait()
        return real_prepare(**kwargs)

    monkeypatch.setattr(services, "commitment_prepare", prepare_together)

    def submit() -> Commitment:
        return commitment_sign(actor=ent_a_user, enterprise=ent_a, template=template, sign_token=token)

    outcomes = in_threads(submit, submit)
    signed = [o for o in outcomes if isinstance(o, Commitment)]
    replays = [o for o in outcomes if isinstance(o, CommitmentAlreadySigned)]
    assert len(signed) == 1 and len(replays) == 1, outcomes
    assert replays[0].existing == signed[0]
    _signed_once(signed[0])
