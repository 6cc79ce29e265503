//! Prices, from one data file: each with its unit, source and the date it was read.

use serde::{Deserialize, Serialize};

/// One list price.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Price {
    pub value: f64,
    pub unit: String,
    pub source: String,
    pub read_on: String,
    /// Quoted from a price list and worth checking against the live page.
    #[serde(default)]
    pub confirm: bool,
}

/// Every price the cost model uses; a missing one fails to parse (and a test).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Prices {
    pub lambda_requests_per_million: Price,
    pub lambda_gb_second_arm64: Price,
    pub lambda_gb_second_x86_64: Price,
    pub eventbridge_events_per_million: Price,
    pub sqs_requests_per_million: Price,
    pub kinesis_shard_hour: Price,
    pub kinesis_put_units_per_million: Price,
    pub firehose_ingestion_per_gb: Price,
    pub s3_put_per_thousand: Price,
    pub s3_get_per_thousand: Price,
    pub s3_storage_per_gb_month: Price,
    pub cloudwatch_logs_ingestion_per_gb: Price,
    pub kms_requests_per_ten_thousand: Price,
    pub sns_requests_per_million: Price,
    pub sns_lambda_deliveries_per_million: Price,
    pub sqs_fifo_requests_per_million: Price,
    pub dynamodb_write_request_units_per_million: Price,
    pub dynamodb_storage_per_gb_month: Price,
    pub dynamodb_stream_reads_by_lambda_per_million: Price,
    pub http_api_requests_per_million: Price,
    pub pubsub_per_tib: Price,
    pub msk_serverless_cluster_hour: Price,
    pub msk_serverless_partition_hour: Price,
    pub msk_serverless_per_gb_in: Price,
    pub msk_serverless_per_gb_out: Price,
}

/// Monthly allowances of AWS's always-free tier (per account, not per workload).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FreeTier {
    pub lambda_requests: f64,
    pub lambda_gb_seconds: f64,
    pub sqs_requests: f64,
    pub cloudwatch_logs_gb: f64,
    pub kms_requests: f64,
    pub sns_requests: f64,
    pub dynamodb_storage_gb_months: f64,
    pub source: String,
    pub read_on: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PriceBook {
    pub region: String,
    pub currency: String,
    pub note: String,
    pub prices: Prices,
    pub free_tier: FreeTier,
}

impl PriceBook {
    /// The bundled us-east-1 prices (`measure/pricing/us-east-1.json`).
    pub fn us_east_1() -> Self {
        serde_json::from_str(include_str!("../pricing/us-east-1.json")).expect("the bundled price file parses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_prices_parse_and_each_has_a_source_and_date() {
        let book = PriceBook::us_east_1();
        assert_eq!(book.region, "us-east-1");
        let all = serde_json::to_value(&book.prices).unwrap();
        // What AWS does not charge for is listed at zero, so the bill can show it as such.
        let free_of_charge = [
            "sns_lambda_deliveries_per_million",
            "dynamodb_stream_reads_by_lambda_per_million",
        ];
        for (name, price) in all.as_object().unwrap() {
            let value = price["value"].as_f64().unwrap();
            if free_of_charge.contains(&name.as_str()) {
                assert!(
                    value == 0.0 && price["unit"].as_str().unwrap().contains("no charge"),
                    "{name}"
                );
            } else {
                assert!(value > 0.0, "{name}");
            }
            assert!(price["source"].as_str().unwrap().starts_with("https://"), "{name}");
            assert_eq!(
                price["read_on"].as_str().unwrap().len(),
                10,
                "{name}: a YYYY-MM-DD date"
            );
        }
        assert!(book.free_tier.source.starts_with("https://"));
        assert!(book.free_tier.lambda_requests > 0.0);
    }
}
