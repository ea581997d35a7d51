use super::*;
use chrono::NaiveDate;

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

#[test]
fn resolves_iana_in_any_case_and_windows_names() {
    assert_eq!(resolve("Europe/Berlin"), Some(chrono_tz::Europe::Berlin));
    assert_eq!(resolve("Europe/lisbon"), Some(chrono_tz::Europe::Lisbon));
    assert_eq!(
        resolve("/mozilla.org/20050126_1/Europe/Paris"),
        Some(chrono_tz::Europe::Paris)
    );
    assert_eq!(
        resolve("W. Europe Standard Time"),
        Some(chrono_tz::Europe::Berlin)
    );
    assert_eq!(resolve("Nowhere/Special"), None);
    assert_eq!(
        resolve("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"),
        Some(chrono_tz::Europe::Berlin)
    );
    assert_eq!(
        resolve("Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"),
        Some(chrono_tz::Europe::Berlin)
    );
    assert_eq!(
        resolve("(UTC+07:00) Bangkok, Hanoi, Jakarta"),
        Some(chrono_tz::Asia::Bangkok)
    );
    assert_eq!(
        resolve("(GMT+10:00) Canberra, Melbourne, Sydney"),
        Some(chrono_tz::Australia::Sydney)
    );
    assert_eq!(
        resolve("(UTC-05:00) Eastern Time (US and Canada)"),
        Some(chrono_tz::America::New_York)
    );
    assert_eq!(
        resolve(
            "Amsterdam, Belgrade, Berlin, Brussels, Budapest, Madrid, Paris, Prague, Stockholm"
        ),
        Some(chrono_tz::Europe::Berlin)
    );
    assert_eq!(resolve("(UTC+07:00) Berlin, Vienna"), None);
    assert_eq!(resolve("Standard Time"), None);
}

#[test]
fn fixed_offsets() {
    let z = fixed_offset("UTC+01").unwrap();
    assert_eq!(
        z.to_utc(local(2026, 2, 26, 0, 0)).to_rfc3339(),
        "2026-02-25T23:00:00+00:00"
    );
    let z = fixed_offset("GMT-05:30").unwrap();
    assert_eq!(
        z.to_utc(local(2026, 2, 26, 0, 0)).to_rfc3339(),
        "2026-02-26T05:30:00+00:00"
    );
    assert!(fixed_offset("UTC+25").is_none());
    assert!(fixed_offset("Europe/Berlin").is_none());
}

#[test]
fn vtimezone_rules() {
    // A "Customized Time Zone" like US Eastern: -0500 / -0400.
    let std = Observance {
        start: Some(local(1601, 11, 1, 2, 0)),
        offset_from: Some(-4 * 3600),
        offset_to: Some(-5 * 3600),
        rrules: vec!["FREQ=YEARLY;BYDAY=1SU;BYMONTH=11".into()],
        rdates: vec![],
    };
    let dst = Observance {
        start: Some(local(1601, 3, 8, 2, 0)),
        offset_from: Some(-5 * 3600),
        offset_to: Some(-4 * 3600),
        rrules: vec!["FREQ=YEARLY;BYDAY=2SU;BYMONTH=3".into()],
        rdates: vec![],
    };
    let z = Vtimezone::new("Customized Time Zone", &[std, dst]).unwrap();
    assert_eq!(
        z.to_utc(local(2020, 8, 25, 10, 35)).to_rfc3339(),
        "2020-08-25T14:35:00+00:00"
    );
    assert_eq!(
        z.to_utc(local(2020, 12, 17, 10, 35)).to_rfc3339(),
        "2020-12-17T15:35:00+00:00"
    );
    // Gap and fold, as for IANA zones.
    assert_eq!(
        z.to_utc(local(2020, 3, 8, 2, 30)).to_rfc3339(),
        "2020-03-08T07:30:00+00:00"
    );
    assert_eq!(
        z.to_utc(local(2020, 11, 1, 1, 30)).to_rfc3339(),
        "2020-11-01T05:30:00+00:00"
    );
    let zone = Zone::Defined(Arc::new(z));
    assert_eq!(
        zone.to_local("2020-08-25T14:35:00Z".parse().unwrap()),
        local(2020, 8, 25, 10, 35)
    );
}

#[test]
fn utc_offsets() {
    assert_eq!(parse_offset("+0100"), Some(3600));
    assert_eq!(parse_offset("-0530"), Some(-19800));
    assert_eq!(parse_offset("+053000"), Some(19800));
    assert_eq!(parse_offset("0100"), None);
    assert_eq!(parse_offset("+2500"), None);
}

#[test]
fn gap_uses_offset_before_the_gap() {
    let ny = chrono_tz::America::New_York;
    let t = to_utc(local(2007, 3, 11, 2, 30), ny);
    assert_eq!(t.to_rfc3339(), "2007-03-11T07:30:00+00:00");
}

#[test]
fn fold_takes_the_earlier_instant() {
    let ny = chrono_tz::America::New_York;
    let t = to_utc(local(2023, 11, 5, 1, 30), ny);
    assert_eq!(t.to_rfc3339(), "2023-11-05T05:30:00+00:00");
}
