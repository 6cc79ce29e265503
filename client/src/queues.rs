//! Queue depths: what waits in each lane's dead-letter or on-failure queue, and in a
//! source queue. The same calls on AWS and the emulator (which keeps no SQS metrics, so its
//! alarms never fire): a learner sees the signal locally too.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use aws_sdk_sqs::types::QueueAttributeName;
use eventlab_measure::failures::QueueDepth;

/// Reads every queue in `queues` (lane → URL), in lane order.
pub async fn read(sqs: &aws_sdk_sqs::Client, queues: &BTreeMap<String, String>) -> Result<Vec<QueueDepth>> {
    let mut depths = Vec::with_capacity(queues.len());
    for (lane, url) in queues {
        let (waiting, in_flight) = depth(sqs, url).await?;
        depths.push(QueueDepth {
            lane: lane.clone(),
            queue: url.rsplit('/').next().unwrap_or(url).to_owned(),
            waiting,
            in_flight,
        });
    }
    Ok(depths)
}

/// One queue's approximate (waiting, in flight) counts.
pub async fn depth(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<(u64, u64)> {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .map_err(crate::sdk_error)
        .with_context(|| format!("reading the depth of {url}"))?;
    let count = |name: &QueueAttributeName| -> Result<u64> {
        let value = attributes
            .attributes()
            .and_then(|a| a.get(name))
            .with_context(|| format!("{url} did not report {name}"))?;
        value
            .parse()
            .with_context(|| format!("{url} reported {name} = {value:?}"))
    };
    Ok((
        count(&QueueAttributeName::ApproximateNumberOfMessages)?,
        count(&QueueAttributeName::ApproximateNumberOfMessagesNotVisible)?,
    ))
}

#[cfg(test)]
mod tests {
    use aws_sdk_sqs::operation::get_queue_attributes::GetQueueAttributesOutput;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;

    #[tokio::test]
    async fn reads_each_queue_and_names_it_by_lane() {
        let rule = mock!(aws_sdk_sqs::Client::get_queue_attributes).then_compute_output(|req| {
            let waiting = if req.queue_url().unwrap().ends_with("sqs-dlq") {
                "2"
            } else {
                "0"
            };
            GetQueueAttributesOutput::builder()
                .attributes(QueueAttributeName::ApproximateNumberOfMessages, waiting)
                .attributes(QueueAttributeName::ApproximateNumberOfMessagesNotVisible, "1")
                .build()
        });
        let sqs = mock_client!(aws_sdk_sqs, RuleMode::MatchAny, [&rule]);
        let queues = BTreeMap::from([
            ("sqs".to_owned(), "http://q/000000000000/lab-sqs-dlq".to_owned()),
            (
                "kinesis".to_owned(),
                "http://q/000000000000/lab-kinesis-failures".to_owned(),
            ),
        ]);
        let depths = read(&sqs, &queues).await.unwrap();
        assert_eq!(
            depths,
            [
                QueueDepth {
                    lane: "kinesis".into(),
                    queue: "lab-kinesis-failures".into(),
                    waiting: 0,
                    in_flight: 1
                },
                QueueDepth {
                    lane: "sqs".into(),
                    queue: "lab-sqs-dlq".into(),
                    waiting: 2,
                    in_flight: 1
                },
            ]
        );
    }

    #[tokio::test]
    async fn a_queue_that_does_not_report_its_depth_is_an_error_not_a_zero() {
        let rule = mock!(aws_sdk_sqs::Client::get_queue_attributes)
            .then_output(|| GetQueueAttributesOutput::builder().build());
        let sqs = mock_client!(aws_sdk_sqs, RuleMode::MatchAny, [&rule]);
        let queues = BTreeMap::from([("sqs".to_owned(), "http://q/lab-sqs-dlq".to_owned())]);
        let error = read(&sqs, &queues).await.unwrap_err();
        assert!(format!("{error:#}").contains("did not report"), "{error:#}");
    }
}
