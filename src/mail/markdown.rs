//! Markdown for channels: the chat and forum templates (`reminder.md`, …) are
//! CommonMark; [`escape`] makes a value from the feed or an agenda literal text in it,
//! and each medium gets the Markdown in its own form: HTML for Matrix's
//! `formatted_body` ([`to_html`], sanitised), Slack's mrkdwn ([`to_mrkdwn`]), plain
//! text for Matrix's `body` and Mastodon ([`to_plain`]). Discourse renders Markdown
//! itself.
//!
//! No value pings anyone: [`escape`] puts a WORD JOINER (U+2060) after every `@`, so
//! `@room`, `@everyone`, `@channel` and `@user` never match a mention, and escapes `<`
//! and `&`, so Slack's `<!channel>` stays text.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The WORD JOINER put after every `@` of a value: invisible, and it breaks mentions.
pub const MENTION_BREAK: char = '\u{2060}';

/// `value` as literal text inside a Markdown template: on one line, every ASCII
/// punctuation mark that Markdown could read as syntax backslash-escaped, and every
/// `@` followed by [`MENTION_BREAK`].
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in crate::text::one_line(value).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '(' | ')' | '#' | '+'
            | '-' | '!' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '@' => {
                out.push('@');
                out.push(MENTION_BREAK);
            }
            c => out.push(c),
        }
    }
    out
}

/// `url` as the target of a Markdown autolink (`<…>`): an `http`, `https` or `mailto`
/// URL with no space, control character, `<` or `>`; `None` for anything else (then
/// it is written as escaped text, never as a link).
pub fn autolink_target(url: &str) -> Option<String> {
    let u = url.trim();
    let scheme_ok = ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| u.len() > p.len() && u[..p.len()].eq_ignore_ascii_case(p));
    let clean = !u
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '\\'));
    (scheme_ok && clean).then(|| u.to_string())
}

/// The CommonMark `markdown` as sanitised HTML for Matrix's `formatted_body`: rendered
/// by `pulldown-cmark`, then cleaned by `ammonia` (no scripts, styles, event handlers
/// or `javascript:` links; links get `rel="noopener noreferrer"`).
pub fn to_html(markdown: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options()));
    ammonia::clean(&html).trim_end().to_string()
}

/// The CommonMark `markdown` as plain text: paragraphs separated by a blank line, list
/// items as `- item`, a link as `text (url)` (only the URL when it is its text), code
/// and emphasis as their text.
pub fn to_plain(markdown: &str) -> String {
    walk(markdown, Flavor::Plain)
}

/// The CommonMark `markdown` as Slack mrkdwn: `*bold*`, `_italic_`, `~strike~`, links
/// as `<url|text>`, code in backticks, and `&`, `<`, `>` in text escaped as Slack's
/// formatting rules require (so no text becomes a mention or a link).
pub fn to_mrkdwn(markdown: &str) -> String {
    walk(markdown, Flavor::Mrkdwn)
}

fn options() -> Options {
    Options::ENABLE_STRIKETHROUGH
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Plain,
    Mrkdwn,
}

