//! The Firehose lane: the delivery stream's data-transformation processor. Firehose,
//! not this function, writes the results to S3, so each record comes back transformed
//! (`Ok`) or marked `ProcessingFailed`, which Firehose sends to its error output.

use aws_lambda_events::encodings::Base64Data;
use aws_lambda_events::event::firehose::{
    KinesisFirehoseEvent, KinesisFirehoseResponse, KinesisFirehoseResponseRecord,
};
use eventlab_schema::Service;

use crate::Invocation;
use crate::batch::ObjectSink;
use crate::batch::{self, Incoming, Prepared, errors_key, push_line};

/// Transforms every record. Malformed ones are also written to `errors/firehose/`, like
/// every lane's, because Firehose's own error output only exists on AWS; if that write
/// fails, the whole invocation fails and Firehose retries it.
pub async fn handle(
    event: KinesisFirehoseEvent,
    invocation: &Invocation,
    sink: &impl ObjectSink,
) -> Result<KinesisFirehoseResponse, lambda_runtime::Error> {
    let batch_size = event.records.len();
    let mut response = KinesisFirehoseResponse::default();
    let mut errors = Vec::new();
    for record in event.records {
        let record_id = record.record_id.unwrap_or_default();
        let incoming = Incoming {
            record_id: record_id.clone(),
            payload: record.data.to_vec(),
            attempt: 1,
            // Firehose promises no order to its processor.
            position: None,
        };
        let mut out = KinesisFirehoseResponseRecord::default();
        out.record_id = Some(record_id);
        match batch::prepare(Service::Firehose, &incoming, batch_size, invocation) {
            Prepared::Result(result) => {
                let mut line = Vec::new();
                push_line(&mut line, &result);
                out.result = Some("Ok".to_owned());
                out.data = base64_data(line);
            }
            Prepared::Rejected(error) => {
                push_line(&mut errors, &error);
                out.result = Some("ProcessingFailed".to_owned());
                out.data = base64_data(incoming.payload);
            }
        }
        response.records.push(out);
    }
    if !errors.is_empty() {
        sink.put(&errors_key(Service::Firehose, invocation), errors).await?;
    }
    Ok(response)
}

fn base64_data(bytes: Vec<u8>) -> Base64Data {
    let mut data = Base64Data::default();
    *data = bytes;
    data
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;
    use crate::batch::tests::{MemorySink, event_json, invocation};

    fn delivery_batch(payloads: &[Vec<u8>]) -> KinesisFirehoseEvent {
        let records: Vec<serde_json::Value> = payloads
            .iter()
            .enumerate()
            .map(|(i, payload)| {
                serde_json::json!({
                    "recordId": format!("record-{i}"),
                    "approximateArrivalTimestamp": 1_795_428_930_123_i64,
                    "data": base64::engine::general_purpose::STANDARD.encode(payload)
                })
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "invocationId": "invocation-1",
            "deliveryStreamArn": "arn:aws:firehose:us-east-1:000000000000:deliverystream/eventlab-events",
            "region": "us-east-1",
            "records": records
        }))
        .unwrap()
    }

    fn firehose_event(run: &str, seq: u32) -> Vec<u8> {
        let mut event: serde_json::Value = serde_json::from_slice(&event_json(run, seq)).unwrap();
        event["service"] = "firehose".into();
        let mut bytes = serde_json::to_vec(&event).unwrap();
        bytes.push(b'\n');
        bytes
    }

    #[tokio::test]
    async fn returns_transformed_json_lines_and_fails_only_the_malformed_record() {
        let sink = MemorySink::default();
        let batch = delivery_batch(&[
            firehose_event("run-f", 0),
            b"{broken".to_vec(),
            firehose_event("run-f", 1),
        ]);
        let response = handle(batch, &invocation(), &sink).await.unwrap();

        let results: Vec<&str> = response.records.iter().map(|r| r.result.as_deref().unwrap()).collect();
        assert_eq!(results, ["Ok", "ProcessingFailed", "Ok"]);
        let line: serde_json::Value = serde_json::from_slice(&response.records[2].data).unwrap();
        assert_eq!(line["event"]["seq"], 1);
        assert_eq!(line["batch_size"], 3);
        assert_eq!(response.records[2].data.last(), Some(&b'\n'), "newline-terminated");
        assert_eq!(
            response.records[1].data.as_slice(),
            b"{broken",
            "a failed record keeps its original data"
        );

        assert_eq!(sink.lines("errors/firehose/")[0]["record_id"], "record-1");
        assert!(
            sink.lines("results/").is_empty(),
            "Firehose, not the processor, writes results"
        );

        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(json["records"][0]["recordId"], "record-0");
        assert_eq!(json["records"][0]["result"], "Ok");
    }

    #[tokio::test]
    async fn a_failed_error_write_fails_the_invocation_so_nothing_is_lost() {
        let sink = MemorySink {
            fail_prefix: Some("errors/"),
            ..MemorySink::default()
        };
        let batch = delivery_batch(&[b"nope".to_vec()]);
        assert!(handle(batch, &invocation(), &sink).await.is_err());
    }
}
