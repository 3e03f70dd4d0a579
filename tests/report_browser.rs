//! The HTML report in headless Chromium (Debian's package, installed by the
//! test command): rendered at phone width to a screenshot, its DOM checked
//! for the key elements, and printed to PDF.

mod common;

use std::path::Path;
use std::process::Command;

use hisf::store::{CheckRecord, HistoryStore, Run};

fn chromium() -> Option<&'static str> {
    let path = "/usr/bin/chromium";
    if Path::new(path).exists() {
        return Some(path);
    }
    assert!(
        std::env::var("HISF_LAB").is_err(),
        "the test command installs chromium"
    );
    eprintln!("skipped: no /usr/bin/chromium (bash tests/run-all.sh installs it)");
    None
}

fn record(
    domain: &str,
    run: &str,
    at: &str,
    verdict: &str,
    kind: &str,
    provider: &str,
) -> CheckRecord {
    CheckRecord {
        domain: domain.into(),
        run_id: run.into(),
        checked_at: at.into(),
        attempt: 1,
        verdict: verdict.into(),
        profile: "nz-health".into(),
        policy_version: "2026.12.0".into(),
        organisation: format!("{domain} <Ltd> & Co"),
        organisation_type: kind.into(),
        region: "Otago".into(),
        provider: provider.into(),
        failed_rules: if verdict == "non_compliant" {
            vec!["HISF-MAIL-004".into()]
        } else {
            vec![]
        },
        result: serde_json::json!({}),
    }
}

/// A store with three weekly runs over 40 domains; one domain breaks in the last.
fn store(dir: &Path) -> hisf::store::sqlite::SqliteStore {
    let s = hisf::store::sqlite::SqliteStore::open(&dir.join("h.sqlite3")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        s.init().await.unwrap();
        for (i, day) in ["2026-11-20", "2026-11-27", "2026-12-04"]
            .iter()
            .enumerate()
        {
            let run = format!("run{i}");
            let at = format!("{day}T02:00:00Z");
            s.start_run(&Run {
                id: run.clone(),
                started_at: at.clone(),
                finished_at: None,
                profile: "nz-health".into(),
                policy_version: "2026.12.0".into(),
                total: 40,
            })
            .await
            .unwrap();
            for d in 0..40 {
                let kind = ["general_practice", "pharmacy", "hospital", "aged_care"][d % 4];
                let provider = ["outlook.com", "google.com", "healthmail.co.nz"][d % 3];
                let verdict = match (d, i) {
                    (0..=4, _) => "non_compliant",
                    (5, 2) => "non_compliant",
                    (6, 0 | 1) => "non_compliant",
                    (7, _) => "inconclusive",
                    _ => "compliant",
                };
                s.put(&record(
                    &format!("d{d:02}.health.nz"),
                    &run,
                    &at,
                    verdict,
                    kind,
                    provider,
                ))
                .await
                .unwrap();
            }
        }
    });
    s
}

#[test]
fn the_html_report_renders_on_a_phone_and_prints() {
    let Some(chromium) = chromium() else { return };
    let dir = common::tempdir("report-browser");
    let st = store(&dir);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let report = rt.block_on(hisf::report::build(&st)).unwrap();
    let html = dir.join("report.html");
    std::fs::write(&html, hisf::report::html::html(&report)).unwrap();
    let url = format!("file://{}", html.display());
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ];
    let profile = format!("--user-data-dir={}", dir.join("chromium-profile").display());

    // The DOM as Chromium built it.
    let o = Command::new(chromium)
        .args(flags)
        .arg(&profile)
        .args(["--window-size=412,915", "--dump-dom"])
        .arg(&url)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dom = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "<div class=\"kpi\" id=\"kpi-total\"><b>40</b>domains</div>",
        "<div class=\"kpi\" id=\"kpi-non-compliant\"><b>6</b>non-compliant</div>",
        "<title id=\"trend-title\">Verdicts per scan run</title>",
        "<title id=\"types-chart-title\">",
        "<title id=\"providers-chart-title\">",
        "<table id=\"newly-non-compliant\">",
        "<td>d05.health.nz</td>",
        "<table id=\"newly-fixed\">",
        "<td>d06.health.nz</td>",
        "<table id=\"longest\">",
        "d00.health.nz &lt;Ltd&gt; &amp; Co",
    ] {
        assert!(dom.contains(needle), "rendered DOM lacks {needle}");
    }
    // The longest-standing come first: d00..d04 since the first run, d05 last.
    let longest = dom.split("<table id=\"longest\">").nth(1).unwrap();
    assert!(longest.find("d00.health.nz").unwrap() < longest.find("d05.health.nz").unwrap());

    // A phone-sized screenshot (412 px wide), kept next to the report.
    let png = dir.join("report-phone.png");
    let o = Command::new(chromium)
        .args(flags)
        .arg(&profile)
        .args(["--window-size=412,2400"])
        .arg(format!("--screenshot={}", png.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    assert_eq!(width, 412);
    assert!(
        bytes.len() > 20_000,
        "a blank page would compress to almost nothing: {} bytes",
        bytes.len()
    );

    // Printable.
    let pdf = dir.join("report.pdf");
    let o = Command::new(chromium)
        .args(flags)
        .arg(&profile)
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(&url)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
}
