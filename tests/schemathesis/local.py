#!/usr/bin/env python3
"""The outside world of a schemathesis run, on loopback: a calendar to subscribe to and a
webhook receiver, so that connecting a calendar (the server fetches it before keeping it) and
registering a webhook endpoint can succeed without leaving the machine.

  local.py PORT_FILE

Listens on 127.0.0.1 on a free port and writes the port to PORT_FILE once it listens.
GET answers a small iCalendar (one busy event far ahead, at a fixed date); POST (a webhook
delivery) is read and answered 204. Runs until it is killed.
"""
import http.server
import os
import sys

CALENDAR = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ohjaus//schemathesis//FI",
        "BEGIN:VEVENT",
        "UID:schemathesis-busy@ohjaus.test",
        "DTSTAMP:20261201T080000Z",
        "DTSTART:20310304T080000Z",
        "DTEND:20310304T100000Z",
        "SUMMARY:Varattu",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(len(CALENDAR)))
        self.end_headers()
        self.wfile.write(CALENDAR)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # Written whole, then renamed: the run waits for the file and reads it at once.
    with open(sys.argv[1] + ".new", "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    os.replace(sys.argv[1] + ".new", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
