//! The HTTP API handler: request → events → publisher → response.
//!
//! API Gateway has already checked the JWT; this validates the request itself and
//! rejects bad input with a 4xx JSON error before anything is published.

use std::time::Duration;

use tokio::time::Instant;

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderMap, HeaderValue, Method, header};
use base64::Engine;
use eventlab_schema::api::{Failed, GenerateRequest, GenerateResponse, LaneOutcome, Published};
use eventlab_schema::{RunId, Service};
use futures_util::future::join_all;
use serde::Serialize;

use eventlab_publish::events::{build_events, lanes, pad};
use eventlab_publish::{Lane, Publish, Targets};
use eventlab_schema::limits::{MAX_EVENT_BYTES, MAX_REQUEST_BYTES};

use crate::config::TargetSource;
use crate::facts::Facts;

/// Time kept back from the invocation's deadline to answer the caller: publishing stops by then.
pub const ANSWER_RESERVE: Duration = Duration::from_millis(250);

/// What a route publishes to: one service, or the same events to all four.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    One(Service),
    All,
}

impl Target {
    fn services(self) -> Vec<Service> {
        match self {
            Self::One(service) => vec![service],
            Self::All => Service::ALL.to_vec(),
        }
    }
}

/// The generator with its clients, built once at init.
#[derive(Debug)]
pub struct Generator<P, T> {
    pub publisher: P,
    /// Where each request finds its targets: read at INIT, or read again each time.
    pub targets: T,
    pub facts: Facts,
    /// The stack's cap on `count`, 1..=[`MAX_COUNT`](eventlab_schema::limits::MAX_COUNT).
    pub max_events_per_request: u32,
}

impl<P: Publish, T: TargetSource> Generator<P, T> {
    /// Answers one request; publishing gives up in time to answer before `deadline`.
    pub async fn handle(&self, request: ApiGatewayV2httpRequest, deadline: Instant) -> ApiGatewayV2httpResponse {
        match self.try_handle(request, deadline).await {
            Ok(response) => response,
            Err(rejection) => {
                tracing::info!(status = rejection.status, error = %rejection.message, "request rejected");
                rejection.into_response()
            }
        }
    }

    async fn try_handle(
        &self,
        request: ApiGatewayV2httpRequest,
        deadline: Instant,
    ) -> Result<ApiGatewayV2httpResponse, Rejection> {
        let target = route_target(&request)?;
        if request.request_context.http.method != Method::POST {
            return Err(Rejection::method_not_allowed(&request.request_context.http.method));
        }
        let caller = caller_sub(&request)?;
        let body = parse_body(&request)?;
        let count = body.count.unwrap_or(1);
        let max = self.max_events_per_request;
        if !(1..=max).contains(&count) {
            return Err(Rejection::bad_request(format!(
                "count must be between 1 and {max} (this stack's max_events_per_request), got {count}"
            )));
        }
        if let Some(size) = body.size_bytes
            && (size > MAX_EVENT_BYTES || size * count as usize > MAX_REQUEST_BYTES)
        {
            return Err(Rejection::bad_request(format!(
                "size_bytes must be at most {MAX_EVENT_BYTES} and count * size_bytes at most {MAX_REQUEST_BYTES}"
            )));
        }
        let run_id = body.run_id.unwrap_or_else(RunId::generate);

        let targets = self.targets.targets().await.map_err(|err| {
            tracing::error!(error = %err, "no targets");
            Rejection::new(502, format!("the generator could not read its targets: {err}"))
        })?;
        let (fact, fact_source) = self.facts.random(targets.facts_api_key.as_deref()).await;
        let services = target.services();
        let mut events = build_events(services[0], count, &run_id, &fact, fact_source, &caller);
        if let Some(size) = body.size_bytes {
            for event in &mut events {
                pad(event, size);
            }
        }
        let lanes = lanes(&services, &mut events)
            .map_err(|(service, e)| Rejection::new(413, format!("too large for {service}: {e}")))?;

        let publish_by = deadline.checked_sub(ANSWER_RESERVE).unwrap_or(deadline);
        let outcomes = join_all(lanes.iter().map(|lane| self.publish_lane(lane, &targets, publish_by))).await;
        let response = GenerateResponse {
            run_id,
            requested: events.len(),
            fact_source,
            lanes: outcomes,
        };
        let published: usize = response.lanes.iter().map(|lane| lane.events.len()).sum();
        let failed: usize = response.lanes.iter().map(|lane| lane.failures.len()).sum();
        // All published: 200. Some: 207, with the failures listed. None: 502, the services failed us.
        let status = match (published, failed) {
            (_, 0) => 200,
            (0, _) => 502,
            _ => 207,
        };
        // One line per lane: `eventlab-bench watch` counts what was published from these.
        for lane in &response.lanes {
            tracing::info!(
                run_id = %response.run_id,
                service = %lane.service,
                published = lane.events.len(),
                failed = lane.failures.len(),
                "published"
            );
        }
        Ok(json_response(status, &response))
    }

