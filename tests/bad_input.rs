//! Bad input: each gets a clear message at the right place and the documented exit code.

mod common;
use common::*;

use std::fs;

fn one(dir: &std::path::Path, name: &str, content: &[u8]) -> (i32, Vec<Hit>, serde_json::Value) {
    fs::write(dir.join(name), content).expect("write");
    let (code, v) = lint_json(dir, &[name]);
    (code, findings(&v), v)
}

fn message(v: &serde_json::Value) -> String {
    v["findings"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn malformed_files_are_syntax_errors_at_their_position() {
    let d = tempdir("malformed");
    let (code, f, v) = one(
        &d,
        "a.yaml",
        b"apiVersion: hisf/v1\nkind: MFD\nmetadata: [oops\n",
    );
    assert_eq!(code, 1);
    assert_eq!(f[0].0, "HISF-CFG-001");
    assert!(message(&v).contains("invalid YAML"), "{v:#}");
    assert_eq!(
        f[0].2, 4,
        "end of input after the open flow sequence: {v:#}"
    );

    let (code, f, v) = one(
        &d,
        "b.json",
        b"{\n  \"kind\": \"MFD\",\n  \"spec\": {,}\n}\n",
    );
    assert_eq!(
        (code, f[0].0.as_str(), f[0].2, f[0].3),
        (1, "HISF-CFG-001", 3, 12),
        "{v:#}"
    );
    assert!(message(&v).contains("invalid JSON"));

    let (code, f, v) = one(&d, "c.toml", b"kind = \"MFD\"\n[spec\n");
    assert_eq!(
        (code, f[0].0.as_str(), f[0].2),
        (1, "HISF-CFG-001", 2),
        "{v:#}"
    );
    assert!(message(&v).contains("invalid TOML"));

    let (code, f, v) = one(&d, "dup.yaml", b"kind: MFD\nkind: MFD\n");
    assert_eq!(
        (code, f[0].0.as_str(), f[0].2, f[0].3),
        (1, "HISF-CFG-001", 2, 1),
        "{v:#}"
    );
    assert!(message(&v).contains("duplicate key `kind`"));
}

/// The first finding whose message contains `needle`: (rule, line, column).
fn hit(v: &serde_json::Value, needle: &str) -> (String, u64, u64) {
    let f = v["findings"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|f| f["message"].as_str().is_some_and(|m| m.contains(needle)))
        })
        .unwrap_or_else(|| panic!("no finding containing {needle:?}: {v:#}"));
    (
        f["rule"].as_str().unwrap_or_default().into(),
        f["start"]["line"].as_u64().unwrap_or(0),
        f["start"]["column"].as_u64().unwrap_or(0),
    )
}

#[test]
fn schema_errors_point_at_the_key_or_value() {
    let d = tempdir("schema");
    let doc = |spec: &str, kind: &str| {
        format!("apiVersion: hisf/v1\nkind: {kind}\nmetadata:\n  name: x\nspec:\n{spec}")
    };
    // Unknown kind: at the value of `kind`.
    let (code, _, v) = one(&d, "kind.yaml", doc("  a: 1\n", "Fax").as_bytes());
    assert_eq!(code, 1);
    assert_eq!(hit(&v, "kind"), ("HISF-CFG-002".into(), 2, 7));
    // Unknown field: at the key.
    let (_, _, v) = one(
        &d,
        "field.yaml",
        doc("  admin:\n    default_pasword: false\n", "MFD").as_bytes(),
    );
    assert_eq!(
        hit(&v, "unknown field `default_pasword` in `spec.admin`"),
        ("HISF-CFG-002".into(), 7, 5)
    );
    // Wrong type: at the value.
    let (_, _, v) = one(
        &d,
        "type.yaml",
        doc("  admin:\n    default_password: \"no\"\n", "MFD").as_bytes(),
    );
    assert_eq!(
        hit(&v, "not of type \"boolean\""),
        ("HISF-CFG-002".into(), 7, 23)
    );
    // Missing required field: at the parent key.
    let (_, _, v) = one(&d, "req.yaml", doc("  admin: {}\n", "MFD").as_bytes());
    assert_eq!(
        hit(&v, "missing required field `default_password`"),
        ("HISF-CFG-002".into(), 6, 3)
    );
}

