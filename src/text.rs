//! Small text helpers shared by every layer: text on one line, characters that have no
//! place in a name, a regex error a person can read, and loopback host names.

/// `s` on one line: control characters (CR, LF, tabs, Unicode controls and line or
/// paragraph separators) become spaces, runs of spaces collapse, and the invisible
/// bidirectional overrides and isolates (which can make text read differently from what
/// it is) and byte-order marks are dropped. Header values built from feed content pass
/// through here, so a SUMMARY cannot inject a header.
pub fn one_line(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'))
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first character of `s` that has no place in a name on one line: a control
/// character (CR, LF, tab …), a line or paragraph separator, or an invisible
/// bidirectional override or isolate.
pub(crate) fn odd_char(s: &str) -> Option<char> {
    s.chars().find(|c| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

/// Whether `host` names the loopback interface.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Compiles `s`, or says why not with the regex crate's one-line detail:
/// "`(unclosed` is not a valid regex: unclosed group".
pub(crate) fn parse_regex(s: &str) -> std::result::Result<regex::Regex, String> {
    regex::Regex::new(s).map_err(|e| {
        let detail = e
            .to_string()
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_string();
        format!("`{s}` is not a valid regex: {detail}")
    })
}
