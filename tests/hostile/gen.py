#!/usr/bin/env python3
"""Writes the hostile feeds of tests/integration/hostile.rs into a folder, for
tests/hostile/measure.sh: `gen.py DIR [CASE...]`. Each case is one file `DIR/CASE.ics`.

The feeds are generated, never copied from anywhere; keep them in step with the
`cases` of hostile.rs (same names, same shapes)."""

import datetime
import os
import sys

HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//summit hostile//EN\r\n"
TAIL = "END:VCALENDAR\r\n"


def cal(body, head=""):
    return (HEAD + head + body + TAIL).encode()


def vevent(uid, rrule=None, dtstart="20260601T000000Z", summary="Developer Summit", extra=""):
    s = f"BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\nDTSTART:{dtstart}\r\nDURATION:PT1H\r\n"
    if rrule:
        s += f"RRULE:{rrule}\r\n"
    return s + extra + "END:VEVENT\r\n"


def repeated(values, times):
    return ",".join(str(v) for _ in range(times) for v in values)


def every_second(freq):
    months = ";BYMONTH=" + repeated(range(1, 13), 1) if freq == "YEARLY" else ""
    return (f"FREQ={freq}{months};BYMONTHDAY=" + repeated(range(1, 32), 1)
            + ";BYHOUR=" + repeated(range(24), 1) + ";BYMINUTE=" + repeated(range(60), 1)
            + ";BYSECOND=" + repeated(range(60), 1))


def odd_rid(i):
    return f"2099{1 + (i // 28) % 12:02d}{1 + i % 28:02d}T00{i % 60:02d}30Z"


def overrides(n):
    body = vevent("o", "FREQ=DAILY", dtstart="20260101T000000Z")
    start = datetime.date(2026, 1, 1)
    for i in range(n):
        day = (start + datetime.timedelta(days=i)).strftime("%Y%m%d")
        body += (f"BEGIN:VEVENT\r\nUID:o\r\nRECURRENCE-ID:{day}T000000Z\r\nDTSTART:{day}T120000Z\r\n"
                 f"SUMMARY:Developer Summit (moved {i})\r\nEND:VEVENT\r\n")
    return cal(body)


def nested(depth, closed):
    return cal("BEGIN:VEVENT\r\nUID:d\r\nSUMMARY:Developer Summit\r\nDTSTART:20260601T000000Z\r\n"
               + "BEGIN:X\r\n" * depth + ("END:X\r\n" * depth if closed else "") + "END:VEVENT\r\n")


def vtimezone_10k():
    body = "BEGIN:VTIMEZONE\r\nTZID:Hostile Zone\r\n"
    for i in range(10_000):
        kind = "STANDARD" if i % 2 else "DAYLIGHT"
        body += (f"BEGIN:{kind}\r\nDTSTART:{1601 + i % 400}{1 + i % 12:02d}01T020000\r\n"
                 f"TZOFFSETFROM:+0{i % 10}00\r\nTZOFFSETTO:+0{(i + 1) % 10}00\r\n"
                 f"RRULE:FREQ=YEARLY;BYMONTH={1 + i % 12};BYDAY=1SU\r\nEND:{kind}\r\n")
    return cal(body + "END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:z\r\nSUMMARY:Developer Summit\r\n"
               "DTSTART;TZID=Hostile Zone:20260101T100000\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n")


