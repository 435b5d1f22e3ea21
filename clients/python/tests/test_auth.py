"""Sign-in, tokens and accounts."""

import uuid

import pytest

import driftguard
from conftest import ADMIN_EMAIL, PASSWORD, Server


def test_sign_in_keeps_the_token_and_me_answers_who(server: Server) -> None:
    with driftguard.Client(server.url) as client:
        assert client.token is None
        answer = client.login(ADMIN_EMAIL, PASSWORD)
        assert answer["token_type"] == "bearer" and answer["expires_in"] > 0
        assert client.token == answer["access_token"]
        me = client.auth.me()
        assert (me["email"], me["role"]) == (ADMIN_EMAIL, "admin")


def test_a_token_can_be_handed_to_another_client(server: Server, admin: driftguard.Client) -> None:
    with driftguard.Client(server.url, token=admin.token) as client:
        assert client.auth.me()["role"] == "admin"


def test_a_wrong_password_raises_unauthorized_with_the_body(server: Server) -> None:
    with driftguard.Client(server.url) as client:
        with pytest.raises(driftguard.Unauthorized) as caught:
            client.login(ADMIN_EMAIL, "not-the-password-at-all")
    error = caught.value
    assert error.status == 401
    assert error.detail == "Incorrect email or password"
    assert error.request_id
    assert error.body["detail"] == error.detail


def test_no_token_is_unauthorized(server: Server) -> None:
    with driftguard.Client(server.url) as client:
        with pytest.raises(driftguard.Unauthorized):
            client.models.list()


def test_logout_ends_the_sessions(server: Server) -> None:
    email = f"leaver-{uuid.uuid4().hex[:8]}@example.com"
    with driftguard.Client(server.url) as client:
        client.auth.register(email, PASSWORD)
        client.login(email, PASSWORD)
        token = client.token
        client.auth.logout()
        assert client.token is None
        client.token = token
        with pytest.raises(driftguard.Unauthorized):
            client.auth.me()


def test_a_viewer_may_read_but_not_register_models(server: Server) -> None:
    email = f"viewer-{uuid.uuid4().hex[:8]}@example.com"
    with driftguard.Client(server.url) as viewer:
        user = viewer.auth.register(email, PASSWORD)
        assert user["role"] == "viewer"
        viewer.login(email, PASSWORD)
        assert "pagination" in viewer.models.list()
        with pytest.raises(driftguard.Forbidden) as caught:
            viewer.models.create("m", "1", "regression", "low")
        assert caught.value.code == "forbidden"
