//! Calling the lab's HTTP API as a learner's curl does: a bearer JWT and a JSON body.

use anyhow::{Context, Result, bail};
use eventlab_schema::api::{GenerateRequest, GenerateResponse};
use reqwest::StatusCode;
use serde::Serialize;
use serde_json::Value;

use crate::stack::Stack;

#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    api_url: String,
}

impl Api {
    pub fn new(stack: &Stack) -> Self {
        Self {
            http: reqwest::Client::new(),
            api_url: stack.api_url.trim_end_matches('/').to_owned(),
        }
    }

    /// `<api_url>/<route>`, where a route is a service name or `all`.
    pub fn url(&self, route: &str) -> String {
        format!("{}/{route}", self.api_url)
    }

    /// Any method on a route; the answer's status and body (JSON, or the text as a string).
    pub async fn call(
        &self,
        method: reqwest::Method,
        route: &str,
        token: Option<&str>,
        body: Option<&impl Serialize>,
    ) -> Result<(StatusCode, Value)> {
        let mut request = self.http.request(method, self.url(route));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("calling {}", self.url(route)))?;
        let status = response.status();
        let text = response.text().await.context("reading the API's answer")?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    /// `POST /<route>`; an answer other than 200 is an error that carries the API's message.
    pub async fn generate(&self, route: &str, token: &str, request: &GenerateRequest) -> Result<GenerateResponse> {
        let (status, body) = self
            .call(reqwest::Method::POST, route, Some(token), Some(request))
            .await?;
        if status != StatusCode::OK {
            bail!("POST /{route} answered {status}: {body}");
        }
        serde_json::from_value(body).context("the API's answer is not a GenerateResponse")
    }
}
