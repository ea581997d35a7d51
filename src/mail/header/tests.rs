//! Unit tests of [`super`].

use super::*;

fn lines(name: &str, v: &str) -> Vec<String> {
    format!("{name}: {v}")
        .split("\r\n")
        .map(str::to_string)
        .collect()
}

#[test]
fn plain_ascii_is_kept_and_folded_at_78() {
    let v = encode_unstructured("Subject", &"word ".repeat(40));
    assert!(!v.contains("=?"), "{v}");
    for l in lines("Subject", &v) {
        assert!(l.len() <= FOLD_WIDTH, "{l:?}");
    }
    assert_eq!(v.replace("\r\n ", " "), "word ".repeat(40).trim_end());
}

#[test]
fn a_smuggled_encoded_word_is_encoded_itself() {
    let v = encode_unstructured("Subject", "Summit =?utf-8?q?=0D=0ABcc:_x@y?= now");
    assert!(
        v.starts_with("Summit =?utf-8?q?=3D=3Futf-8=3Fq=3F=3D0D"),
        "{v}"
    );
    assert!(v.ends_with(" now"), "{v}");
    assert!(!v.contains("=?utf-8?q?=0D"), "{v}");
}

#[test]
fn a_long_word_is_encoded_in_short_words() {
    let v = encode_unstructured("Subject", &format!("Summit {}", "A".repeat(3900)));
    for l in lines("Subject", &v) {
        assert!(l.len() <= FOLD_WIDTH, "{l:?}");
    }
    let words: Vec<&str> = v.split_whitespace().collect();
    assert!(words[1..].iter().all(|w| w.len() <= ENCODED_WORD_MAX));
}

#[test]
fn non_ascii_is_split_between_characters() {
    let v = encode_unstructured("Subject", &"ü€😀 ".repeat(30));
    for w in v.split_whitespace() {
        assert!(w.len() <= ENCODED_WORD_MAX, "{w}");
        assert!(w.starts_with(Q_PREFIX) && w.ends_with(Q_SUFFIX), "{w}");
    }
}

#[test]
fn subject_is_capped_at_a_char_boundary() {
    let s = cap(&"é".repeat(300), SUBJECT_MAX_CHARS);
    assert_eq!(s.chars().count(), SUBJECT_MAX_CHARS);
    assert!(s.ends_with('…'));
    assert_eq!(cap("short", 10), "short");
}

#[test]
fn lettre_writes_the_subject_as_encoded_and_readers_decode_it_back() {
    use mailparse::MailHeaderMap;
    let hostile = format!(
        "Summit {} \u{202e}ü =?utf-8?q?=0D=0ABcc:_x@y?= {}",
        "B".repeat(3900),
        "\u{1b}]0;x\u{7}"
    );
    let m = lettre::Message::builder()
        .from("a@b.org".parse().unwrap())
        .to("c@d.org".parse().unwrap())
        .raw_header(subject(&hostile))
        .body(String::from("x"))
        .unwrap();
    let bytes = m.formatted();
    let text = String::from_utf8(bytes.clone()).unwrap();
    for l in text.split("\r\n") {
        assert!(l.len() <= FOLD_WIDTH, "{l:?}");
    }
    let parsed = mailparse::parse_mail(&bytes).unwrap();
    assert!(parsed.headers.get_first_value("Bcc").is_none());
    let s = parsed.headers.get_first_value("Subject").unwrap();
    assert!(!s.chars().any(char::is_control), "{s:?}");
    assert!(!s.contains('\u{202e}'), "{s:?}");
    assert!(s.starts_with("Summit BBBB") && s.ends_with('…'), "{s}");
    assert_eq!(s.chars().count(), SUBJECT_MAX_CHARS);
    let short = "Summit ü =?utf-8?q?=0D=0ABcc:_x@y?= end";
    let m = lettre::Message::builder()
        .from("a@b.org".parse().unwrap())
        .to("c@d.org".parse().unwrap())
        .raw_header(subject(short))
        .body(String::from("x"))
        .unwrap();
    let bytes = m.formatted();
    let parsed = mailparse::parse_mail(&bytes).unwrap();
    assert_eq!(parsed.headers.get_first_value("Subject").unwrap(), short);
}

#[test]
fn names_with_encoded_words_are_left_out() {
    let m: Mailbox = "\"=?utf-8?q?=0D=0ABcc:_x@y?=\" <a@b.org>".parse().unwrap();
    assert_eq!(mailbox(&m).name, None);
    let m: Mailbox = "Ada Lovelace <a@b.org>".parse().unwrap();
    assert_eq!(mailbox(&m).name.as_deref(), Some("Ada Lovelace"));
}
