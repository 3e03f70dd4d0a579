//! The deployed store: one DynamoDB table (single-table design).
//!
//! | item | PK | SK | notes |
//! |---|---|---|---|
//! | result | `DOMAIN#<domain>` | `CHECK#<run start>#<run id>#<attempt>` | TTL `expires_at`; `gsi2pk = RUN#<run id>` |
//! | latest | `DOMAIN#<domain>` | `LATEST` | written only if newer; `gsi1pk = ORGTYPE#<type>` (sparse) |
//! | run | `RUN#<run id>` | `RUN` | |
//! | schema | `META` | `SCHEMA` | migration version |
//!
//! Result items are keyed by attempt, so writing one is idempotent
//! (BatchWriteItem, unprocessed items retried with backoff); reads keep the
//! highest attempt per run. The `LATEST` item is a conditional put.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, DeleteRequest, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, PutRequest, ScalarAttributeType,
    TimeToLiveSpecification, WriteRequest,
};
use aws_sdk_dynamodb::Client;

use super::{CheckRecord, HistoryStore, Page, Run, StoreError};

/// Schema version this code writes.
const SCHEMA_VERSION: i64 = 1;
/// Retries of unprocessed BatchWriteItem items before giving up.
const BATCH_RETRIES: u32 = 8;

/// DynamoDB-backed history.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    /// History items expire this long after they were taken.
    pub ttl: Duration,
    /// First wait before retrying unprocessed items (doubles each time).
    pub backoff: Duration,
}

fn fail(context: impl Into<String>) -> impl FnOnce(String) -> StoreError {
    let context = context.into();
    move |message| StoreError::Dynamo { context, message }
}

