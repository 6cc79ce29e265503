//! After a run: what waits in each lane's dead-letter or on-failure queue.
//!
//! On AWS the stack's CloudWatch alarms watch these queues (`terraform/alarms.tf`). The
//! emulator keeps no SQS metrics, so its alarms never fire; the bench reads the queues
//! themselves, the same way on both, so a learner sees the signal locally too.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use aws_sdk_sqs::types::QueueAttributeName;
use serde::{Deserialize, Serialize};

/// One failure queue, read after the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueDepth {
    pub lane: String,
    pub queue: String,
    /// Messages ready to be read: what the stack's alarm fires on.
    pub waiting: u64,
    /// Messages being read by someone right now.
    pub in_flight: u64,
}

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
        .map_err(labctl::sdk_error)
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

/// What the figures are, for every place they are shown.
pub const PROVENANCE: &str = "Read from each queue (GetQueueAttributes) as the run ends: messages from this run and any earlier one still there; a failure of this run reaches its queue only after the service's retries (minutes on AWS), so read it again later (`make bench` reports it afresh). On AWS a CloudWatch alarm fires on each queue when a message waits (terraform/alarms.tf); the emulator keeps no SQS metrics, so its alarms stay INSUFFICIENT_DATA. Firehose has no such queue: its failures are objects under errors/firehose/.";

pub const HEADINGS: [&str; 4] = ["lane", "queue", "waiting", "in flight"];

pub fn cells(depths: &[QueueDepth]) -> Vec<[String; 4]> {
    depths
        .iter()
        .map(|d| {
            [
                d.lane.clone(),
                d.queue.clone(),
                d.waiting.to_string(),
                d.in_flight.to_string(),
            ]
        })
        .collect()
}

/// The report's Markdown section.
pub fn markdown(depths: &[QueueDepth]) -> String {
    use std::fmt::Write;
    let mut md = format!(
        "\n## Failure queues after the run\n\n{PROVENANCE}\n\n| {} |\n|{}\n",
        HEADINGS.join(" | "),
        "---|".repeat(HEADINGS.len())
    );
    for row in cells(depths) {
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    md
}

/// The report's HTML section.
pub fn html(depths: &[QueueDepth]) -> String {
    use crate::report::escape;
    format!(
        "<h2 id=\"failure-queues\">Failure queues after the run</h2>\n<p>{}</p>\n{}",
        escape(PROVENANCE),
        crate::report::html_table(Some("failure-queues-table"), &HEADINGS, &cells(depths))
    )
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
        assert!(markdown(&depths).contains("| sqs | lab-sqs-dlq | 2 | 1 |"));
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
