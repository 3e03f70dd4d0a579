//! The HistoryStore contract, as one suite to run against every backend
//! (SQLite here; the DynamoDB backend is to run the same suite).

use hisf::store::{CheckRecord, HistoryStore, Run};

mod common;

fn run(id: &str, start: &str) -> Run {
    Run {
        id: id.into(),
        started_at: start.into(),
        finished_at: None,
        profile: "nz-health".into(),
        policy_version: "2026.12.0".into(),
        total: 3,
    }
}

fn rec(domain: &str, run_id: &str, attempt: u32, verdict: &str) -> CheckRecord {
    CheckRecord {
        domain: domain.into(),
        run_id: run_id.into(),
        checked_at: format!("2026-12-0{attempt}T00:00:00Z"),
        attempt,
        verdict: verdict.into(),
        profile: "nz-health".into(),
        policy_version: "2026.12.0".into(),
        organisation: "Org".into(),
        organisation_type: "general_practice".into(),
        region: "Otago".into(),
        provider: "lab.test".into(),
        failed_rules: if verdict == "non_compliant" {
            vec!["HISF-MAIL-004".into()]
        } else {
            vec![]
        },
        result: serde_json::json!({"target": domain, "verdict": verdict}),
    }
}

async fn conformance<S: HistoryStore + Sync>(s: &S) {
    s.init().await.unwrap();
    s.init().await.expect("init is idempotent");
    s.start_run(&run("r1", "2026-12-01T00:00:00Z"))
        .await
        .unwrap();
    s.start_run(&run("r1", "2099-01-01T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        s.run("r1").await.unwrap().unwrap().started_at,
        "2026-12-01T00:00:00Z",
        "a second start changes nothing"
    );
    s.start_run(&run("r2", "2026-12-08T00:00:00Z"))
        .await
        .unwrap();
    assert!(s.run("nope").await.unwrap().is_none());

    // Idempotent writes; a later attempt replaces, an earlier one never does.
    s.put(&rec("a.test", "r1", 1, "inconclusive"))
        .await
        .unwrap();
    s.put(&rec("a.test", "r1", 1, "inconclusive"))
        .await
        .unwrap();
    assert_eq!(
        s.history("a.test").await.unwrap().len(),
        1,
        "the same attempt again is the same result"
    );
    s.put(&rec("a.test", "r1", 2, "non_compliant"))
        .await
        .unwrap();
    s.put(&rec("a.test", "r1", 1, "compliant")).await.unwrap();
    s.put(&rec("b.test", "r1", 1, "compliant")).await.unwrap();
    s.put(&rec("a.test", "r2", 1, "compliant")).await.unwrap();
    s.finish_run("r1", "2026-12-01T01:00:00Z").await.unwrap();

    assert_eq!(s.run_domains("r1").await.unwrap(), ["a.test", "b.test"]);
    let h = s.history("a.test").await.unwrap();
    assert_eq!(
        h.iter()
            .map(|r| (r.run_id.as_str(), r.verdict.as_str()))
            .collect::<Vec<_>>(),
        [("r1", "non_compliant"), ("r2", "compliant")]
    );
    assert_eq!(h[0].failed_rules, ["HISF-MAIL-004"]);
    assert_eq!(h[0].result["verdict"], "non_compliant");
    let runs = s.runs().await.unwrap();
    assert_eq!(
        runs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["r1", "r2"]
    );
    assert_eq!(runs[0].finished_at.as_deref(), Some("2026-12-01T01:00:00Z"));

    // Pagination: every record exactly once, whatever the page size.
    for size in [1, 2, 3, 10] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = s.records(cursor.as_deref(), size).await.unwrap();
            assert!(page.items.len() <= size);
            seen.extend(
                page.items
                    .iter()
                    .map(|r| format!("{}/{}/{}", r.run_id, r.domain, r.verdict)),
            );
            match page.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        seen.sort();
        assert_eq!(
            seen,
            [
                "r1/a.test/non_compliant",
                "r1/b.test/compliant",
                "r2/a.test/compliant"
            ],
            "page size {size}"
        );
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn sqlite_store_conformance() {
    let dir = common::tempdir("store-sqlite");
    let rt = rt();
    let s = rt
        .block_on(hisf::store::open(&format!(
            "sqlite:{}",
            dir.join("h.sqlite3").display()
        )))
        .unwrap();
    rt.block_on(conformance(&s));
}

/// moto server on loopback, started by the test command (tests/lab/lab.sh),
/// reached through the SDK's standard AWS_ENDPOINT_URL_DYNAMODB.
fn moto() -> bool {
    match std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
        Ok(url) => {
            assert!(
                url.starts_with("http://127.0.0.1:"),
                "tests use a loopback endpoint, not {url}"
            );
            true
        }
        Err(_) => {
            assert!(
                std::env::var("HISF_LAB").is_err(),
                "the test command sets AWS_ENDPOINT_URL_DYNAMODB"
            );
            eprintln!(
                "skipped: no AWS_ENDPOINT_URL_DYNAMODB (bash tests/run-all.sh starts moto server)"
            );
            false
        }
    }
}

#[test]
fn dynamodb_store_conformance() {
    if !moto() {
        return;
    }
    let rt = rt();
    let s = rt
        .block_on(hisf::store::open(&format!(
            "dynamodb://hisf-conformance-{}",
            std::process::id()
        )))
        .unwrap();
    rt.block_on(conformance(&s));
}

#[test]
fn sqlite_schema_is_versioned_and_refuses_a_newer_one() {
    let dir = common::tempdir("store-sqlite-version");
    let path = dir.join("h.sqlite3");
    let rt = rt();
    let url = format!("sqlite:{}", path.display());
    let s = rt.block_on(hisf::store::open(&url)).unwrap();
    rt.block_on(s.init()).unwrap();
    drop(s);
    let c = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1, "one migration applied");
    c.pragma_update(None, "user_version", 99).unwrap();
    drop(c);
    let s = rt.block_on(hisf::store::open(&url)).unwrap();
    let e = rt.block_on(s.init()).unwrap_err().to_string();
    assert!(e.contains("schema version 99 is newer"), "{e}");
    match rt.block_on(hisf::store::open("postgres://x")) {
        Err(e) => assert!(e.to_string().contains("is not a store"), "{e}"),
        Ok(_) => panic!("postgres:// is not a store hisf knows"),
    }
}

