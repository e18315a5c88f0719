"""Signatures and the POST itself (SPEC section 10): Standard Webhooks headers that the
reference package verifies, the fetcher's address rules, no redirects, timeouts."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Response

from webhooks.sending import send, signed_headers
from webhooks.services import new_secret

BODY = json.dumps({"type": "claim.flagged", "timestamp": "2026-11-30T10:00:00Z", "data": {}})


def test_a_secret_is_whsec_and_base64_of_at_least_24_random_bytes():
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    assert new_secret() != secret


def test_the_signature_verifies_with_the_reference_package_and_nothing_else():
    secret = new_secret()
    now = timezone.now()
    headers = signed_headers(secret=secret, webhook_id="msg_1", timestamp=now, body=BODY)
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace("flagged", "status_changed"), headers)  # another body
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)  # another secret
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**headers, "webhook-id": "msg_2"})  # another id


def test_the_signature_is_hmac_sha256_of_id_timestamp_and_body():
    secret = new_secret()
    now = dt.datetime(2026, 11, 30, 10, 0, 0, tzinfo=dt.UTC)
    headers = signed_headers(secret=secret, webhook_id="msg_x", timestamp=now, body=BODY)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = hmac.new(
        key, f"msg_x.{int(now.timestamp())}.{BODY}".encode(), hashlib.sha256
    ).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(expected).decode()


def test_a_delivery_posts_the_body_signed(receiver):
    secret = new_secret()
    receiver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok", status=204)
    result = send(
        url=receiver.url_for("/hook"),
        secret=secret,
        webhook_id="msg_abc",
        body=BODY,
        now=timezone.now(),
    )
    assert result.succeeded and result.status_code == 204 and result.error == ""
    (request, _response) = receiver.log[0]
    assert request.get_data(as_text=True) == BODY
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["webhook-id"] == "msg_abc"
    assert Webhook(secret).verify(request.get_data(as_text=True), dict(request.headers))


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_a_non_2xx_answer_is_a_failure_with_its_status(receiver, status):
    receiver.expect_oneshot_request("/hook").respond_with_data("no", status=status)
    result = send(
        url=receiver.url_for("/hook"),
        secret=new_secret(),
        webhook_id="m",
        body=BODY,
        now=timezone.now(),
    )
    assert not result.succeeded
    assert result.status_code == status
    assert str(status) in result.error


def test_a_redirect_is_not_followed(receiver):
    receiver.expect_oneshot_request("/hook").respond_with_response(
        Response(status=302, headers={"Location": receiver.url_for("/elsewhere")})
    )
    result = send(
        url=receiver.url_for("/hook"),
        secret=new_secret(),
        webhook_id="m",
        body=BODY,
        now=timezone.now(),
    )
    assert not result.succeeded and result.status_code == 302
    assert "redirects are not followed" in result.error
    assert len(receiver.log) == 1  # /elsewhere was never asked


def test_a_receiver_that_does_not_answer_times_out(receiver, delivery_settings):
    delivery_settings.FACTCHECK_FETCH_TIMEOUT = 0.5
    receiver.expect_oneshot_request("/slow").respond_with_handler(
        lambda request: (time.sleep(1.5), Response("late"))[1]
    )
    result = send(
        url=receiver.url_for("/slow"),
        secret=new_secret(),
        webhook_id="m",
        body=BODY,
        now=timezone.now(),
    )
    assert not result.succeeded and result.status_code is None
    assert "did not answer within 0.5 seconds" in result.error
    assert result.duration_ms < 1400


def test_a_loopback_receiver_is_refused_unless_private_addresses_are_allowed(receiver, settings):
    settings.FACTCHECK_FETCH_ALLOW_PRIVATE = False
    receiver.expect_request("/hook").respond_with_data("ok")
    result = send(
        url=receiver.url_for("/hook"),
        secret=new_secret(),
        webhook_id="m",
        body=BODY,
        now=timezone.now(),
    )
    assert not result.succeeded and result.status_code is None
    assert "loopback" in result.error
    assert receiver.log == []  # never contacted


def test_a_refused_connection_is_a_failure(delivery_settings):
    result = send(
        url="http://127.0.0.1:9/hook",
        secret=new_secret(),
        webhook_id="m",
        body=BODY,
        now=timezone.now(),
    )
    assert not result.succeeded and result.status_code is None
    assert "connection" in result.error.lower()
