#!/usr/bin/env python3
"""Writes a schemathesis.toml that points the path parameters of each operation at real
resources of the demo data, so that the happy paths are explored too (not only 404s).

  ids.py BASE_URL ADMIN_TOKEN > schemathesis.toml
"""
import json
import sys
import urllib.request


def get(base, token, path):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def items(value):
    return value["items"] if isinstance(value, dict) and "items" in value else value


def main():
    base, token = sys.argv[1], sys.argv[2]
    org = items(get(base, token, "/api/v1/organizations"))[0]["id"]
    series = items(get(base, token, "/api/v1/series"))[0]
    session = items(get(base, token, f"/api/v1/series/{series['id']}/sessions"))[0]["id"]
    team = items(get(base, token, f"/api/v1/organizations/{org}/teams"))[0]["id"]
    person = items(get(base, token, f"/api/v1/organizations/{org}/people"))[0]["id"]
    supervisor = series["supervisor_id"]
    bindings = [
        (r"^/api/v1/organizations/\{org\}", {"path.org": org}),
        (r"^/api/v1/series/\{id\}", {"path.id": series["id"]}),
        (r"^/api/v1/sessions/\{id\}", {"path.id": session}),
        (r"^/api/v1/teams/\{id\}", {"path.id": team}),
        (r"^/api/v1/people/\{id\}", {"path.id": person}),
        (r"^/api/v1/supervisors/\{id\}", {"path.id": supervisor}),
    ]
    for regex, parameters in bindings:
        print("[[operations]]")
        print(f"include-path-regex = {json.dumps(regex)}")
        print("parameters = { " + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in parameters.items()) + " }")
        print()


if __name__ == "__main__":
    main()