def cases():
    c = {}
    c["secondly_no_end"] = lambda: cal(vevent("s", "FREQ=SECONDLY"))
    c["secondly_from_1900"] = lambda: cal(vevent("s", "FREQ=SECONDLY", dtstart="19000101T000000Z"))
    c["count_4e9"] = lambda: cal(vevent("c", "FREQ=SECONDLY;COUNT=4000000000"))
    c["count_overflow"] = lambda: cal(vevent("c", "FREQ=MINUTELY;COUNT=99999999999999999999"))
    c["minutely_until_far"] = lambda: cal(vevent("m", "FREQ=MINUTELY;UNTIL=99991231T235959Z"))
    c["bysecond_repeated"] = lambda: cal(vevent("b", "FREQ=MINUTELY;BYSECOND=" + repeated(range(60), 2000)))
    c["byminute_repeated"] = lambda: cal(vevent("b", "FREQ=HOURLY;BYMINUTE=" + repeated(range(60), 2000)))
    c["byhour_repeated"] = lambda: cal(vevent("b", "FREQ=DAILY;BYHOUR=" + repeated(range(24), 5000)))
    c["bymonthday_repeated"] = lambda: cal(vevent("b", "FREQ=MONTHLY;BYMONTHDAY=" + repeated(list(range(1, 32)) + list(range(-31, 0)), 2000)))
    c["monthly_every_second"] = lambda: cal(vevent("y", every_second("MONTHLY")))
    c["yearly_every_second"] = lambda: cal(vevent("y", every_second("YEARLY")))
    c["bysetpos_lists"] = lambda: cal(vevent(
        "p", "FREQ=MINUTELY;INTERVAL=1;BYSECOND=" + repeated(range(60), 100)
        + ";BYSETPOS=" + repeated(list(range(1, 61)) + list(range(-60, 0)), 100)))
    c["never_matches"] = lambda: cal(vevent("n", "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30"))
    c["rare_secondly"] = lambda: cal(vevent("r", "FREQ=SECONDLY;BYMONTH=1;BYMONTHDAY=1;BYHOUR=0;BYMINUTE=0;BYSECOND=0", dtstart="20260102T000000Z"))
    c["many_rrules"] = lambda: cal(vevent("r", extra="".join(f"RRULE:FREQ=SECONDLY;INTERVAL={i}\r\n" for i in range(1, 1001))))
    c["extreme_dates"] = lambda: cal(
        vevent("a", "FREQ=YEARLY", dtstart="99991231T235959Z")
        + vevent("b", "FREQ=SECONDLY", dtstart="00000101T000000Z")
        + vevent("c", "FREQ=DAILY;UNTIL=00010101", dtstart="20260101")
        + "BEGIN:VEVENT\r\nUID:d\r\nDTSTART:20260101T000000Z\r\nDURATION:P99999999999W\r\nEND:VEVENT\r\n"
        + "BEGIN:VEVENT\r\nUID:e\r\nDTSTART:20260101T000000Z\r\nDTEND:99991231T235959Z\r\nRRULE:FREQ=DAILY;INTERVAL=2147483647\r\nEND:VEVENT\r\n")
    c["overrides_10k"] = lambda: overrides(10_000)
    c["overrides_100k"] = lambda: overrides(100_000)
    c["stale_overrides_minutely"] = lambda: cal(
        vevent("o", "FREQ=MINUTELY", extra="SEQUENCE:5\r\n")
        + "".join(f"BEGIN:VEVENT\r\nUID:o\r\nSEQUENCE:0\r\nRECURRENCE-ID:{odd_rid(i)}\r\nDTSTART:20990101T000000Z\r\n"
                  "RRULE:FREQ=DAILY;COUNT=1\r\nSUMMARY:Developer Summit stale\r\nEND:VEVENT\r\n" for i in range(2000)))
    c["thisandfuture_10k"] = lambda: cal(
        vevent("t", "FREQ=SECONDLY")
        + "".join(f"BEGIN:VEVENT\r\nUID:t\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:{odd_rid(i).replace('30Z', '00Z')}\r\n"
                  "DTSTART:20990101T000000Z\r\nSUMMARY:Developer Summit taf\r\nEND:VEVENT\r\n" for i in range(10_000)))
    c["vevents_10k"] = lambda: cal("".join(vevent(f"e{i}", "FREQ=WEEKLY", dtstart="20260101T000000Z") for i in range(10_000)))
    c["vevents_1k_secondly"] = lambda: cal("".join(vevent(f"e{i}", "FREQ=SECONDLY", dtstart="20260101T000000Z") for i in range(1_000)))
    c["many_calendars"] = lambda: b"".join(cal(vevent(f"c{i}", "FREQ=HOURLY", dtstart="20260101T000000Z")) for i in range(20_000))
    c["exdates_100k"] = lambda: cal(vevent("x", "FREQ=MINUTELY", extra="EXDATE:" + ",".join(
        f"2026{1 + i // 28 % 12:02d}{1 + i % 28:02d}T{i % 24:02d}{i % 60:02d}00Z" for i in range(100_000)) + "\r\n"))
    c["rdates_100k"] = lambda: cal(vevent("x", extra="RDATE:" + ",".join(
        f"20{26 + i % 70}{1 + i // 28 % 12:02d}{1 + i % 28:02d}T{i % 24:02d}{i % 60:02d}00Z" for i in range(100_000)) + "\r\n"))
    c["many_tzids"] = lambda: cal("".join(
        f"BEGIN:VEVENT\r\nUID:t{i}\r\nSUMMARY:Developer Summit\r\nDTSTART;TZID=Nowhere/Zone{i}:20260101T100000\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
        for i in range(10_000)))
    # Measurement only (not in hostile.rs): Outlook-style display names that match nothing.
    c["outlook_display_names"] = lambda: cal("".join(
        f"BEGIN:VEVENT\r\nUID:t{i}\r\nSUMMARY:Developer Summit\r\nDTSTART;TZID=(UTC+01:00) Nowhere {i}, Somewhere:20260101T100000\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
        for i in range(20_000)))
    c["vtimezone_10k_observances"] = vtimezone_10k
    c["vtimezone_secondly_observance"] = lambda: cal(
        "BEGIN:VTIMEZONE\r\nTZID:Hostile Zone\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
        f"RRULE:{every_second('YEARLY')}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\nUID:z\r\nSUMMARY:Developer Summit\r\nDTSTART;TZID=Hostile Zone:20260101T100000\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n")
    c["line_100mb"] = lambda: cal(vevent("l", summary="x" * (100 << 20)))
    c["line_60mb_folded"] = lambda: cal(vevent("l", summary="Developer Summit" + ("\r\n " + "y" * 73) * ((60 << 20) // 76)))
    c["line_60mb_summary_daily"] = lambda: cal(vevent("l", "FREQ=DAILY", summary="Developer Summit " + "x" * (60 << 20)))
    c["tiny_lines_60mb"] = lambda: cal("X:\r\n" * ((60 << 20) // 4) + vevent("t"))
    c["junk_lines_60mb"] = lambda: cal("x\r\n" * ((60 << 20) // 3))
    c["invalid_utf8"] = lambda: cal(vevent("u", "FREQ=DAILY")).replace(b"SUMMARY:", b"SUMMARY:\xff\xfe\xc3(", 1)
    c["nul_bytes"] = lambda: cal(vevent("n\x00", "FREQ=DAILY", summary="Developer\x00Summit") + "X-NUL:\x00\x00\x00\r\n")
    c["nul_only"] = lambda: bytes(1 << 20)
    c["random_bytes"] = lambda: bytes(((i * 2654435761) % (1 << 32)) >> 24 for i in range(1 << 20))
    c["many_params"] = lambda: cal("BEGIN:VEVENT\r\nUID:p\r\nDTSTART" + ";X=a" * 1_000_000 + ":20260601T000000Z\r\nEND:VEVENT\r\n")
    c["long_params"] = lambda: cal("BEGIN:VEVENT\r\nUID:p\r\nDTSTART;X=" + "a" * 1_000_000 + ":20260601T000000Z\r\nEND:VEVENT\r\n")
    c["nesting_100"] = lambda: nested(100, True)
    c["nesting_100_unclosed"] = lambda: nested(100, False)
    c["deep_nesting"] = lambda: nested(10_000, True)
    c["deep_nesting_unclosed"] = lambda: nested(10_000, False)
    c["nesting_stray_ends"] = lambda: cal("BEGIN:VEVENT\r\n" + "BEGIN:X\r\n" * 100_000 + "END:Y\r\n" * 100_000)
    c["truncation_warning"] = lambda: cal(vevent("s", "FREQ=SECONDLY", dtstart="20260101T000000Z"))
    c["byday_not_ascii"] = lambda: cal(vevent("p", "FREQ=WEEKLY;BYDAY=\u20ac"))
    c["daily_summits_10k"] = lambda: cal("".join(vevent(f"d{i}", "FREQ=DAILY", dtstart="20260101T000000Z") for i in range(10_000)))
    return c


def main():
    out = sys.argv[1]
    wanted = sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    all_cases = cases()
    for name in wanted or all_cases:
        if name not in all_cases:
            sys.exit(f"unknown case {name}")
        path = os.path.join(out, name + ".ics")
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(all_cases[name]())
        print(path)


if __name__ == "__main__":
    main()