    async fn publish_lane(&self, lane: &Lane, targets: &Targets, publish_by: Instant) -> LaneOutcome {
        let started = std::time::Instant::now();
        let deliveries = self.publisher.publish(lane, targets, publish_by).await;
        let mut outcome = LaneOutcome {
            service: lane.service,
            publish_ms: started.elapsed().as_secs_f64() * 1000.0,
            events: Vec::with_capacity(lane.events.len()),
            failures: Vec::new(),
        };
        for (event, delivery) in lane.events.iter().zip(deliveries) {
            let (event_id, seq) = (event.event_id, event.seq);
            match delivery {
                Ok(message_id) => outcome.events.push(Published {
                    event_id,
                    seq,
                    message_id,
                }),
                Err(error) => outcome.failures.push(Failed { event_id, seq, error }),
            }
        }
        outcome
    }
}

/// The target named by the route key (`ANY /sqs`, `ANY /all`, …).
fn route_target(request: &ApiGatewayV2httpRequest) -> Result<Target, Rejection> {
    let route = request
        .route_key
        .as_deref()
        .or(request.request_context.route_key.as_deref())
        .unwrap_or_default();
    let path = route
        .split_once(' ')
        .map_or(route, |(_, path)| path)
        .trim_start_matches('/');
    match path {
        "all" => Ok(Target::All),
        _ => path
            .parse()
            .map(Target::One)
            .map_err(|_| Rejection::new(404, format!("no such route: {route}"))),
    }
}

/// The caller's JWT `sub`, as the authorizer passed it on.
fn caller_sub(request: &ApiGatewayV2httpRequest) -> Result<String, Rejection> {
    request
        .request_context
        .authorizer
        .as_ref()
        .and_then(|authorizer| authorizer.jwt.as_ref())
        .and_then(|jwt| jwt.claims.get("sub"))
        .filter(|sub| !sub.is_empty())
        .cloned()
        .ok_or_else(|| {
            Rejection::new(
                401,
                "no authenticated caller: the route must use the JWT authorizer".into(),
            )
        })
}

fn parse_body(request: &ApiGatewayV2httpRequest) -> Result<GenerateRequest, Rejection> {
    let raw = match request.body.as_deref() {
        None => return Ok(GenerateRequest::default()),
        Some(body) if request.is_base64_encoded => base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|e| Rejection::bad_request(format!("body is not valid base64: {e}")))?,
        Some(body) => body.as_bytes().to_vec(),
    };
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Ok(GenerateRequest::default());
    }
    serde_json::from_slice(&raw).map_err(|e| {
        Rejection::bad_request(format!(
            "body must be a JSON object like {{\"count\": 10, \"run_id\": \"my-run\"}}: {e}"
        ))
    })
}

/// A request turned away, with the status and message the caller gets.
#[derive(Debug)]
struct Rejection {
    status: i64,
    message: String,
    allow: Option<&'static str>,
}

impl Rejection {
    fn new(status: i64, message: String) -> Self {
        Self {
            status,
            message,
            allow: None,
        }
    }

    fn bad_request(message: String) -> Self {
        Self::new(400, message)
    }

    fn method_not_allowed(method: &Method) -> Self {
        Self {
            status: 405,
            message: format!("method {method} is not allowed; use POST"),
            allow: Some("POST"),
        }
    }

