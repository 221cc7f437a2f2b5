#!/usr/bin/env python3
"""Test data for schemathesis from the demo: real ids for the path parameters, the right
caller for the operations an admin may not do, and request-body examples made of real ids, so
that every operation is explored past its 404s and 422s too.

  ids.py BASE_URL ADMIN SUPERVISOR PARTICIPANT OUT_DIR LOCAL_URL

BASE_URL is a running `ohjaus serve` filled by `ohjaus demo`; ADMIN, SUPERVISOR (Anna
Virtanen) and PARTICIPANT (Liisa Korhonen, in Anna's ward series) are the demo's API tokens.
LOCAL_URL is the run's outside world on loopback (local.py): a calendar to connect and a
webhook receiver. Writes OUT_DIR/schemathesis.toml (per operation: parameters and the
Authorization header) and OUT_DIR/openapi.json: the served document with an `example` on the
request bodies, which schemathesis' examples phase sends as they are.

Operations that destroy what they are given (cancel a series, re-plan it, erase a person,
delete or discard something) get things of their own, made here through the API before the
run, so that the rest of the run still finds the demo's ward, its sessions and its people.

A new operation needs nothing here when:
  * its path parameters sit where the rules of `by_path` below put the demo's ids
    (`/organizations/{org}…`, `/series/{id}…`, `/sessions/{id}…`, …: the ward's), or follow the
    API's rule for the rest (`/api/v1/{collection}/{id}…` and the like, with a list that answers
    `items` with ids: the document's OpenAPI links say which list); the id is then the first
    item the list answers, asked as the admin, Anna or Liisa in turn — and the operation is
    called as the first who saw one (so the demo must hold at least one such item);
  * an admin may call it, or the one who saw the id (otherwise name its caller in
    `by_operation` below);
  * its request body is simple enough to fill from its schema (required fields: ids by their
    names — `organization_id`, `series_id`, … —, enums, examples, formats, bounds) or has an
    example in the document; otherwise add one to `examples` below.
An operation that destroys or reshapes what it is given (deletes it, cancels it, replaces its
members) should get a thing of its own (see `victims` and `spare`), named in `by_operation`.
"""
import datetime
import json
import os
import re
import sqlite3
import sys
import urllib.error
import urllib.request

METHODS = ("get", "put", "post", "patch", "delete")
# Strings of a format, for the bodies filled from their schemas: fixed, far ahead.
FORMATS = {
    "date": "2031-03-04",
    "date-time": "2031-03-04T08:00:00Z",
    "email": "schemathesis@ohjaus.example",
    "uri": "https://ohjaus.example/",
}


class Api:
    def __init__(self, base):
        self.base = base

    def look(self, token, method, path):
        """A call whose refusal is an answer too: None."""
        try:
            return self.call(token, method, path)
        except SystemExit:
            return None

    def call(self, token, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request) as answer:
                text = answer.read()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise SystemExit(f"ids.py: {method} {path} answered {error.code}: {detail}") from None


def items(value):
    return value["items"] if isinstance(value, dict) and "items" in value else value


def next_weekday(day, weekday):
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day


def series_body(org, supervisor, team, title, day, hour):
    """A short series of Anna's far ahead: three sessions a fortnight apart."""
    return {
        "organization_id": org,
        "supervisor_id": supervisor,
        "team_id": team,
        "kind": "group_supervision",
        "title": title,
        "first_start": f"{day}T{hour:02}:00",
        "duration_minutes": 90,
        "recurrence": {"frequency": "weekly", "interval": 2, "count": 3},
        "location": "Neuvotteluhuone 3",
    }


