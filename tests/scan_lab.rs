//! `hisf scan` and `hisf report` against the lab (tests/lab/lab.sh, started
//! by tests/run-all.sh with HISF_LAB=1): results stored, a change between
//! scans shown in the trend and as newly non-compliant, and a scan killed
//! with SIGKILL and resumed ending where an uninterrupted one does.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

static LAB: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn lab() -> Option<(PathBuf, std::sync::MutexGuard<'static, ()>)> {
    if std::env::var("HISF_LAB").as_deref() != Ok("1") {
        eprintln!("skipped: the lab is not running (bash tests/run-all.sh starts it)");
        return None;
    }
    let dir = common::root().join("target/lab");
    assert!(dir.join("pki/ca.crt").exists(), "HISF_LAB=1 but no lab");
    Some((dir, LAB.lock().unwrap_or_else(|e| e.into_inner())))
}

const TARGETS: &str = "domain,organisation,organisation_type,region,phn
single.lab.test,Single Clinic,general_practice,Canterbury,A
multi.lab.test,Multi Hospital,hospital,Auckland,B
legacy.lab.test,Legacy Pharmacy,pharmacy,Otago,C
plain.lab.test,Plain Practice,general_practice,Otago,C
tls13.lab.test,Modern Practice,general_practice,Waikato,A
tls11.lab.test,Old Lab Services,laboratory,Waikato,A
expired.lab.test,Expired Dental,dental,Otago,C
selfsigned.lab.test,Self Pharmacy,pharmacy,Canterbury,A
wrongname.lab.test,Wrong Name Rest Home,aged_care,Auckland,B
aonly.lab.test,A Only Clinic,general_practice,Auckland,B
shared.lab.test,Shared Practice,general_practice,Canterbury,A
sts-good.lab.test,STS Hospital,hospital,Wellington,D
nullmx.lab.test,No Mail Trust,trust,Wellington,D
not a domain,Broken Row,general_practice,Otago,C
";

fn url(p: &Path) -> String {
    format!("sqlite:{}", p.display())
}

/// `hisf scan` against the lab; no retries unless `extra` asks for them.
fn scan(lab: &Path, store: &str, targets: &Path, now: &str, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hisf"));
    c.args(["scan", "--targets"])
        .arg(targets)
        .arg("--store")
        .arg(store)
        .args([
            "--resolver",
            "127.0.0.1:5353",
            "--allow-private-targets",
            "--timeout",
            "5",
            "--ca-file",
        ])
        .arg(lab.join("pki/ca.crt"))
        .args(extra)
        .env("HISF_NOW", now);
    if !extra.contains(&"--retries") {
        c.args(["--retries", "0"]);
    }
    c
}

fn report(store: &str, format: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_hisf"))
        .args(["report", "--format", format, "--store", store])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// What two stores holding the same scans must agree on: latest counts,
/// groups, and each domain's verdict, failed rules, organisation and provider.
fn view(store: &str) -> Value {
    let r: Value = serde_json::from_str(&report(store, "json")).unwrap();
    let domains: Vec<Value> = r["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            serde_json::json!([
                d["domain"],
                d["verdict"],
                d["failed_rules"],
                d["organisation"],
                d["organisation_type"],
                d["provider"]
            ])
        })
        .collect();
    serde_json::json!({"latest": r["latest"], "types": r["by_organisation_type"], "providers": r["by_provider"], "domains": domains})
}

/// The attempt number stored for a domain (one run per store in these tests).
fn stored_attempt(store: &Path, domain: &str) -> i64 {
    rusqlite::Connection::open(store)
        .unwrap()
        .query_row(
            "SELECT attempt FROM results WHERE domain = ?1",
            [domain],
            |r| r.get(0),
        )
        .unwrap()
}

/// A target list with one always-inconclusive domain (a 454 to STARTTLS) and one compliant.
const FLAKY: &str = "domain,organisation,organisation_type,region
tls454.lab.test,Flaky,general_practice,Otago
single.lab.test,Single,general_practice,Otago
";

fn flip(state: &str) {
    let o = Command::new("bash")
        .arg(common::root().join("tests/lab/lab.sh"))
        .args(["flip", state])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Puts mx-flip back to TLS 1.2+ even when the test fails.
struct FlipBack;
impl Drop for FlipBack {
    fn drop(&mut self) {
        flip("modern");
    }
}

fn domain<'a>(r: &'a Value, d: &str) -> &'a Value {
    r["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["domain"] == d)
        .unwrap_or_else(|| panic!("{d} not in report"))
}

