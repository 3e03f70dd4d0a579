//! Each rule has a failing and a passing fixture. In a failing fixture every
//! line that must carry a finding of the rule is marked `# expect: RULE-ID`;
//! the findings must land on exactly those lines.

mod common;
use common::*;

use std::collections::BTreeSet;

use hisf::policy::registry::RULES;
use hisf::policy::{Rule, Scope};

/// Rules a config can show; the live-only ones (HISF-DNS-*) are tested against the lab (tests/check_lab.rs).
fn config_rules() -> impl Iterator<Item = &'static &'static dyn Rule> {
    RULES
        .iter()
        .filter(|r| r.meta().scope.contains(&Scope::Config))
}

#[test]
fn every_rule_has_fixtures_that_behave() {
    let dir = root().join("tests/fixtures/rules");
    let mut failures = Vec::new();
    for rule in config_rules() {
        let id = rule.meta().id;
        let fail = format!("tests/fixtures/rules/{id}.fail.yaml");
        let pass = format!("tests/fixtures/rules/{id}.pass.yaml");
        assert!(
            dir.join(format!("{id}.fail.yaml")).is_file(),
            "missing {fail}"
        );
        assert!(
            dir.join(format!("{id}.pass.yaml")).is_file(),
            "missing {pass}"
        );

        let text = std::fs::read_to_string(root().join(&fail)).expect("read fixture");
        let marker = format!("# expect: {id}");
        let expected: BTreeSet<u64> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(&marker))
            .map(|(i, _)| i as u64 + 1)
            .collect();
        assert!(!expected.is_empty(), "{fail} marks no line with `{marker}`");
        let (code, v) = lint_json(&root(), &[&fail]);
        let got: BTreeSet<u64> = findings(&v)
            .into_iter()
            .filter(|(r, _, _, _)| r == id)
            .map(|(_, _, l, _)| l)
            .collect();
        if got != expected {
            failures.push(format!(
                "{fail}: expected {id} on lines {expected:?}, got {got:?}"
            ));
        }
        assert!(
            findings(&v)
                .iter()
                .all(|(r, _, _, _)| !r.starts_with("HISF-CFG")),
            "{fail} is not schema-valid: {v:#}"
        );
        if rule.meta().severity.nz_health == hisf::policy::Severity::Error {
            assert_eq!(code, 1, "{fail} must fail the run");
        }

        let (_, v) = lint_json(&root(), &[&pass]);
        let bad: Vec<_> = findings(&v)
            .into_iter()
            .filter(|(r, _, _, _)| r == id || r.starts_with("HISF-CFG"))
            .collect();
        if !bad.is_empty() {
            failures.push(format!("{pass}: expected no {id}, got {bad:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn snapshots_of_failing_fixtures() {
    let mut ids: Vec<_> = config_rules().map(|r| r.meta().id).collect();
    ids.sort();
    for id in ids {
        let fail = format!("tests/fixtures/rules/{id}.fail.yaml");
        let out = stdout(&hisf(&["lint", "--color", "never", &fail]));
        insta::assert_snapshot!(format!("fixture_{id}"), out);
    }
}
