"""Outbound requests go only where allowed: public addresses, or NOTIFY_ALLOWED_HOSTS.

Through the doors a person uses (the contact-method page, the channel API) and the
delivery a worker runs; the resolver is replaced only where a test needs DNS to answer
something this machine's DNS cannot (a public address, a rebinding name).
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from apps.notify import outbound, services, transports
from apps.notify.models import DESTINATION_REFUSED, Channel, ContactMethod, OutboxMessage
from apps.notify.transports import verify_signature
from tests.notify.conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.216.34"  # a public address (never connected to: see the tests)
REFUSED_TARGETS = {
    "loopback": "http://127.0.0.1:{port}/hook",
    "private": "http://10.0.0.1/hook",
    "metadata": "http://169.254.169.254/latest/meta-data/",
    "ipv6 loopback": "http://[::1]:{port}/hook",
    "name resolving to loopback": "http://localhost:{port}/hook",
    "shared address space": "http://100.64.0.7/hook",
}


def _stub_resolver(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """DNS answers for names this machine cannot resolve; returns the names looked up."""
    real = outbound.resolve
    asked: list[str] = []

    def fake(host, port):
        asked.append(host)
        if host in answers:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, a) for a in answers[host]]
        return real(host, port)

    monkeypatch.setattr(outbound, "resolve", fake)
    return asked


def _add_webhook(client, target: str):
    return client.post(
        reverse("notify:contact_methods"),
        {"kind": "webhook", "target": target, "secret": WEBHOOK_SECRET, "label": "hook"},
    )


def _send_test_and_deliver(client, method: ContactMethod) -> OutboxMessage:
    """Press "Send test" on the page, then do what the delivery worker does."""
    response = client.post(reverse("notify:contact_method_test", args=[method.pk]))
    assert response.status_code == 302
    message = OutboxMessage.objects.filter(contact_method=method).latest("created_at")
    services.outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    return message


# --- input time ----------------------------------------------------------------------------


@pytest.mark.parametrize("target", REFUSED_TARGETS.values(), ids=REFUSED_TARGETS.keys())
def test_contact_method_page__webhook_to_non_public_address__same_field_error_nothing_saved(
    make_user, verified_client, make_receiver, settings, target
):
    settings.NOTIFY_ALLOWED_HOSTS = []
    receiver = make_receiver()
    port = receiver.url.rsplit(":", 1)[1]
    client = verified_client(make_user("support"))

    response = _add_webhook(client, target.format(port=port))

    assert response.status_code == 200
    assert response.context["form"].errors["target"] == [str(DESTINATION_REFUSED)]
    assert not ContactMethod.objects.exists()


def test_contact_method_page__name_resolving_to_public_and_private__refused(
    make_user, verified_client, settings, monkeypatch
):
    settings.NOTIFY_ALLOWED_HOSTS = []
    _stub_resolver(monkeypatch, {"mixed.example.test": [PUBLIC, "10.1.2.3"]})
    client = verified_client(make_user("support"))

    response = _add_webhook(client, "https://mixed.example.test/hook")

    assert response.context["form"].errors["target"] == [str(DESTINATION_REFUSED)]
    assert not ContactMethod.objects.exists()


def test_contact_method_page__public_address__saved(
    make_user, verified_client, settings, monkeypatch
):
    settings.NOTIFY_ALLOWED_HOSTS = []
    _stub_resolver(monkeypatch, {"hooks.example.test": [PUBLIC]})
    client = verified_client(make_user("support"))

    response = _add_webhook(client, "https://hooks.example.test/hook")

    assert response.status_code == 302
    assert ContactMethod.objects.get().target == "https://hooks.example.test/hook"


def test_channel_api__webhook_to_metadata_address__400_on_config_url_nothing_written(
    make_user, verified_api_client, settings
):
    settings.NOTIFY_ALLOWED_HOSTS = []
    api = verified_api_client(make_user("ops"))

    response = api.post(
        "/v1/notify/channels/",
        {
            "name": "metadata",
            "kind": "webhook",
            "config": {"url": "http://169.254.169.254/latest/meta-data/"},
            "secret": WEBHOOK_SECRET,
        },
        format="json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["config"]["url"] == [str(DESTINATION_REFUSED)]
    assert not Channel.objects.exists()


def test_channel_api__slack_url_on_private_address__400_on_secret(
    make_user, verified_api_client, settings
):
    settings.NOTIFY_ALLOWED_HOSTS = []
    api = verified_api_client(make_user("ops"))

    response = api.post(
        "/v1/notify/channels/",
        {"name": "slack", "kind": "slack", "secret": "http://192.168.1.10/services/T/B/x"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["secret"] == [str(DESTINATION_REFUSED)]
    assert "192.168.1.10" not in response.content.decode()
    assert not Channel.objects.exists()


# --- send time -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [*REFUSED_TARGETS.values(), "http://127.0.0.1:9/closed-port"],
    ids=[*REFUSED_TARGETS.keys(), "closed loopback port"],
)
def test_send_test__destination_refused_at_send_time__one_message_nothing_received(
    make_user, verified_client, make_receiver, settings, target
):
    # Entered while an operator allowed every address; the allow-list was emptied since
    # (as if the name now resolved elsewhere): the delivery checks again.
    receiver = make_receiver()
    port = receiver.url.rsplit(":", 1)[1]
    person = make_user("support")
    client = verified_client(person)
    settings.NOTIFY_ALLOWED_HOSTS = ["0.0.0.0/0", "::/0"]
    assert _add_webhook(client, target.format(port=port)).status_code == 302
    settings.NOTIFY_ALLOWED_HOSTS = []

    message = _send_test_and_deliver(client, ContactMethod.objects.get())

    assert message.last_error == transports.UNREACHABLE
    assert message.delivered_at is None
    assert receiver.requests == []
    assert ContactMethod.objects.get().verified_at is None


def test_send_test__refused_open_port_and_unreachable_closed_port__indistinguishable(
    make_user, verified_client, make_receiver, settings
):
    receiver = make_receiver()
    person = make_user("support")
    client = verified_client(person)
    settings.NOTIFY_ALLOWED_HOSTS = ["127.0.0.1"]
    open_port, closed_port = (
        services.contact_method_create(
            actor=person, kind="webhook", target=target, secret=WEBHOOK_SECRET
        )
        for target in (f"{receiver.url}/hook", "http://127.0.0.1:9/hook")
    )

    unreachable = _send_test_and_deliver(client, closed_port)  # allowed, nothing listens
    settings.NOTIFY_ALLOWED_HOSTS = []
    refused = _send_test_and_deliver(client, open_port)  # listening, no longer allowed

    assert receiver.requests == []
    assert (refused.status, refused.attempts, refused.last_error) == (
        unreachable.status,
        unreachable.attempts,
        unreachable.last_error,
    )
    assert refused.last_error == transports.UNREACHABLE


def test_send_test__redirect_to_loopback__not_followed_same_message(
    make_user, verified_client, make_receiver, settings
):
    target = make_receiver()
    redirector = _redirect_server(f"{target.url}/internal")
    person = make_user("support")
    client = verified_client(person)
    settings.NOTIFY_ALLOWED_HOSTS = ["127.0.0.1"]  # the redirecting receiver itself is allowed
    assert _add_webhook(client, f"{redirector}/hook").status_code == 302

    message = _send_test_and_deliver(client, ContactMethod.objects.get())

    assert message.last_error == transports.UNREACHABLE
    assert target.requests == []


def test_send_test__allow_listed_loopback_receiver__receives_and_method_verified(
    make_user, verified_client, make_receiver, settings
):
    settings.NOTIFY_ALLOWED_HOSTS = ["127.0.0.1"]
    receiver = make_receiver()
    person = make_user("support")
    client = verified_client(person)
    assert _add_webhook(client, f"{receiver.url}/hook").status_code == 302

    message = _send_test_and_deliver(client, ContactMethod.objects.get())

    assert message.status == "delivered"
    (request,) = receiver.requests
    assert verify_signature(WEBHOOK_SECRET, request.headers["X-OpsPortal-Signature"], request.body)
    assert ContactMethod.objects.get().verified_at is not None


def test_send_test__name_rebound_to_loopback_after_check__refused(
    make_user, verified_client, make_receiver, settings, monkeypatch
):
    settings.NOTIFY_ALLOWED_HOSTS = []
    receiver = make_receiver()
    port = receiver.url.rsplit(":", 1)[1]
    answers = {"rebind.example.test": [PUBLIC]}
    _stub_resolver(monkeypatch, answers)
    person = make_user("support")
    client = verified_client(person)
    assert _add_webhook(client, f"http://rebind.example.test:{port}/hook").status_code == 302
    answers["rebind.example.test"] = ["127.0.0.1"]

    message = _send_test_and_deliver(client, ContactMethod.objects.get())

    assert message.last_error == transports.UNREACHABLE
    assert receiver.requests == []


def test_telegram_api_base_on_loopback__not_allowed__refused(make_channel, settings):
    from tests.notify.conftest import TELEGRAM_TOKEN

    channel = make_channel(kind="telegram", config={"chat_id": "42"}, secret=TELEGRAM_TOKEN)
    settings.NOTIFY_ALLOWED_HOSTS = []
    settings.TELEGRAM_API_BASE = "http://127.0.0.1:9"
    message = services.notification_enqueue(channel=channel, subject="s", body="b")

    services.outbox_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.last_error == transports.UNREACHABLE


# --- the client ----------------------------------------------------------------------------


def _post(url: str, **kwargs) -> int:
    return outbound.post(url, data=b"{}", headers={}, timeout=5, **kwargs)


def test_post__name_resolved_once__connects_to_that_address_with_host_header(
    make_receiver, settings, monkeypatch
):
    settings.NOTIFY_ALLOWED_HOSTS = ["127.0.0.1"]
    receiver = make_receiver()
    port = receiver.url.rsplit(":", 1)[1]
    asked = _stub_resolver(monkeypatch, {"hooks.example.test": ["127.0.0.1"]})

    assert _post(f"http://hooks.example.test:{port}/in") == 200

    assert asked == ["hooks.example.test"]
    (request,) = receiver.requests
    assert request.headers["Host"] == f"hooks.example.test:{port}"


def test_post__allow_listed_host_name__any_address_it_resolves_to(
    make_receiver, settings, monkeypatch
):
    settings.NOTIFY_ALLOWED_HOSTS = ["Receiver.Internal"]
    receiver = make_receiver()
    port = receiver.url.rsplit(":", 1)[1]
    _stub_resolver(monkeypatch, {"receiver.internal": ["127.0.0.1"]})

    assert _post(f"http://receiver.internal:{port}/in") == 200
    with pytest.raises(outbound.DestinationRefused):
        _post(f"{receiver.url}/in")  # the address itself is not on the list
    assert len(receiver.requests) == 1


def test_post__proxy_in_environment__ignored(make_receiver, monkeypatch):
    receiver = make_receiver()
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")

    assert _post(f"{receiver.url}/in") == 200
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("url", ["ftp://hooks.example.test/", "file:///etc/passwd", "http:///x"])
def test_post__not_http_or_no_host__refused(url):
    with pytest.raises(outbound.DestinationRefused):
        _post(url)


def test_post__https__certificate_checked_against_host_name_not_address(
    tmp_path, settings, monkeypatch
):
    settings.NOTIFY_ALLOWED_HOSTS = ["127.0.0.1"]
    ca_file, server_port = _tls_server(tmp_path, "hooks.example.test")
    _stub_resolver(
        monkeypatch,
        {"hooks.example.test": ["127.0.0.1"], "other.example.test": ["127.0.0.1"]},
    )

    ok = _post(f"https://hooks.example.test:{server_port}/in", verify=str(ca_file))
    with pytest.raises(requests.exceptions.SSLError):
        _post(f"https://other.example.test:{server_port}/in", verify=str(ca_file))

    assert ok == 200


def test_send_test__allow_list_entry_with_port__only_that_port_receives(
    make_user, verified_client, make_receiver, settings
):
    receiver = make_receiver()
    other = make_receiver()
    settings.NOTIFY_ALLOWED_HOSTS = [receiver.url.removeprefix("http://")]
    client = verified_client(make_user("support"))

    assert _add_webhook(client, f"{receiver.url}/hook").status_code == 302
    refused = _add_webhook(client, f"{other.url}/hook")

    assert refused.status_code == 200  # the form again, with the field error
    assert ContactMethod.objects.count() == 1
    message = _send_test_and_deliver(client, ContactMethod.objects.get())
    assert message.status == "delivered"
    assert len(receiver.requests) == 1
    assert other.requests == []


@pytest.mark.parametrize(
    "entry, host, port, allowed",
    [
        ("127.0.0.1:8025", "127.0.0.1", 8025, True),
        ("127.0.0.1:8025", "127.0.0.1", 8026, False),
        ("[::1]:8025", "::1", 8025, True),
        ("[::1]:8025", "::1", 80, False),
        ("::1", "::1", 80, True),
        ("localhost:8443", "localhost", 8443, True),
        ("localhost:8443", "localhost", 443, False),
    ],
)
def test_allow_list__entry_with_port__allows_that_port_only(settings, entry, host, port, allowed):
    settings.NOTIFY_ALLOWED_HOSTS = [entry]
    url = f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    if allowed:
        outbound.check_destination(url)
    else:
        with pytest.raises(outbound.DestinationRefused):
            outbound.check_destination(url)


@pytest.mark.parametrize("entry", ["127.0.0.1:http", "[::1]:", "host:99999"])
def test_allow_list__bad_port__improperly_configured(settings, entry):
    settings.NOTIFY_ALLOWED_HOSTS = [entry]

    with pytest.raises(ImproperlyConfigured, match="NOTIFY_ALLOWED_HOSTS"):
        outbound.allow_list()


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "not global"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "embedded loopback"),
        ("64:ff9b::a00:1", "embedded private"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_problem__each_kind__named(address, problem):
    assert outbound.address_problem(ipaddress.ip_address(address)) == problem


def test_allow_list__malformed_network__improperly_configured(settings):
    settings.NOTIFY_ALLOWED_HOSTS = ["10.0.0.0/33"]

    with pytest.raises(ImproperlyConfigured, match="NOTIFY_ALLOWED_HOSTS"):
        outbound.allow_list()


def test_refused_destination__logged_with_host_and_reason_never_the_path(
    make_channel, settings, caplog
):
    channel = make_channel(kind="slack", secret="http://127.0.0.1:9/services/T/B/slack-secret")
    settings.NOTIFY_ALLOWED_HOSTS = []
    message = services.notification_enqueue(channel=channel, subject="s", body="b")

    with caplog.at_level("INFO", logger="apps.notify"):
        services.outbox_deliver(message_id=message.pk)

    (record,) = [r for r in caplog.records if r.getMessage() == "notify.destination_refused"]
    assert record.fields == {"host": "127.0.0.1", "reason": "loopback"}
    assert "slack-secret" not in caplog.text


# --- local servers -------------------------------------------------------------------------


def _serve(server) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


@pytest.fixture(autouse=True)
def _stop_servers():
    yield
    for server in _SERVERS:
        server.shutdown()
        server.server_close()
    _SERVERS.clear()


_SERVERS: list[ThreadingHTTPServer] = []


def _redirect_server(location: str) -> str:
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    server.daemon_threads = True
    _SERVERS.append(server)
    _serve(server)
    return f"http://127.0.0.1:{server.server_address[1]}"


def _tls_server(tmp_path, host_name: str):
    """An HTTPS receiver on 127.0.0.1 whose certificate names only ``host_name``."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host_name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host_name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file = tmp_path / "server.pem"
    cert_file.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    class Ok(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    _SERVERS.append(server)
    _serve(server)
    return ca_file, server.server_address[1]


# --- production ----------------------------------------------------------------------------


def test_production_settings__allow_list_empty_by_default(tmp_path):
    from tests.core.test_settings import production_env, start

    env = production_env(tmp_path, NOTIFY_ALLOWED_HOSTS=None)
    env["DJANGO_SETTINGS_MODULE"] = "opsportal.settings"
    show = "import django; django.setup(); from django.conf import settings as s; "
    show += "print(repr(s.NOTIFY_ALLOWED_HOSTS))"

    result = start(env, "-c", show)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_production_start__malformed_allow_list_entry__stops_naming_it(tmp_path):
    from tests.core.test_settings import production_env, start

    result = start(production_env(tmp_path, NOTIFY_ALLOWED_HOSTS="hooks.internal,10.0.0.0/33"))

    assert result.returncode != 0
    assert "NOTIFY_ALLOWED_HOSTS: '10.0.0.0/33'" in result.stderr
