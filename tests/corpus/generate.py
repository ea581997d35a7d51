#!/usr/bin/env python3
"""Regenerate the golden corpus expectations in tests/corpus/{real,next}/*.json.

The expectations come from an independent reference implementation,
shared/tools/reference-occurrences.py (Python recurring-ical-events + icalendar),
run over the real Google Calendar feeds in shared/fixtures/ics/real/.
The .ics files themselves are NOT copied into this repository; the JSON files
only name them relative to the shared directory ("feed": "fixtures/ics/real/X.ics").

How to run (from anywhere):

    python3 tests/corpus/generate.py            # rewrite every file
    python3 tests/corpus/generate.py --check    # regenerate in memory, exit 1 if any file differs

Environment:
    REF_PYTHON      interpreter that has the reference's dependencies
                    (default: ~/ref-venv/bin/python; set it up once with
                     python3 -m venv ~/ref-venv &&
                     ~/ref-venv/bin/pip install recurring-ical-events==3.8.2 icalendar==7.3.0)
    SUMMIT_SHARED   the shared directory (default: ../shared relative to the repo root,
                    i.e. the directory next to the checkout)
    JOBS            parallel reference calls (default 2)

Needs: Python 3.8+ standard library only (the reference runs in REF_PYTHON via subprocess).
The whole run takes a few minutes, mostly spent parsing the 3-4 MB FINOS feeds
(one reference call = one full parse).

Output is deterministic: the query plan below is fixed (DST instants are computed from
calendar rules, not from the current date), and the reference sorts by (start, uid).
HORIZON_DAYS is deliberately NOT set (the reference default, 800 days, is used) and is
recorded in every file as "horizon_days".
"""
import concurrent.futures
import datetime as dt
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.abspath(os.environ.get("SUMMIT_SHARED") or os.path.join(REPO, "..", "shared"))
REF_PYTHON = os.path.expanduser(os.environ.get("REF_PYTHON") or "~/ref-venv/bin/python")
REF_TOOL = os.path.join(SHARED, "tools", "reference-occurrences.py")
JOBS = int(os.environ.get("JOBS") or "2")
HORIZON_DAYS = 800

UTC = dt.timezone.utc


# ---------------------------------------------------------------------------
# time helpers
# ---------------------------------------------------------------------------

