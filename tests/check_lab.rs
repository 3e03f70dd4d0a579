//! `hisf check` against real peers: the Postfix listeners and the dnsmasq
//! zone of tests/lab/lab.sh (started by tests/run-all.sh, which sets
//! HISF_LAB=1). Loopback only; the resolver is always the lab's.
//!
//! Without HISF_LAB these tests say so and return: `cargo test` alone does not
//! start Postfix. With HISF_LAB=1 and no lab, they fail.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const RESOLVER: &str = "127.0.0.1:5353";

/// The tests share the lab's listeners and its log, which the connection
/// count reads: one test at a time.
static LAB: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn lab() -> Option<(PathBuf, std::sync::MutexGuard<'static, ()>)> {
    if std::env::var("HISF_LAB").as_deref() != Ok("1") {
        eprintln!(
            "skipped: the Postfix/dnsmasq lab is not running (bash tests/run-all.sh starts it)"
        );
        return None;
    }
    let dir = common::root().join("target/lab");
    assert!(
        dir.join("pki/ca.crt").exists(),
        "HISF_LAB=1 but no lab under {}",
        dir.display()
    );
    Some((dir, LAB.lock().unwrap_or_else(|e| e.into_inner())))
}

fn hisf_check(lab: &Path, targets: &[&str], with_ca: bool) -> (i32, Value) {
    let ca = lab.join("pki/ca.crt");
    let mut args: Vec<String> = [
        "check",
        "--format",
        "json",
        "--resolver",
        RESOLVER,
        "--allow-private-targets",
        "--timeout",
        "5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if with_ca {
        args.push("--ca-file".into());
        args.push(ca.display().to_string());
    }
    args.extend(targets.iter().map(|s| s.to_string()));
    let o = Command::new(env!("CARGO_BIN_EXE_hisf"))
        .args(&args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    common::assert_check_schema(&v);
    (o.status.code().unwrap(), v)
}

/// `connect from` lines per listener (`lab/IP:PORT/smtpd`) in the Postfix log since `offset`.
fn connections_since(lab: &Path, offset: usize) -> HashMap<String, usize> {
    let log = std::fs::read_to_string(lab.join("postfix.log")).unwrap_or_default();
    let mut m = HashMap::new();
    for l in log.get(offset..).unwrap_or("").lines() {
        if let Some(rest) = l.split(" lab/").nth(1) {
            if l.contains("]: connect from ") {
                let listener = rest.split("/smtpd").next().unwrap().to_string();
                *m.entry(listener).or_insert(0) += 1;
            }
        }
    }
    m
}

fn log_len(lab: &Path) -> usize {
    std::fs::metadata(lab.join("postfix.log"))
        .map(|m| m.len() as usize)
        .unwrap_or(0)
}

fn result<'a>(v: &'a Value, target: &str) -> &'a Value {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"] == target)
        .unwrap_or_else(|| panic!("no result for {target}"))
}

