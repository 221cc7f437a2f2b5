#!/usr/bin/env python3
"""What a calendar client would show after receiving a sequence of iCalendar messages.

  ics_check.py FILE [FILE ...]

Each FILE is an .ics, or an .eml whose text/calendar parts are read (they must agree with each
other, and their MIME `method=` with METHOD). The messages are applied in the order given, the
way a calendar client applies them:

  - a REQUEST (or PUBLISH) with the whole event replaces what the client holds for that UID;
  - a REQUEST with only overrides (RECURRENCE-ID) replaces those instances;
  - a CANCEL with RECURRENCE-ID removes those instances;
  - a CANCEL without RECURRENCE-ID removes the UID.

The result is expanded twice, independently: with `icalendar` + `recurring-ical-events`, and
with `vobject` (which reads the VTIMEZONE blocks and expands the RRULE/EXDATE with dateutil's
rruleset; the overrides are applied here). Instances with STATUS:CANCELLED are dropped.

Prints JSON: {"occurrences": [{"uid", "start", "end"}], "parties": [...], "problems": [...]},
instants in UTC (`2027-01-21T11:00:00Z`), sorted by start then UID. "parties" lists, per message
and VEVENT, who organizes and who attends as both parsers read them: {"file", "method", "uid",
"organizer": address, "attendees": [{"address", "role", "partstat", "rsvp"}]} (addresses
lower-case without `mailto:`). Problems include any disagreement between
the two readings, a METHOD that differs from the MIME method, a TZID without VTIMEZONE, a REQUEST
or CANCEL without ORGANIZER or ATTENDEE, a PUBLISH without ORGANIZER or with an ATTENDEE, a SEQUENCE that does not rise per UID, an override of
no occurrence, and lines that are not CRLF-ended or longer than 75 octets.

Exit status: 0 without problems, 1 with problems, 2 on unusable input.
Needs the packages of requirements.txt beside this file.
"""
import datetime as dt
import email
import email.policy
import json
import sys

import icalendar
import recurring_ical_events
import vobject

UTC = dt.timezone.utc
WINDOW = (dt.datetime(1970, 1, 1, tzinfo=UTC), dt.datetime(2100, 1, 1, tzinfo=UTC))
DATE_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE", "DUE")


class Unusable(Exception):
    """Input that cannot be read at all."""


