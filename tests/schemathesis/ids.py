#!/usr/bin/env python3
"""Test data for schemathesis from the demo: real ids for the path parameters, the right
caller for the operations an admin may not do, and request-body examples made of real ids, so
that every operation is explored past its 404s and 422s too.

  ids.py BASE_URL ADMIN SUPERVISOR PARTICIPANT OUT_DIR

BASE_URL is a running `ohjaus serve` filled by `ohjaus demo`; ADMIN, SUPERVISOR (Anna
Virtanen) and PARTICIPANT (Liisa Korhonen, in Anna's ward series) are the demo's API tokens.
Writes OUT_DIR/schemathesis.toml (per operation: parameters and the Authorization header) and
OUT_DIR/openapi.json: the served document with an `example` on the request bodies below, which
schemathesis' examples phase sends as they are. Nothing here changes the data; the run does.
"""
import datetime
import json
import sys
import urllib.request


class Api:
    def __init__(self, base):
        self.base = base

    def call(self, token, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request) as answer:
            text = answer.read()
            return json.loads(text) if text else None


def items(value):
    return value["items"] if isinstance(value, dict) and "items" in value else value


def next_weekday(day, weekday):
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day


def main():
    base, admin, supervisor, participant, out = sys.argv[1:6]
    api = Api(base)
    document = api.call(admin, "GET", "/api/v1/openapi.json")

    # The ward series Liisa takes part in, supervised by Anna, and its sessions ahead.
    mine = items(api.call(participant, "GET", "/api/v1/me/upcoming?days=365"))
    ward = mine[0]["series_id"]
    series = api.call(admin, "GET", f"/api/v1/series/{ward}")
    org = series["organization_id"]
    anna = series["supervisor_id"]
    sessions = items(api.call(admin, "GET", f"/api/v1/series/{ward}/sessions"))
    now = datetime.datetime.now(datetime.timezone.utc)
    ahead = [s for s in sessions if s["status"] == "scheduled" and s["starts_at"] > now.isoformat()]
    liisa_session = mine[0]["session_id"] if "session_id" in mine[0] else mine[0]["id"]
    others = [s["id"] for s in ahead if s["id"] != liisa_session]
    looked_at, moved, cancelled = others[0], others[1], others[2]
    last_index = max(s["index"] for s in sessions)
    team = items(api.call(admin, "GET", f"/api/v1/organizations/{org}/teams"))[0]["id"]
    person = items(api.call(admin, "GET", f"/api/v1/organizations/{org}/people"))[0]["id"]
    # Another series, to be cancelled whole without taking the ward's sessions with it.
    every = items(api.call(admin, "GET", "/api/v1/series"))
    other = next(s["id"] for s in every if s["id"] != ward and s["status"] == "active")

    # A goal of one of Anna's series with its reviews, and a note she wrote.
    goal = review = None
    note = note_session = None
    for s in every:
        if s["supervisor_id"] != anna:
            continue
        goals = items(api.call(supervisor, "GET", f"/api/v1/series/{s['id']}/goals"))
        for g in goals:
            goal = goal or g["id"]
            if not review and g.get("reviews"):
                goal, review = g["id"], g["reviews"][0]["id"]
        for session in items(api.call(admin, "GET", f"/api/v1/series/{s['id']}/sessions")):
            if note:
                break
            notes = items(api.call(supervisor, "GET", f"/api/v1/sessions/{session['id']}/notes"))
            if notes:
                note, note_session = notes[0]["id"], session["id"]
    feed = api.call(supervisor, "POST", "/api/v1/me/calendar-token")["url"]
    feed_token = feed.rsplit("/", 1)[1].removesuffix(".ics")

    # A new series far ahead, on a Tuesday inside Anna's working hours.
    tuesday = next_weekday((now + datetime.timedelta(days=400)).date(), 1)
    new_series = {
        "organization_id": org,
        "supervisor_id": anna,
        "team_id": team,
        "kind": "group_supervision",
        "title": "Schemathesis",
        "first_start": f"{tuesday}T10:00",
        "duration_minutes": 90,
        "recurrence": {"frequency": "weekly", "interval": 2, "count": 3},
        "location": "Neuvotteluhuone 3",
    }
    replan_day = next_weekday((now + datetime.timedelta(days=500)).date(), 2)
    examples = {
        ("post", "/api/v1/series/preview"): new_series,
        ("post", "/api/v1/series"): new_series,
        ("put", "/api/v1/series/{id}/participants"): {"team_id": team},
        ("post", "/api/v1/series/{id}/replan"): {"from_index": last_index, "first_start": f"{replan_day}T12:00"},
        ("post", "/api/v1/series/{id}/goals"): {"text": "Yhteinen käsitys vuorojen vaihdosta"},
        ("patch", "/api/v1/goals/{id}"): {"text": "Yhteinen käsitys vuorojen vaihdosta ja perehdytyksestä"},
        ("post", "/api/v1/goals/{id}/reviews"): {"phase": "midpoint", "rating": 4, "comment": "Edistystä"},
        ("patch", "/api/v1/sessions/{id}"): {"location": "Neuvotteluhuone 4"},
        ("post", "/api/v1/sessions/{id}/cancel"): {"reason": "Koulutuspäivä"},
        ("post", "/api/v1/sessions/{id}/notes"): {"text": "Käytiin läpi tavoitteet", "visibility": "supervisor"},
    }
    for (method, path), body in examples.items():
        operation = document["paths"].get(path, {}).get(method)
        if operation and "requestBody" in operation:
            operation["requestBody"]["content"]["application/json"]["example"] = body
    with open(f"{out}/openapi.json", "w", encoding="utf-8") as f:
        json.dump(document, f)

    def operation_id(method, path):
        return document["paths"][path][method]["operationId"]

    as_supervisor = f"Bearer {supervisor}"
    as_participant = f"Bearer {participant}"
    # schemathesis merges every entry that applies to an operation, a later one deciding what
    # it names: the entries by path first, those naming one operation after them.
    by_operation = [
        (("post", "/api/v1/series/{id}/cancel"), {"path.id": other}, None),
        (("patch", "/api/v1/sessions/{id}"), {"path.id": moved}, None),
        (("post", "/api/v1/sessions/{id}/cancel"), {"path.id": cancelled}, None),
        (("post", "/api/v1/sessions/{id}/absence"), {"path.id": liisa_session}, as_participant),
        (("post", "/api/v1/series/{id}/goals"), {"path.id": ward}, as_supervisor),
        (("patch", "/api/v1/goals/{id}"), {"path.id": goal}, as_supervisor),
        (("post", "/api/v1/goals/{id}/reviews"), {"path.id": goal}, as_supervisor),
        (("get", "/api/v1/goals/{id}/reviews/{review_id}"), {"path.id": goal, "path.review_id": review}, as_supervisor),
        (("get", "/api/v1/sessions/{id}/notes"), {"path.id": note_session}, as_supervisor),
        (("post", "/api/v1/sessions/{id}/notes"), {"path.id": note_session}, as_supervisor),
        (("get", "/api/v1/sessions/{id}/notes/{note_id}"), {"path.id": note_session, "path.note_id": note}, as_supervisor),
    ]
    by_path = [
        (r"^/api/v1/me/", {}, as_participant),
        (r"^/calendar/", {"path.token": feed_token}, None),
        (r"^/api/v1/organizations/\{org\}", {"path.org": org}, None),
        (r"^/api/v1/series/\{id\}", {"path.id": ward}, None),
        (r"^/api/v1/sessions/\{id\}", {"path.id": looked_at}, None),
        (r"^/api/v1/teams/\{id\}", {"path.id": team}, None),
        (r"^/api/v1/people/\{id\}", {"path.id": person}, None),
        (r"^/api/v1/supervisors/\{id\}", {"path.id": anna}, None),
        (r"^/api/v1/goals/\{id\}", {"path.id": goal}, as_supervisor),
    ]

    def entry(selector, parameters, authorization):
        print("[[operations]]")
        print(selector)
        parameters = {k: v for k, v in parameters.items() if v is not None}
        if parameters:
            print("parameters = { " + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in parameters.items()) + " }")
        if authorization:
            print(f"headers = {{ Authorization = {json.dumps(authorization)} }}")
        print()

    for regex, parameters, authorization in by_path:
        entry(f"include-path-regex = {json.dumps(regex)}", parameters, authorization)
    for (method, path), parameters, authorization in by_operation:
        if path in document["paths"] and method in document["paths"][path]:
            entry(f"include-operation-id = {json.dumps(operation_id(method, path))}", parameters, authorization)


if __name__ == "__main__":
    main()