#[test]
fn binary_and_non_utf8_files_are_reported_not_read() {
    let d = tempdir("binary");
    let (code, f, v) = one(&d, "blob.yaml", b"kind: MFD\n\x00\x01\x02\xff");
    assert_eq!(
        (code, f[0].0.as_str(), f[0].2),
        (1, "HISF-CFG-001", 2),
        "{v:#}"
    );
    assert!(message(&v).contains("binary file"));
    let (code, f, v) = one(&d, "latin1.yaml", b"name: caf\xe9\n");
    assert_eq!((code, f[0].0.as_str()), (1, "HISF-CFG-001"), "{v:#}");
    assert!(message(&v).contains("not UTF-8"));
}

#[test]
fn unreadable_and_empty_paths_exit_2() {
    let d = tempdir("io");
    let o = hisf_in(&d, &["lint", "."]);
    assert_eq!(code(&o), 2);
    assert!(
        stdout(&o).contains("no config files under ."),
        "{}",
        stdout(&o)
    );

    let o = hisf_in(&d, &["lint", "missing.yaml"]);
    assert_eq!(code(&o), 2);
    assert!(
        stdout(&o).contains("cannot read missing.yaml"),
        "{}",
        stdout(&o)
    );

    // A symlink loop cannot be read even by root.
    std::os::unix::fs::symlink("loop.yaml", d.join("loop.yaml")).expect("symlink");
    let o = hisf_in(&d, &["lint", "loop.yaml"]);
    assert_eq!(code(&o), 2);
    assert!(
        stdout(&o).contains("cannot read loop.yaml"),
        "{}",
        stdout(&o)
    );

    // Results already collected are still reported alongside the I/O error.
    fs::write(d.join("ok.yaml"), "apiVersion: hisf/v1\nkind: MFD\nmetadata: {name: m}\nspec:\n  admin: {default_password: true}\n").unwrap();
    let (code, v) = lint_json(&d, &["ok.yaml", "missing.yaml"]);
    assert_eq!(code, 2);
    assert_eq!(findings(&v)[0].0, "HISF-MFD-005");
    assert_eq!(v["io_errors"][0]["path"], "missing.yaml");
}

#[test]
fn usage_errors_exit_2() {
    let o = hisf(&["lint", "--format", "xml", "examples"]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid value 'xml'"));
    let o = hisf(&["rules", "HISF-NOPE-001"]);
    assert_eq!(code(&o), 2);
    let o = hisf(&[
        "lint",
        "--output",
        "/nonexistent-dir/x.sarif",
        "examples/good",
    ]);
    assert_eq!(code(&o), 2);
}

#[test]
fn postfix_syntax_errors_are_located() {
    let d = tempdir("postfix");
    fs::write(
        d.join("main.cf"),
        "smtpd_tls_security_level = may\nthis is not a parameter\n",
    )
    .unwrap();
    let (code, v) = lint_json(&d, &["."]);
    assert_eq!(code, 1);
    let f = findings(&v);
    assert_eq!(
        (f[0].0.as_str(), f[0].1.as_str(), f[0].2, f[0].3),
        ("HISF-CFG-001", "main.cf", 2, 1),
        "{v:#}"
    );
    fs::write(d.join("main.cf"), "smtpd_tls_security_level = may\n").unwrap();
    fs::write(d.join("master.cf"), "smtp inet n - y - smtpd\n").unwrap();
    let (_, v) = lint_json(&d, &["."]);
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("needs 8 fields"),
        "{v:#}"
    );
}

#[test]
fn an_explicit_file_of_unknown_type_is_not_silently_skipped() {
    let d = tempdir("unknown-type");
    fs::write(d.join("gateway.conf"), "x = 1\n").unwrap();
    let o = hisf_in(&d, &["lint", "gateway.conf"]);
    assert_eq!(code(&o), 2);
    assert!(
        stdout(&o).contains("gateway.conf is not a config file hisf reads"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn exponential_parameter_expansion_is_bounded() {
    // `p0 = $p1 $p1 …` eight times, sixteen levels deep: 8^16 references if
    // followed naively (found by the `postfix` fuzz target as an out-of-memory).
    let dir = common::tempdir("postfix-laughs");
    let mut main = String::from("smtpd_tls_security_level = may\nsmtpd_tls_protocols = $p0\n");
    for i in 0..16 {
        main.push_str(&format!("p{i} = {}\n", format!("$p{} ", i + 1).repeat(8)));
    }
    main.push_str("p16 = >=TLSv1.2\n");
    let (code, hits, _) = one(&dir, "main.cf", main.as_bytes());
    // It finishes, and the (truncated) expansion is still linted.
    assert!(code == 0 || code == 1, "exit {code}");
    assert!(hits.iter().all(|h| h.1.ends_with("main.cf")), "{hits:?}");
}
