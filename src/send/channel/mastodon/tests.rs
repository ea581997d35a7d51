use proptest::prelude::*;

use super::*;

const LIMITS: Limits = Limits {
    max_characters: 500,
    per_url: 23,
};

#[test]
fn urls_end_before_trailing_punctuation() {
    let text = "Join (https://meet.example.org/summit-2026). See https://x.org/a_(b) and http://y.org/c, or HTTPS://Z.org!";
    let found: Vec<&str> = urls(text).into_iter().map(|s| &text[s]).collect();
    assert_eq!(
        found,
        [
            "https://meet.example.org/summit-2026",
            "https://x.org/a_(b)",
            "http://y.org/c",
            "HTTPS://Z.org"
        ]
    );
    assert!(urls("https:// and http://. and httpx").is_empty());
}

#[test]
fn urls_count_as_reserved() {
    assert_eq!(
        weight("a https://example.org/very/long/path/indeed b", 23),
        27
    );
    assert_eq!(weight("été", 23), 3);
}

#[test]
fn text_within_the_limit_is_unchanged() {
    let text = "Developer summit on 3 December.\n\nhttps://meet.example.org/x";
    assert_eq!(shorten(text, LIMITS), text);
}

#[test]
fn long_text_keeps_its_first_paragraphs_and_every_url() {
    let first = "The developer summit is on Thursday 3 December at 15:00 UTC. Join at https://meet.example.org/summit-2026-12.";
    let second = "word ".repeat(60);
    let third = format!(
        "Agenda: https://agenda.example.org/2026-12 {}",
        "more ".repeat(80)
    );
    let text = format!("{first}\n\n{second}\n\n{third}");
    let out = shorten(&text, LIMITS);
    assert!(weight(&out, 23) <= 500, "{out}");
    assert!(out.starts_with(first), "{out}");
    assert!(
        out.contains("https://meet.example.org/summit-2026-12"),
        "{out}"
    );
    assert!(
        out.ends_with("…\n\nhttps://agenda.example.org/2026-12"),
        "{out}"
    );
}

#[test]
fn a_long_first_paragraph_is_cut_at_a_word() {
    let text = format!(
        "{}https://meet.example.org/x",
        "Lorem ipsum dolor sit amet. ".repeat(30)
    );
    let out = shorten(&text, LIMITS);
    assert!(weight(&out, 23) <= 500);
    assert!(out.contains("amet.…") || out.contains("ipsum…") || out.contains("sit…"));
    assert!(out.ends_with("…\n\nhttps://meet.example.org/x"), "{out}");
}

#[test]
fn urls_that_do_not_fit_are_dropped_before_the_limit_is_broken() {
    let text = "Summit https://a.example.org/1 https://b.example.org/2 https://c.example.org/3";
    let limits = Limits {
        max_characters: 30,
        per_url: 23,
    };
    let out = shorten(text, limits);
    assert!(weight(&out, 23) <= 30, "{out}");
    assert!(out.starts_with("Summit"), "{out}");
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Zé0-9]{1,12}",
        Just(" ".to_string()),
        Just("\n\n".to_string()),
        Just("\n".to_string()),
        "[.,:;!?()\\[\\]…'\"@]",
        "https?://[a-z]{1,10}\\.org(/[a-z0-9_().-]{0,30})?",
    ]
}

proptest! {
    #[test]
    fn shortened_text_never_exceeds_the_limit_and_keeps_urls_that_fit(
        pieces in proptest::collection::vec(piece(), 0..200),
        max in 1usize..600,
        per_url in 1usize..40,
    ) {
        let text = pieces.concat();
        let limits = Limits { max_characters: max, per_url };
        let out = shorten(&text, limits);
        prop_assert!(weight(&out, per_url) <= max, "{} > {max}: {out:?}", weight(&out, per_url));
        let mut distinct: Vec<&str> = Vec::new();
        for s in urls(&text) {
            if !distinct.contains(&&text[s.clone()]) {
                distinct.push(&text[s]);
            }
        }
        let n = distinct.len();
        if n > 0 && 1 + 2 + n * per_url + (n - 1) <= max {
            for url in distinct {
                prop_assert!(out.contains(url), "{url} lost: {out:?}");
            }
        }
        if weight(&text, per_url) <= max {
            prop_assert_eq!(out, text);
        }
    }
}
