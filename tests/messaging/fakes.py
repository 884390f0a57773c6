"""Fake providers on 127.0.0.1 that check what the real ones check.

Each fake verifies the request as its provider documents it, written here independently of
messaging/providers.py (a fake that called the adapter's own signing code would prove
nothing): Alibaba Cloud's V3 signature (ACS3-HMAC-SHA256) and SendSms parameters,
Tencent Cloud's TC3-HMAC-SHA256 and SendSms 2021-01-11 body, WeChat's stable_token and
subscription-message call, and an SMTP server. Each answers from a script: "ok",
"refuse" (template refused) or "down" (HTTP 503); a request that fails the check gets the
provider's signature error and is recorded in ``bad``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socketserver
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

ALIYUN_ID, ALIYUN_SECRET = "LTAI5tTestKeyId", "test-aliyun-secret"
TENCENT_ID, TENCENT_KEY = "AKIDtestsecretid", "test-tencent-secret-key"
WECHAT_APP, WECHAT_SECRET = "wx1234567890abcdef", "test-wechat-secret"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Fake:
    def __init__(self, script=None):
        self.script = list(script or [])
        self.requests: list[dict] = []
        self.bad: list[str] = []
        self.accepted: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = {"path": self.path, "headers": dict(self.headers), "body": raw}
                fake.requests.append(request)
                status, reply = fake.answer(request)
                body = json.dumps(reply, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def next(self) -> str:
        return self.script.pop(0) if self.script else "ok"

    def refuse(self, why: str):
        self.bad.append(why)
        return self.signature_error(why)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class FakeAliyun(Fake):
    """dysmsapi SendSms with the V3 signature, parameters in the query string."""

    def answer(self, request):
        headers = {k.lower(): v for k, v in request["headers"].items()}
        auth = headers.get("authorization", "")
        if not auth.startswith("ACS3-HMAC-SHA256 "):
            return self.refuse("not ACS3-HMAC-SHA256")
        parts = dict(p.split("=", 1) for p in auth[len("ACS3-HMAC-SHA256 ") :].split(","))
        signed = parts.get("SignedHeaders", "").split(";")
        needed = {
            "host",
            "x-acs-action",
            "x-acs-version",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-content-sha256",
        }
        if parts.get("Credential") != ALIYUN_ID or not needed <= set(signed):
            return self.refuse("credential or signed headers")
        if signed != sorted(signed):
            return self.refuse("signed headers not sorted")
        if headers["x-acs-content-sha256"] != _sha(request["body"]):
            return self.refuse("body hash")
        when = datetime.strptime(headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if abs(time.time() - when.timestamp()) > 900:
            return self.refuse("stale x-acs-date")
        split = urlsplit(request["path"])
        query = parse_qsl(split.query, keep_blank_values=True)
        enc = lambda s: quote(s, safe="-_.~")  # noqa: E731
        canonical_query = "&".join(sorted(f"{enc(k)}={enc(v)}" for k, v in query))
        canonical_headers = "".join(f"{h}:{headers[h].strip()}\n" for h in signed)
        canonical = (
            f"POST\n{split.path}\n{canonical_query}\n{canonical_headers}\n{';'.join(signed)}\n"
            f"{headers['x-acs-content-sha256']}"
        )
        to_sign = "ACS3-HMAC-SHA256\n" + _sha(canonical.encode())
        expected = hmac.new(ALIYUN_SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts.get("Signature", "")):
            return self.refuse("signature")
        if (headers["x-acs-action"], headers["x-acs-version"]) != ("SendSms", "2017-05-25"):
            return self.refuse("action or version")
        params = dict(query)
        if not all(params.get(k) for k in ("PhoneNumbers", "SignName", "TemplateCode")):
            return self.refuse("missing parameter")
        params["TemplateParam"] = json.loads(params.get("TemplateParam") or "{}")
        outcome = self.next()
        if outcome == "down":
            return 503, {
                "Code": "ServiceUnavailable",
                "Message": "The request has failed due to a temporary failure of the server.",
            }
        if outcome == "refuse":
            return 200, {
                "Code": "isv.SMS_TEMPLATE_ILLEGAL",
                "Message": "模板不合法(不存在或被拉黑)",
                "RequestId": "r1",
            }
        self.accepted.append(params)
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "BizId": f"9006197469364984^{len(self.accepted)}",
            "RequestId": "r2",
        }

    def signature_error(self, why):
        return 400, {"Code": "SignatureDoesNotMatch", "Message": why}


class FakeTencent(Fake):
    """SendSms 2021-01-11 with TC3-HMAC-SHA256, a JSON body."""

    def answer(self, request):
        headers = {k.lower(): v for k, v in request["headers"].items()}
        auth = headers.get("authorization", "")
        try:
            algorithm, rest = auth.split(" ", 1)
            parts = dict(p.strip().split("=", 1) for p in rest.split(","))
            credential_id, date, service, terminator = parts["Credential"].split("/")
        except (ValueError, KeyError):
            return self.refuse("authorization malformed")
        if algorithm != "TC3-HMAC-SHA256" or credential_id != TENCENT_ID:
            return self.refuse("algorithm or id")
        if (service, terminator) != ("sms", "tc3_request"):
            return self.refuse("scope")
        timestamp = int(headers.get("x-tc-timestamp", "0"))
        if abs(time.time() - timestamp) > 300:
            return self.refuse("stale timestamp")
        if datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") != date:
            return self.refuse("date is not the timestamp's UTC date")
        signed = parts["SignedHeaders"].split(";")
        if not {"content-type", "host"} <= set(signed):
            return self.refuse("content-type and host must be signed")
        # The documented canonical form: names and values in lower case.
        values = {h: headers[h].strip().lower() for h in signed}
        canonical = (
            "POST\n/\n\n"
            + "".join(f"{h}:{values[h]}\n" for h in signed)
            + "\n"
            + ";".join(signed)
            + "\n"
            + _sha(request["body"])
        )
        to_sign = (
            f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n{_sha(canonical.encode())}"
        )
        key = hmac.new(f"TC3{TENCENT_KEY}".encode(), date.encode(), hashlib.sha256).digest()
        key = hmac.new(key, b"sms", hashlib.sha256).digest()
        key = hmac.new(key, b"tc3_request", hashlib.sha256).digest()
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts.get("Signature", "")):
            return self.refuse("signature")
        if (headers.get("x-tc-action"), headers.get("x-tc-version")) != ("SendSms", "2021-01-11"):
            return self.refuse("action or version")
        body = json.loads(request["body"])
        if not all(body.get(k) for k in ("PhoneNumberSet", "SmsSdkAppId", "TemplateId")):
            return self.refuse("missing parameter")
        outcome = self.next()
        if outcome == "down":
            return 502, {"message": "bad gateway"}
        if outcome == "refuse":
            return 200, {
                "Response": {
                    "SendStatusSet": [
                        {
                            "SerialNo": "",
                            "PhoneNumber": body["PhoneNumberSet"][0],
                            "Code": "FailedOperation.TemplateIncorrectOrUnapproved",
                            "Message": "template is not approved or request content does "
                            "not match the approved template content",
                        }
                    ],
                    "RequestId": "r",
                }
            }
        self.accepted.append(body)
        return 200, {
            "Response": {
                "SendStatusSet": [
                    {
                        "SerialNo": f"5000:10{len(self.accepted)}",
                        "PhoneNumber": body["PhoneNumberSet"][0],
                        "Fee": 1,
                        "SessionContext": body.get("SessionContext", ""),
                        "Code": "Ok",
                        "Message": "send success",
                        "IsoCode": "CN",
                    }
                ],
                "RequestId": "r",
            }
        }

    def signature_error(self, why):
        return 200, {
            "Response": {
                "Error": {"Code": "AuthFailure.SignatureFailure", "Message": why},
                "RequestId": "r",
            }
        }


class FakeWeChat(Fake):
    """stable_token, then subscribe/bizsend with the token."""

    token = "ACCESS_TOKEN_1"

    def answer(self, request):
        split = urlsplit(request["path"])
        body = json.loads(request["body"] or b"{}")
        if split.path == "/cgi-bin/stable_token":
            if body != {
                "grant_type": "client_credential",
                "appid": WECHAT_APP,
                "secret": WECHAT_SECRET,
            }:
                return self.refuse("token request")
            return 200, {"access_token": self.token, "expires_in": 7200}
        if split.path != "/cgi-bin/message/subscribe/bizsend":
            return self.refuse(f"path {split.path}")
        if dict(parse_qsl(split.query)).get("access_token") != self.token:
            return self.refuse("access token")
        if not (
            body.get("touser") and body.get("template_id") and isinstance(body.get("data"), dict)
        ):
            return self.refuse("missing parameter")
        if not all(set(v) == {"value"} for v in body["data"].values()):
            return self.refuse("data values")
        outcome = self.next()
        if outcome == "down":
            return 503, {}
        if outcome == "refuse":
            return 200, {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
        self.accepted.append(body)
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": 1000 + len(self.accepted)}

    def signature_error(self, why):
        return 200, {"errcode": 40001, "errmsg": why}


class FakeSMTP:
    """Just enough SMTP to take one message at a time; records (from, to, data)."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], str]] = []
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                send = lambda line: self.wfile.write(line.encode() + b"\r\n")  # noqa: E731
                send("220 fake ESMTP")
                sender, rcpts = "", []
                while line := self.rfile.readline().decode():
                    verb = line.strip().split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        send("250 fake")
                    elif verb == "MAIL":
                        sender = line.strip()[10:]
                        send("250 ok")
                    elif verb == "RCPT":
                        rcpts.append(line.strip()[8:])
                        send("250 ok")
                    elif verb == "DATA":
                        send("354 go on")
                        data = []
                        while (part := self.rfile.readline().decode()) not in (".\r\n", ".\n", ""):
                            data.append(part)
                        fake.messages.append((sender, rcpts, "".join(data)))
                        send("250 queued")
                    elif verb == "QUIT":
                        send("221 bye")
                        return
                    else:
                        send("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
