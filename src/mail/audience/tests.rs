//! Unit tests of [`super`].

use super::*;

#[test]
fn one_address_in_any_ascii_case() {
    let a = |s: &str| s.parse::<Address>().unwrap();
    assert!(same_address(
        &a("Grace@Example.org"),
        &a("grace@example.org")
    ));
    assert!(!same_address(
        &a("grace@example.org"),
        &a("grace@example.com")
    ));
}
