//! What the end-to-end tests share: the deployed stack, a learner's token, and the
//! clients and helpers the tests drive it with.

#![allow(dead_code)] // each test binary uses its own share

use base64::Engine;
use eventlab_client::api::Api;
use eventlab_client::learner::{self, Credentials};
use eventlab_client::results::wait_for_results;
use eventlab_client::stack::Stack;
use eventlab_schema::{ResultRecord, RunId, Service};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;
use uuid::Uuid;

pub const RESULT_TIMEOUT: Duration = Duration::from_secs(90);
pub const ROUTES: [&str; 8] = [
    "eventbridge",
    "sqs",
    "kinesis",
    "firehose",
    "sns",
    "sqs-fifo",
    "dynamodb",
    "all",
];

pub struct Lab {
    pub stack: Stack,
    pub token: String,
    pub api: Api,
    pub config: aws_config::SdkConfig,
    pub s3: aws_sdk_s3::Client,
}

/// A path from the environment; relative ones are taken from the workspace root, where
/// `make` runs (cargo runs tests from the package folder).
pub fn env_path(name: &str) -> PathBuf {
    let path =
        PathBuf::from(std::env::var_os(name).unwrap_or_else(|| {
            panic!("{name} is not set: these tests need a deployed stack; run them with `make test`")
        }));
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

pub async fn lab() -> Lab {
    let stack = Stack::load(&env_path("EVENTLAB_OUTPUTS")).unwrap();
    let credentials = Credentials::load(&env_path("EVENTLAB_CREDENTIALS")).unwrap();
    let token = learner::access_token(&stack, &credentials).await.unwrap();
    let config = eventlab_client::stack::sdk_config(&stack).await;
    Lab {
        api: Api::new(&stack),
        s3: aws_sdk_s3::Client::new(&config),
        config,
        stack,
        token,
    }
}

pub fn run_id(label: &str) -> RunId {
    format!("e2e-{label}-{}", Uuid::now_v7().simple()).parse().unwrap()
}

impl Lab {
    pub async fn post(&self, route: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        self.api.call(Method::POST, route, token, Some(body)).await.unwrap()
    }

    pub async fn results(&self, service: Service, run_id: &RunId, expected: &HashSet<Uuid>) -> Vec<ResultRecord> {
        wait_for_results(
            &self.s3,
            &self.stack.results_bucket,
            service,
            run_id,
            expected,
            RESULT_TIMEOUT,
        )
        .await
        .unwrap()
    }

    /// Checks what a transformer wrote for `service`: every field consistent, the right function.
    pub fn assert_consistent(&self, record: &ResultRecord, service: Service) {
        let event = &record.event;
        assert_eq!(event.service, service);
        assert!((1..=1000).contains(&event.id));
        assert!(!event.random_fact.is_empty());
        assert_eq!(
            record.transformed,
            eventlab_transformers::transform(event),
            "as the library does it"
        );
        assert_eq!(
            record.transformer,
            self.stack.functions[&format!("transform-{service}")]
        );
        assert!(record.batch_size >= 1);
        assert_eq!(record.attempt, 1);
        assert!(record.received_at >= event.time && record.e2e_ms >= 0.0, "{record:?}");
    }
}

/// The token's claims, read without verification (the gateway did that).
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// The same token with one character of its signature changed.
pub fn tamper_signature(token: &str) -> String {
    let (head, signature) = token.rsplit_once('.').unwrap();
    let mut signature = signature.to_owned().into_bytes();
    let middle = signature.len() / 2;
    signature[middle] = if signature[middle] == b'A' { b'B' } else { b'A' };
    format!("{head}.{}", String::from_utf8(signature).unwrap())
}

/// The same token with a different `sub` in its payload and the original signature.
pub fn tamper_payload(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut payload = claims(token);
    payload["sub"] = json!("someone-else");
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap());
    parts.join(".")
}
