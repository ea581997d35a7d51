#!/usr/bin/env python3
"""Differential harness: `summit events --json` against the reference implementation
(shared/tools/reference-occurrences.py, Python recurring-ical-events) over every calendar
in shared/fixtures/ics, at several --from instants per file.

    python3 tests/corpus/differential.py                 # report agreement
    python3 tests/corpus/differential.py --seed 7        # other instants and patterns
    python3 tests/corpus/differential.py --write         # rewrite tests/corpus/fixtures/*.json
    python3 tests/corpus/differential.py --only issue_62 # files whose path contains this

The query plan per file is derived from the file itself: the earliest and latest DTSTART
dates, the quartiles in between, instants drawn with a seeded random generator, and one
`--match` pattern built from a word of a SUMMARY. The same seed gives the same plan.

Environment: REF_PYTHON (default ~/ref-venv/bin/python, with recurring-ical-events==3.8.2
and icalendar==7.3.0), SUMMIT_SHARED (default ../shared beside the repository), SUMMIT_BIN
(default target/debug/summit, built if missing), JOBS (default 2).

Comparison: the (start, uid) lists must be equal. The reference looks 800 days past --from,
so summit is run with --to = from + 800 days. A start the reference prints as
`floating:T` (a floating time no X-WR-TIMEZONE resolves) compares equal to `TZ` in UTC,
which is how summit reads floating times without a configuration.

Files whose differences are explained (the reference is wrong, per RFC 5545) are listed in
KNOWN below, with the test that pins summit's behaviour.
"""
import concurrent.futures
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.abspath(os.environ.get("SUMMIT_SHARED") or os.path.join(REPO, "..", "shared"))
REF_PYTHON = os.path.expanduser(os.environ.get("REF_PYTHON") or "~/ref-venv/bin/python")
REF_TOOL = os.path.join(SHARED, "tools", "reference-occurrences.py")
BIN = os.environ.get("SUMMIT_BIN") or os.path.join(REPO, "target", "debug", "summit")
JOBS = int(os.environ.get("JOBS") or "2")
HORIZON_DAYS = 800
COUNT = 60
UTC = dt.timezone.utc

# Files where summit deliberately differs from the reference: path fragment -> reason.
# Each is pinned by a test in tests/integration/calendar.rs named after the file.
KNOWN = {
    "windows-tzid/node-ical__Office-2012-owa.ics":
        "the reference cannot resolve the Outlook display-name TZIDs "
        "`(GMT+10:00) Canberra, Melbourne, Sydney` and `(UTC-05:00) Eastern Time (US & Canada)` "
        "and reads their times as UTC; RFC 5545 §3.2.19 makes TZID name the zone, and summit "
        "resolves them to Australia/Sydney and America/New_York "
        "(test calendar::node_ical_office_2012_owa_display_name_tzids)",
    "recurring-ical-events/calendars/end_before_start_event.ics":
        "DTEND (08:00 Europe/Berlin) is before DTSTART (08:30); the reference swaps the two "
        "and starts the event at 07:00Z. DTSTART is the first instance (RFC 5545 §3.8.5.3): "
        "summit keeps the start, 07:30Z, and drops the DTEND with a warning "
        "(test calendar::recurring_ical_events_end_before_start_event_keeps_its_start)",
    "recurring-ical-events/calendars/issue_132_swapped_start_and_end.ics":
        "DTEND (23:30 Europe/Paris) is before DTSTART (23:45); the reference swaps the two "
        "and starts the event at 22:30Z. DTSTART is the first instance (RFC 5545 §3.8.5.3): "
        "summit keeps the start, 22:45Z, and drops the DTEND with a warning "
        "(test calendar::recurring_ical_events_issue_132_swapped_start_and_end_keeps_its_start)",
}


def fmt(t):
    t = t.astimezone(UTC)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


def dtstart_dates(text):
    """DTSTART dates of the VEVENTs (not of VTIMEZONE rules), from 1900 on."""
    out = []
    events = "\n".join(re.findall(r"BEGIN:VEVENT.*?END:VEVENT", text, re.S))
    for m in re.finditer(r"^DTSTART[^:\r\n]*:(\d{8})", events, re.M):
        if m.group(1) < "19000101":
            continue
        try:
            out.append(dt.datetime.strptime(m.group(1), "%Y%m%d").replace(tzinfo=UTC))
        except ValueError:
            pass
    return sorted(out)


def summary_words(text):
    words = set()
    for m in re.finditer(r"^SUMMARY[^:\r\n]*:(.*)$", text, re.M):
        for w in re.findall(r"[A-Za-z]{4,}", m.group(1)):
            words.add(w)
    return sorted(words)