def utc(value):
    """An instant from a parsed DATE-TIME (aware) or DATE; floating times are refused."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"floating time {value.isoformat()} (no TZID and no Z)")
        return value.astimezone(UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise ValueError(f"not a date or time: {value!r}")


def stamp(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- reading files ---------------------------------------------------------------------------

def messages_of(path, problems):
    """[(label, payload bytes, MIME method or None, from an email)] of one file: one message."""
    with open(path, "rb") as f:
        raw = f.read()
    head = raw[:4096].lower()
    is_email = path.endswith(".eml") or (not raw.lstrip().startswith(b"BEGIN:") and b"content-type:" in head)
    if not is_email:
        return [(path, raw, None, False)]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    if not parts:
        raise Unusable(f"{path}: the email has no text/calendar part")
    payloads = [(p.get_payload(decode=True), p.get_param("method")) for p in parts]
    first, mime_method = payloads[0]
    for other, other_method in payloads[1:]:
        if other.replace(b"\r\n", b"\n") != first.replace(b"\r\n", b"\n"):
            problems.append(f"{path}: the email's text/calendar parts differ")
        if other_method and mime_method and other_method.upper() != mime_method.upper():
            problems.append(f"{path}: the email's text/calendar parts give different methods")
        mime_method = mime_method or other_method
    if not any(m for _, m in payloads):
        problems.append(f"{path}: no text/calendar part has a method= parameter")
    return [(path, first, mime_method, True)]


def line_problems(label, raw, is_part=False):
    """Line format. In an email the CRLF before the next boundary belongs to the boundary, so a
    part may lack the final line end."""
    found = []
    if not raw.endswith(b"\r\n") and not is_part:
        found.append(f"{label}: does not end with CRLF")
    lines = raw.split(b"\r\n")
    for number, line in enumerate(lines[:-1] if raw.endswith(b"\r\n") else lines, 1):
        if b"\n" in line or b"\r" in line:
            found.append(f"{label}: line {number} has a bare CR or LF")
        if len(line) > 75:
            found.append(f"{label}: line {number} is {len(line)} octets (more than 75)")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            found.append(f"{label}: line {number} is not UTF-8 (folded inside a character?)")
    return found


def static_problems(label, cal, mime_method):
    """Checks of one parsed message (icalendar's reading) that need no history."""
    found = []
    method = cal.get("METHOD")
    method = str(method).upper() if method is not None else None
    for name in ("VERSION", "PRODID", "METHOD"):
        count = len([1 for key, _ in cal.property_items(recursive=False) if key == name])
        if count != 1:
            found.append(f"{label}: {count} {name} properties (want exactly one)")
    if str(cal.get("VERSION", "")) != "2.0":
        found.append(f"{label}: VERSION is not 2.0")
    if mime_method and method and mime_method.upper() != method:
        found.append(f"{label}: MIME method={mime_method} but METHOD:{method}")
    tzids = {str(tz.get("TZID")) for tz in cal.walk("VTIMEZONE")}
    for ev in cal.walk("VEVENT"):
        uid = str(ev.get("UID", "")) or "(no UID)"
        for name in ("UID", "DTSTAMP", "DTSTART"):
            if ev.get(name) is None:
                found.append(f"{label}: {uid}: no {name}")
        for name in DATE_PROPERTIES:
            values = ev.get(name)
            for value in values if isinstance(values, list) else [values]:
                if value is None:
                    continue
                tzid = value.params.get("TZID")
                if tzid and tzid not in tzids:
                    found.append(f"{label}: {uid}: {name} has TZID {tzid} without a VTIMEZONE")
        if method in ("REQUEST", "CANCEL"):
            if ev.get("ORGANIZER") is None:
                found.append(f"{label}: {uid}: {method} without ORGANIZER")
            if ev.get("ATTENDEE") is None:
                found.append(f"{label}: {uid}: {method} without ATTENDEE")
        if method == "PUBLISH" and ev.get("ORGANIZER") is None:
            found.append(f"{label}: {uid}: PUBLISH without ORGANIZER")
        if method == "PUBLISH" and ev.get("ATTENDEE") is not None:
            found.append(f"{label}: {uid}: PUBLISH with ATTENDEE (RFC 5546 3.2.1)")
    return method, found


# --- who organizes and who attends -----------------------------------------------------------

def address(value):
    text = str(value).strip()
    return (text[7:] if text.lower().startswith("mailto:") else text).lower()


def parties_icalendar(events):
    out = []
    for ev in events:
        organizer = ev.get("ORGANIZER")
        attendees = ev.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else ([attendees] if attendees is not None else [])
        out.append({
            "uid": str(ev.get("UID")),
            "organizer": address(organizer) if organizer is not None else None,
            "attendees": [{
                "address": address(a),
                "role": a.params.get("ROLE"),
                "partstat": a.params.get("PARTSTAT"),
                "rsvp": a.params.get("RSVP"),
            } for a in attendees],
        })
    return out


def parties_vobject(events):
    out = []
    for ev in events:
        organizer = ev.contents.get("organizer", [None])[0]
        first = lambda line, name: (line.params.get(name) or [None])[0]
        out.append({
            "uid": str(ev.uid.value),
            "organizer": address(organizer.value) if organizer is not None else None,
            "attendees": [{
                "address": address(a.value),
                "role": first(a, "ROLE"),
                "partstat": first(a, "PARTSTAT"),
                "rsvp": first(a, "RSVP"),
            } for a in ev.contents.get("attendee", [])],
        })
    return out


# --- one client per parser ---------------------------------------------------------------------

class State:
    """What a client holds for one UID."""

    def __init__(self, master=None):
        self.master = master
        self.overrides = {}  # RECURRENCE-ID instant -> component
        self.cancelled = set()  # RECURRENCE-ID instants removed by CANCEL


class Client:
    """Applies messages as a calendar client does; `reader` knows one parser's objects."""

    def __init__(self, reader):
        self.reader = reader
        self.uids = {}
        self.timezones = {}

    def apply(self, label, method, events, timezones, problems):
        self.timezones.update(timezones)
        by_uid = {}
        for ev in events:
            by_uid.setdefault(self.reader.uid(ev), []).append(ev)
        for uid, comps in by_uid.items():
            masters = [c for c in comps if self.reader.rid(c) is None]
            overrides = [c for c in comps if self.reader.rid(c) is not None]
            if len(masters) > 1:
                problems.append(f"{label}: {uid}: {len(masters)} VEVENTs without RECURRENCE-ID")
            if method in ("REQUEST", "PUBLISH"):
                if masters:
                    state = State(masters[0])
                    self.uids[uid] = state
                else:
                    state = self.uids.setdefault(uid, State())
                for c in overrides:
                    rid = self.reader.rid(c)
                    state.overrides[rid] = c
                    state.cancelled.discard(rid)
            elif method == "CANCEL":
                if masters:
                    self.uids.pop(uid, None)
                elif uid in self.uids:
                    state = self.uids[uid]
                    for c in overrides:
                        rid = self.reader.rid(c)
                        state.cancelled.add(rid)
                        state.overrides.pop(rid, None)
            else:
                problems.append(f"{label}: METHOD {method} is not one a client applies")

    def occurrences(self, problems):
        out = []
        for uid, state in self.uids.items():
            for start, end, rid in self.reader.expand(uid, state, self.timezones, problems):
                if rid not in state.cancelled:
                    out.append((start, end, uid))
        return sorted(set(out))


class IcalendarReader:
    """`icalendar` for parsing, `recurring-ical-events` for expanding."""

    name = "icalendar+recurring-ical-events"

    def parse(self, payload):
        cal = icalendar.Calendar.from_ical(payload)
        timezones = {str(tz.get("TZID")): tz for tz in cal.walk("VTIMEZONE")}
        return cal, list(cal.walk("VEVENT")), timezones

    def uid(self, ev):
        return str(ev.get("UID"))

    def rid(self, ev):
        value = ev.get("RECURRENCE-ID")
        return utc(value.dt) if value is not None else None

    def sequence(self, ev):
        return int(ev.get("SEQUENCE", 0))

    def expand(self, uid, state, timezones, problems):
        cal = icalendar.Calendar()
        cal.add("PRODID", "-//ics_check//EN")
        cal.add("VERSION", "2.0")
        for tz in timezones.values():
            cal.add_component(tz)
        if state.master is not None:
            cal.add_component(state.master)
        for rid, ov in state.overrides.items():
            if rid not in state.cancelled:
                cal.add_component(ov)
        for occ in recurring_ical_events.of(cal, skip_bad_series=False).between(*WINDOW):
            if str(occ.get("STATUS", "CONFIRMED")).upper() == "CANCELLED":
                continue
            start = utc(occ.decoded("DTSTART"))
            if occ.get("DTEND") is not None:
                end = utc(occ.decoded("DTEND"))
            elif occ.get("DURATION") is not None:
                end = start + occ.decoded("DURATION")
            else:
                end = start
            rid = occ.get("RECURRENCE-ID")
            yield start, end, utc(rid.dt) if rid is not None else start


class VobjectReader:
    """`vobject` for parsing (its own VTIMEZONE reading) and dateutil's rruleset for expanding."""

    name = "vobject"

    def parse(self, payload):
        text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
        # Read every VTIMEZONE of the message with dateutil's tzical (as vobject does) and make it
        # the zone its TZID names *before* the times are read. Left to itself, vobject keeps the
        # first zone registered under a TZID, skips a VTIMEZONE that looks like UTC in the year
        # 2000 (Europe/London) and then falls back to pytz, whose fixed-offset tzinfo breaks
        # rruleset expansion across DST: the block we send would not be what is tested.
        cal = vobject.readOne(text, transform=False)
        timezones = {}
        for component in cal.contents.get("vtimezone", []):
            tzid = component.contents["tzid"][0].value
            timezones[tzid] = vobject.icalendar.TimezoneComponent.gettzinfo(component)
            vobject.icalendar.registerTzid(tzid, timezones[tzid])
        cal.transformChildrenToNative()
        events = list(getattr(cal, "vevent_list", []))
        return cal, events, timezones

    def uid(self, ev):
        return str(ev.uid.value)

    def rid(self, ev):
        if "recurrence-id" not in ev.contents:
            return None
        return utc(ev.contents["recurrence-id"][0].value)

    def sequence(self, ev):
        return int(ev.sequence.value) if "sequence" in ev.contents else 0

    @staticmethod
    def _status(ev):
        return str(ev.status.value).upper() if "status" in ev.contents else "CONFIRMED"

    @staticmethod
    def _span(ev):
        """DTSTART, and the length an occurrence of the rule gets (DTEND - DTSTART)."""
        start = ev.dtstart.value
        if "dtend" in ev.contents:
            return start, ev.dtend.value - start
        if "duration" in ev.contents:
            return start, ev.duration.value
        return start, dt.timedelta(0)

    @staticmethod
    def _end(ev):
        """The end of the component's own DTSTART: its DTEND as written, else DTSTART + length."""
        if "dtend" in ev.contents:
            return utc(ev.dtend.value)
        start, length = VobjectReader._span(ev)
        return utc(start + length)

    def expand(self, uid, state, timezones, problems):
        seen = set()
        if state.master is not None:
            master = state.master
            start, length = self._span(master)
            rules = master.getrruleset(addRDate=True)
            starts = []
            if rules is None:
                starts = [start]
            else:
                for s in rules:
                    if utc(s) >= WINDOW[1]:
                        break
                    starts.append(s)
            for s in starts:
                rid = utc(s)
                seen.add(rid)
                if rid in state.overrides or self._status(master) == "CANCELLED":
                    continue
                yield rid, self._end(master) if s == start else utc(s + length), rid
        for rid, ov in state.overrides.items():
            if state.master is not None and rid not in seen:
                problems.append(f"{uid}: an override with RECURRENCE-ID {stamp(rid)} matches no occurrence")
            if self._status(ov) == "CANCELLED":
                continue
            yield utc(ov.dtstart.value), self._end(ov), rid


# --- main ------------------------------------------------------------------------------------------

def check(paths):
    problems = []
    readers = [IcalendarReader(), VobjectReader()]
    clients = [Client(r) for r in readers]
    last_sequence = {}
    parties = []
    for path in paths:
        for label, payload, mime_method, is_part in messages_of(path, problems):
            problems += line_problems(label, payload, is_part)
            parsed = []
            for reader in readers:
                try:
                    parsed.append(reader.parse(payload))
                except Exception as err:  # a parser's refusal is a finding, not a crash
                    raise Unusable(f"{label}: {reader.name} cannot parse it: {err}") from err
            cal = parsed[0][0]
            method, found = static_problems(label, cal, mime_method)
            problems += found
            by_icalendar = parties_icalendar(parsed[0][1])
            if by_icalendar != parties_vobject(parsed[1][1]):
                problems.append(f"{label}: the parsers read the ORGANIZER or ATTENDEEs differently")
            parties += [dict(entry, file=label, method=method) for entry in by_icalendar]
            reader = readers[0]
            if method in ("REQUEST", "CANCEL"):
                sequences = {}
                for ev in parsed[0][1]:
                    uid = reader.uid(ev)
                    sequences[uid] = max(sequences.get(uid, -1), reader.sequence(ev))
                for uid, sequence in sequences.items():
                    if uid in last_sequence and sequence <= last_sequence[uid]:
                        problems.append(
                            f"{label}: {uid}: SEQUENCE {sequence} does not rise above {last_sequence[uid]}")
                    last_sequence[uid] = max(sequence, last_sequence.get(uid, -1))
            for client, (_, events, timezones) in zip(clients, parsed):
                client.apply(label, method, events, timezones, problems)
    results = []
    for client in clients:
        try:
            results.append(client.occurrences(problems))
        except Exception as err:
            problems.append(f"{client.reader.name} cannot expand the result: {type(err).__name__}: {err}")
            results.append(None)
    primary = results[0] if results[0] is not None else (results[1] or [])
    if results[0] is not None and results[1] is not None and results[0] != results[1]:
        only_a = sorted(set(results[0]) - set(results[1]))[:5]
        only_b = sorted(set(results[1]) - set(results[0]))[:5]
        problems.append(
            "the parsers disagree: "
            f"{readers[0].name} only: {[(u, stamp(s), stamp(e)) for s, e, u in only_a]}; "
            f"{readers[1].name} only: {[(u, stamp(s), stamp(e)) for s, e, u in only_b]}")
    occurrences = [{"uid": u, "start": stamp(s), "end": stamp(e)} for s, e, u in primary]
    return {"occurrences": occurrences, "parties": parties, "problems": sorted(set(problems), key=problems.index)}


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    try:
        out = check(argv[1:])
    except (OSError, Unusable, ValueError) as err:
        print(f"ics_check: {err}", file=sys.stderr)
        return 2
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 1 if out["problems"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