fn host_rules(h: &Value) -> Vec<String> {
    let mut r: Vec<String> = h["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    r.sort();
    r
}

/// (target, verdict, rules on its first host, tls1_0, tls1_1, best TLS or "-")
type Expect = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const EXPECT: &[Expect] = &[
    ("single.lab.test", "compliant", &[], "rejected", "rejected", "TLSv1.3"),
    ("legacy.lab.test", "non_compliant", &["HISF-MAIL-004"], "accepted", "accepted", "TLSv1.3"),
    ("tls11.lab.test", "non_compliant", &["HISF-MAIL-003", "HISF-MAIL-004"], "not_tested", "accepted", "-"),
    ("tls13.lab.test", "compliant", &[], "rejected", "rejected", "TLSv1.3"),
    ("plain.lab.test", "non_compliant", &["HISF-MAIL-001"], "not_tested", "not_tested", "-"),
    ("expired.lab.test", "compliant", &["HISF-MAIL-008"], "rejected", "rejected", "TLSv1.3"),
    ("selfsigned.lab.test", "compliant", &["HISF-MAIL-008"], "rejected", "rejected", "TLSv1.3"),
    ("wrongname.lab.test", "compliant", &["HISF-MAIL-008"], "rejected", "rejected", "TLSv1.3"),
    ("tls454.lab.test", "inconclusive", &[], "not_tested", "not_tested", "-"),
    // Implicit MX: the probe is of aonly.lab.test itself, whose address serves mx-modern's certificate.
    ("aonly.lab.test", "compliant", &["HISF-MAIL-008"], "rejected", "rejected", "TLSv1.3"),
    ("shared.lab.test", "compliant", &[], "rejected", "rejected", "TLSv1.3"),
    ("smtps://mail-submit.lab.test:465", "compliant", &[], "rejected", "rejected", "TLSv1.3"),
    ("smtp://mail-submit.lab.test:587", "compliant", &[], "rejected", "rejected", "TLSv1.3"),
];

#[test]
fn every_lab_host_gets_its_verdict_within_three_connections() {
    let Some((lab, _serial)) = lab() else { return };
    let mut targets: Vec<&str> = EXPECT.iter().map(|e| e.0).collect();
    targets.extend([
        "multi.lab.test",
        "nullmx.lab.test",
        "nothing.lab.test",
        "dangling.lab.test",
    ]);
    let before = log_len(&lab);
    let (code, v) = hisf_check(&lab, &targets, true);
    assert_eq!(code, 1, "a non-compliant target makes the run exit 1");

    for (target, verdict, rules, t10, t11, best) in EXPECT {
        let r = result(&v, target);
        assert_eq!(r["verdict"], *verdict, "{target}: {r:#}");
        let h = &r["hosts"][0];
        assert_eq!(host_rules(h), *rules, "{target}: {h:#}");
        assert_eq!(h["legacy"]["tls1_0"], *t10, "{target} TLS 1.0");
        assert_eq!(h["legacy"]["tls1_1"], *t11, "{target} TLS 1.1");
        assert_eq!(
            h["tls"]["version"].as_str().unwrap_or("-"),
            *best,
            "{target}"
        );
    }
    // Certificate faults are told apart.
    let cert = |t: &str| result(&v, t)["hosts"][0]["certificate"].clone();
    assert_eq!(cert("expired.lab.test")["expired"], true);
    assert_eq!(
        cert("expired.lab.test")["trusted"],
        true,
        "an expired certificate from the lab CA is still chained"
    );
    assert_eq!(cert("selfsigned.lab.test")["trusted"], false);
    assert_eq!(cert("wrongname.lab.test")["name_matches"], false);
    assert_eq!(cert("wrongname.lab.test")["trusted"], true);
    assert_eq!(cert("single.lab.test")["key_type"], "RSA");
    assert_eq!(cert("single.lab.test")["key_bits"], 2048);
    assert_eq!(
        cert("single.lab.test")["signature_algorithm"],
        "sha256WithRSAEncryption"
    );
    assert_eq!(
        result(&v, "plain.lab.test")["hosts"][0]["starttls_offered"],
        false
    );
    let e454 = &result(&v, "tls454.lab.test")["hosts"][0]["errors"][0];
    assert_eq!(
        (e454["stage"].as_str(), e454["kind"].as_str()),
        (Some("starttls"), Some("tls_unavailable"))
    );

    // Multi-MX: the backup's weakness makes the domain non-compliant, named by HISF-MAIL-010.
    let multi = result(&v, "multi.lab.test");
    assert_eq!(multi["verdict"], "non_compliant");
    assert_eq!(multi["hosts"].as_array().unwrap().len(), 2);
    assert_eq!(
        multi["hosts"][0]["host"], "mx-modern.lab.test",
        "preference order"
    );
    assert_eq!(multi["findings"][0]["rule"], "HISF-MAIL-010");
    // DNS outcomes.
    assert_eq!(result(&v, "nullmx.lab.test")["verdict"], "not_applicable");
    assert_eq!(result(&v, "aonly.lab.test")["mail_hosts"], "implicit_mx");
    let nx = result(&v, "nothing.lab.test");
    assert_eq!(
        (nx["verdict"].as_str(), nx["errors"][0]["kind"].as_str()),
        (Some("inconclusive"), Some("nxdomain"))
    );
    let dangling = &result(&v, "dangling.lab.test")["hosts"][0];
    assert_eq!(dangling["ip"], Value::Null);
    assert_eq!(dangling["errors"][0]["stage"], "dns");

    // One probe per (address, port) for the whole run, however many targets
    // share it, and never more than three connections to a listener.
    let counts = connections_since(&lab, before);
    assert!(!counts.is_empty(), "the Postfix log shows no connections");
    for (listener, n) in &counts {
        assert!(*n <= 3, "{listener} received {n} connections");
    }
    let reused = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["hosts"].as_array().unwrap())
        .filter(|h| h["reused"] == true)
        .count();
    assert!(
        reused >= 3,
        "single, multi, shared and aonly share 127.0.0.11:25"
    );
}

#[test]
fn without_the_lab_ca_the_certificate_is_untrusted() {
    let Some((lab, _serial)) = lab() else { return };
    let (code, v) = hisf_check(&lab, &["single.lab.test"], false);
    assert_eq!(
        code, 0,
        "certificate faults are warnings for opportunistic TLS"
    );
    let h = &result(&v, "single.lab.test")["hosts"][0];
    assert_eq!(h["certificate"]["trusted"], false);
    assert_eq!(host_rules(h), ["HISF-MAIL-008"]);
}