def main():
    base, admin, supervisor, participant, out, local = sys.argv[1:7]
    api = Api(base)
    document = api.call(admin, "GET", "/api/v1/openapi.json")

    # The ward series Liisa takes part in, supervised by Anna, and its sessions ahead.
    mine = items(api.call(participant, "GET", "/api/v1/me/upcoming?days=365"))
    ward = mine[0]["series_id"]
    series = api.call(admin, "GET", f"/api/v1/series/{ward}")
    org = series["organization_id"]
    anna = series["supervisor_id"]
    sessions = items(api.call(admin, "GET", f"/api/v1/series/{ward}/sessions"))
    # The server's clock starts at OHJAUS_CLOCK__START when run.sh sets it (and runs on).
    start = os.environ.get("OHJAUS_CLOCK__START")
    now = datetime.datetime.fromisoformat(start) if start else datetime.datetime.now(datetime.timezone.utc)
    ahead = [s for s in sessions if s["status"] == "scheduled" and s["starts_at"] > now.isoformat()]
    liisa_session = mine[0]["session_id"] if "session_id" in mine[0] else mine[0]["id"]
    others = [s["id"] for s in ahead if s["id"] != liisa_session]
    looked_at, moved, cancelled = others[0], others[1], others[2]
    team = items(api.call(admin, "GET", f"/api/v1/organizations/{org}/teams"))[0]["id"]
    people = items(api.call(admin, "GET", f"/api/v1/organizations/{org}/people"))
    # Not Liisa: her token is the run's participant.
    person = next(p["id"] for p in people if p["email"] != "liisa.korhonen@kaukola.example")
    every = items(api.call(admin, "GET", "/api/v1/series?limit=200"))
    # The other organization (the school) and supervisor (Mikko): the operations that change
    # what every booking is checked against (closures, absences, working hours) change theirs,
    # so that the ward's sessions can still be moved and booked later in the run.
    school = next(o["id"] for o in items(api.call(admin, "GET", "/api/v1/organizations")) if o["id"] != org)
    mikko = next(s["id"] for s in items(api.call(admin, "GET", "/api/v1/supervisors")) if s["id"] != anna)

    # A goal of one of Anna's series with its reviews, and a note she wrote; a session of
    # her past series that was held, for its attendance.
    goal = review = None
    note = note_session = held = None
    for s in every:
        if s["supervisor_id"] != anna:
            continue
        goals = items(api.call(supervisor, "GET", f"/api/v1/series/{s['id']}/goals"))
        for g in goals:
            goal = goal or g["id"]
            if not review and g.get("reviews"):
                goal, review = g["id"], g["reviews"][0]["id"]
        for session in items(api.call(admin, "GET", f"/api/v1/series/{s['id']}/sessions")):
            if session["status"] == "held":
                held = held or session
            if note:
                continue
            notes = items(api.call(supervisor, "GET", f"/api/v1/sessions/{session['id']}/notes"))
            if notes:
                note, note_session = notes[0]["id"], session["id"]
    feed = api.call(supervisor, "POST", "/api/v1/me/calendar-token")["url"]
    feed_token = feed.rsplit("/", 1)[1].removesuffix(".ics")

    # Anna's invoices (the demo invoices her past series): an approved one to credit, the
    # newest month's draft to approve, and a second draft of that month to discard.
    invoices = items(api.call(supervisor, "GET", "/api/v1/invoices?limit=200"))
    approved = next(i for i in invoices if i["status"] == "approved" and i["kind"] == "invoice")
    draft = next(i for i in invoices if i["status"] == "draft")
    month = {"organization_id": draft["organization_id"], "period": draft["period"]}
    discarded = api.call(supervisor, "POST", "/api/v1/invoices/drafts", month)["drafts"][0]["id"]

    # Things of their own for the operations that destroy what they are given.
    day = lambda days, weekday: next_weekday((now + datetime.timedelta(days=days)).date(), weekday)  # noqa: E731
    victims = {}
    spare = {}
    for n, use in enumerate(("cancel", "replan", "participants", "contract")):
        body = series_body(org, anna, team, f"Varasarja ({use})", day(430 + 14 * n, 2 + n % 3), 10)
        spare[use] = api.call(admin, "POST", "/api/v1/series", body)
    replan_from = max(s["index"] for s in spare["replan"]["sessions"])
    # A team of its own whose members may be replaced (the ward team's members are the ward
    # series' participants, Liisa among them).
    victims["team"] = api.call(
        admin,
        "POST",
        f"/api/v1/organizations/{org}/teams",
        {"name": "Varahenkilöt", "member_ids": [person]},
    )["id"]
    victims["person"] = api.call(
        admin,
        "POST",
        f"/api/v1/organizations/{org}/people",
        {"name": "Poistettava Henkilö", "email": "poistettava.henkilo@kaukola.example"},
    )["id"]
    closure_day = day(700, 0)
    victims["closure"] = api.call(
        admin,
        "POST",
        f"/api/v1/organizations/{school}/closures",
        {"start_date": str(closure_day), "end_date": str(closure_day), "reason": "Remontti"},
    )["id"]
    absence_day = day(720, 4)
    victims["absence"] = api.call(
        admin,
        "POST",
        f"/api/v1/supervisors/{mikko}/absences",
        {"starts_at": f"{absence_day}T06:00:00Z", "ends_at": f"{absence_day}T14:00:00Z", "reason": "Koulutus"},
    )["id"]

    # Calendars on the run's loopback server: one to keep and one to remove, each Anna's and
    # Liisa's; webhook endpoints to the loopback receiver: one to keep, with a delivery, and
    # one to delete.
    def calendar(token, path, label):
        body = {"label": label, "kind": "subscription", "url": f"{local}/{label.lower()}.ics"}
        return api.call(token, "POST", path, body)["id"]

    anna_calendar = calendar(admin, f"/api/v1/supervisors/{anna}/calendars", "Tyokalenteri")
    victims["anna_calendar"] = calendar(admin, f"/api/v1/supervisors/{anna}/calendars", "Vanha")
    my_calendar = calendar(participant, "/api/v1/me/calendars", "Vuorolista")
    victims["my_calendar"] = calendar(participant, "/api/v1/me/calendars", "Poistuva")
    hook = {"url": f"{local}/hooks/osasto", "description": "Osaston järjestelmä"}
    webhook = api.call(admin, "POST", f"/api/v1/organizations/{org}/webhooks", hook)["id"]
    delivery = api.call(admin, "POST", f"/api/v1/webhooks/{webhook}/test")["id"]
    victims["webhook"] = api.call(admin, "POST", "/api/v1/webhooks", {"url": f"{local}/hooks/kaikki"})["id"]

    # Rhythm polls of the ward team with Anna, far ahead: one kept open (looked at, and voted
    # in through a voter's personal link), one to choose from and one to close.
    def poll_body(title, days):
        def option(offset, weekday):
            return {
                "first_start": f"{day(days + offset, weekday)}T10:00",
                "duration_minutes": 90,
                "recurrence": {"frequency": "weekly", "count": 3},
                "location": "Neuvotteluhuone 2",
            }

        deadline = (now + datetime.timedelta(days=days - 7)).date()
        return {
            "kind": "group_supervision",
            "title": title,
            "supervisor_id": anna,
            "team_id": team,
            "deadline": f"{deadline}T12:00:00Z",
            "options": [option(0, 0), option(0, 3)],
        }

    polls = f"/api/v1/organizations/{org}/polls"
    open_poll = api.call(admin, "POST", polls, poll_body("Kevään rytmi", 600))
    victims["chosen_poll"] = api.call(admin, "POST", polls, poll_body("Valittava rytmi", 630))["id"]
    victims["closed_poll"] = api.call(admin, "POST", polls, poll_body("Suljettava rytmi", 660))["id"]
    chosen_option = api.call(admin, "GET", f"/api/v1/polls/{victims['chosen_poll']}")["options"][0]["id"]
    vote_token = voting_secret(out, open_poll["title"])
    vote = {"answers": [{"option_id": o["id"], "answer": "yes"} for o in open_poll["options"]], "comment": "Käy"}

    # A new series far ahead, on a Tuesday inside Anna's working hours.
    new_series = series_body(org, anna, team, "Schemathesis", day(400, 1), 10)
    replan_day = day(500, 2)
    profile = api.call(admin, "GET", f"/api/v1/supervisors/{anna}/billing-profile")
    contract = api.call(admin, "GET", f"/api/v1/series/{ward}/contract")
    examples = {
        ("post", "/api/v1/series/preview"): new_series,
        ("post", "/api/v1/series"): new_series,
        ("put", "/api/v1/series/{id}/participants"): {"team_id": team},
        ("put", "/api/v1/teams/{id}/members"): {"member_ids": [person]},
        ("post", "/api/v1/series/{id}/replan"): {"from_index": replan_from, "first_start": f"{replan_day}T12:00"},
        ("post", "/api/v1/series/{id}/goals"): {"text": "Yhteinen käsitys vuorojen vaihdosta"},
        ("patch", "/api/v1/goals/{id}"): {"text": "Yhteinen käsitys vuorojen vaihdosta ja perehdytyksestä"},
        ("post", "/api/v1/goals/{id}/reviews"): {"phase": "midpoint", "rating": 4, "comment": "Edistystä"},
        ("patch", "/api/v1/sessions/{id}"): {"location": "Neuvotteluhuone 4"},
        ("post", "/api/v1/sessions/{id}/cancel"): {"reason": "Koulutuspäivä"},
        ("post", "/api/v1/sessions/{id}/notes"): {"text": "Käytiin läpi tavoitteet", "visibility": "supervisor"},
        ("put", "/api/v1/supervisors/{id}/billing-profile"): profile_body(profile),
        ("put", "/api/v1/series/{id}/contract"): contract_body(contract),
        ("post", "/api/v1/invoices/drafts"): month,
        ("post", "/api/v1/supervisors/{id}/calendars"): {
            "label": "Toinen",
            "kind": "subscription",
            "url": f"{local}/toinen.ics",
        },
        ("post", "/api/v1/me/calendars"): {"label": "Oma", "kind": "subscription", "url": f"{local}/oma.ics"},
        ("post", "/api/v1/organizations/{org}/webhooks"): {"url": f"{local}/hooks/toinen"},
        ("post", "/api/v1/webhooks"): {"url": f"{local}/hooks/kolmas"},
        ("patch", "/api/v1/webhooks/{id}"): {"description": "Osaston järjestelmä (testi)"},
        ("post", "/api/v1/organizations/{org}/polls"): poll_body("Schemathesis-rytmi", 690),
        ("put", "/api/v1/poll-votes/{token}"): vote,
        ("post", "/api/v1/polls/{id}/choose"): {"option_id": chosen_option},
        ("put", "/api/v1/sessions/{id}/attendance"): {
            "entries": [{"person_id": p, "status": "present"} for p in held["participant_ids"]]
        },
    }
    known_ids = {
        "organization_id": org,
        "supervisor_id": anna,
        "series_id": ward,
        "session_id": looked_at,
        "team_id": team,
        "person_id": person,
        "goal_id": goal,
    }
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if not operation or "requestBody" not in operation:
                continue
            media = operation["requestBody"].get("content", {}).get("application/json")
            if media is None:
                continue
            if (method, path) in examples:
                media["example"] = examples[(method, path)]
            elif "example" not in media and "examples" not in media:
                body = fill(document, media.get("schema", {}), known_ids)
                if body is not None:
                    media["example"] = body
    with open(f"{out}/openapi.json", "w", encoding="utf-8") as f:
        json.dump(document, f)

    as_supervisor = f"Bearer {supervisor}"
    as_participant = f"Bearer {participant}"
    # The rules below apply in order, a later one deciding what it names (ids.py merges them:
    # schemathesis itself takes an option whole from the first entry that names it, so each
    # operation gets one entry of its own, below).
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
        (r"^/api/v1/invoices", {"path.id": approved["id"]}, as_supervisor),
        (r"^/api/v1/supervisors/\{id\}/calendars/", {"path.calendar_id": anna_calendar}, None),
        (r"^/api/v1/me/calendars/", {"path.calendar_id": my_calendar}, None),
        (r"^/api/v1/webhooks/\{id\}", {"path.id": webhook}, None),
        (r"^/api/v1/webhooks/deliveries/", {"path.id": delivery}, None),
        (r"^/api/v1/polls/\{id\}", {"path.id": open_poll["id"]}, None),
        (r"^/api/v1/poll-votes/", {"path.token": vote_token}, None),
        (r"^/api/v1/organizations/\{org\}/closures", {"path.org": school}, None),
        (r"^/api/v1/supervisors/\{id\}/(absences|working-hours)", {"path.id": mikko}, None),
    ]
    by_operation = [
        (("post", "/api/v1/series/{id}/cancel"), {"path.id": spare["cancel"]["id"]}, None),
        (("post", "/api/v1/series/{id}/replan"), {"path.id": spare["replan"]["id"]}, None),
        (("put", "/api/v1/series/{id}/participants"), {"path.id": spare["participants"]["id"]}, None),
        (("put", "/api/v1/series/{id}/contract"), {"path.id": spare["contract"]["id"]}, None),
        (("put", "/api/v1/teams/{id}/members"), {"path.id": victims["team"]}, None),
        (("post", "/api/v1/people/{id}/erase"), {"path.id": victims["person"]}, None),
        (("delete", "/api/v1/organizations/{org}/closures/{closure_id}"), {"path.closure_id": victims["closure"]}, None),
        (("delete", "/api/v1/supervisors/{id}/absences/{absence_id}"), {"path.absence_id": victims["absence"]}, None),
        (("delete", "/api/v1/supervisors/{id}/calendars/{calendar_id}"), {"path.calendar_id": victims["anna_calendar"]}, None),
        (("delete", "/api/v1/me/calendars/{calendar_id}"), {"path.calendar_id": victims["my_calendar"]}, None),
        (("delete", "/api/v1/webhooks/{id}"), {"path.id": victims["webhook"]}, None),
        (("post", "/api/v1/polls/{id}/choose"), {"path.id": victims["chosen_poll"]}, None),
        (("post", "/api/v1/polls/{id}/close"), {"path.id": victims["closed_poll"]}, None),
        (("post", "/api/v1/invoices/{id}/approve"), {"path.id": draft["id"]}, None),
        (("delete", "/api/v1/invoices/{id}"), {"path.id": discarded}, None),
        (("patch", "/api/v1/sessions/{id}"), {"path.id": moved}, None),
        (("post", "/api/v1/sessions/{id}/cancel"), {"path.id": cancelled}, None),
        (("post", "/api/v1/sessions/{id}/absence"), {"path.id": liisa_session}, as_participant),
        (("put", "/api/v1/sessions/{id}/attendance"), {"path.id": held["id"]}, as_supervisor),
        (("post", "/api/v1/series/{id}/goals"), {"path.id": ward}, as_supervisor),
        (("patch", "/api/v1/goals/{id}"), {"path.id": goal}, as_supervisor),
        (("post", "/api/v1/goals/{id}/reviews"), {"path.id": goal}, as_supervisor),
        (("get", "/api/v1/goals/{id}/reviews/{review_id}"), {"path.id": goal, "path.review_id": review}, as_supervisor),
        (("get", "/api/v1/sessions/{id}/notes"), {"path.id": note_session}, as_supervisor),
        (("post", "/api/v1/sessions/{id}/notes"), {"path.id": note_session}, as_supervisor),
        (("get", "/api/v1/sessions/{id}/notes/{note_id}"), {"path.id": note_session, "path.note_id": note}, as_supervisor),
    ]
    entries = [(re.compile(regex), None, parameters, authorization) for regex, parameters, authorization in by_path]
    entries += [(None, key, parameters, authorization) for key, parameters, authorization in by_operation]
    entries += derived(api, [admin, supervisor, participant], document, entries)

    # The stateful phase follows the document's own links and the Location headers. Its
    # dependency analysis is left out: it links a created parent to operations whose other ids
    # are the fixed ones below (a new supervisor with Anna's calendar), and reports the 404
    # for that calendar as "created resource not found".
    print("[phases.stateful.inference]")
    print('algorithms = ["location-headers"]')
    print()
    for path, item in document["paths"].items():
        names = re.findall(r"\{([^}]+)\}", path)
        for method in METHODS:
            if method not in item:
                continue
            parameters, authorization = parameters_of(entries, method, path)
            parameters = {k: v for k, v in parameters.items() if k.split(".", 1)[1] in names}
            if not parameters and not authorization:
                continue
            print("[[operations]]")
            if "operationId" in item[method]:
                print(f"include-operation-id = {json.dumps(item[method]['operationId'])}")
            else:
                print(f"include-path = {json.dumps(path)}")
                print(f"include-method = {json.dumps(method.upper())}")
            if parameters:
                shown = ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in parameters.items())
                print(f"parameters = {{ {shown} }}")
            if authorization:
                print(f"headers = {{ Authorization = {json.dumps(authorization)} }}")
            print()


