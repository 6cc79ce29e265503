//! A minimal Lambda Runtime API on 127.0.0.1, for running a Lambda `bootstrap` outside
//! Lambda: the function polls `next`, gets the events this harness is given one at a time,
//! and posts its response or error back. Enough for the arm64 proof (a binary started
//! under qemu) and for timing INIT (exec → first `next`).
//!
//! The protocol: <https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html>.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::{Notify, mpsc};

const PREFIX: &str = "/2018-06-01/runtime";

/// What the function made of one invocation (or of its INIT).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Response { request_id: String, body: Value },
    Error { request_id: String, body: Value },
    InitError(Value),
}

#[derive(Debug, Default)]
struct Shared {
    pending: Mutex<VecDeque<(String, Value)>>,
    arrived: Notify,
    first_next: OnceLock<Instant>,
    deadline_ms: Mutex<u64>,
}

/// The server; dropping it stops it.
#[derive(Debug)]
pub struct RuntimeApi {
    address: SocketAddr,
    shared: Arc<Shared>,
    outcomes: tokio::sync::Mutex<mpsc::UnboundedReceiver<Outcome>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl RuntimeApi {
    /// Serves on an ephemeral port of 127.0.0.1.
    pub async fn start() -> Result<Self> {
        let shared = Arc::new(Shared::default());
        let (sender, outcomes) = mpsc::unbounded_channel();
        let app = Router::new()
            .route(&format!("{PREFIX}/invocation/next"), get(next))
            .route(&format!("{PREFIX}/invocation/{{id}}/response"), post(response))
            .route(&format!("{PREFIX}/invocation/{{id}}/error"), post(error))
            .route(&format!("{PREFIX}/init/error"), post(init_error))
            .with_state((shared.clone(), sender));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            address,
            shared,
            outcomes: tokio::sync::Mutex::new(outcomes),
            server,
        })
    }

    /// The value for the function's `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// When the function first asked for an event: the end of its INIT.
    pub fn first_next(&self) -> Option<Instant> {
        self.shared.first_next.get().copied()
    }

    /// Waits until the function first asks for an event (the end of its INIT) and says when.
    pub async fn wait_for_first_next(&self, timeout: Duration) -> Result<Instant> {
        let give_up = Instant::now() + timeout;
        loop {
            // The time is taken when the request arrives, so polling costs no precision.
            if let Some(at) = self.first_next() {
                return Ok(at);
            }
            if Instant::now() > give_up {
                return Err(anyhow!("no request for an event within {timeout:?}"));
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Hands the function one event and waits for what it makes of it.
    pub async fn invoke(&self, event: Value, timeout: Duration) -> Result<Outcome> {
        let request_id = uuid::Uuid::now_v7().to_string();
        *self.shared.deadline_ms.lock().expect("deadline lock") = epoch_ms() + u64::try_from(timeout.as_millis())?;
        self.shared
            .pending
            .lock()
            .expect("pending lock")
            .push_back((request_id.clone(), event));
        self.shared.arrived.notify_one();
        let mut outcomes = self.outcomes.lock().await;
        loop {
            let outcome = tokio::time::timeout(timeout, outcomes.recv())
                .await
                .map_err(|_| anyhow!("no answer within {timeout:?}"))?
                .context("the runtime API stopped")?;
            match &outcome {
                Outcome::Response { request_id: id, .. } | Outcome::Error { request_id: id, .. }
                    if *id != request_id => {}
                _ => return Ok(outcome),
            }
        }
    }
}

type AppState = (Arc<Shared>, mpsc::UnboundedSender<Outcome>);

async fn next(State((shared, _)): State<AppState>) -> Response {
    let _ = shared.first_next.set(Instant::now());
    loop {
        let arrived = shared.arrived.notified();
        let popped = shared.pending.lock().expect("pending lock").pop_front();
        if let Some((request_id, event)) = popped {
            let deadline = *shared.deadline_ms.lock().expect("deadline lock");
            let mut headers = HeaderMap::new();
            let header = |value: &str| HeaderValue::from_str(value).expect("ASCII header value");
            headers.insert("lambda-runtime-aws-request-id", header(&request_id));
            headers.insert("lambda-runtime-deadline-ms", header(&deadline.to_string()));
            headers.insert(
                "lambda-runtime-invoked-function-arn",
                header("arn:aws:lambda:us-east-1:000000000000:function:eventlab-harness"),
            );
            headers.insert(
                "lambda-runtime-trace-id",
                header("Root=1-00000000-000000000000000000000000"),
            );
            headers.insert("content-type", header("application/json"));
            return (StatusCode::OK, headers, event.to_string()).into_response();
        }
        arrived.await;
    }
}

fn parse(body: &Bytes) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

async fn response(State((_, sender)): State<AppState>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    let _ = sender.send(Outcome::Response {
        request_id: id,
        body: parse(&body),
    });
    StatusCode::ACCEPTED
}

async fn error(State((_, sender)): State<AppState>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    let _ = sender.send(Outcome::Error {
        request_id: id,
        body: parse(&body),
    });
    StatusCode::ACCEPTED
}

async fn init_error(State((_, sender)): State<AppState>, body: Bytes) -> StatusCode {
    let _ = sender.send(Outcome::InitError(parse(&body)));
    StatusCode::ACCEPTED
}

fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
