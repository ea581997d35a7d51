//! Message-IDs (RFC 5322 §3.6.4).

/// Whether `id` (without angle brackets) is a well-formed Message-ID made of plain
/// characters: `dot-atom-text "@" dot-atom-text` (RFC 5322 §3.6.4), so that it is safe
/// in a header.
pub fn valid_message_id(id: &str) -> bool {
    fn dot_atom(s: &str) -> bool {
        !s.is_empty()
            && s.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
            })
    }
    id.len() <= 250
        && id
            .split_once('@')
            .is_some_and(|(l, r)| dot_atom(l) && dot_atom(r))
}
