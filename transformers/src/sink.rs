//! Where results go: S3 in the product, behind a one-method trait so batch handling
//! can be tested without a network.

use std::future::Future;

use aws_sdk_s3::primitives::ByteStream;

#[derive(Debug, thiserror::Error)]
#[error("writing s3://{bucket}/{key} failed: {message}")]
pub struct SinkError {
    pub bucket: String,
    pub key: String,
    pub message: String,
}

/// Stores one object. Implementations must be safe to retry: keys are unique per invocation.
pub trait ObjectSink: Send + Sync {
    fn put(&self, key: &str, body: Vec<u8>) -> impl Future<Output = Result<(), SinkError>> + Send;
}

/// Writes JSON Lines objects to the results bucket.
#[derive(Debug, Clone)]
pub struct S3Sink {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Sink {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }
}

impl ObjectSink for S3Sink {
    async fn put(&self, key: &str, body: Vec<u8>) -> Result<(), SinkError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/x-ndjson")
            .body(ByteStream::from(body))
            .send()
            .await
            .map(|_| ())
            .map_err(|err| SinkError {
                bucket: self.bucket.clone(),
                key: key.to_owned(),
                message: aws_sdk_s3::error::DisplayErrorContext(err).to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::operation::put_object::{PutObjectError, PutObjectOutput};
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;

    #[tokio::test]
    async fn puts_json_lines_under_the_given_key() {
        let put = mock!(aws_sdk_s3::Client::put_object)
            .match_requests(|req| {
                req.bucket() == Some("results")
                    && req.key() == Some("results/sqs/r1/req.jsonl")
                    && req.content_type() == Some("application/x-ndjson")
            })
            .then_output(|| PutObjectOutput::builder().build());
        let client = mock_client!(aws_sdk_s3, RuleMode::Sequential, &[&put]);

        S3Sink::new(client, "results")
            .put("results/sqs/r1/req.jsonl", b"{}\n".to_vec())
            .await
            .unwrap();
        assert_eq!(put.num_calls(), 1);
    }

    #[tokio::test]
    async fn an_s3_error_names_the_object() {
        let put = mock!(aws_sdk_s3::Client::put_object).then_error(|| {
            PutObjectError::generic(
                aws_sdk_s3::error::ErrorMetadata::builder()
                    .code("SlowDown")
                    .message("reduce your request rate")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_s3, RuleMode::Sequential, &[&put]);

        let err = S3Sink::new(client, "results").put("k", Vec::new()).await.unwrap_err();
        assert_eq!(err.key, "k");
        assert!(err.to_string().contains("SlowDown"), "{err}");
    }
}
