//! [`Recipients`]: whom one message goes to, as the ledger keys it.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::email::Email;

/// The recipients of one message (its RFC 5322 `To`), in the order the message names
/// them: a list of addresses, and the key text the ledger stores and compares
/// (`to = "a@example.org, b@example.org"`: each address in ASCII lowercase, joined by
/// `, `). Two sets of recipients are the same when their keys are; they order and hash
/// by the key, so ledger files keep their order.
#[derive(Clone, Debug, Default)]
pub struct Recipients {
    list: Vec<Email>,
    key: String,
}

impl Recipients {
    /// The recipients `addresses`, in that order.
    pub fn of<A: AsRef<str>>(addresses: impl IntoIterator<Item = A>) -> Recipients {
        let list: Vec<Email> = addresses
            .into_iter()
            .map(|a| Email::new(a.as_ref()))
            .collect();
        let key = list
            .iter()
            .map(|e| e.as_str().to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(", ");
        Recipients { list, key }
    }

    /// The recipients of a ledger entry's `to` text, kept exactly as written (an empty
    /// text: nobody, as for a step recorded missed before it had recipients).
    pub fn from_key(key: &str) -> Recipients {
        let list = key
            .split(", ")
            .filter(|a| !a.is_empty())
            .map(Email::new)
            .collect();
        Recipients {
            list,
            key: key.to_string(),
        }
    }

    /// The ledger's key text.
    pub fn as_key(&self) -> &str {
        &self.key
    }

    /// The addresses as the key text has them (lowercase, in order): what JSON output
    /// shows as `"to": [str]`.
    pub fn addresses(&self) -> Vec<String> {
        self.key
            .split(", ")
            .filter(|a| !a.is_empty())
            .map(String::from)
            .collect()
    }

    /// The addresses, in order.
    pub fn list(&self) -> &[Email] {
        &self.list
    }

    /// Whether there is nobody.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Whether `address` (`a@example.org` or `<a@example.org>`, any case) is one of them.
    pub fn contains(&self, address: &str) -> bool {
        let address = address.trim().trim_start_matches('<').trim_end_matches('>');
        self.list.iter().any(|e| *e == address)
    }
}

impl fmt::Display for Recipients {
    /// The key text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

impl PartialEq for Recipients {
    fn eq(&self, other: &Recipients) -> bool {
        self.key == other.key
    }
}

impl Eq for Recipients {}

impl PartialEq<&str> for Recipients {
    /// Whether the key text is `other`.
    fn eq(&self, other: &&str) -> bool {
        self.key == *other
    }
}

impl From<&str> for Recipients {
    /// [`Recipients::from_key`].
    fn from(key: &str) -> Recipients {
        Recipients::from_key(key)
    }
}

impl Hash for Recipients {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl PartialOrd for Recipients {
    fn partial_cmp(&self, other: &Recipients) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Recipients {
    fn cmp(&self, other: &Recipients) -> Ordering {
        self.key.cmp(&other.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_lowercase_joined_and_orders_as_text() {
        let r = Recipients::of(["Ada@Example.org", "b@x.org"]);
        assert_eq!(r.as_key(), "ada@example.org, b@x.org");
        assert_eq!(r.list().len(), 2);
        assert!(r.contains("<ADA@example.org>"));
        assert!(!r.contains("c@x.org"));
        assert_eq!(Recipients::from_key(r.as_key()), r);
        assert!(Recipients::from_key("").is_empty());
        // As text: `+` sorts before `,`, so one address `a+b` comes before `a, c`.
        let (one, two) = (Recipients::of(["a+b"]), Recipients::of(["a", "c"]));
        assert_eq!(one.cmp(&two), "a+b".cmp("a, c"));
    }
}
