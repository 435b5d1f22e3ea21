"""Webhook endpoints through the real server: register (the secret shown once), list, read,
change, read the delivery log, remove; a loopback address is refused; and the signature check
a Python receiver uses."""

import hashlib
import hmac

import pytest

import driftguard


def test_endpoints_are_registered_changed_and_removed(admin: driftguard.Client) -> None:
    created = admin.webhooks.create(
        "https://93.184.216.34/hook", ["policy.changed"], format="slack", description="chat"
    )
    assert created["secret"].startswith("whsec_")
    assert (created["format"], created["active"]) == ("slack", True)
    hook = created["id"]
    assert "secret" not in admin.webhooks.get(hook)
    assert any(w["id"] == hook for w in admin.webhooks.iter())
    assert admin.webhooks.list()["pagination"]["total"] >= 1
    changed = admin.webhooks.update(hook, events=["deployment.blocked"], active=False)
    assert (changed["events"], changed["active"]) == (["deployment.blocked"], False)
    assert admin.webhooks.deliveries(hook)["deliveries"] == []
    assert list(admin.webhooks.iter_deliveries(hook)) == []
    admin.webhooks.delete(hook)
    with pytest.raises(driftguard.NotFound):
        admin.webhooks.get(hook)


def test_a_loopback_address_is_refused(admin: driftguard.Client) -> None:
    with pytest.raises(driftguard.ValidationError) as caught:
        admin.webhooks.create("http://127.0.0.1:9/hook", ["policy.changed"])
    assert caught.value.errors[0]["field"] == "url"


def test_a_signature_verifies_only_unchanged_and_fresh() -> None:
    secret, body, sent = "whsec_test", b'{"type":"policy.changed"}', 1_700_000_000
    mac = hmac.new(secret.encode(), f"{sent}.".encode() + body, hashlib.sha256).hexdigest()
    header = f"t={sent},v1={mac}"
    assert driftguard.verify_signature(secret, header, body, now=sent + 10)
    assert not driftguard.verify_signature(secret, header, body + b" ", now=sent + 10)
    assert not driftguard.verify_signature("whsec_other", header, body, now=sent + 10)
    assert not driftguard.verify_signature(secret, header, body, now=sent + 3600)
    assert not driftguard.verify_signature(secret, "v1=" + mac, body, now=sent)