#[test]
fn scans_are_stored_and_a_change_shows_in_the_trend() {
    let Some((lab, _serial)) = lab() else { return };
    let dir = common::tempdir("scan-change");
    let targets = dir.join("sector.csv");
    std::fs::write(
        &targets,
        format!("{TARGETS}flip.lab.test,Flip Clinic,general_practice,Nelson,E\n"),
    )
    .unwrap();
    let store = dir.join("history.sqlite3");
    let _back = FlipBack;
    flip("modern");

    let o = scan(&lab, &url(&store), &targets, "2026-11-27T02:00:00Z", &[])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("sector.csv:15: `not a domain` is not a domain name; row skipped"),
        "{stderr}"
    );
    let r1: Value = serde_json::from_str(&report(&url(&store), "json")).unwrap();
    assert_eq!(
        r1["latest"]["compliant"].as_u64().unwrap()
            + r1["latest"]["non_compliant"].as_u64().unwrap()
            + r1["latest"]["not_applicable"].as_u64().unwrap(),
        14
    );
    assert_eq!(domain(&r1, "flip.lab.test")["verdict"], "compliant");
    assert_eq!(
        domain(&r1, "legacy.lab.test")["failed_rules"][0],
        "HISF-MAIL-004"
    );
    assert_eq!(domain(&r1, "legacy.lab.test")["provider"], "lab.test");
    assert_eq!(domain(&r1, "single.lab.test")["profile"], "nz-health");
    assert_eq!(
        domain(&r1, "single.lab.test")["policy_version"],
        hisf::policy::POLICY_VERSION
    );

    // mx-flip starts accepting TLS 1.0/1.1; a week later the next scan sees it.
    flip("legacy");
    let o = scan(&lab, &url(&store), &targets, "2026-12-04T02:00:00Z", &[])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r2: Value = serde_json::from_str(&report(&url(&store), "json")).unwrap();
    let trend = r2["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 2);
    assert_eq!(
        trend[1]["counts"]["non_compliant"].as_u64().unwrap(),
        trend[0]["counts"]["non_compliant"].as_u64().unwrap() + 1,
        "the trend shows one more non-compliant domain"
    );
    let newly: Vec<&str> = r2["newly_non_compliant"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domain"].as_str().unwrap())
        .collect();
    assert_eq!(newly, ["flip.lab.test"]);
    let f = domain(&r2, "flip.lab.test");
    assert_eq!(
        (
            f["previous_verdict"].as_str(),
            f["changed_since_previous"].as_bool()
        ),
        (Some("compliant"), Some(true))
    );
    assert_eq!(
        domain(&r2, "legacy.lab.test")["changed_since_previous"],
        false
    );
    assert_eq!(
        domain(&r2, "legacy.lab.test")["days_non_compliant"],
        7,
        "non-compliant since the first scan"
    );

    // A third scan: flip has been non-compliant for a week; legacy for two.
    let o = scan(&lab, &url(&store), &targets, "2026-12-11T02:00:00Z", &[])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let r3: Value = serde_json::from_str(&report(&url(&store), "json")).unwrap();
    assert_eq!(
        domain(&r3, "flip.lab.test")["first_seen_non_compliant"],
        "2026-12-04T02:00:00Z"
    );
    assert_eq!(domain(&r3, "flip.lab.test")["days_non_compliant"], 7);
    assert_eq!(r3["newly_non_compliant"].as_array().unwrap().len(), 0);
    let longest = &r3["longest_non_compliant"].as_array().unwrap()[0];
    assert_eq!(longest["days_non_compliant"], 14);

    // The other formats carry the same facts.
    let md = report(&url(&store), "markdown");
    assert!(
        md.contains("## Newly non-compliant") && md.contains("| general_practice |"),
        "{md}"
    );
    let csv = report(&url(&store), "csv");
    assert!(csv.lines().any(|l| l.starts_with("flip.lab.test,Flip Clinic,general_practice,Nelson,lab.test,non_compliant,non_compliant,false")), "{csv}");
    let html = report(&url(&store), "html");
    assert!(
        html.starts_with("<!doctype html>")
            && html.contains("<svg")
            && html.contains("id=\"longest\"")
    );
    assert!(
        !html.contains("<script") && !html.contains("src=") && !html.contains("@import"),
        "self-contained"
    );
}

#[test]
fn a_killed_scan_resumes_to_the_same_report_without_duplicates() {
    let Some((lab, _serial)) = lab() else { return };
    let dir = common::tempdir("scan-resume");
    let targets = dir.join("sector.csv");
    std::fs::write(&targets, TARGETS).unwrap();
    let whole = dir.join("whole.sqlite3");
    let killed = dir.join("killed.sqlite3");
    let now = "2026-12-04T03:00:00Z";
    // One domain at a time, so there is a middle to kill it in.
    let slow = ["--concurrency", "1"];

    let o = scan(&lab, &url(&whole), &targets, now, &slow)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let mut child = scan(&lab, &url(&killed), &targets, now, &slow)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let count = |p: &Path| -> usize {
        rusqlite::Connection::open(p)
            .and_then(|c| c.query_row("SELECT COUNT(*) FROM results", [], |r| r.get::<_, i64>(0)))
            .map(|n| n as usize)
            .unwrap_or(0)
    };
    let t = Instant::now();
    while count(&killed) < 3 {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the scan stored nothing"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the scan ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = count(&killed);
    assert!(at_kill < 13, "killed midway ({at_kill} of 13 stored)");

    let conn = rusqlite::Connection::open(&killed).unwrap();
    let run_id: String = conn
        .query_row("SELECT id FROM runs", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let o = scan(&lab, &url(&killed), &targets, now, &["--resume", &run_id])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "({at_kill} domains were already stored before this start)"
        )),
        "{stdout}"
    );

    // Every domain exactly once in the run, and the same report.
    let conn = rusqlite::Connection::open(&killed).unwrap();
    let (n, distinct): (i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT domain) FROM results WHERE run_id = ?1",
            [&run_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, distinct), (13, 13));
    assert_eq!(view(&url(&killed)), view(&url(&whole)));
}

