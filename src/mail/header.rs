//! Header values every server accepts and no reader misreads.
//!
//! RFC 5322 §2.1.1: a line is at most 998 octets and should be at most 78; a header is
//! folded at the spaces of its value. RFC 2047: text that is not plain ASCII goes in
//! encoded words (`=?utf-8?q?…?=`, at most 75 characters each, §2). `lettre` folds only
//! at spaces and passes ASCII through as is, so a 3,900-character word in a SUMMARY made
//! a 3,900-octet line, and `=?utf-8?q?=0D=0ABcc:_x@y?=` reached the Subject raw, for
//! readers to decode into a line break and a `Bcc:`. Here every such word is encoded
//! itself, so a reader decodes it back into the literal text, and every line fits.

use lettre::message::Mailbox;
use lettre::message::header::{HeaderName, HeaderValue};

use crate::text::one_line;

/// The most characters a Subject keeps (before encoding); a longer one is cut at a
/// character boundary and ends in `…`.
pub const SUBJECT_MAX_CHARS: usize = 200;

/// The most characters a display name in To or Reply-To keeps; a longer one is cut
/// and ends in `…`.
pub const NAME_MAX_CHARS: usize = 64;

/// The line length folding aims at (RFC 5322 §2.1.1: "SHOULD be no more than 78").
pub const FOLD_WIDTH: usize = 78;

/// The longest encoded word (RFC 2047 §2).
const ENCODED_WORD_MAX: usize = 75;

/// The prefix and suffix of an encoded word in the Q encoding (RFC 2047 §4.2).
const Q_PREFIX: &str = "=?utf-8?q?";
const Q_SUFFIX: &str = "?=";

/// `s` cut to at most `max` characters at a character boundary, ending in `…` when cut.
pub fn cap(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// The Subject header of `subject`: on one line ([`one_line`]: controls, bidirectional
/// controls and line breaks removed), at most [`SUBJECT_MAX_CHARS`] characters, encoded
/// and folded by [`encode_unstructured`].
pub fn subject(subject: &str) -> HeaderValue {
    let raw = cap(&one_line(subject), SUBJECT_MAX_CHARS);
    let encoded = encode_unstructured("Subject", &raw);
    HeaderValue::dangerous_new_pre_encoded(HeaderName::new_from_ascii_str("Subject"), raw, encoded)
}

/// `m` as it may stand in an address header: its display name on one line, at most
/// [`NAME_MAX_CHARS`] characters, and left out when it holds `=?` (lettre would put it
/// in a quoted string, which some readers decode as an encoded word all the same). The
/// address is unchanged (it was validated when parsed).
pub fn mailbox(m: &Mailbox) -> Mailbox {
    let name = m
        .name
        .as_deref()
        .map(|n| cap(&one_line(n), NAME_MAX_CHARS))
        .filter(|n| !n.is_empty() && !n.contains("=?"));
    Mailbox::new(name, m.email.clone())
}

/// Whether `word` may stand in a header as it is: printable ASCII, not the start of an
/// encoded word, and short enough to fit a folded line.
fn plain(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_graphic())
        && !word.contains("=?")
        && word.len() < FOLD_WIDTH - 1
}

/// The value of an unstructured header `name` (RFC 5322 §3.2.5) holding `value` (one
/// line, no controls; see [`one_line`]), ready to follow `NAME: `: the words that are
/// plain ASCII stay as they are; every run of other words (non-ASCII, containing `=?`,
/// or too long for a line) becomes RFC 2047 Q-encoded words of at most 75 characters,
/// the spaces between its words encoded with them; the result is folded at spaces so
/// that lines are at most [`FOLD_WIDTH`] octets (an encoded word is at most 75, so no
/// line ever passes 998).
pub fn encode_unstructured(name: &str, value: &str) -> String {
    let mut atoms: Vec<String> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    for word in value.split(' ').filter(|w| !w.is_empty()) {
        if plain(word) {
            if !run.is_empty() {
                atoms.extend(encoded_words(&run.join(" ")));
                run.clear();
            }
            atoms.push(word.to_string());
        } else {
            run.push(word);
        }
    }
    if !run.is_empty() {
        atoms.extend(encoded_words(&run.join(" ")));
    }
    fold(name.len() + 2, &atoms)
}

/// `atoms` separated by spaces, a line break before an atom that would pass
/// [`FOLD_WIDTH`] on a line that already has one; `used` octets are taken by `NAME: `.
fn fold(used: usize, atoms: &[String]) -> String {
    let mut out = String::new();
    let mut width = used;
    let mut first = true;
    for atom in atoms {
        if first {
            first = false;
        } else if width + 1 + atom.len() > FOLD_WIDTH {
            out.push_str("\r\n ");
            width = 1;
        } else {
            out.push(' ');
            width += 1;
        }
        out.push_str(atom);
        width += atom.len();
    }
    out
}

/// `text` as Q-encoded words (RFC 2047 §4.2, in the stricter set of §5(3)), each at most
/// [`ENCODED_WORD_MAX`] characters, split only between characters.
fn encoded_words(text: &str) -> Vec<String> {
    let room = ENCODED_WORD_MAX - Q_PREFIX.len() - Q_SUFFIX.len();
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        let mut q = String::new();
        if c == ' ' {
            q.push('_');
        } else if c.is_ascii_alphanumeric() || matches!(c, '!' | '*' | '+' | '-' | '/') {
            q.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                q.push_str(&format!("={b:02X}"));
            }
        }
        if current.len() + q.len() > room {
            words.push(format!("{Q_PREFIX}{current}{Q_SUFFIX}"));
            current.clear();
        }
        current.push_str(&q);
    }
    if !current.is_empty() {
        words.push(format!("{Q_PREFIX}{current}{Q_SUFFIX}"));
    }
    words
}

#[cfg(test)]
mod tests;