fn sdk<E>(e: aws_sdk_dynamodb::error::SdkError<E>) -> String
where
    E: std::error::Error + std::fmt::Debug + Send + Sync + 'static,
{
    use aws_sdk_dynamodb::error::DisplayErrorContext;
    format!("{}", DisplayErrorContext(e))
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn get_s(item: &HashMap<String, AttributeValue>, k: &str) -> String {
    item.get(k)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default()
}

fn get_n(item: &HashMap<String, AttributeValue>, k: &str) -> i64 {
    item.get(k)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

impl DynamoStore {
    /// A store over `table`, with the SDK's standard configuration (region,
    /// credentials, and `AWS_ENDPOINT_URL_DYNAMODB` for a local endpoint);
    /// HTTPS through rustls with ring.
    pub async fn connect(table: &str) -> DynamoStore {
        use aws_smithy_http_client::tls;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(http)
            .load()
            .await;
        DynamoStore::with_client(Client::new(&conf), table)
    }

    /// A store over a given client (tests pass a mocked one).
    pub fn with_client(client: Client, table: &str) -> DynamoStore {
        DynamoStore {
            client,
            table: table.to_string(),
            ttl: Duration::from_secs(730 * 86_400),
            backoff: Duration::from_millis(50),
        }
    }

    fn result_item(&self, r: &CheckRecord, run_started: &str) -> HashMap<String, AttributeValue> {
        let expires =
            crate::dates::parse_rfc3339(&r.checked_at).unwrap_or(0) + self.ttl.as_secs() as i64;
        HashMap::from([
            ("PK".into(), s(&format!("DOMAIN#{}", r.domain))),
            (
                "SK".into(),
                s(&format!(
                    "CHECK#{run_started}#{}#{:06}",
                    r.run_id, r.attempt
                )),
            ),
            ("gsi2pk".into(), s(&format!("RUN#{}", r.run_id))),
            ("gsi2sk".into(), s(&r.domain)),
            ("domain".into(), s(&r.domain)),
            ("run_id".into(), s(&r.run_id)),
            ("run_started".into(), s(run_started)),
            ("checked_at".into(), s(&r.checked_at)),
            ("attempt".into(), n(r.attempt as i64)),
            ("verdict".into(), s(&r.verdict)),
            ("profile".into(), s(&r.profile)),
            ("policy_version".into(), s(&r.policy_version)),
            ("organisation".into(), s(&r.organisation)),
            ("organisation_type".into(), s(&r.organisation_type)),
            ("region".into(), s(&r.region)),
            ("provider".into(), s(&r.provider)),
            ("failed_rules".into(), s(&r.failed_rules.join(","))),
            ("result".into(), s(&r.result.to_string())),
            ("expires_at".into(), n(expires)),
        ])
    }

    fn record_from_item(item: &HashMap<String, AttributeValue>) -> Result<CheckRecord, StoreError> {
        let domain = get_s(item, "domain");
        let result = serde_json::from_str(&get_s(item, "result"))
            .map_err(|e| StoreError::Corrupt(domain.clone(), e.to_string()))?;
        Ok(CheckRecord {
            run_id: get_s(item, "run_id"),
            checked_at: get_s(item, "checked_at"),
            attempt: get_n(item, "attempt") as u32,
            verdict: get_s(item, "verdict"),
            profile: get_s(item, "profile"),
            policy_version: get_s(item, "policy_version"),
            organisation: get_s(item, "organisation"),
            organisation_type: get_s(item, "organisation_type"),
            region: get_s(item, "region"),
            provider: get_s(item, "provider"),
            failed_rules: get_s(item, "failed_rules")
                .split(',')
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect(),
            result,
            domain,
        })
    }

    /// Writes items with BatchWriteItem (see [`Self::batch_write`]).
    pub async fn batch_put(
        &self,
        items: Vec<HashMap<String, AttributeValue>>,
    ) -> Result<(), StoreError> {
        self.batch_write(items, Vec::new()).await
    }

    /// Puts and deletes (by key) with BatchWriteItem, 25 requests at a time,
    /// retrying what DynamoDB leaves unprocessed (throttling) with exponential backoff.
    pub async fn batch_write(
        &self,
        puts: Vec<HashMap<String, AttributeValue>>,
        deletes: Vec<HashMap<String, AttributeValue>>,
    ) -> Result<(), StoreError> {
        let build = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Dynamo {
            context: "build a write request".into(),
            message: e.to_string(),
        };
        let mut requests = Vec::new();
        for item in puts {
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(build)?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        for key in deletes {
            let delete = DeleteRequest::builder()
                .set_key(Some(key))
                .build()
                .map_err(build)?;
            requests.push(WriteRequest::builder().delete_request(delete).build());
        }
        for chunk in requests.chunks(25) {
            let mut pending: Vec<WriteRequest> = chunk.to_vec();
            let mut wait = self.backoff;
            for attempt in 0..=BATCH_RETRIES {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending.clone())
                    .send()
                    .await
                    .map_err(|e| fail("BatchWriteItem")(sdk(e)))?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.table))
                    .unwrap_or_default();
                if pending.is_empty() {
                    break;
                }
                if attempt == BATCH_RETRIES {
                    return Err(StoreError::Dynamo {
                        context: "BatchWriteItem".into(),
                        message: format!(
                            "{} items still unprocessed after {BATCH_RETRIES} retries (throttled)",
                            pending.len()
                        ),
                    });
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
        Ok(())
    }

    async fn run_started(&self, run_id: &str) -> Result<String, StoreError> {
        Ok(self
            .run(run_id)
            .await?
            .map(|r| r.started_at)
            .unwrap_or_default())
    }

    /// Keeps the highest attempt per (domain, run), in the given order.
    fn last_attempts(items: Vec<CheckRecord>) -> Vec<CheckRecord> {
        let mut out: Vec<CheckRecord> = Vec::new();
        for r in items {
            match out
                .iter_mut()
                .find(|o| o.domain == r.domain && o.run_id == r.run_id)
            {
                Some(o) if o.attempt < r.attempt => *o = r,
                Some(_) => {}
                None => out.push(r),
            }
        }
        out
    }

    async fn schema_version(&self) -> Result<i64, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s("META"))
            .key("SK", s("SCHEMA"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| fail("read the schema version")(sdk(e)))?;
        Ok(out.item.map(|i| get_n(&i, "version")).unwrap_or(0))
    }

    async fn create_table(&self) -> Result<(), StoreError> {
        let key = |name: &str, t: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(t)
                .build()
        };
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
        };
        let gsi = |name: &str, pk: &str, sk: &str, projection: ProjectionType| {
            GlobalSecondaryIndex::builder()
                .index_name(name)
                .key_schema(key(pk, KeyType::Hash).map_err(|e| e.to_string())?)
                .key_schema(key(sk, KeyType::Range).map_err(|e| e.to_string())?)
                .projection(Projection::builder().projection_type(projection).build())
                .build()
                .map_err(|e| e.to_string())
        };
        let build = || -> Result<_, String> {
            Ok(self
                .client
                .create_table()
                .table_name(&self.table)
                .billing_mode(BillingMode::PayPerRequest)
                .key_schema(key("PK", KeyType::Hash).map_err(|e| e.to_string())?)
                .key_schema(key("SK", KeyType::Range).map_err(|e| e.to_string())?)
                .attribute_definitions(attr("PK").map_err(|e| e.to_string())?)
                .attribute_definitions(attr("SK").map_err(|e| e.to_string())?)
                .attribute_definitions(attr("gsi1pk").map_err(|e| e.to_string())?)
                .attribute_definitions(attr("gsi1sk").map_err(|e| e.to_string())?)
                .attribute_definitions(attr("gsi2pk").map_err(|e| e.to_string())?)
                .attribute_definitions(attr("gsi2sk").map_err(|e| e.to_string())?)
                // Sparse: only LATEST items carry gsi1pk — per-organisation-type views.
                .global_secondary_indexes(gsi(
                    "by_org_type",
                    "gsi1pk",
                    "gsi1sk",
                    ProjectionType::All,
                )?)
                // Result items by run, for resuming.
                .global_secondary_indexes(gsi(
                    "by_run",
                    "gsi2pk",
                    "gsi2sk",
                    ProjectionType::KeysOnly,
                )?))
        };
        let req = build().map_err(fail("build CreateTable"))?;
        match req.send().await {
            Ok(_) => {}
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_resource_in_use_exception()) => {}
            Err(e) => return Err(fail(format!("create table {}", self.table))(sdk(e))),
        }
        let mut active = false;
        for _ in 0..120 {
            let d = self
                .client
                .describe_table()
                .table_name(&self.table)
                .send()
                .await
                .map_err(|e| fail("DescribeTable")(sdk(e)))?;
            if d.table
                .and_then(|t| t.table_status)
                .is_some_and(|s| s.as_str() == "ACTIVE")
            {
                active = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        if !active {
            return Err(fail(format!("create table {}", self.table))(
                "the table did not become ACTIVE within 60 s".into(),
            ));
        }
        let ttl = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name("expires_at")
            .build()
            .map_err(|e| fail("build the TTL specification")(e.to_string()))?;
        if let Err(e) = self
            .client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(ttl)
            .send()
            .await
        {
            // Already enabled is fine; anything else is not.
            let text = sdk(e);
            if !text.contains("already enabled") {
                return Err(fail("enable TTL")(text));
            }
        }
        Ok(())
    }
}

impl HistoryStore for DynamoStore {
    async fn init(&self) -> Result<(), StoreError> {
        let exists = self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .is_ok();
        let found = if exists {
            self.schema_version().await?
        } else {
            0
        };
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found,
                known: SCHEMA_VERSION,
            });
        }
        // Migration 1: the table, its indexes and TTL.
        if found < 1 {
            self.create_table().await?;
        }
        if found < SCHEMA_VERSION {
            self.client
                .put_item()
                .table_name(&self.table)
                .item("PK", s("META"))
                .item("SK", s("SCHEMA"))
                .item("version", n(SCHEMA_VERSION))
                .condition_expression("attribute_not_exists(version) OR version < :v")
                .expression_attribute_values(":v", n(SCHEMA_VERSION))
                .send()
                .await
                .map_or_else(
                    |e| {
                        // Another process recorded it first: the same outcome.
                        if e.as_service_error()
                            .is_some_and(|se| se.is_conditional_check_failed_exception())
                        {
                            Ok(())
                        } else {
                            Err(fail("record the schema version")(sdk(e)))
                        }
                    },
                    |_| Ok(()),
                )?;
        }
        Ok(())
    }

    async fn start_run(&self, run: &Run) -> Result<(), StoreError> {
        let mut req = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(&format!("RUN#{}", run.id)))
            .item("SK", s("RUN"))
            .item("id", s(&run.id))
            .item("started_at", s(&run.started_at))
            .item("profile", s(&run.profile))
            .item("policy_version", s(&run.policy_version))
            .item("total", n(run.total as i64))
            .condition_expression("attribute_not_exists(PK)");
        if let Some(f) = &run.finished_at {
            req = req.item("finished_at", s(f));
        }
        match req.send().await {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(fail("record the run")(sdk(e))),
        }
    }

    async fn finish_run(&self, id: &str, at: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(&format!("RUN#{id}")))
            .key("SK", s("RUN"))
            .update_expression("SET finished_at = :f")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":f", s(at))
            .send()
            .await
            .map_err(|e| fail("finish the run")(sdk(e)))?;
        Ok(())
    }

    async fn run(&self, id: &str) -> Result<Option<Run>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(&format!("RUN#{id}")))
            .key("SK", s("RUN"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| fail("read the run")(sdk(e)))?;
        Ok(out.item.map(|i| run_from_item(&i)))
    }

    async fn runs(&self) -> Result<Vec<Run>, StoreError> {
        let items = self
            .client
            .scan()
            .table_name(&self.table)
            .filter_expression("SK = :run")
            .expression_attribute_values(":run", s("RUN"))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| fail("list runs")(sdk(e)))?;
        let mut runs: Vec<Run> = items.iter().map(run_from_item).collect();
        runs.sort_by(|a, b| (&a.started_at, &a.id).cmp(&(&b.started_at, &b.id)));
        Ok(runs)
    }

    async fn put(&self, r: &CheckRecord) -> Result<(), StoreError> {
        let started = self.run_started(&r.run_id).await?;
        // Attempts of this (domain, run) already stored.
        let prefix = format!("CHECK#{started}#{}#", r.run_id);
        let existing = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :d AND begins_with(SK, :p)")
            .expression_attribute_values(":d", s(&format!("DOMAIN#{}", r.domain)))
            .expression_attribute_values(":p", s(&prefix))
            .projection_expression("SK, attempt")
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| fail("read earlier attempts")(sdk(e)))?
            .items
            .unwrap_or_default();
        let max = existing
            .iter()
            .map(|i| get_n(i, "attempt"))
            .max()
            .unwrap_or(0);
        if max > r.attempt as i64 {
            // An earlier attempt after a later one: nothing to do.
            return Ok(());
        }
        // The new attempt in (unless a replay finds it there already), the
        // earlier ones out, in one idempotent batch. A replay after a crash
        // between the batch and the LATEST put finishes both.
        let deletes: Vec<_> = existing
            .iter()
            .filter(|i| get_n(i, "attempt") < r.attempt as i64)
            .map(|i| {
                HashMap::from([
                    ("PK".to_string(), s(&format!("DOMAIN#{}", r.domain))),
                    ("SK".to_string(), s(&get_s(i, "SK"))),
                ])
            })
            .collect();
        let puts = if max == r.attempt as i64 {
            Vec::new()
        } else {
            vec![self.result_item(r, &started)]
        };
        if !puts.is_empty() || !deletes.is_empty() {
            self.batch_write(puts, deletes).await?;
        }
        // LATEST: only if this result is newer (later run, or later attempt of the same run).
        let order = format!("{started}#{}#{:06}", r.run_id, r.attempt);
        let mut latest = self.result_item(r, &started);
        latest.insert("SK".into(), s("LATEST"));
        latest.insert("order_key".into(), s(&order));
        latest.remove("expires_at");
        latest.remove("gsi2pk");
        latest.remove("gsi2sk");
        if !r.organisation_type.is_empty() {
            latest.insert(
                "gsi1pk".into(),
                s(&format!("ORGTYPE#{}", r.organisation_type)),
            );
            latest.insert("gsi1sk".into(), s(&r.domain));
        }
        match self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(latest))
            .condition_expression("attribute_not_exists(order_key) OR order_key < :k")
            .expression_attribute_values(":k", s(&order))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(fail("write the latest result")(sdk(e))),
        }
    }

    async fn run_domains(&self, run_id: &str) -> Result<Vec<String>, StoreError> {
        let items = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("by_run")
            .key_condition_expression("gsi2pk = :r")
            .expression_attribute_values(":r", s(&format!("RUN#{run_id}")))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| fail("list the run's domains")(sdk(e)))?;
        let mut domains: Vec<String> = items.iter().map(|i| get_s(i, "gsi2sk")).collect();
        domains.sort();
        domains.dedup();
        Ok(domains)
    }

    async fn history(&self, domain: &str) -> Result<Vec<CheckRecord>, StoreError> {
        let items = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :d AND begins_with(SK, :c)")
            .expression_attribute_values(":d", s(&format!("DOMAIN#{domain}")))
            .expression_attribute_values(":c", s("CHECK#"))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| fail("read history")(sdk(e)))?;
        let records = items
            .iter()
            .map(Self::record_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::last_attempts(records))
    }

    async fn records(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<CheckRecord>, StoreError> {
        // Scan order; the cursor is DynamoDB's LastEvaluatedKey, as JSON.
        let start = match cursor {
            Some(c) => Some(decode_key(c).ok_or_else(|| StoreError::Dynamo {
                context: "records".into(),
                message: "a cursor this store did not issue".into(),
            })?),
            None => None,
        };
        let out = self
            .client
            .scan()
            .table_name(&self.table)
            .filter_expression("begins_with(SK, :c)")
            .expression_attribute_values(":c", s("CHECK#"))
            .limit(limit.clamp(1, 1000) as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| fail("page results")(sdk(e)))?;
        let mut items = Vec::new();
        for i in out.items.unwrap_or_default() {
            items.push(Self::record_from_item(&i)?);
        }
        Ok(Page {
            items,
            next: out.last_evaluated_key.map(|k| encode_key(&k)),
        })
    }
}

fn run_from_item(i: &HashMap<String, AttributeValue>) -> Run {
    Run {
        id: get_s(i, "id"),
        started_at: get_s(i, "started_at"),
        finished_at: i.get("finished_at").and_then(|v| v.as_s().ok()).cloned(),
        profile: get_s(i, "profile"),
        policy_version: get_s(i, "policy_version"),
        total: get_n(i, "total") as u64,
    }
}

/// A key of string attributes as an opaque cursor.
fn encode_key(k: &HashMap<String, AttributeValue>) -> String {
    let m: std::collections::BTreeMap<&str, &str> = k
        .iter()
        .filter_map(|(a, v)| Some((a.as_str(), v.as_s().ok()?.as_str())))
        .collect();
    serde_json::to_string(&m).unwrap_or_default()
}

fn decode_key(c: &str) -> Option<HashMap<String, AttributeValue>> {
    let m: std::collections::BTreeMap<String, String> = serde_json::from_str(c).ok()?;
    Some(
        m.into_iter()
            .map(|(k, v)| (k, AttributeValue::S(v)))
            .collect(),
    )
}