def voting_secret(folder, title):
    """The secret of one voter's link to the poll titled `title`. The link exists only in the
    invitation (the database keeps its hash); the run's server sends no mail (--no-worker),
    so it is read from the invitation queued in the run's own database."""
    with sqlite3.connect(f"{folder}/ohjaus.db") as db:
        rows = db.execute("SELECT payload FROM outbox WHERE kind = 'poll_invitation'").fetchall()
    for (payload,) in rows:
        notice = json.loads(payload)
        if notice["poll"]["title"] == title:
            return notice["url"].rsplit("/", 1)[1]
    raise SystemExit(f"no invitation to the poll {title!r} in the outbox")


def profile_body(profile):
    """The billing profile as a body to set it again (its next invoice number as it is)."""
    return {k: v for k, v in profile["profile"].items() if v is not None}


def contract_body(contract):
    """The terms in force as a body to set them again (a new version, the same terms)."""
    return {k: v for k, v in contract["terms"].items() if v is not None}


def parameters_of(entries, method, path):
    """What the rules give an operation: path parameters and Authorization, a later rule
    deciding what it names."""
    merged, authorization = {}, None
    for regex, key, parameters, auth in entries:
        if (regex is not None and regex.search(path)) or key == (method, path):
            merged.update({k: v for k, v in parameters.items() if v is not None})
            authorization = auth or authorization
    return merged, authorization


