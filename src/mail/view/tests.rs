//! Unit tests of [`super`].

use super::*;

#[test]
fn title_skips_a_leading_project_name() {
    let t = |s: &str| title(s, "Prometheus");
    assert_eq!(t("Prometheus Developer Summit"), "Developer Summit");
    assert_eq!(t("prometheus: Developer Summit"), "Developer Summit");
    assert_eq!(t("Prometheus – Developer Summit"), "Developer Summit");
    assert_eq!(t("Developer Summit"), "Developer Summit");
    assert_eq!(t("PrometheusCon Summit"), "PrometheusCon Summit");
    assert_eq!(t("Prometheus"), "Prometheus");
    assert_eq!(
        title("Prometheus Developer Summit", ""),
        "Prometheus Developer Summit"
    );
}
