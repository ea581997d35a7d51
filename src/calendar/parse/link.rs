//! Finding the meeting link of a VEVENT (RFC 5545 §3.8.4.6 URL, and links in other
//! values), and how long a kept TEXT value may be.

/// How long a SUMMARY, LOCATION, URL or X-GOOGLE-CONFERENCE may be: every occurrence
/// carries a copy, and mail headers are built from them.
pub(super) const MAX_TEXT_BYTES: usize = 4096;

/// The hosts of the meeting services whose links [`link_in`] finds in a DESCRIPTION:
/// Google Meet, Zoom, Jitsi, Microsoft Teams and Webex (and their subdomains).
pub const MEETING_HOSTS: [&str; 9] = [
    "meet.google.com",
    "zoom.us",
    "zoom.com",
    "zoomgov.com",
    "meet.jit.si",
    "8x8.vc",
    "teams.microsoft.com",
    "teams.live.com",
    "webex.com",
];

/// `value` as a link when it is one `https://` or `http://` link (any case), without
/// trailing punctuation; `None` otherwise.
pub fn http_link(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() || v.contains(char::is_whitespace) {
        return None;
    }
    link_in(v, false).filter(|l| v.starts_with(l.as_str()))
}

/// The first `https://` or `http://` link in `text` (with `meeting_only`, the first
/// whose host is one of [`MEETING_HOSTS`] or a subdomain of one), ended by whitespace,
/// `<`, `>`, `"` or `\`, and stripped of trailing punctuation (`.`, `,`, `;`, `:`, `!`,
/// `?`, `'`, and a `)` or `]` it does not open). Links longer than 4 KiB are skipped.
pub fn link_in(text: &str, meeting_only: bool) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("http").map(|i| i + from) {
        from = i + 4;
        let rest = &lower[i..];
        let scheme = if rest.starts_with("https://") {
            8
        } else if rest.starts_with("http://") {
            7
        } else {
            continue;
        };
        let end = text[i..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\\'))
            .map_or(text.len(), |e| i + e);
        let mut link = &text[i..end];
        loop {
            let trimmed = link.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
            let trimmed = match trimmed.chars().last() {
                Some(')') if trimmed.matches('(').count() < trimmed.matches(')').count() => {
                    &trimmed[..trimmed.len() - 1]
                }
                Some(']') if trimmed.matches('[').count() < trimmed.matches(']').count() => {
                    &trimmed[..trimmed.len() - 1]
                }
                _ => trimmed,
            };
            if trimmed.len() == link.len() {
                break;
            }
            link = trimmed;
        }
        let authority = link[scheme..]
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        let host = host
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if host.is_empty() || link.len() > MAX_TEXT_BYTES {
            continue;
        }
        let meeting = MEETING_HOSTS
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")));
        if !meeting_only || meeting {
            return Some(link.to_string());
        }
    }
    None
}
