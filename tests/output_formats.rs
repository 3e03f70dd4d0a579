//! Output formats: snapshots of the real CLI output, SARIF and JSON against their schemas,
//! GitHub annotations and the step summary.

mod common;
use common::*;

#[test]
fn human_output_snapshots() {
    for path in [
        "examples/bad/gateway.yaml",
        "examples/bad/mfd.yaml",
        "examples/bad/postfix",
    ] {
        let out = stdout(&hisf(&["lint", "--color", "never", path]));
        insta::assert_snapshot!(format!("human_{}", path.replace('/', "_")), out);
    }
}

#[test]
fn json_output_matches_its_schema_and_snapshot() {
    let o = hisf(&["lint", "--format", "json", "examples/"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_valid(&compile("schemas/lint-result.schema.json"), &v);
    let mut redacted = v.clone();
    redacted["tool"]["version"] = "[version]".into();
    insta::assert_json_snapshot!("json_examples", redacted);
}

#[test]
fn sarif_validates_against_sarif_2_1_0() {
    let o = hisf(&["lint", "--format", "sarif", "examples/"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("sarif json");
    assert_valid(&compile("tests/data/sarif-schema-2.1.0.json"), &v);
    let run = &v["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    // What GitHub code scanning needs: rule help, security-severity and a full region.
    for r in run["tool"]["driver"]["rules"].as_array().expect("rules") {
        assert!(r["help"]["markdown"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
        assert!(r["properties"]["security-severity"].as_str().is_some());
        assert!(r["shortDescription"]["text"].as_str().is_some());
        assert!(r["fullDescription"]["text"].as_str().is_some());
    }
    let first = &results[0]["locations"][0]["physicalLocation"];
    for k in ["startLine", "startColumn", "endLine", "endColumn"] {
        assert!(
            first["region"][k].as_u64().is_some_and(|n| n >= 1),
            "region.{k}"
        );
    }
    let idx = results[0]["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(
        run["tool"]["driver"]["rules"][idx]["id"],
        results[0]["ruleId"]
    );
}

#[test]
fn github_annotations_and_step_summary() {
    let d = tempdir("github");
    let summary = d.join("summary.md");
    std::fs::write(&summary, "previous step\n").unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hisf"))
        .args(["lint", "--format", "github", "examples/bad/mfd.yaml"])
        .current_dir(root())
        .env("HISF_TODAY", TODAY)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("run");
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    let first = out.lines().next().expect("an annotation");
    assert!(
        first.starts_with("::error file=examples/bad/mfd.yaml,line="),
        "{first}"
    );
    assert!(
        first.contains(",endLine=")
            && first.contains(",endColumn=")
            && first.contains(",title=HISF-"),
        "{first}"
    );
    // Errors come before warnings.
    let kinds: Vec<&str> = out
        .lines()
        .map(|l| l.split(' ').next().unwrap_or_default())
        .collect();
    let last_error = kinds.iter().rposition(|k| *k == "::error").expect("errors");
    let first_warning = kinds
        .iter()
        .position(|k| *k == "::warning")
        .expect("warnings");
    assert!(last_error < first_warning);
    // Messages are single-line with escaped newlines; past GitHub's ten
    // annotations per kind the rest are plain lines inside a log group.
    let (annotated, rest) = out.split_once("::group::").expect("15 warnings: a group");
    assert!(annotated.lines().all(|l| l.starts_with("::")));
    assert_eq!(kinds.iter().filter(|k| **k == "::warning").count(), 10);
    assert!(rest
        .lines()
        .skip(1)
        .take_while(|l| *l != "::endgroup::")
        .all(|l| l.starts_with("examples/bad/mfd.yaml:")));
    assert!(out.contains("%0Ahelp: "));
    insta::assert_snapshot!("github_mfd", out);
    let s = std::fs::read_to_string(&summary).unwrap();
    assert!(
        s.starts_with("previous step\n## hisf lint"),
        "appends, never overwrites: {s}"
    );
    assert!(s.contains("| error | [HISF-MFD-005]"), "{s}");
}

#[test]
fn escaping_follows_github_rules() {
    use hisf::render::github::{escape_data, escape_property};
    assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
    assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
}

#[test]
fn output_file_gets_the_report_and_stderr_the_summary() {
    let d = tempdir("outfile");
    let out = d.join("r.sarif");
    let o = hisf(&[
        "lint",
        "--format",
        "sarif",
        "--output",
        out.to_str().unwrap(),
        "examples/bad/mfd.yaml",
    ]);
    assert_eq!(code(&o), 1);
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("findings"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
}

#[test]
fn fail_on_and_profile_change_the_verdict() {
    // examples/exceptions holds only a warning (fax under an unexpired exception).
    assert_eq!(code(&hisf(&["lint", "examples/exceptions"])), 0);
    assert_eq!(
        code(&hisf(&[
            "lint",
            "--fail-on",
            "warning",
            "examples/exceptions"
        ])),
        1
    );
    // Under `strict`, recorded exceptions do not downgrade analogue fax.
    let o = hisf(&[
        "lint",
        "--format",
        "json",
        "--profile",
        "strict",
        "examples/exceptions",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"][0]["severity"], "error");
    assert_eq!(v["policy"]["profile"], "strict");
    assert_eq!(code(&o), 1);
}