#[test]
fn sslyze_agrees_on_the_tls_versions_each_host_accepts() {
    let Some((lab, _serial)) = lab() else { return };
    let sslyze = common::root().join("target/py/bin/python");
    // (hisf target, sslyze target, STARTTLS?)
    let hosts = [
        (
            "smtp://mx-modern.lab.test",
            "mx-modern.lab.test:25{127.0.0.11}",
            true,
        ),
        (
            "smtp://mx-legacy.lab.test",
            "mx-legacy.lab.test:25{127.0.0.12}",
            true,
        ),
        (
            "smtp://mx-tls11.lab.test",
            "mx-tls11.lab.test:25{127.0.0.13}",
            true,
        ),
        (
            "smtp://mx-tls13.lab.test",
            "mx-tls13.lab.test:25{127.0.0.14}",
            true,
        ),
        (
            "smtps://mail-submit.lab.test",
            "mail-submit.lab.test:465{127.0.0.16}",
            false,
        ),
    ];
    let (_, v) = hisf_check(&lab, &hosts.map(|h| h.0), true);
    for (target, sslyze_target, starttls) in hosts {
        let out = lab.join("sslyze.json");
        let mut cmd = Command::new(&sslyze);
        cmd.args([
            "-m",
            "sslyze",
            "--quiet",
            "--tlsv1",
            "--tlsv1_1",
            "--tlsv1_2",
            "--tlsv1_3",
        ]);
        if starttls {
            cmd.args(["--starttls", "smtp"]);
        }
        let o = cmd
            .arg(format!("--json_out={}", out.display()))
            .arg(sslyze_target)
            .output()
            .expect("sslyze (tests/run-all.sh installs it)");
        assert!(
            o.status.success(),
            "sslyze: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let s: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let scan = &s["server_scan_results"][0]["scan_result"];
        let accepted = |k: &str| {
            scan[k]["result"]["accepted_cipher_suites"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        };
        let h = &result(&v, &format!("{target}:{}", if starttls { 25 } else { 465 }))["hosts"][0];
        let hisf_accepts = |k: &str| h["legacy"][k] == "accepted";
        assert_eq!(
            hisf_accepts("tls1_0"),
            accepted("tls_1_0_cipher_suites"),
            "{target} TLS 1.0"
        );
        assert_eq!(
            hisf_accepts("tls1_1"),
            accepted("tls_1_1_cipher_suites"),
            "{target} TLS 1.1"
        );
        let best = h["tls"]["version"].as_str().unwrap_or("-");
        assert_eq!(
            best == "TLSv1.3",
            accepted("tls_1_3_cipher_suites"),
            "{target} TLS 1.3"
        );
        assert_eq!(
            best != "-",
            accepted("tls_1_2_cipher_suites") || accepted("tls_1_3_cipher_suites"),
            "{target}: TLS 1.2 or later"
        );
    }
}

#[test]
fn dns_records_and_mta_sts_policies() {
    let Some((lab, _serial)) = lab() else { return };
    let domain_rules = |v: &Value, t: &str| -> Vec<(String, String)> {
        result(v, t)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let targets = [
        "sts-good.lab.test",
        "sts-enforce.lab.test",
        "sts-testing.lab.test",
        "single.lab.test",
    ];
    let (_, v) = hisf_check(&lab, &targets, true);
    // Every record in place (and a TLSA record for mx-modern): nothing to say.
    assert_eq!(domain_rules(&v, "sts-good.lab.test"), []);
    assert_eq!(result(&v, "sts-good.lab.test")["verdict"], "compliant");
    // An enforcing policy turns the MX's certificate fault into an error.
    let enforce = result(&v, "sts-enforce.lab.test");
    assert_eq!(enforce["verdict"], "non_compliant");
    let f = &enforce["hosts"][0]["findings"][0];
    assert_eq!(
        (f["rule"].as_str(), f["severity"].as_str()),
        (Some("HISF-MAIL-008"), Some("error"))
    );
    assert!(
        f["message"].as_str().unwrap().contains("self-signed"),
        "{f}"
    );
    let w = |r: &str| (r.to_string(), "warning".to_string());
    let i = |r: &str| (r.to_string(), "info".to_string());
    assert_eq!(
        domain_rules(&v, "sts-enforce.lab.test"),
        [
            w("HISF-DNS-002"),
            w("HISF-DNS-003"),
            w("HISF-DNS-004"),
            i("HISF-DNS-005")
        ]
    );
    // Testing mode and an mx pattern that misses the MX.
    assert_eq!(
        domain_rules(&v, "sts-testing.lab.test"),
        [w("HISF-DNS-001"), w("HISF-DNS-001")]
    );
    assert_eq!(result(&v, "sts-testing.lab.test")["verdict"], "compliant");
    // No records at all.
    assert_eq!(
        domain_rules(&v, "single.lab.test"),
        [
            w("HISF-DNS-001"),
            w("HISF-DNS-002"),
            w("HISF-DNS-003"),
            w("HISF-DNS-004")
        ]
    );

    // Under nz-govt (the SGE framework) the DNS records are errors.
    let ca = lab.join("pki/ca.crt");
    let o = Command::new(env!("CARGO_BIN_EXE_hisf"))
        .args([
            "check",
            "--format",
            "json",
            "--profile",
            "nz-govt",
            "--resolver",
            RESOLVER,
            "--allow-private-targets",
            "--ca-file",
        ])
        .arg(&ca)
        .arg("sts-testing.lab.test")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        result(&v, "sts-testing.lab.test")["verdict"],
        "non_compliant"
    );
    assert_eq!(v["policy"]["profile"], "nz-govt");
}