#[test]
fn bad_target_lists_are_clear_errors() {
    let dir = common::tempdir("scan-bad-targets");
    let f = dir.join("t.csv");
    std::fs::write(&f, "name,org\nx.test,y\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_hisf"))
        .args(["scan", "--store"])
        .arg(format!("sqlite:{}", dir.join("h.sqlite3").display()))
        .arg("--targets")
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("t.csv: line 1: the header has no `domain` column"),
        "{e}"
    );
}

#[test]
fn a_scan_into_dynamodb_reports_what_sqlite_does() {
    let Some((lab, _serial)) = lab() else { return };
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .expect("the test command points the SDK at moto");
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    let dir = common::tempdir("scan-dynamodb");
    let targets = dir.join("sector.csv");
    std::fs::write(&targets, TARGETS).unwrap();
    let sqlite = dir.join("h.sqlite3");
    let table = format!("dynamodb://hisf-scan-{}", std::process::id());
    let now = "2026-12-04T04:00:00Z";
    let o = scan(&lab, &url(&sqlite), &targets, now, &[])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = scan(&lab, &table, &targets, now, &[]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let from_dynamo = view(&table);
    assert_eq!(from_dynamo["domains"].as_array().unwrap().len(), 13);
    assert_eq!(from_dynamo, view(&url(&sqlite)));
}

#[test]
fn inconclusive_domains_are_retried_after_the_delay() {
    let Some((lab, _serial)) = lab() else { return };
    let dir = common::tempdir("scan-retry");
    let targets = dir.join("sector.csv");
    std::fs::write(&targets, FLAKY).unwrap();
    let store = dir.join("h.sqlite3");
    let t = Instant::now();
    let o = scan(
        &lab,
        &url(&store),
        &targets,
        "2026-12-04T05:00:00Z",
        &["--retries", "2", "--retry-delay", "0.5"],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(t.elapsed() >= Duration::from_secs(1), "two waits of 0.5 s");
    // Plain progress lines when stderr is not a terminal, retries marked.
    assert!(
        stderr.contains("1 inconclusive domains: retry 1 in 0 s"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[1/1, retry 2] tls454.lab.test inconclusive"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("retry 1] single.lab.test"),
        "only inconclusive domains are retried: {stderr}"
    );
    let attempt = stored_attempt(&store, "tls454.lab.test");
    assert_eq!(attempt, 3, "the last attempt is the one kept");
}

#[test]
fn resuming_a_run_retries_what_it_left_inconclusive() {
    let Some((lab, _serial)) = lab() else { return };
    let dir = common::tempdir("scan-resume-retry");
    let targets = dir.join("sector.csv");
    std::fs::write(&targets, FLAKY).unwrap();
    let store = dir.join("h.sqlite3");
    // A first start that ends (as if killed) before any retry.
    let o = scan(&lab, &url(&store), &targets, "2026-12-04T06:00:00Z", &[])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let conn = rusqlite::Connection::open(&store).unwrap();
    let run_id: String = conn
        .query_row("SELECT id FROM runs", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let o = scan(
        &lab,
        &url(&store),
        &targets,
        "2026-12-04T06:00:00Z",
        &[
            "--resume",
            &run_id,
            "--retries",
            "1",
            "--retry-delay",
            "0.2",
        ],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("[1/1, retry 1] tls454.lab.test inconclusive"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("single.lab.test"),
        "a stored definite result is not probed again: {stderr}"
    );
    let attempt = stored_attempt(&store, "tls454.lab.test");
    assert_eq!(attempt, 2);
}