def derived(api, tokens, document, entries):
    """Ids for the path parameters no rule names, from the OpenAPI links: the first item of a
    list that links to the operation (a GET, so asking changes nothing), asked as each of
    `tokens` in turn (admin, the supervisor, the participant) until one sees an item; the
    operation is then called as the one who saw it, unless a rule names its caller."""
    links = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if not operation:
            continue
        for link in operation.get("responses", {}).get("200", {}).get("links", {}).values():
            links.append((path, link))
    paths_by_id = {
        item[m]["operationId"]: (m, path) for path, item in document["paths"].items() for m in METHODS if m in item
    }
    found = []
    for path, item in document["paths"].items():
        names = re.findall(r"\{([^}]+)\}", path)
        for method in METHODS:
            operation = item.get(method)
            if not operation or not names:
                continue
            given, authorization = parameters_of(entries, method, path)
            missing = [n for n in names if f"path.{n}" not in given]
            if not missing:
                continue
            values, seen_by = {}, None
            for source, link in links:
                if paths_by_id.get(link.get("operationId")) != (method, path):
                    continue
                known, source_authorization = parameters_of(entries, "get", source)
                url = source
                for name in re.findall(r"\{([^}]+)\}", source):
                    if f"path.{name}" not in known:
                        url = None
                        break
                    url = url.replace("{" + name + "}", str(known[f"path.{name}"]))
                if url is None:
                    continue
                asked = [source_authorization.removeprefix("Bearer ")] if source_authorization else []
                for token in asked + [t for t in tokens if t not in asked]:
                    answer = api.look(token, "GET", url)
                    for name, expression in link.get("parameters", {}).items():
                        if name in missing and name not in values and str(expression).startswith("$response.body#"):
                            value = pointer(answer, expression.split("#", 1)[1])
                            if value is not None:
                                values[name], seen_by = value, token
                    if values:
                        break
            if values:
                caller = None if authorization or seen_by == tokens[0] else f"Bearer {seen_by}"
                found.append((None, (method, path), {f"path.{k}": v for k, v in values.items()}, caller))
    return found


