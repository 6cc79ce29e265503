//! Random facts: one call to the API Ninjas facts API per request, with a short timeout
//! and a bundled fallback list, so a slow or missing API never fails a request.

use std::sync::OnceLock;
use std::time::Duration;

use eventlab_schema::FactSource;
use rand::seq::IndexedRandom;
use serde::Deserialize;

/// Used when no key is configured or the API does not answer in time.
pub const FALLBACK_FACTS: &[&str] = &[
    "Honey never spoils if it is kept sealed and dry.",
    "Octopuses have three hearts and blue blood.",
    "A day on Venus is longer than its year.",
    "Bananas are berries, but strawberries are not.",
    "The Eiffel Tower grows about 15 cm taller in summer heat.",
    "Sharks existed before trees did.",
    "Wombats produce cube-shaped droppings.",
    "There are more possible games of chess than atoms in the observable universe.",
    "A group of flamingos is called a flamboyance.",
    "Light from the Sun takes about eight minutes to reach Earth.",
    "The shortest war in history lasted less than an hour.",
    "Sea otters hold hands while they sleep so they do not drift apart.",
];

/// The facts API's client. The key is passed per call: it comes with the targets, which
/// the per-request configuration strategy reads anew each time.
#[derive(Debug)]
pub struct Facts {
    /// Built on first use: a generator without a key never builds an HTTP client (nor its
    /// TLS configuration), which keeps that work out of INIT.
    client: OnceLock<reqwest::Client>,
    timeout: Duration,
    endpoint: String,
}

#[derive(Deserialize)]
struct ApiFact {
    fact: String,
}

impl Facts {
    /// `base_url` is the API's origin (e.g. `https://api.api-ninjas.com`).
    pub fn new(base_url: &str, timeout: Duration) -> Self {
        Self {
            client: OnceLock::new(),
            timeout,
            endpoint: format!("{}/v1/facts", base_url.trim_end_matches('/')),
        }
    }

    /// A fact and where it came from; no key means a fallback fact without touching the network.
    pub async fn random(&self, api_key: Option<&str>) -> (String, FactSource) {
        let Some(key) = api_key else {
            return (fallback(), FactSource::Fallback);
        };
        match self.fetch(key).await {
            Ok(fact) => (fact, FactSource::ApiNinjas),
            Err(reason) => {
                tracing::warn!(%reason, "facts API unavailable; using a fallback fact");
                (fallback(), FactSource::Fallback)
            }
        }
    }

    async fn fetch(&self, key: &str) -> Result<String, String> {
        let client = self.client.get_or_init(|| {
            reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.timeout)
                .build()
                .expect("a reqwest client with only timeouts set always builds")
        });
        let response = client
            .get(&self.endpoint)
            .header("X-Api-Key", key)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| e.to_string())?;
        let facts: Vec<ApiFact> = response.json().await.map_err(|e| e.to_string())?;
        facts
            .into_iter()
            .map(|f| f.fact.trim().to_owned())
            .find(|f| !f.is_empty())
            .ok_or_else(|| "the API returned no fact".to_owned())
    }
}

fn fallback() -> String {
    (*FALLBACK_FACTS
        .choose(&mut rand::rng())
        .expect("the fallback list is not empty"))
    .to_owned()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::get;

    use super::*;

    /// A local stand-in for the facts API on 127.0.0.1; stops when the test's runtime ends.
    async fn serve(router: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn fetches_a_fact_with_the_api_key() {
        let seen_key = Arc::new(Mutex::new(None));
        let seen = Arc::clone(&seen_key);
        let base = serve(Router::new().route(
            "/v1/facts",
            get(move |headers: HeaderMap| async move {
                *seen.lock().unwrap() = headers.get("x-api-key").map(|v| v.to_str().unwrap().to_owned());
                r#"[{"fact": "  Cats sleep for most of the day.  "}]"#
            }),
        ))
        .await;

        let facts = Facts::new(&base, Duration::from_secs(1));
        assert_eq!(
            facts.random(Some("k3y")).await,
            ("Cats sleep for most of the day.".into(), FactSource::ApiNinjas)
        );
        assert_eq!(seen_key.lock().unwrap().as_deref(), Some("k3y"));
    }

    #[tokio::test]
    async fn no_key_means_fallback_without_a_call() {
        let facts = Facts::new("http://127.0.0.1:9", Duration::from_secs(1));
        let (fact, source) = facts.random(None).await;
        assert_eq!(source, FactSource::Fallback);
        assert!(FALLBACK_FACTS.contains(&fact.as_str()));
        assert!(facts.client.get().is_none(), "no key, no HTTP client built");
    }

    #[tokio::test]
    async fn errors_and_empty_answers_fall_back() {
        let base = serve(
            Router::new()
                .route("/v1/facts", get(|| async { (StatusCode::UNAUTHORIZED, "bad key") }))
                .route("/empty/v1/facts", get(|| async { "[]" })),
        )
        .await;
        for base in [base.clone(), format!("{base}/empty")] {
            let facts = Facts::new(&base, Duration::from_secs(1));
            assert_eq!(facts.random(Some("wrong")).await.1, FactSource::Fallback, "{base}");
        }
    }

    #[tokio::test]
    async fn a_slow_api_falls_back_within_the_timeout() {
        let base = serve(Router::new().route(
            "/v1/facts",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                r#"[{"fact": "too late"}]"#
            }),
        ))
        .await;
        let facts = Facts::new(&base, Duration::from_millis(100));
        let started = std::time::Instant::now();
        assert_eq!(facts.random(Some("k")).await.1, FactSource::Fallback);
        // A bound on correctness (the timeout fired), not a speed assertion.
        assert!(started.elapsed() < Duration::from_secs(4));
    }
}
