//! Unit tests of [`super`].

use super::*;

#[test]
fn subject_is_one_line() {
    assert_eq!(
        one_line(" a\r\nBcc: x@y.org\u{2028}b  c "),
        "a Bcc: x@y.org b c"
    );
    assert_eq!(
        one_line("x\u{202e}gpj.exe\u{2069}\u{feff}\u{85}y"),
        "xgpj.exe y"
    );
}

#[test]
fn override_with_undefined_variable_names_template_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("reminder.txt"),
        "Subject: hi\n\nline two\n{{ nosuch.thing }}\n",
    )
    .unwrap();
    let t = Templates::load(Some(dir.path())).unwrap();
    let err = t
        .render(Step::Reminder, &serde_json::json!({}))
        .unwrap_err();
    let s = err.to_string();
    assert!(s.contains("reminder.txt") && s.contains("line 4"), "{s}");
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn syntax_error_is_reported_at_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("handover.txt"), "Subject: x\n\n{% if %}\n").unwrap();
    let err = Templates::load(Some(dir.path())).err().unwrap().to_string();
    assert!(
        err.contains("handover.txt") && err.contains("line 3"),
        "{err}"
    );
}

#[test]
fn override_folder_must_exist_and_hold_known_names() {
    let err = Templates::load(Some(Path::new("/nonexistent/summit-templates")))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("cannot be read"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("reminder.tmpl"), "Subject: x\n\nbody\n").unwrap();
    let err = Templates::load(Some(dir.path())).err().unwrap().to_string();
    assert!(
        err.contains("`reminder.tmpl` is not a template name"),
        "{err}"
    );
}

#[test]
fn missing_subject_is_an_error() {
    let err = split_subject("x.txt", "Hello\n\nbody")
        .unwrap_err()
        .to_string();
    assert!(err.contains("Subject:"), "{err}");
}
