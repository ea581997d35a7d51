//! What reaches a terminal: text from the feed, the agenda, the configuration or a
//! server, escaped so that it cannot drive the terminal (ESC and OSC sequences, a CR
//! that rewrites the line, bidirectional overrides that make text read differently
//! from what it is) nor split one `error:` or `warning:` line into two.
//!
//! One rule, in one place ([`escape_char`]): every warning and error line, and every
//! line of human output on standard output, goes through it.

use std::fmt::Write as _;

/// How `c` is shown on a terminal: `None` when it is shown as itself, else its escape.
///
/// - C0 controls and DEL (U+0000–U+001F, U+007F), `\n` and `\t` included: `\xNN`
///   (`\x1b` for ESC, `\x0a` for a newline);
/// - C1 controls (U+0080–U+009F, of which U+009B is a one-character CSI), the
///   bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
///   U+202A–U+202E, U+2066–U+2069, Unicode TR #9), the line and paragraph separators
///   (U+2028, U+2029) and the byte-order mark (U+FEFF): `\u{NNNN}`.
pub fn escape_char(c: char) -> Option<String> {
    match c {
        '\0'..='\u{1f}' | '\u{7f}' => Some(format!("\\x{:02x}", u32::from(c))),
        '\u{80}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{feff}' => Some(format!("\\u{{{:04x}}}", u32::from(c))),
        _ => None,
    }
}

/// `s` as one terminal line: every character [`escape_char`] names escaped, newlines
/// and tabs included, so a value with a newline stays on its line.
pub fn line(s: &str) -> String {
    escape_except(s, &[])
}

/// `s` as terminal text of one or more lines: as [`line()`], but `\n` and `\t` are kept
/// (a CR is not: `\r\n` shows as `\x0d` and a line break).
pub fn text(s: &str) -> String {
    escape_except(s, &['\n', '\t'])
}

fn escape_except(s: &str, keep: &[char]) -> String {
    if !s
        .chars()
        .any(|c| !keep.contains(&c) && escape_char(c).is_some())
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match escape_char(c).filter(|_| !keep.contains(&c)) {
            Some(e) => out.push_str(&e),
            None => out.push(c),
        }
    }
    out
}

/// `text` (JSON) with the characters [`escape_char`] names that JSON leaves raw (DEL,
/// the C1 controls, the bidirectional controls, U+2028/9, U+FEFF) written as `\uNNNN`
/// escapes (RFC 8259 §7). They can only occur inside strings, where the escape means
/// the same character, so the document is unchanged.
pub fn json(text: &str) -> String {
    if !text
        .chars()
        .any(|c| escape_char(c).is_some() && c > '\u{1f}')
    {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c > '\u{1f}' && escape_char(c).is_some() {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Prints `warning: …` lines to standard error, each warning escaped with [`line()`],
/// buffered (standard error is not: a write per line would cost a system call each). A
/// failed write is ignored, as there is nowhere left to report it.
pub fn warn_all<S: AsRef<str>>(warnings: &[S]) {
    use std::io::Write as _;
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    for w in warnings {
        let _ = writeln!(err, "warning: {}", line(w.as_ref()));
    }
    let _ = err.flush();
}

/// Prints one `warning: …` line (see [`warn_all`]).
pub fn warn(warning: &str) {
    warn_all(&[warning]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped() {
        assert_eq!(
            line("a\u{1b}]0;pwned\u{7}b\r\nc\u{202e}d\u{9b}\u{7f}"),
            "a\\x1b]0;pwned\\x07b\\x0d\\x0ac\\u{202e}d\\u{009b}\\x7f"
        );
        assert_eq!(text("a\tb\nc\r\n"), "a\tb\nc\\x0d\n");
        assert_eq!(line("plain – ünïcode"), "plain – ünïcode");
    }

    #[test]
    fn json_escapes_what_json_leaves_raw() {
        let s = serde_json::to_string("a\u{7f}\u{202e}\u{1b}").unwrap();
        let j = json(&s);
        assert_eq!(j, "\"a\\u007f\\u202e\\u001b\"");
        assert_eq!(
            serde_json::from_str::<String>(&j).unwrap(),
            "a\u{7f}\u{202e}\u{1b}"
        );
    }
}