def parse(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(UTC)


def fmt(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def nth_sunday(year, month, n):
    """n-th (1-based) Sunday of month, or the last one when n == -1."""
    if n > 0:
        d = dt.date(year, month, 1)
        d += dt.timedelta(days=(6 - d.weekday()) % 7)
        return d + dt.timedelta(weeks=n - 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    d = nxt - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() - 6) % 7)


def _at(d, hour):
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


# The instant each change happens, in UTC.
def us_spring(y):  # 2nd Sunday of March, 02:00 EST
    return _at(nth_sunday(y, 3, 2), 7)


def us_fall(y):  # 1st Sunday of November, 02:00 EDT
    return _at(nth_sunday(y, 11, 1), 6)


def eu_spring(y):  # last Sunday of March, 01:00 UTC
    return _at(nth_sunday(y, 3, -1), 1)


def eu_fall(y):  # last Sunday of October, 01:00 UTC
    return _at(nth_sunday(y, 10, -1), 1)


DST = {"US-spring": us_spring, "US-fall": us_fall, "EU-spring": eu_spring, "EU-fall": eu_fall}


# ---------------------------------------------------------------------------
# regex portability guard: the reference uses Python re.search, summit uses
# Rust's regex crate. Allow only constructs that mean the same in both.
# ---------------------------------------------------------------------------

_PORTABLE = re.compile(r"^(\(\?i\))?(?:[A-Za-z0-9 _:/,&'-]|\\[.()\[\]]|\.|\|" r"|\[[A-Za-z0-9 -]+\])+$")


def check_regex(rx):
    if rx is None:
        return
    if not _PORTABLE.match(rx):
        raise SystemExit(f"regex not in the portable subset: {rx!r}")
    re.compile(rx)


# ---------------------------------------------------------------------------
# reference calls
# ---------------------------------------------------------------------------

def feed_path(feed):
    return os.path.join(SHARED, feed)


def reference(feed, frm, count, rx=None):
    args = [REF_PYTHON, REF_TOOL, feed_path(feed), frm, str(count)]
    if rx is not None:
        args.append(rx)
    env = dict(os.environ)
    env.pop("HORIZON_DAYS", None)  # always the documented default
    out = subprocess.run(args, check=True, capture_output=True, env=env).stdout
    return json.loads(out)


def reference_versions():
    code = ("import importlib.metadata as m;"
            "print(m.version('recurring-ical-events'), m.version('icalendar'))")
    out = subprocess.run([REF_PYTHON, "-c", code], check=True, capture_output=True, text=True)
    rie, ical = out.stdout.split()
    return f"recurring-ical-events {rie}, icalendar {ical}"


def run_all(calls):
    """calls: list of (feed, frm, count, rx). Returns results in the same order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as ex:
        return list(ex.map(lambda c: reference(*c), calls))


def feed_summaries(feed):
    """All SUMMARY values of the feed (unfolded, unescaped), for the next/ uniqueness check."""
    raw = open(feed_path(feed), "rb").read().decode("utf-8")
    text = re.sub(r"\r?\n[ \t]", "", raw)
    out = set()
    for m in re.finditer(r"^SUMMARY(?:;[^:\r\n]*)?:(.*?)\r?$", text, re.M):
        v = m.group(1)
        v = re.sub(r"\\([\\;,nN])", lambda g: "\n" if g.group(1) in "nN" else g.group(1), v)
        out.add(v)
    return out


# ---------------------------------------------------------------------------
# query plans
# ---------------------------------------------------------------------------

def real_feed(name):
    return f"fixtures/ics/real/{name}.ics"


def dst_queries(changes, count, before_days=3, after_days=2, exact=()):
    """Queries a few days before and after each DST change.

    changes: list of (kind, year) with kind in DST; exact: subset queried at the change instant.
    """
    qs = []
    for kind, year in changes:
        t = DST[kind](year)
        qs.append((f"{kind} {year} ({fmt(t)}) -{before_days}d", fmt(t - dt.timedelta(days=before_days)), count, None))
        if (kind, year) in exact:
            qs.append((f"{kind} {year} exactly at the change", fmt(t), count, None))
        qs.append((f"{kind} {year} ({fmt(t)}) +{after_days}d", fmt(t + dt.timedelta(days=after_days)), count, None))
    return qs


# Each query: (label, from, count, match-or-None)
REAL = {
    "finos-community_2024-11-05": [
        ("early history", "2018-10-01T00:00:00Z", 40, None),
        ("2019 summer", "2019-07-01T12:00:00Z", 40, None),
        ("2021 mid-week", "2021-02-03T15:30:00Z", 40, None),
        ("2022 autumn", "2022-09-15T00:00:00Z", 40, None),
        ("2023 summer", "2023-06-01T00:00:00Z", 40, None),
        ("all-day 2024-09-30 (the only 2024 all-day event)", "2024-09-29T00:00:00Z", 40, None),
        ("capture date (DTSTAMP 20241105)", "2024-11-05T00:00:00Z", 200, None),
        ("after capture: only open-ended series", "2025-02-01T00:00:00Z", 60, None),
        ("a year after capture", "2025-11-01T00:00:00Z", 40, None),
    ] + dst_queries([("US-spring", 2024), ("EU-spring", 2024), ("EU-fall", 2024), ("US-fall", 2024)], 40,
                    exact=[("US-fall", 2024)]) + [
        ("US spring 2025 (gap weeks, open-ended series only)", fmt(us_spring(2025) - dt.timedelta(days=3)), 200, None),
        ("last-Tuesday monthly series (BYDAY=-1TU), split UIDs + moved instance", "2023-09-01T00:00:00Z", 30,
         "CDM Collateral Working Group"),
        ("4th-Thursday monthly series (BYDAY=4TH)", "2024-01-01T00:00:00Z", 20, "FDC3 Standard Working Group"),
        ("1st-Wednesday series, case-insensitive", "2024-01-01T00:00:00Z", 25, "(?i)open source readiness sig"),
        ("alternation of two series", "2024-06-01T00:00:00Z", 30,
         "Regulation Innovation SIG|InnerSource Special Interest Group"),
    ],
    "finos-community_2023-11-06": [
        ("early history", "2018-11-01T00:00:00Z", 40, None),
        ("2019 spring", "2019-04-15T00:00:00Z", 40, None),
        ("all-day events around 2019-09-17..25", "2019-09-16T00:00:00Z", 40, None),
        ("2020 spring", "2020-05-01T00:00:00Z", 40, None),
        ("2021 autumn", "2021-10-01T00:00:00Z", 40, None),
        ("2022 summer", "2022-06-20T09:00:00Z", 40, None),
        ("all-day events spring 2023", "2023-04-10T00:00:00Z", 40, None),
        ("capture date (DTSTAMP 20231106)", "2023-11-06T00:00:00Z", 200, None),
        ("after capture: only open-ended series", "2024-05-01T00:00:00Z", 60, None),
    ] + dst_queries([("US-spring", 2023), ("EU-spring", 2023), ("EU-fall", 2023), ("US-fall", 2023)], 40,
                    exact=[("US-spring", 2023)]) + [
        ("4th-Thursday monthly series (BYDAY=4TH), EXDATE 2023-10-26", "2023-01-01T00:00:00Z", 25,
         "FDC3 Standard Working Group"),
        ("2nd-Monday series, character class", "2023-01-01T00:00:00Z", 20, "KDB Project [Cc]all"),
        ("Europe/London monthly series", "2023-09-01T00:00:00Z", 20, "(?i)innersource"),
    ],
    "galaxy-wg_2024-02-06": [
        ("first events", "2021-01-01T00:00:00Z", 40, None),
        ("2022 spring", "2022-04-01T00:00:00Z", 40, None),
        ("2022 summer, UTC series with UNTIL before DTSTART", "2022-07-15T00:00:00Z", 40, None),
        ("2023 all-day 2023-03-21", "2023-03-20T00:00:00Z", 40, None),
        ("2023 autumn", "2023-09-01T00:00:00Z", 40, None),
        ("capture date (DTSTAMP 20240206)", "2024-02-06T00:00:00Z", 200, None),
        ("after capture: open-ended series", "2024-06-01T00:00:00Z", 40, None),
    ] + dst_queries([("US-spring", 2022), ("EU-spring", 2022), ("EU-fall", 2022), ("US-fall", 2022),
                     ("EU-spring", 2024)], 30, exact=[("EU-spring", 2024)]) + [
        ("weekly Tuesday series (split UIDs, America/New_York)", "2023-01-01T00:00:00Z", 40, "UI/UX WG Weekly Meeting"),
        ("INTERVAL=12/18 weekly, Europe/London", "2023-06-01T00:00:00Z", 20, "Single Cell Co[Pp]"),
        ("UTC-anchored INTERVAL=4 weekly series", "2022-01-01T00:00:00Z", 20, "Systems WG"),
        ("MONTHLY INTERVAL=9 series", "2024-01-01T00:00:00Z", 20, "Galaxy SiG Chairs"),
    ],
    "galaxy-wg_2026-06-29": [
        ("first events", "2020-06-01T00:00:00Z", 40, None),
        ("2022 busy period", "2022-05-02T00:00:00Z", 40, None),
        ("CANCELLED overrides (Community call) Sep 2022", "2022-08-25T00:00:00Z", 30, None),
        ("2023 spring", "2023-03-15T00:00:00Z", 40, None),
        ("2024 autumn, all-day 2024-10-07/2024-10-22", "2024-10-01T00:00:00Z", 40, None),
        ("2025 spring all-day GTA2025", "2025-04-10T00:00:00Z", 40, None),
        ("2025 autumn all-day freezes", "2025-09-25T00:00:00Z", 40, None),
        ("2026 spring", "2026-01-20T00:00:00Z", 200, None),
        ("capture date (DTSTAMP 20260629)", "2026-06-29T00:00:00Z", 60, None),
        ("after capture", "2026-12-01T00:00:00Z", 40, None),
    ] + dst_queries([("EU-fall", 2025), ("US-fall", 2025), ("US-spring", 2026), ("EU-spring", 2026)], 30,
                    exact=[("US-spring", 2026)]) + [
        ("weekly series with many split UIDs and TZ moves", "2024-01-01T00:00:00Z", 40, "GOATS Weekly Meeting"),
        ("biweekly Tuesday, open-ended", "2024-09-01T00:00:00Z", 30, "K8s SIG call"),
        ("Europe/Berlin 2nd-Monday monthly", "2025-01-01T00:00:00Z", 30, "ELIXIR Galaxy Community Monthly Call"),
        ("Europe/Paris 3rd-Thursday monthly, COUNT-limited", "2025-06-01T00:00:00Z", 30, "small scale Galaxy Admins"),
        ("cancelled-looking summaries", "2022-01-01T00:00:00Z", 20, "(?i)cancel"),
    ],
    "ietf-llc-board-public_2023-06-24": [
        ("from the start (the 800-day horizon stops it in 2021-03)", "2019-01-01T00:00:00Z", 200, None),
        ("the rest, up to the capture", "2021-02-19T00:00:00Z", 200, None),
        ("all-day 2019-05-07, from its UTC midnight", "2019-05-07T00:00:00Z", 5, None),
        ("all-day 2019-05-07, one second after its UTC midnight", "2019-05-07T00:00:01Z", 5, None),
        ("moved instance 2019-08-07 (RECURRENCE-ID 20190808)", "2019-08-01T00:00:00Z", 10, None),
        ("2019-11 one-offs", "2019-11-01T00:00:00Z", 10, None),
        ("2020 spring", "2020-03-01T00:00:00Z", 10, None),
        ("2021 retreat days", "2021-03-20T00:00:00Z", 10, None),
        ("2022 spring", "2022-04-01T00:00:00Z", 10, None),
        ("capture date (DTSTAMP 20230624)", "2023-06-24T00:00:00Z", 20, None),
        ("after the last event: empty", "2024-01-03T00:00:00Z", 20, None),
    ] + dst_queries([("US-spring", 2021), ("US-fall", 2021), ("US-spring", 2023), ("US-fall", 2023)], 6,
                    before_days=4, after_days=3, exact=[("US-fall", 2023)]) + [
        ("biweekly LA series incl. CANCELED override", "2019-01-01T00:00:00Z", 30, "IETF LLC Board Meeting"),
        ("monthly 2nd-Thursday series 'LLC Board Meetings' with split UIDs", "2019-05-01T00:00:00Z", 30,
         "LLC Board Meetings"),
        ("retreats (timed, 2021-2022)", "2020-06-01T00:00:00Z", 20, "(?i)retreat"),
        ("cancelled-looking summary", "2019-01-01T00:00:00Z", 20, "(?i)cancel"),
    ],
}

# next/: one monthly series per feed.
# "occurrences": the series' starts around which S-1d, S-1s, S, S+1s, S+1h are probed (must be reference
# occurrences of the series, checked below); "extra": additional (label, now) probes.
NEXT = {
    "finos-community_2024-11-05": {
        "summary": "CDM Collateral Working Group",
        "regex": "CDM Collateral Working Group",
        "occurrences": ["2024-09-18T14:00:00Z", "2024-10-29T14:00:00Z", "2024-11-26T15:00:00Z",
                        "2025-01-28T15:00:00Z", "2025-02-25T15:00:00Z", "2025-03-25T14:00:00Z"],
        "extra": [
            ("original slot of the instance moved to 2024-09-18 (RECURRENCE-ID 2024-09-24)", "2024-09-24T14:00:00Z"),
            ("EXDATE slot 2024-12-31 10:00 EST", "2024-12-31T15:00:00Z"),
        ],
        "dst": [("US-fall", 2024), ("US-spring", 2025)],
    },
    "finos-community_2023-11-06": {
        "summary": "FDC3 Standard Working Group",
        "regex": "FDC3 Standard Working Group",
        "occurrences": ["2023-09-28T14:00:00Z", "2023-11-23T15:00:00Z", "2023-12-28T15:00:00Z",
                        "2024-01-25T15:00:00Z", "2024-02-22T15:00:00Z", "2024-03-28T14:00:00Z"],
        "extra": [
            ("EXDATE slot 2023-10-26 10:00 EDT", "2023-10-26T14:00:00Z"),
        ],
        "dst": [("US-fall", 2023), ("US-spring", 2024)],
    },
    "galaxy-wg_2026-06-29": {
        "summary": "ELIXIR Galaxy Community Monthly Call",
        "regex": "ELIXIR Galaxy Community Monthly Call",
        "occurrences": ["2026-02-09T09:00:00Z", "2026-03-09T09:00:00Z",
                        "2026-04-13T08:00:00Z", "2026-10-12T08:00:00Z", "2026-11-09T09:00:00Z"],
        "extra": [
            ("end of the previous split series (UNTIL=20260111T225959Z)", "2026-01-11T22:59:59Z"),
        ],
        "dst": [("US-spring", 2026), ("EU-spring", 2026), ("EU-fall", 2026), ("US-fall", 2026)],
    },
}


# ---------------------------------------------------------------------------
# building and writing
# ---------------------------------------------------------------------------

def dump(obj, list_key):
    """JSON with one expectation per line (small files, readable diffs)."""
    def enc(v):
        return json.dumps(v, ensure_ascii=False)

    lines = ["{"]
    top = [k for k in obj if k != list_key]
    for k in top:
        lines.append(f" {enc(k)}: {enc(obj[k])},")
    lines.append(f" {enc(list_key)}: [")
    items = obj[list_key]
    for i, item in enumerate(items):
        sep = "," if i + 1 < len(items) else ""
        inner = [k for k in item if k != "expected"]
        head = ", ".join(f"{enc(k)}: {enc(item[k])}" for k in inner)
        exp = item["expected"]
        if isinstance(exp, list):
            if exp:
                body = ",\n".join("    " + enc(e) for e in exp)
                lines.append(f"  {{{head}, \"expected\": [\n{body}\n  ]}}{sep}")
            else:
                lines.append(f"  {{{head}, \"expected\": []}}{sep}")
        else:
            lines.append(f"  {{{head}, \"expected\": {enc(exp)}}}{sep}")
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def build_real(name, plan, versions):
    feed = real_feed(name)
    for _, _, _, rx in plan:
        check_regex(rx)
    results = run_all([(feed, frm, count, rx) for _, frm, count, rx in plan])
    queries = []
    for (label, frm, count, rx), res in zip(plan, results):
        queries.append({"label": label, "from": frm, "count": count, "match": rx, "expected": res})
    obj = {"feed": feed, "horizon_days": HORIZON_DAYS, "reference": versions,
           "generator": "tests/corpus/generate.py", "queries": queries}
    return dump(obj, "queries")


def build_next(name, spec, versions):
    feed = real_feed(name)
    rx = spec["regex"]
    check_regex(rx)
    matched = sorted(s for s in feed_summaries(feed) if re.search(rx, s))
    if matched != [spec["summary"]]:
        raise SystemExit(f"{name}: regex {rx!r} matches {matched!r}, want only {spec['summary']!r}")

    # the probed starts must be real occurrences of the series (per the reference)
    first = min(spec["occurrences"])
    span = reference(feed, first, 40, rx)
    starts = {e["start"] for e in span}
    for s in spec["occurrences"]:
        if s not in starts:
            raise SystemExit(f"{name}: {s} is not a reference occurrence of {rx!r}")

    probes = []
    for s in spec["occurrences"]:
        t = parse(s)
        for label, delta in (("S-1d", dt.timedelta(days=-1)), ("S-1s", dt.timedelta(seconds=-1)),
                             ("S", dt.timedelta(0)), ("S+1s", dt.timedelta(seconds=1)),
                             ("S+1h", dt.timedelta(hours=1))):
            probes.append((f"{label} of {s}", fmt(t + delta)))
    for kind, year in spec["dst"]:
        t = DST[kind](year)
        probes.append((f"{kind} {year} change -1s", fmt(t - dt.timedelta(seconds=1))))
        probes.append((f"{kind} {year} change", fmt(t)))
    probes += spec["extra"]
    probes.sort(key=lambda p: (p[1], p[0]))

    results = run_all([(feed, now, 1, rx) for _, now in probes])
    cases = []
    for (label, now), res in zip(probes, results):
        exp = None
        if res:
            e = res[0]
            exp = {"uid": e["uid"], "summary": e["summary"], "start": e["start"]}
        cases.append({"label": label, "now": now, "expected": exp})
    obj = {"feed": feed, "horizon_days": HORIZON_DAYS, "reference": versions,
           "generator": "tests/corpus/generate.py",
           "summit": rx, "match": rx, "series_summary": spec["summary"], "cases": cases}
    return dump(obj, "cases")


def main():
    check = "--check" in sys.argv[1:]
    if not os.path.isfile(REF_TOOL):
        raise SystemExit(f"reference tool not found: {REF_TOOL} (set SUMMIT_SHARED)")
    versions = reference_versions()
    outputs = {}
    for name, plan in REAL.items():
        outputs[os.path.join(HERE, "real", name + ".json")] = build_real(name, plan, versions)
        print(f"real/{name}.json: {len(plan)} queries", file=sys.stderr)
    for name, spec in NEXT.items():
        outputs[os.path.join(HERE, "next", name + ".json")] = build_next(name, spec, versions)
        print(f"next/{name}.json", file=sys.stderr)
    stale = []
    for path, text in outputs.items():
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:
            stale.append(os.path.relpath(path, REPO))
            if not check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8", newline="\n") as f:
                    f.write(text)
    if check:
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            sys.exit(1)
        print("all corpus files up to date", file=sys.stderr)
    else:
        print(f"wrote {len(stale)} changed file(s)", file=sys.stderr)


if __name__ == "__main__":
    main()
