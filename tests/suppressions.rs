//! Inline and repo-level suppressions, expiry and unused detection.

mod common;
use common::*;

use std::fs;

const MFD: &str = "apiVersion: hisf/v1\nkind: MFD\nmetadata: {name: m}\nspec:\n  admin:\n";

#[test]
fn inline_suppression_on_the_line_and_above() {
    let d = tempdir("inline");
    fs::write(d.join("a.yaml"), format!("{MFD}    default_password: true  # hisf: ignore[HISF-MFD-005] device is in the vendor's depot\n")).unwrap();
    fs::write(d.join("b.yaml"), format!("{MFD}    # hisf: ignore[HISF-MFD-005] decommissioned 2026-12-10\n    default_password: true\n")).unwrap();
    let (code, v) = lint_json(&d, &["."]);
    assert_eq!(code, 0, "{v:#}");
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 2);
    assert_eq!(
        f[0]["suppressed"]["reason"],
        "device is in the vendor's depot"
    );
    assert_eq!(v["summary"]["suppressed"], 2);
}

#[test]
fn suppression_without_reason_or_with_unknown_rule_is_an_error() {
    let d = tempdir("noreason");
    fs::write(
        d.join("a.yaml"),
        format!("{MFD}    default_password: true  # hisf: ignore[HISF-MFD-005]\n"),
    )
    .unwrap();
    fs::write(
        d.join("b.yaml"),
        format!("{MFD}    default_password: false  # hisf: ignore[HISF-XYZ-001] typo\n"),
    )
    .unwrap();
    let (code, v) = lint_json(&d, &["."]);
    assert_eq!(code, 1);
    let f = findings(&v);
    assert!(
        f.contains(&("HISF-CFG-003".into(), "a.yaml".into(), 6, 29)),
        "{f:?}"
    );
    assert!(
        f.contains(&("HISF-MFD-005".into(), "a.yaml".into(), 6, 23)),
        "unsuppressed: {f:?}"
    );
    assert!(
        f.iter().any(|x| x.0 == "HISF-CFG-003" && x.1 == "b.yaml"),
        "{f:?}"
    );
}

#[test]
fn unused_inline_suppression_is_reported() {
    let d = tempdir("unused");
    fs::write(
        d.join("a.yaml"),
        format!("{MFD}    default_password: false  # hisf: ignore[HISF-MFD-005] was true once\n"),
    )
    .unwrap();
    let (code, v) = lint_json(&d, &["."]);
    assert_eq!(code, 0);
    assert_eq!(
        findings(&v),
        vec![("HISF-CFG-005".into(), "a.yaml".into(), 6, 30)]
    );
}

#[test]
fn repo_config_suppresses_until_it_expires() {
    let d = tempdir("repo");
    fs::create_dir_all(d.join("devices")).unwrap();
    fs::write(d.join("devices/a.json"), r#"{"apiVersion":"hisf/v1","kind":"MFD","metadata":{"name":"a"},"spec":{"admin":{"default_password":true}}}"#).unwrap();
    fs::write(d.join("devices/b.json"), r#"{"apiVersion":"hisf/v1","kind":"MFD","metadata":{"name":"b"},"spec":{"admin":{"default_password":true}}}"#).unwrap();
    fs::write(
        d.join(".hisf.yml"),
        "suppressions:\n  - path: devices/a.json\n    rule: HISF-MFD-005\n    reason: replaced in January\n    expires: 2027-01-31\n  - path: devices/b.json\n    rule: HISF-MFD-005\n    reason: old ticket\n    expires: 2026-01-31\n  - path: \"**/*.toml\"\n    rule: HISF-FAX-001\n    reason: nothing matches\n",
    )
    .unwrap();
    let (code, v) = lint_json(&d, &["."]);
    assert_eq!(code, 1, "{v:#}");
    let f = findings(&v);
    // a.json suppressed, b.json's entry expired: the finding counts again, and the stale entry is flagged.
    let live: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["suppressed"].is_null())
        .map(|x| {
            (
                x["rule"].as_str().unwrap().to_string(),
                x["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        live.contains(&("HISF-MFD-005".into(), "devices/b.json".into())),
        "{live:?}"
    );
    assert!(
        !live.contains(&("HISF-MFD-005".into(), "devices/a.json".into())),
        "{live:?}"
    );
    assert!(
        f.contains(&("HISF-CFG-004".into(), ".hisf.yml".into(), 9, 14)),
        "{f:?}"
    );
    assert!(
        f.contains(&("HISF-CFG-005".into(), ".hisf.yml".into(), 10, 5)),
        "{f:?}"
    );
}

#[test]
fn repo_config_reasons_come_from_the_parsed_value_and_typos_are_errors() {
    let d = tempdir("repo-flow");
    fs::write(
        d.join("a.yaml"),
        format!("{MFD}    default_password: true\n"),
    )
    .unwrap();
    fs::write(
        d.join(".hisf.yml"),
        "suppressions:\n  - {path: a.yaml, rule: HISF-MFD-005, reason: \"lease ends 2027-01\"}\n  - {path: a.yaml, rule: HISF-MFD-005, reason: x, expire: 2027-01-01}\n",
    )
    .unwrap();
    let (_, v) = lint_json(&d, &["."]);
    let f = v["findings"].as_array().unwrap();
    let s = f.iter().find(|x| x["rule"] == "HISF-MFD-005").unwrap();
    assert_eq!(s["suppressed"]["reason"], ".hisf.yml: lease ends 2027-01");
    assert!(
        f.iter().any(|x| x["rule"] == "HISF-CFG-003"
            && x["message"]
                .as_str()
                .unwrap()
                .contains("unknown key `expire`")),
        "{v:#}"
    );
}

#[test]
fn an_apostrophe_before_the_comment_does_not_hide_it() {
    let d = tempdir("apostrophe");
    fs::write(d.join("a.yaml"), "apiVersion: hisf/v1\nkind: MFD\nmetadata: {name: it's-old}\nspec:\n  admin:\n    default_password: true  # hisf: ignore[HISF-MFD-005] it's in the depot\n").unwrap();
    let (code, _) = lint_json(&d, &["."]);
    assert_eq!(code, 0);
}
