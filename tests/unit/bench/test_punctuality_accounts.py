"""The punctuality bench's accounts round (#12): N accounts, one post each, one instant."""

from __future__ import annotations

from datetime import timedelta

from bench.punctuality import SLOT, account_ids, accounts_env, approval
from services.publisher.settings import PublisherSettings
from shared.calendar import slots_between

TOKENS = {"reviewer-token-0000000001": {"subject": "rita", "roles": ["reviewer"]}}


def test_twenty_accounts_have_their_slots_at_the_same_instant() -> None:
    env = accounts_env(20)
    settings = PublisherSettings(api_tokens=TOKENS, accounts_json=env["ACCOUNTS"])
    assert list(settings.accounts.ids) == account_ids(20)
    assert len(set(account_ids(20))) == 20
    assert account_ids(20)[0] == "default"
    around = (SLOT - timedelta(minutes=1), SLOT + timedelta(minutes=1))
    for account in settings.accounts.ids:
        [slot] = slots_between(settings.slot_policy_for(account), *around)
        assert slot.at == SLOT, account


def test_one_account_is_the_deployment_without_accounts() -> None:
    assert accounts_env(0) == {}
    assert accounts_env(1) == {}


def test_each_approval_belongs_to_its_account_and_wishes_the_slot() -> None:
    events = [approval(i, account) for i, account in enumerate(account_ids(3))]
    assert [e.account for e in events] == ["default", "acct-01", "acct-02"]
    assert {e.payload.slot for e in events} == {SLOT}
    assert len({e.payload.draft_id for e in events}) == 3
