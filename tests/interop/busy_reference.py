#!/usr/bin/env python3
"""The Python reference for reading busy time from iCalendar files: `icalendar` parses,
`x_wr_timezone` applies X-WR-TIMEZONE, and `recurring-ical-events` expands every VEVENT into
occurrences. Prints JSON for the Rust corpus test of ohjaus-calendars to compare with.

    busy_reference.py --zone Europe/Helsinki --window 2019-01-01T00:00:00Z 2020-07-01T00:00:00Z \
        [--window FROM TO ...] FILE...

For each file and window: {"file", "window": [from, to], "occurrences": [{"uid", "start",
"end", "cancelled", "transparent", "all_day"}], "error"}. Times are UTC, RFC 3339. Floating
times and dates are read in the calendar's X-WR-TIMEZONE, else in --zone (the owner's zone).
Occurrences are those the reference finds between the window widened by three days on each
side; the test itself keeps those that overlap the window, so both sides filter alike.
"""

import argparse
import datetime
import json
import pathlib
import sys
import zoneinfo

import icalendar
import recurring_ical_events
import x_wr_timezone

UTC = datetime.timezone.utc


def instant(value, zone):
    """A date, floating or aware date-time as an aware UTC datetime."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def stamp(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def occurrences(calendar, zone, start, end):
    widen = datetime.timedelta(days=3)
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    for event in query.between(start - widen, end + widen):
        dtstart = event["DTSTART"].dt
        dtend = event["DTEND"].dt if "DTEND" in event else dtstart
        uid = event.get("UID")
        yield {
            "uid": None if uid is None else str(uid),
            "start": stamp(instant(dtstart, zone)),
            "end": stamp(instant(dtend, zone)),
            "cancelled": str(event.get("STATUS", "")).upper() == "CANCELLED",
            "transparent": str(event.get("TRANSP", "")).upper() == "TRANSPARENT",
            "all_day": not isinstance(dtstart, datetime.datetime),
        }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zone", required=True)
    parser.add_argument("--window", nargs=2, action="append", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    windows = [
        tuple(datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ") for t in window)
        for window in args.window
    ]
    results = []
    for path in args.files:
        try:
            calendar = icalendar.Calendar.from_ical(pathlib.Path(path).read_bytes())
            named = calendar.get("X-WR-TIMEZONE")
            zone = zoneinfo.ZoneInfo(str(named) if named else args.zone)
            calendar = x_wr_timezone.to_standard(calendar)
        except Exception as error:  # the file itself: reported, not fatal
            for start, end in windows:
                results.append({"file": path, "window": [stamp(start), stamp(end)], "occurrences": [],
                                "error": f"{type(error).__name__}: {error}"})
            continue
        for start, end in windows:
            entry = {"file": path, "window": [stamp(start), stamp(end)], "occurrences": [], "error": None}
            try:
                # Floating window bounds, widened: the reference compares them with each
                # event in the event's own zone.
                entry["occurrences"] = list(occurrences(calendar, zone, start, end))
            except Exception as error:
                entry["error"] = f"{type(error).__name__}: {error}"
            results.append(entry)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
