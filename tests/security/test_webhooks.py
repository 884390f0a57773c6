"""Webhooks (issue 13, finding 9): a customer's words cannot put markdown (links, images,
mentions) into a DingTalk or WeCom group chat, and a delivery connects to the address that
was checked, not to a second DNS answer (DNS rebinding)."""

import socket
from types import SimpleNamespace

import pytest
from urllib3.util import connection as urllib3_connection

from notifications import channels
from notifications.channels import DeliveryError, PinnedAdapter, escape_markdown
from tests.notifications.receiver import Receiver

ATTACK = (
    "Car on fire [call us](https://evil.example/pay) ![x](https://evil.example/t.png) "
    '<@all> <font color="warning">urgent</font> **bold** `code`\n# Heading\n> quote '
    "see https://evil.example/login"
)


def test_escaped_markdown_has_no_link_image_mention_or_markup():
    text = escape_markdown(ATTACK)
    assert "](" not in text.replace("\\]\\(", "")
    assert "<" not in text and ">" not in text
    assert "\\[call us\\]\\(" in text and "\\!\\[x\\]" in text
    assert "\\*\\*bold\\*\\*" in text and "\\`code\\`" in text
    assert "\n\\# Heading" in text
    assert "https://" not in text and "https:\u200b//evil.example/login" in text
    assert escape_markdown("Battery will not charge, 12 V.") == "Battery will not charge, 12 V."


@pytest.mark.parametrize("kind", ["dingtalk", "wecom"])
def test_robot_markdown_carries_the_incident_text_escaped(kind):
    endpoint = SimpleNamespace(kind=kind, url="https://robot.example/send", secret="")
    notification = SimpleNamespace(title="Escalated: [x](https://evil.example)", body=ATTACK)
    _url, doc, _headers = channels._body(endpoint, notification)
    text = doc["markdown"].get("text") or doc["markdown"]["content"]
    assert "[call us](" not in text and "![x](" not in text and "[x](" not in text
    assert "<@all>" not in text and "<font" not in text
    assert escape_markdown(ATTACK) in text


@pytest.fixture
def rebinding_dns(monkeypatch):
    """hook.example answers a public address first, then 127.0.0.1 (a rebinding name)."""
    real = socket.getaddrinfo
    answers = ["93.184.216.34", "127.0.0.1"]

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "hook.example":
            return real(host, port, *args, **kwargs)
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture
def connections(monkeypatch):
    """Where each delivery connects; only 127.0.0.1 (the fake receiver) is reachable."""
    real = urllib3_connection.create_connection
    seen = []

    def create_connection(address, *args, **kwargs):
        seen.append(address[0])
        if address[0] in ("127.0.0.1", "hook.example"):
            return real(address, *args, **kwargs)
        raise OSError("unreachable in tests")

    monkeypatch.setattr(urllib3_connection, "create_connection", create_connection)
    return seen


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


def _deliver(receiver):
    port = receiver.server.server_address[1]
    endpoint = SimpleNamespace(kind="generic", url=f"http://hook.example:{port}/hook", secret="")
    notification = SimpleNamespace(key="k1", event="escalated", payload={"a": 1})
    return channels._post(endpoint, notification)


def test_a_rebinding_name_is_not_reached_on_its_second_answer(
    settings, rebinding_dns, connections, receiver
):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(DeliveryError):
        _deliver(receiver)
    assert connections == ["93.184.216.34"]  # the checked address, not a second lookup
    assert receiver.requests == []


def test_a_pinned_delivery_keeps_the_host_name(settings, monkeypatch, connections, receiver):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # allowed by address, not by name
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **kw: (
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
            if host == "hook.example"
            else real(host, port, *a, **kw)
        ),
    )
    assert _deliver(receiver) == 200
    assert connections == ["127.0.0.1"]
    port = receiver.server.server_address[1]
    assert receiver.requests[0]["headers"]["Host"] == f"hook.example:{port}"


def test_tls_connections_are_pinned_but_name_the_host():
    adapter = PinnedAdapter("93.184.216.34")
    pool = adapter.poolmanager.connection_from_url("https://hook.example/hook")
    conn = pool._new_conn()
    assert conn.pinned_address == "93.184.216.34"
    assert conn.host == "hook.example"  # SNI and the certificate check use the name
