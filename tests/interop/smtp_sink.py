#!/usr/bin/env python3
"""A real SMTP server for tests: aiosmtpd, storing every message it accepts as one file.

    smtp_sink.py --dir FOLDER [--host 127.0.0.1] [--port 0]

Prints `LISTENING <port>` once it accepts connections (port 0 picks a free one). Each message
is written to FOLDER as `<nanoseconds>-<random>.eml` (written to a hidden temporary name, then
renamed, so a reader never sees half a message) with the envelope recipients in a first
`X-Sink-Rcpt-To:` line. Stops on SIGTERM/SIGINT or when its standard input closes, so a test
that dies never leaves a server behind.
"""

import argparse
import asyncio
import os
import signal
import sys
import time
import uuid

from aiosmtpd.smtp import SMTP


class FolderHandler:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        temporary = os.path.join(self.folder, f".{name}.tmp")
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        with open(temporary, "wb") as out:
            out.write(b"X-Sink-Rcpt-To: " + ", ".join(envelope.rcpt_tos).encode("utf-8") + b"\r\n")
            out.write(content)
        os.replace(temporary, os.path.join(self.folder, name))
        return "250 Message accepted"


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    loop = asyncio.get_running_loop()
    handler = FolderHandler(args.dir)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-sink", enable_SMTPUTF8=True),
        host=args.host,
        port=args.port,
        reuse_address=True,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"LISTENING {port}", flush=True)

    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    class StdinClosed(asyncio.Protocol):
        def connection_lost(self, exc):
            stop.set()

    await loop.connect_read_pipe(StdinClosed, sys.stdin)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
