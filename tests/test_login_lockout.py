"""Brute-force protection on the logins (issue 11, a hostile reader): after repeated failures a
username, or an address, is locked out on the admin's login and the pages' login alike."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings

LOGINS = ["/accounts/login/", "/admin/login/?next=/admin/"]


@pytest.fixture(autouse=True)
def lockout_on():
    # The test settings turn the lockout off for client.login(); here it is what is tested.
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5, FACTCHECK_TRUSTED_PROXIES=[]):
        yield


def _log_in(client: Client, path: str, username: str, password: str, **headers):
    return client.post(path, {"username": username, "password": password}, headers=headers)


@pytest.mark.parametrize("path", LOGINS)
def test_a_username_is_locked_after_five_failures_even_with_the_right_password(editor, path):
    client = Client()
    statuses = [_log_in(client, path, editor.username, "wrong").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]

    response = _log_in(client, path, editor.username, "pw-" + editor.username)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "locked for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username=editor.username)
    assert attempt.failures_since_start >= 5


def test_the_lock_holds_on_the_other_login_page(editor):
    for _ in range(5):
        _log_in(Client(), LOGINS[0], editor.username, "wrong")
    admin = Client()
    response = _log_in(admin, LOGINS[1], editor.username, "pw-" + editor.username)
    assert response.status_code == 429
    assert "_auth_user_id" not in admin.session


def test_an_address_is_locked_after_five_failures_across_usernames(editor):
    client = Client()
    for index in range(5):
        _log_in(client, LOGINS[0], f"guess{index}", "wrong")
    response = _log_in(client, LOGINS[0], editor.username, "pw-" + editor.username)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_fewer_failures_then_success_logs_in_and_resets(editor):
    client = Client()
    for _ in range(4):
        assert _log_in(client, LOGINS[0], editor.username, "wrong").status_code == 200
    response = _log_in(client, LOGINS[0], editor.username, "pw-" + editor.username)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)
    assert not AccessAttempt.objects.filter(username=editor.username).exists()


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(editor, settings):
    # Without a trusted proxy, a new X-Forwarded-For per attempt is the same address.
    client = Client()
    for index in range(5):
        _log_in(client, LOGINS[0], f"guess{index}", "wrong", X_Forwarded_For=f"203.0.113.{index}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    AccessAttempt.objects.all().delete()

    settings.FACTCHECK_TRUSTED_PROXIES = ["127.0.0.0/8"]
    _log_in(client, LOGINS[0], "guess", "wrong", X_Forwarded_For="198.51.100.1, 203.0.113.7")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]
