//! The example config repo: every rule fires on the bad files, nothing on the good ones.

mod common;
use common::*;

use hisf::policy::registry::RULES;

#[test]
fn good_examples_are_clean() {
    let (code, v) = lint_json(&root(), &["examples/good"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        findings(&v),
        vec![],
        "good examples must produce no finding"
    );
    assert_eq!(v["summary"]["files"], 4);
}

#[test]
fn every_rule_fires_on_bad_examples() {
    let (code, v) = lint_json(&root(), &["examples/"]);
    assert_eq!(code, 1);
    let f = findings(&v);
    // Every rule a config can show (HISF-DNS-* are live-only).
    for rule in RULES
        .iter()
        .filter(|r| r.meta().scope.contains(&hisf::policy::Scope::Config))
    {
        let id = rule.meta().id;
        assert!(
            f.iter()
                .any(|(r, p, _, _)| r == id && p.starts_with("examples/bad/")),
            "{id} does not fire on examples/bad"
        );
    }
    assert!(
        f.iter()
            .all(|(_, p, _, _)| !p.starts_with("examples/good/")),
        "finding on a good example: {f:?}"
    );
    // The exception example is a warning only.
    let exc: Vec<_> = f
        .iter()
        .filter(|(_, p, _, _)| p.starts_with("examples/exceptions/"))
        .collect();
    assert_eq!(exc.len(), 1);
    assert_eq!(exc[0].0, "HISF-FAX-001");
}

#[test]
fn postfix_defaults_and_overrides_point_at_the_right_place() {
    let (_, v) = lint_json(&root(), &["examples/bad/postfix"]);
    let f = findings(&v);
    let expected = [
        // smtpd_tls_protocols unset: Postfix's default >=TLSv1 permits TLS 1.0.
        ("HISF-MAIL-004", "examples/bad/postfix/main.cf", 1, 1),
        // smtp_tls_security_level unset: no outbound TLS.
        ("HISF-MAIL-002", "examples/bad/postfix/main.cf", 1, 1),
        // -o override on the submission service.
        ("HISF-MAIL-011", "examples/bad/postfix/master.cf", 3, 6),
        // -o smtpd_tls_mandatory_protocols=!SSLv2,!SSLv3 on smtps still permits TLS 1.0.
        ("HISF-MAIL-004", "examples/bad/postfix/master.cf", 7, 6),
        // 0.0.0.0/0 in mynetworks.
        ("HISF-MAIL-012", "examples/bad/postfix/main.cf", 3, 14),
    ];
    for (rule, path, line, col) in expected {
        let want = (rule.to_string(), path.to_string(), line, col);
        assert!(f.contains(&want), "expected {want:?} in {f:?}");
    }
    let (code, v) = lint_json(&root(), &["examples/good/postfix"]);
    assert_eq!((code, findings(&v)), (0, vec![]));
}

#[test]
fn rules_reference_is_in_sync() {
    let on_disk = std::fs::read_to_string(root().join("docs/rules.md")).expect("docs/rules.md");
    let generated = hisf::policy::docs::rules_markdown();
    assert!(
        on_disk == generated,
        "docs/rules.md is out of date: run `cargo run -- rules --markdown > docs/rules.md`"
    );
    for m in hisf::policy::registry::all() {
        assert!(
            on_disk.contains(&format!("\n## {}\n", m.id)),
            "no section for {}",
            m.id
        );
    }
}
