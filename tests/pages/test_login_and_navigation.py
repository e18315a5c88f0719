"""Login, logout and password change, the navigation each role sees, and the frame every
page shares (Content-Security-Policy, htmx served from our origin)."""

import re

from django.contrib.auth.models import User
from django.urls import reverse


def test_login_page_and_redirect_to_the_queue(client, editor):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'for="id_username"' in response.content.decode()
    response = client.post(
        reverse("login"), {"username": editor.username, "password": "pw-" + editor.username}
    )
    assert response.status_code == 302 and response["Location"] == reverse("review")


def test_wrong_password_is_a_clear_message(client, editor):
    response = client.post(reverse("login"), {"username": editor.username, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_navigation_follows_the_role(client, viewer):
    html = client.get("/").content.decode()
    assert reverse("review") not in html and "Log in" in html
    client.force_login(viewer)
    html = client.get("/").content.decode()
    assert reverse("review") in html and reverse("dashboard") in html
    assert "Log out" in html


def test_security_headers_forbid_inline_script(client, pages_world):
    response = client.get(reverse("claim_public", args=[pages_world.claim.pk]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    # Every <script> is a file or a data block; every style comes from the stylesheet.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/ld+json"' in tag
    assert " style=" not in html and "<style" not in html


def test_static_htmx_is_served_from_our_origin(client, db):
    html = client.get("/").content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js"', html)
    assert "https://" not in "".join(re.findall(r"<script[^>]*>", html))


def test_users_fixture_groups_are_real(editor):
    assert User.objects.get(pk=editor.pk).has_perm("claims.publish_verdict")


def test_password_change_page_for_a_logged_in_user(client, editor):
    assert client.get(reverse("password_change")).status_code == 302
    client.force_login(editor)
    assert client.get(reverse("password_change")).status_code == 200


def test_logout_is_a_post(client, editor):
    client.force_login(editor)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session
