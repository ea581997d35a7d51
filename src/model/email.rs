//! [`Email`]: an e-mail address as written, compared without regard to case.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use lettre::Address;

/// An e-mail address as written (`Ada@Example.org`), that compares, hashes and orders
/// without regard to ASCII case: RFC 5321 §2.4 makes the domain case-insensitive and
/// lets the receiving host decide on the local part; summit treats the whole address
/// as case-insensitive, as mail hosts in practice do. [`Display`](fmt::Display) and
/// [`Email::as_str`] give it back exactly as written, so files and messages keep the
/// user's spelling.
#[derive(Clone, Debug)]
pub struct Email(String);

impl Email {
    /// The address `s`, as written (not checked: see [`lettre::Address`] for that).
    pub fn new(s: impl Into<String>) -> Email {
        Email(s.into())
    }

    /// The address as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `a` and `b` are the same address: what `==` on two [`Email`]s says, for
    /// addresses held as text or [`lettre::Address`] (no copy is made).
    pub fn same(a: impl AsRef<str>, b: impl AsRef<str>) -> bool {
        a.as_ref().eq_ignore_ascii_case(b.as_ref())
    }

    /// The bytes compared: the address in ASCII lowercase.
    fn folded(&self) -> impl Iterator<Item = u8> + '_ {
        self.0.bytes().map(|b| b.to_ascii_lowercase())
    }
}

impl PartialEq for Email {
    fn eq(&self, other: &Email) -> bool {
        Email::same(self, other)
    }
}

impl Eq for Email {}

impl PartialEq<str> for Email {
    fn eq(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl PartialEq<&str> for Email {
    fn eq(&self, other: &&str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl PartialEq<Address> for Email {
    fn eq(&self, other: &Address) -> bool {
        self.0.eq_ignore_ascii_case(AsRef::<str>::as_ref(other))
    }
}

impl Hash for Email {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.folded() {
            state.write_u8(b);
        }
        state.write_u8(0xff);
    }
}

impl PartialOrd for Email {
    fn partial_cmp(&self, other: &Email) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Email {
    fn cmp(&self, other: &Email) -> Ordering {
        self.folded().cmp(other.folded())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<String> for Email {
    fn from(s: String) -> Email {
        Email(s)
    }
}

impl From<&str> for Email {
    fn from(s: &str) -> Email {
        Email(s.to_owned())
    }
}

impl From<&Address> for Email {
    fn from(a: &Address) -> Email {
        Email(AsRef::<str>::as_ref(a).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn compares_hashes_and_orders_without_case_and_shows_as_written() {
        let a = Email::new("Ada@Example.org");
        let b = Email::from("ada@example.ORG");
        assert_eq!(a, b);
        assert_eq!(a, "ADA@EXAMPLE.ORG");
        assert_eq!(a, "ada@example.org".parse::<Address>().unwrap());
        assert_ne!(a, Email::from("bob@example.org"));
        let address: Address = "ADA@example.org".parse().unwrap();
        assert!(Email::same(&address, "ada@EXAMPLE.org"));
        assert_eq!(HashSet::from([a.clone(), b.clone()]).len(), 1);
        assert_eq!(a.cmp(&b), Ordering::Equal);
        let (upper_b, lower_a) = (Email::from("B@x.org"), Email::from("a@x.org"));
        assert_eq!(upper_b.cmp(&lower_a), Ordering::Greater);
        assert_eq!(lower_a.cmp(&upper_b), Ordering::Less);
        assert_eq!(a.to_string(), "Ada@Example.org");
        assert_eq!(b.as_str(), "ada@example.ORG");
    }
}