def plan(path, seed):
    text = open(path, "rb").read().decode("utf-8", "replace").replace("\r\n ", "").replace("\n ", "")
    dates = dtstart_dates(text)
    rng = random.Random(f"{seed}:{os.path.relpath(path, SHARED)}")
    if not dates:
        froms = [dt.datetime(2020, 1, 1, tzinfo=UTC)]
    else:
        lo, hi = dates[0], dates[-1]
        n = len(dates)
        froms = [lo - dt.timedelta(days=1), dates[n // 4], dates[n // 2], dates[(3 * n) // 4]]
        span = max((hi - lo).total_seconds(), 86400.0) + 400 * 86400
        for _ in range(2):
            froms.append(lo + dt.timedelta(seconds=rng.uniform(0, span)))
        if seed:
            froms = froms[:1] + [lo + dt.timedelta(seconds=rng.uniform(-86400 * 30, span)) for _ in range(5)]
    froms = sorted({f.replace(microsecond=0) for f in froms})
    queries = [{"from": fmt(f), "match": None} for f in froms]
    words = summary_words(text)
    if words:
        w = rng.choice(words)
        queries.append({"from": fmt(froms[0]), "match": "(?i)" + w})
    return queries


def reference(path, q):
    args = [REF_PYTHON, REF_TOOL, path, q["from"], str(COUNT)]
    if q["match"]:
        args.append(q["match"])
    p = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1]}
    out = []
    for e in json.loads(p.stdout):
        s = e["start"]
        if s.startswith("floating:"):
            s = s[len("floating:"):] + "Z"
        out.append([s, e["uid"]])
    return {"expected": out}


def summit(path, q):
    frm = dt.datetime.fromisoformat(q["from"].replace("Z", "+00:00"))
    args = [BIN, "events", "--feed", path, "--from", q["from"], "--to",
            fmt(frm + dt.timedelta(days=HORIZON_DAYS)), "--count", str(COUNT), "--json"]
    if q["match"]:
        args += ["--match", q["match"]]
    p = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1], "status": p.returncode}
    return {"got": [[e["start"], e["uid"]] for e in json.loads(p.stdout)]}


def calendars(only):
    root = os.path.join(SHARED, "fixtures", "ics")
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if f.endswith(".ics") and (not only or only in os.path.join(d, f)):
                yield os.path.join(d, f)


def main():
    args = sys.argv[1:]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 0
    only = args[args.index("--only") + 1] if "--only" in args else None
    write = "--write" in args
    if not os.path.exists(BIN):
        subprocess.run(["cargo", "build", "--quiet"], cwd=REPO, check=True)
    jobs = [(path, q) for path in calendars(only) for q in plan(path, seed)]

    def run(job):
        path, q = job
        return path, q, reference(path, q), summit(path, q)

    results = {}
    with concurrent.futures.ThreadPoolExecutor(JOBS) as ex:
        for path, q, ref, got in ex.map(run, jobs):
            results.setdefault(path, []).append((q, ref, got))

    total = agree = 0
    for path, rows in results.items():
        rel = os.path.relpath(path, SHARED)
        known = next((why for frag, why in KNOWN.items() if frag in rel), None)
        for q, ref, got in rows:
            total += 1
            if "error" in ref:
                # The reference cannot read the file: summit must not crash on it.
                ok = got.get("status", 0) in (0, 1)
                detail = f"reference failed ({ref['error']}); summit: {got.get('error', 'ok')}"
            else:
                ok = "got" in got and got["got"] == ref["expected"]
                detail = ""
                if not ok:
                    g = got.get("got", [])
                    e = ref["expected"]
                    i = next((i for i, (a, b) in enumerate(zip(g, e)) if a != b), min(len(g), len(e)))
                    detail = (f"{len(g)} vs {len(e)}; first difference #{i}: got {g[i] if i < len(g) else got.get('error')}, "
                              f"want {e[i] if i < len(e) else None}")
            agree += ok
            if not ok or "--verbose" in args:
                tag = "KNOWN" if known and not ok else ("ok" if ok else "DIFF")
                print(f"{tag:5} {rel} from={q['from']} match={q['match']} {detail}")
        if write:
            out = os.path.join(HERE, "fixtures", os.path.relpath(path, os.path.join(SHARED, "fixtures", "ics")))
            out = os.path.splitext(out)[0] + ".json"
            os.makedirs(os.path.dirname(out), exist_ok=True)
            doc = {"feed": os.path.relpath(path, SHARED), "horizon_days": HORIZON_DAYS, "count": COUNT,
                   "known_difference": known,
                   "queries": [dict(q, **ref) for q, ref, _ in rows]}
            with open(out, "w") as f:
                json.dump(doc, f, indent=1, ensure_ascii=False)
                f.write("\n")
    pct = 100.0 * agree / max(total, 1)
    print(f"agreement: {agree}/{total} queries ({pct:.1f}%) over {len(results)} calendars")
    return 0 if agree == total else 1


if __name__ == "__main__":
    sys.exit(main())
