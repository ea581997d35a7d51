use super::*;

#[test]
fn rscale_and_skip_are_read_and_stripped() {
    assert_eq!(rscale("FREQ=DAILY"), Rscale::Gregorian);
    assert_eq!(
        rscale("RSCALE=gregorian;FREQ=MONTHLY;SKIP=omit"),
        Rscale::Gregorian
    );
    assert_eq!(
        rscale("RSCALE=GREGORIAN;FREQ=MONTHLY;SKIP=FORWARD"),
        Rscale::GregorianSkip("FORWARD")
    );
    assert_eq!(
        rscale("RSCALE=CHINESE;FREQ=YEARLY;SKIP=BACKWARD"),
        Rscale::Other("CHINESE")
    );
    // The last value of a part given twice counts.
    assert_eq!(
        rscale("RSCALE=HEBREW;RSCALE=GREGORIAN;FREQ=DAILY"),
        Rscale::Gregorian
    );
    assert_eq!(
        normalize_rule("RSCALE=GREGORIAN;FREQ=MONTHLY;SKIP=OMIT;COUNT=3").unwrap(),
        ("FREQ=MONTHLY;COUNT=3".to_string(), None)
    );
}

#[test]
fn rules_the_rrule_crate_must_not_see() {
    assert!(rule_refusal("FREQ=WEEKLY;BYDAY=€").is_some());
    assert!(rule_refusal("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,10").is_none());
    // Repeated values count once.
    assert!(
        rule_refusal(&format!(
            "FREQ=MINUTELY;BYSECOND={}",
            "1,2,".repeat(100_000)
        ))
        .is_none()
    );
    let every_minute = "FREQ=YEARLY;BYMONTHDAY=1,2,3,4,5,6,7,8,9,10;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59;BYSECOND=0,1,2,3,4,5,6,7,8,9";
    assert!(rule_refusal(every_minute).is_some());
}

#[test]
fn until_values() {
    let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    assert_eq!(
        until("20220803"),
        Some(Until::Local(at("2022-08-03 00:00:00")))
    );
    assert_eq!(
        until(" 20220803T101500 "),
        Some(Until::Local(at("2022-08-03 10:15:00")))
    );
    assert_eq!(
        until("20220803T101500z"),
        Some(Until::Utc(at("2022-08-03 10:15:00")))
    );
    assert_eq!(until("2022-08-03"), None);
    assert_eq!(until("20220803T1015Z"), None);
}