def pointer(value, path):
    for part in path.strip("/").split("/"):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def fill(document, schema, known_ids, depth=0):
    """A body of the schema's required fields: ids by their names, then examples, enums,
    defaults and bounds; None when it cannot say."""
    schema = follow(document, schema)
    if depth > 6 or not isinstance(schema, dict):
        return None
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema:
            for option in schema[key]:
                value = fill(document, option, known_ids, depth + 1)
                if value is not None:
                    return value
            return None
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in schema:
        body = {}
        for name in schema.get("required", []):
            prop = schema.get("properties", {}).get(name, {})
            value = known_ids.get(name) if name in known_ids else fill(document, prop, known_ids, depth + 1)
            if value is None:
                return None
            body[name] = value
        return body
    if kind == "array":
        count = schema.get("minItems", 0)
        item = fill(document, schema.get("items", {}), known_ids, depth + 1)
        return [item] * count if item is not None or count == 0 else None
    if kind == "integer" or kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("format") in FORMATS:
            return FORMATS[schema["format"]]
        if schema.get("format") == "uuid" or "pattern" in schema:
            return None
        length = max(schema.get("minLength", 1), 1)
        return "Testi" + "x" * max(length - 5, 0)
    return None


def follow(document, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        target = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = target
    return schema


if __name__ == "__main__":
    main()
