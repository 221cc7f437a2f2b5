#!/usr/bin/env python3
"""How many of the API's operations schemathesis reached with a request they accepted.

  coverage.py OPENAPI_URL REQUESTS.har --at-least PERCENT

Reads the HAR file of a schemathesis run (every request and its answer), matches each request
to its operation in the OpenAPI document (method and path template), and prints per operation
the answers it got. Fails when fewer than PERCENT % of the operations got a 2xx answer
(a 304 counts: it is the answer a conditional request wants).
"""
import argparse
import json
import re
import sys
import urllib.parse
import urllib.request
from collections import defaultdict

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def operations(document):
    found = []
    for path, item in document.get("paths", {}).items():
        # {token}.ics and the like: a parameter is one segment, or part of one.
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"
        for method in item:
            if method in METHODS:
                found.append((method.upper(), path, re.compile(pattern)))
    # Literal segments win over parameters (/series/preview before /series/{id}).
    found.sort(key=lambda op: (op[1].count("{"), -len(op[1])))
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("openapi")
    parser.add_argument("har")
    parser.add_argument("--at-least", type=float, default=90.0)
    args = parser.parse_args()
    with urllib.request.urlopen(args.openapi) as answer:
        document = json.load(answer)
    ops = operations(document)
    with open(args.har, encoding="utf-8") as f:
        entries = json.load(f)["log"]["entries"]
    statuses = defaultdict(lambda: defaultdict(int))
    for entry in entries:
        method = entry["request"]["method"].upper()
        path = urllib.parse.urlsplit(entry["request"]["url"]).path
        status = entry["response"]["status"]
        for op_method, template, pattern in ops:
            if op_method == method and pattern.match(path):
                statuses[(op_method, template)][status] += 1
                break
    accepted = []
    for method, template, _ in sorted(ops, key=lambda op: (op[1], op[0])):
        got = statuses.get((method, template), {})
        ok = any(200 <= s < 300 or s == 304 for s in got)
        accepted.append(ok)
        shown = ", ".join(f"{s}×{n}" for s, n in sorted(got.items())) or "not requested"
        print(f"{'ok ' if ok else '-- '} {method:6} {template}: {shown}")
    share = 100.0 * sum(accepted) / max(len(accepted), 1)
    print(f"{sum(accepted)} of {len(accepted)} operations got a 2xx answer ({share:.0f} %); at least {args.at_least:.0f} % wanted")
    return 0 if share >= args.at_least else 1


if __name__ == "__main__":
    sys.exit(main())
