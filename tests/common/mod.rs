//! Helpers for running the real `hisf` binary from tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Fixed date so expiry checks are reproducible.
pub const TODAY: &str = "2026-12-04";

/// The crate root; tests run the CLI from here so paths in output are relative.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `hisf` with args from `dir`.
pub fn hisf_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hisf"))
        .args(args)
        .current_dir(dir)
        .env("HISF_TODAY", TODAY)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1")
        .output()
        .expect("run hisf")
}

/// Runs `hisf` from the crate root.
pub fn hisf(args: &[&str]) -> Output {
    hisf_in(&root(), args)
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Exit code.
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// Runs `hisf lint --format json` and parses the result.
pub fn lint_json(dir: &Path, paths: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["lint", "--format", "json"];
    args.extend_from_slice(paths);
    let o = hisf_in(dir, &args);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("json output: {e}\n{}", stdout(&o)));
    (code(&o), v)
}

/// (rule, path, line, column) of a finding.
pub type Hit = (String, String, u64, u64);

/// (rule, path, line, column) of each finding.
pub fn findings(v: &serde_json::Value) -> Vec<Hit> {
    v["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["start"]["line"].as_u64().unwrap_or_default(),
                f["start"]["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// A fresh temporary directory under target/.
pub fn tempdir(name: &str) -> PathBuf {
    let d = root()
        .join("target")
        .join("test-tmp")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

/// Compiles a JSON Schema (2020-12) from the repository.
pub fn compile(schema_path: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join(schema_path)).expect("schema");
    let mut schema: serde_json::Value = serde_json::from_str(&text).expect("schema json");
    // Erratum in the vendored OASIS copy (tests/data/SOURCES.md): `region`'s `anyOf`
    // sits inside `properties`, which no validator accepts. Move it where it belongs.
    if let Some(any_of) = schema
        .pointer_mut("/definitions/region/properties")
        .and_then(|p| p.as_object_mut())
        .and_then(|p| p.remove("anyOf"))
    {
        schema["definitions"]["region"]["anyOf"] = any_of;
    }
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

/// Asserts a document is valid, listing every error.
pub fn assert_valid(v: &jsonschema::Validator, doc: &serde_json::Value) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Asserts `hisf check --format json` output matches schemas/check-result.schema.json.
pub fn assert_check_schema(doc: &serde_json::Value) {
    static V: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    assert_valid(
        V.get_or_init(|| compile("schemas/check-result.schema.json")),
        doc,
    );
}