/// BatchWriteItem leaves items unprocessed when throttled; no emulator does
/// that on demand, so this one case uses aws-smithy-mocks.
#[test]
fn unprocessed_batch_items_are_retried_with_backoff() {
    use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemOutput;
    use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
    use aws_sdk_dynamodb::Client;
    use aws_smithy_mocks::{mock, mock_client};

    let item = || {
        std::collections::HashMap::from([
            ("PK".to_string(), AttributeValue::S("DOMAIN#a.test".into())),
            ("SK".to_string(), AttributeValue::S("CHECK#x".into())),
        ])
    };
    let unprocessed = move || {
        let w = WriteRequest::builder()
            .put_request(
                PutRequest::builder()
                    .set_item(Some(item()))
                    .build()
                    .unwrap(),
            )
            .build();
        BatchWriteItemOutput::builder()
            .unprocessed_items("t", vec![w])
            .build()
    };
    let rt = rt();

    // Twice throttled, then done: three calls, success.
    let rule = mock!(Client::batch_write_item)
        .sequence()
        .output(unprocessed)
        .times(2)
        .output(|| BatchWriteItemOutput::builder().build())
        .build();
    let client = mock_client!(aws_sdk_dynamodb, [&rule]);
    let mut store = hisf::store::dynamo::DynamoStore::with_client(client, "t");
    store.backoff = std::time::Duration::from_millis(1);
    rt.block_on(store.batch_put(vec![item()])).unwrap();
    assert_eq!(rule.num_calls(), 3);

    // Throttled for good: a clear error after the retries, not a silent loss.
    let rule = mock!(Client::batch_write_item)
        .sequence()
        .output(unprocessed)
        .repeatedly()
        .build();
    let client = mock_client!(aws_sdk_dynamodb, [&rule]);
    let mut store = hisf::store::dynamo::DynamoStore::with_client(client, "t");
    store.backoff = std::time::Duration::from_millis(1);
    let e = rt
        .block_on(store.batch_put(vec![item()]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("1 items still unprocessed after 8 retries"),
        "{e}"
    );
    assert_eq!(rule.num_calls(), 9);
}