    fn into_response(self) -> ApiGatewayV2httpResponse {
        let mut response = json_response(self.status, &serde_json::json!({ "error": self.message }));
        if let Some(allow) = self.allow {
            response.headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

fn json_response(status: i64, body: &impl Serialize) -> ApiGatewayV2httpResponse {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = status;
    response.headers = headers;
    response.body = Some(Body::Text(
        serde_json::to_string(body).expect("response bodies always serialise"),
    ));
    response
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use eventlab_schema::limits::MAX_COUNT;
    use eventlab_schema::{ID_RANGE, LabEvent};

    use super::*;
    use eventlab_publish::Delivery;

    /// Records what it is asked to publish; fails events whose seq is in `fail`.
    #[derive(Default)]
    struct RecordingPublisher {
        published: Mutex<Vec<LabEvent>>,
        lanes: Mutex<Vec<Lane>>,
        fail: Vec<u32>,
    }

    impl Publish for RecordingPublisher {
        async fn publish(&self, lane: &Lane, targets: &Targets, _: Instant) -> Vec<Delivery> {
            assert_eq!(targets.sqs_queue_url, "http://queue");
            let events = lane
                .events
                .iter()
                .map(|e| LabEvent::from_json(e.json.as_bytes()).unwrap());
            self.published.lock().unwrap().extend(events.clone());
            self.lanes.lock().unwrap().push(lane.clone());
            let answer = |e: LabEvent| {
                if self.fail.contains(&e.seq) {
                    Err("boom".into())
                } else {
                    Ok(format!("m{}", e.seq))
                }
            };
            events.map(answer).collect()
        }
    }

    fn targets() -> Targets {
        Targets {
            eventbridge_bus_name: "bus".into(),
            sqs_queue_url: "http://queue".into(),
            kinesis_stream_name: "stream".into(),
            firehose_stream_name: "delivery".into(),
            sns_topic_arn: "arn:topic".into(),
            sqs_fifo_queue_url: "http://queue.fifo".into(),
            dynamodb_table_name: "table".into(),
            facts_api_key: None,
        }
    }

    fn generator(fail: Vec<u32>) -> Generator<RecordingPublisher, Targets> {
        Generator {
            publisher: RecordingPublisher {
                fail,
                ..RecordingPublisher::default()
            },
            targets: targets(),
            facts: Facts::new("http://127.0.0.1:9", Duration::from_millis(100)),
            max_events_per_request: MAX_COUNT,
        }
    }

    impl<T: TargetSource> Generator<RecordingPublisher, T> {
        fn published(&self) -> Vec<LabEvent> {
            self.publisher.published.lock().unwrap().clone()
        }

        /// Handles `request` with a minute to spare.
        async fn answer(&self, request: ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
            self.handle(request, Instant::now() + Duration::from_secs(60)).await
        }
    }

    fn request(method: &str, route: &str, body: Option<&str>) -> ApiGatewayV2httpRequest {
        let fixture = include_str!("../tests/fixtures/apigw-v2-jwt.json")
            .replace("\"POST /sqs\"", &format!("\"{method} {route}\""))
            .replace("\"method\": \"POST\"", &format!("\"method\": \"{method}\""));
        let mut request: ApiGatewayV2httpRequest = serde_json::from_str(&fixture).unwrap();
        request.body = body.map(str::to_owned);
        request
    }

    fn body(response: &ApiGatewayV2httpResponse) -> serde_json::Value {
        match response.body.as_ref().unwrap() {
            Body::Text(text) => serde_json::from_str(text).unwrap(),
            other => panic!("expected a text body, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn publishes_count_events_to_the_routed_service_and_reports_them() {
        for service in Service::ALL {
            let generator = generator(vec![]);
            let route = format!("/{service}");
            let response = generator
                .answer(request("POST", &route, Some(r#"{"count": 3, "run_id": "r-1"}"#)))
                .await;

            assert_eq!(response.status_code, 200);
            let json = body(&response);
            assert_eq!(json["run_id"], "r-1");
            assert_eq!(json["fact_source"], "fallback");
            assert_eq!(json["lanes"].as_array().unwrap().len(), 1);
            assert_eq!(json["lanes"][0]["service"], service.as_str());
            assert_eq!(json["lanes"][0]["events"][2]["message_id"], "m2");

            let published = generator.published();
            assert_eq!(published.iter().map(|e| e.seq).collect::<Vec<_>>(), [0, 1, 2]);
            assert!(
                published
                    .iter()
                    .all(|e| e.requested_by == "learner-sub-123" && e.service == service)
            );
            assert!(
                published
                    .iter()
                    .all(|e| ID_RANGE.contains(&e.id) && e.padding.is_empty())
            );
            assert_eq!(published[0].event_id.get_version_num(), 7);
        }
    }

    #[tokio::test]
    async fn all_publishes_the_same_events_to_every_service_each_tagged_with_its_own() {
        let generator = generator(vec![]);
        let response = generator.answer(request("POST", "/all", Some(r#"{"count": 2}"#))).await;
        assert_eq!(response.status_code, 200);
        let lanes: Vec<String> = body(&response)["lanes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["service"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            lanes,
            [
                "eventbridge",
                "sqs",
                "kinesis",
                "firehose",
                "sns",
                "sqs-fifo",
                "dynamodb"
            ]
        );

        let published = generator.published();
        assert_eq!(published.len(), 2 * Service::ALL.len());
        for service in Service::ALL {
            let copies: Vec<&LabEvent> = published.iter().filter(|e| e.service == service).collect();
            assert_eq!(copies.len(), 2);
            for (copy, original) in copies.iter().zip(&published[..2]) {
                assert_eq!(
                    (copy.event_id, copy.seq, copy.id, copy.time),
                    (original.event_id, original.seq, original.id, original.time)
                );
            }
        }
    }

    #[tokio::test]
    async fn size_bytes_pads_each_event_to_about_that_size() {
        let generator = generator(vec![]);
        for route in ["/sqs", "/all"] {
            let response = generator
                .answer(request("POST", route, Some(r#"{"count": 2, "size_bytes": 4096}"#)))
                .await;
            assert_eq!(response.status_code, 200);
        }
        let published = generator.published();
        assert_eq!(published.len(), 2 + 2 * Service::ALL.len());
        for event in published {
            assert_eq!(event.to_json().len(), 4096, "{}", event.service);
        }
    }

    #[tokio::test]
    async fn each_lane_carries_its_events_serialised_once_and_planned_by_its_limits() {
        let generator = generator(vec![]);
        let response = generator
            .answer(request("POST", "/all", Some(r#"{"count": 25}"#)))
            .await;
        assert_eq!(response.status_code, 200);
        let lanes = generator.publisher.lanes.lock().unwrap().clone();
        assert_eq!(lanes.len(), Service::ALL.len());
        for lane in lanes {
            for encoded in &lane.events {
                let event = LabEvent::from_json(encoded.json.as_bytes()).unwrap();
                assert_eq!(
                    (event.service, event.event_id, event.seq),
                    (lane.service, encoded.event_id, encoded.seq)
                );
            }
            // 10 a call for SQS (both kinds), SNS and EventBridge; 25 for DynamoDB; 500 the rest.
            let expected_requests = if matches!(
                lane.service,
                Service::Sqs | Service::SqsFifo | Service::Sns | Service::EventBridge
            ) {
                3
            } else {
                1
            };
            assert_eq!(lane.requests.len(), expected_requests, "{}", lane.service);
        }
    }

    /// A target source that cannot be read, like SSM failing on a per-request read.
    struct Unreadable;

    impl TargetSource for Unreadable {
        async fn targets(&self) -> Result<std::borrow::Cow<'_, Targets>, crate::config::ConfigError> {
            Err(crate::config::ConfigError::Ssm(
                "AccessDeniedException: not allowed".into(),
            ))
        }
    }

    #[tokio::test]
    async fn unreadable_targets_are_a_502_with_a_json_error_and_nothing_published() {
        let generator = Generator {
            publisher: RecordingPublisher::default(),
            targets: Unreadable,
            facts: Facts::new("http://127.0.0.1:9", Duration::from_millis(100)),
            max_events_per_request: MAX_COUNT,
        };
        let response = generator.answer(request("POST", "/sqs", None)).await;
        assert_eq!(response.status_code, 502);
        let error = body(&response)["error"].as_str().unwrap().to_owned();
        assert!(
            error.contains("could not read its targets") && error.contains("AccessDenied"),
            "{error}"
        );
        assert!(generator.published().is_empty());
    }

    #[tokio::test]
    async fn an_event_too_large_for_a_service_is_413_and_nothing_is_published_anywhere() {
        // 1,000 KiB + 1: too large for Firehose's record limit only.
        let just_over_firehose = format!(r#"{{"size_bytes": {}}}"#, 1000 * 1024 + 1);
        for route in ["/firehose", "/all"] {
            let generator = generator(vec![]);
            let response = generator
                .answer(request("POST", route, Some(&just_over_firehose)))
                .await;
            assert_eq!(response.status_code, 413, "{route}");
            assert!(
                body(&response)["error"]
                    .as_str()
                    .unwrap()
                    .contains("too large for firehose")
            );
            assert!(generator.published().is_empty(), "{route}");
        }
        let generator = generator(vec![]);
        assert_eq!(
            generator
                .answer(request("POST", "/sqs", Some(&just_over_firehose)))
                .await
                .status_code,
            200
        );
    }

    #[tokio::test]
    async fn no_body_means_one_event_and_a_generated_run() {
        let generator = generator(vec![]);
        let response = generator.answer(request("POST", "/sqs", None)).await;
        assert_eq!(response.status_code, 200);
        assert!(body(&response)["run_id"].as_str().unwrap().starts_with("run-"));
        assert_eq!(generator.published().len(), 1);
    }

    #[tokio::test]
    async fn a_base64_body_is_decoded() {
        let generator = generator(vec![]);
        let mut req = request("POST", "/sqs", Some("eyJjb3VudCI6IDJ9")); // {"count": 2}
        req.is_base64_encoded = true;
        assert_eq!(generator.answer(req).await.status_code, 200);
        assert_eq!(generator.published().len(), 2);
    }

    #[tokio::test]
    async fn bad_input_gets_a_json_error_and_publishes_nothing() {
        let cases = [
            ("POST", "/sqs", Some("not json"), 400, "body must be a JSON object"),
            (
                "POST",
                "/sqs",
                Some(r#"{"count": 2, "colour": "red"}"#),
                400,
                "unknown field `colour`",
            ),
            (
                "POST",
                "/sqs",
                Some(r#"{"count": 0}"#),
                400,
                "count must be between 1 and 500",
            ),
            (
                "POST",
                "/sqs",
                Some(r#"{"count": 501}"#),
                400,
                "count must be between 1 and 500",
            ),
            ("POST", "/sqs", Some(r#"{"count": -1}"#), 400, "invalid value"),
            ("POST", "/sqs", Some(r#"{"run_id": "../etc"}"#), 400, "run_id must be"),
            (
                "POST",
                "/sqs",
                Some(r#"{"size_bytes": 3000000}"#),
                400,
                "size_bytes must be at most",
            ),
            (
                "POST",
                "/sqs",
                Some(r#"{"count": 500, "size_bytes": 1000000}"#),
                400,
                "count * size_bytes",
            ),
            ("POST", "/sqs", Some("[1, 2]"), 400, "body must be a JSON object"),
            ("GET", "/sqs", None, 405, "use POST"),
            ("POST", "/kafka", None, 404, "no such route"),
        ];
        for (method, route, body_text, status, message) in cases {
            let generator = generator(vec![]);
            let response = generator.answer(request(method, route, body_text)).await;
            assert_eq!(response.status_code, status, "{method} {route} {body_text:?}");
            assert_eq!(response.headers["content-type"], "application/json");
            let error = body(&response)["error"].as_str().unwrap().to_owned();
            assert!(error.contains(message), "{error:?} should contain {message:?}");
            assert!(generator.published().is_empty(), "{method} {route} {body_text:?}");
        }
    }

    #[tokio::test]
    async fn the_stacks_cap_bounds_count_and_says_so() {
        let mut generator = generator(vec![]);
        generator.max_events_per_request = 10;
        let response = generator
            .answer(request("POST", "/all", Some(r#"{"count": 11}"#)))
            .await;
        assert_eq!(response.status_code, 400);
        let error = body(&response)["error"].as_str().unwrap().to_owned();
        assert!(
            error.contains("between 1 and 10 (this stack's max_events_per_request)"),
            "{error}"
        );
        assert!(generator.published().is_empty());

        let response = generator
            .answer(request("POST", "/all", Some(r#"{"count": 10}"#)))
            .await;
        assert_eq!(response.status_code, 200);
        assert_eq!(generator.published().len(), 10 * Service::ALL.len());
    }

    #[tokio::test]
    async fn wrong_method_says_which_is_allowed() {
        let response = generator(vec![]).answer(request("DELETE", "/sqs", None)).await;
        assert_eq!(response.headers["allow"], "POST");
    }

    #[tokio::test]
    async fn without_jwt_claims_nothing_is_published() {
        let generator = generator(vec![]);
        let mut req = request("POST", "/sqs", None);
        req.request_context.authorizer = None;
        assert_eq!(generator.answer(req).await.status_code, 401);
        assert!(generator.published().is_empty());
    }

    #[tokio::test]
    async fn partial_failure_is_207_and_total_failure_is_502() {
        let response = generator(vec![1])
            .answer(request("POST", "/sqs", Some(r#"{"count": 3}"#)))
            .await;
        assert_eq!(response.status_code, 207);
        let json = body(&response);
        assert_eq!(json["lanes"][0]["failures"][0]["seq"], 1);
        assert_eq!(json["lanes"][0]["failures"][0]["error"], "boom");
        assert_eq!(json["lanes"][0]["events"].as_array().unwrap().len(), 2);

        let response = generator(vec![0]).answer(request("POST", "/sqs", None)).await;
        assert_eq!(response.status_code, 502);
    }
}