/// Renders `markdown` as `flavor` text.
fn walk(markdown: &str, flavor: Flavor) -> String {
    let mut out = String::new();
    let mut links: Vec<(String, usize)> = Vec::new();
    let mut lists: Vec<Option<u64>> = Vec::new();
    let text = |s: &str| match flavor {
        Flavor::Plain => s.to_string(),
        Flavor::Mrkdwn => slack_escape(s),
    };
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::BlockQuote(_)) => {
                block_break(&mut out, lists.is_empty());
            }
            Event::Start(Tag::CodeBlock(_)) => block_break(&mut out, true),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock) => {}
            Event::Start(Tag::List(start)) => {
                if lists.is_empty() {
                    block_break(&mut out, true);
                }
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) if flavor == Flavor::Mrkdwn => {
                out.push('*');
            }
            Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis)
                if flavor == Flavor::Mrkdwn =>
            {
                out.push('_');
            }
            Event::Start(Tag::Strikethrough) | Event::End(TagEnd::Strikethrough)
                if flavor == Flavor::Mrkdwn =>
            {
                out.push('~');
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push((dest_url.to_string(), out.len()));
                if flavor == Flavor::Mrkdwn {
                    out.push_str(&format!("<{}|", slack_escape(&dest_url)));
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some((url, at)) = links.pop() {
                    match flavor {
                        Flavor::Mrkdwn => out.push('>'),
                        Flavor::Plain => {
                            if out[at..].trim() != url {
                                out.push_str(&format!(" ({url})"));
                            }
                        }
                    }
                }
            }
            Event::Text(t) => out.push_str(&text(&t)),
            Event::Code(c) => {
                if flavor == Flavor::Mrkdwn {
                    out.push('`');
                    out.push_str(&slack_escape(&c));
                    out.push('`');
                } else {
                    out.push_str(&c);
                }
            }
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Html(h) | Event::InlineHtml(h) => out.push_str(&text(&h)),
            Event::Rule => {
                block_break(&mut out, true);
                out.push_str("---");
            }
            _ => {}
        }
    }
    let mut out = out.trim().to_string();
    out.push('\n');
    out
}

/// Starts a new block: a blank line after what came before (a single line break
/// inside a list).
fn block_break(out: &mut String, blank: bool) {
    if out.is_empty() {
        return;
    }
    while out.ends_with(' ') {
        out.pop();
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    if blank && !out.ends_with("\n\n") {
        out.push('\n');
    }
}

/// `s` with `&`, `<` and `>` escaped as Slack's message formatting requires.
pub fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escaped_values_stay_literal_in_every_medium() {
        let v = escape("**Big** <!channel> @room [x](https://evil.example) & `code`");
        let md = format!("Topic: {v}\n");
        let plain = to_plain(&md);
        assert_eq!(
            plain,
            "Topic: **Big** <!channel> @\u{2060}room [x](https://evil.example) & `code`\n"
        );
        let slack = to_mrkdwn(&md);
        assert!(slack.contains("&lt;!channel&gt;"), "{slack}");
        assert!(!slack.contains("<https"), "{slack}");
        assert!(!slack.contains("<!"), "{slack}");
        let html = to_html(&md);
        assert!(!html.contains("<a"), "{html}");
        assert!(!html.contains("<strong"), "{html}");
        assert!(html.contains("&lt;!channel&gt;"), "{html}");
    }

    #[test]
    fn template_markdown_becomes_each_medium() {
        let md = "The **summit** is [here](https://meet.example/x).\n\n- one\n- two\n\nSee https://example.org\n";
        assert_eq!(
            to_plain(md),
            "The summit is here (https://meet.example/x).\n\n- one\n- two\n\nSee https://example.org\n"
        );
        assert_eq!(
            to_mrkdwn(md),
            "The *summit* is <https://meet.example/x|here>.\n\n- one\n- two\n\nSee https://example.org\n"
        );
        let html = to_html(md);
        assert!(html.contains("<strong>summit</strong>"), "{html}");
        assert!(html.contains("href=\"https://meet.example/x\""), "{html}");
        assert!(html.contains("<li>one</li>"), "{html}");
    }

    #[test]
    fn html_is_sanitised() {
        let html = to_html(
            "<script>alert(1)</script>\n\n[a](javascript:alert(1)) <img src=x onerror=alert(1)>\n",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("href=\"javascript:"), "{html}");
        assert!(
            html.contains("<a rel=\"noopener noreferrer\">a</a>"),
            "{html}"
        );
        assert!(!html.contains("onerror"), "{html}");
    }

    proptest! {
        #[test]
        fn an_escaped_value_reads_back_as_itself(v in "[ -~]{0,60}") {
            let plain = to_plain(&format!("x {} y\n", escape(&v)));
            let expected = format!("x {} y", crate::text::one_line(&v).replace('@', "@\u{2060}"));
            // Markdown collapses runs of spaces at line ends only; compare trimmed.
            prop_assert_eq!(plain.trim_end(), expected.trim_end());
        }
    }
}
