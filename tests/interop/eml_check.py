#!/usr/bin/env python3
"""How Python's `email` package reads one message that Ohjaus sent.

  eml_check.py FILE.eml

Prints JSON: {"headers": [[name, decoded value], ...], "from", "to", "subject" (decoded),
"structure": nested content types, "text" (text/plain body), "html" (text/html body),
"calendar": [{"method", "charset", "text"}] (inline text/calendar parts), "attachments":
[{"filename", "content_type", "text"}], "problems": [...]}. A problem is anything a mail client
would stumble on: no multipart/alternative with text/plain and text/html, a text/calendar part
whose MIME method differs from its METHOD line, header defects found by the parser.

Exit status: 0 without problems, 1 with problems, 2 on unusable input.
"""
import email
import email.policy
import json
import sys


def structure(part):
    if part.is_multipart():
        return {part.get_content_type(): [structure(p) for p in part.iter_parts()]}
    return part.get_content_type()


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    raw = open(sys.argv[1], "rb").read()
    # The test SMTP sink writes the envelope recipients as a first line; it is not the message.
    if raw.startswith(b"X-Sink-Rcpt-To:"):
        raw = raw.split(b"\r\n", 1)[1] if b"\r\n" in raw[:2000] else raw.split(b"\n", 1)[1]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {
        "headers": [[name, str(value)] for name, value in msg.items()],
        "from": str(msg["From"]),
        "to": str(msg["To"]),
        "subject": str(msg["Subject"]),
        "structure": structure(msg),
        "text": None,
        "html": None,
        "calendar": [],
        "attachments": [],
        "problems": [],
    }
    for defect in msg.defects:
        out["problems"].append(f"message defect: {type(defect).__name__}")
    for name, value in msg.items():
        for defect in getattr(value, "defects", ()):
            out["problems"].append(f"header {name} defect: {type(defect).__name__}")
    alternative = None
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "multipart/alternative":
            alternative = part
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        if disposition == "attachment":
            out["attachments"].append({
                "filename": part.get_filename(),
                "content_type": ctype,
                "text": part.get_content() if part.get_content_maintype() == "text" else None,
            })
            continue
        if ctype == "text/plain" and out["text"] is None:
            out["text"] = part.get_content()
        elif ctype == "text/html" and out["html"] is None:
            out["html"] = part.get_content()
        elif ctype == "text/calendar":
            text = part.get_content()
            method = part.get_param("method")
            line = next((l for l in text.splitlines() if l.startswith("METHOD:")), "")
            if method and line and line[7:].strip().upper() != method.upper():
                out["problems"].append(f"MIME method={method} but {line}")
            out["calendar"].append({"method": method, "charset": part.get_content_charset(), "text": text})
    if alternative is None:
        out["problems"].append("no multipart/alternative")
    elif not (out["text"] and out["html"]):
        out["problems"].append("the alternative lacks text/plain or text/html")
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 1 if out["problems"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError) as err:
        print(f"eml_check: {err}", file=sys.stderr)
        sys.exit(2)
