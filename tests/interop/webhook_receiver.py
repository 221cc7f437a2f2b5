"""A webhook receiver for the tests: verifies every delivery with the `standardwebhooks`
library (PyPI, an implementation independent of ours) and records it.

Usage: python webhook_receiver.py SECRET [SECRET ...]
Prints the port it listens on (127.0.0.1) on its first line, then serves until killed.

- POST /hook            a delivery: verified against any of the secrets, recorded, answered
                        with the current mode's status (200 by default)
- POST /_control/mode   body: a status to answer from now on (e.g. 503, with Retry-After: 1)
- POST /_control/secrets body: the secrets, one per line (after a rotation)
- GET  /_control/received  JSON list of every delivery seen, in order of arrival:
                        {"id", "type", "series_id", "verified", "error", "status", "overlap",
                        "body"}

The tests live at fixed dates (2027), so the signature's timestamp is not compared with this
machine's clock: the library's tolerance check is replaced by one that accepts the header's
time. Everything else (headers present, every `v1,` signature tried, HMAC over
`id.timestamp.body`) is the library's own.
"""

import json
import sys
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def _timestamp_as_sent(self, header):
    try:
        return datetime.fromtimestamp(float(header), tz=timezone.utc)
    except Exception:
        raise WebhookVerificationError("Invalid Signature Headers")


Webhook._Webhook__verify_timestamp = _timestamp_as_sent

lock = threading.Lock()
state = {"mode": 200, "secrets": sys.argv[1:], "received": [], "in_flight": set()}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length)

    def do_GET(self):
        if self.path == "/_control/received":
            with lock:
                body = json.dumps(state["received"]).encode()
            self._answer(200, body, [("Content-Type", "application/json")])
        else:
            self._answer(404)

    def do_POST(self):
        body = self._body()
        if self.path == "/_control/mode":
            with lock:
                state["mode"] = int(body.decode().strip())
            return self._answer(204)
        if self.path == "/_control/secrets":
            with lock:
                state["secrets"] = [s for s in body.decode().split() if s]
            return self._answer(204)
        if self.path != "/hook":
            return self._answer(404)
        msg_id = self.headers.get("webhook-id")
        with lock:
            secrets = list(state["secrets"])
            mode = state["mode"]
            overlap = msg_id in state["in_flight"]
            state["in_flight"].add(msg_id)
        record = {"id": msg_id, "verified": False, "error": None, "type": None, "series_id": None,
                  "status": mode, "overlap": overlap, "body": body.decode("utf-8", "replace")}
        errors = []
        for secret in secrets:
            try:
                payload = Webhook(secret).verify(body, dict(self.headers.items()))
                record["verified"] = True
                record["type"] = payload.get("type")
                record["series_id"] = (payload.get("data") or {}).get("series_id")
                break
            except WebhookVerificationError as e:
                errors.append(str(e))
        if not record["verified"]:
            record["error"] = "; ".join(errors) or "no secret"
        with lock:
            state["received"].append(record)
            state["in_flight"].discard(msg_id)
        headers = [("Retry-After", "1")] if mode in (429, 503) else []
        self._answer(mode, b"ok" if mode < 300 else b"busy", headers)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
