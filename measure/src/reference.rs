//! Published AWS figures and documented behaviours (`measure/reference/aws.json`), shown
//! beside the lab's own figures so a learner sees both, each labelled with its origin.

use serde::{Deserialize, Serialize};

/// A published latency measurement of one service path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyFigure {
    /// The lane name it compares with (`sqs`, `kinesis`, …); some name lanes to come.
    pub service: String,
    pub what: String,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    /// When, where and how much was measured.
    pub measured: String,
    pub source: String,
    pub author: String,
}

/// A documented behaviour that explains a figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Behaviour {
    pub service: String,
    pub what: String,
    pub source: String,
    pub read_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct References {
    pub note: String,
    pub latency: Vec<LatencyFigure>,
    pub behaviours: Vec<Behaviour>,
}

impl References {
    /// The bundled file.
    pub fn bundled() -> Self {
        serde_json::from_str(include_str!("../reference/aws.json")).expect("the bundled reference file parses")
    }

    pub fn latency_for(&self, service: &str) -> impl Iterator<Item = &LatencyFigure> {
        self.latency.iter().filter(move |f| f.service == service)
    }

    pub fn behaviours_for(&self, service: &str) -> impl Iterator<Item = &Behaviour> {
        self.behaviours.iter().filter(move |b| b.service == service)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventlab_schema::Service;

    #[test]
    fn every_figure_has_a_source_and_every_lane_something_to_compare_with() {
        let refs = References::bundled();
        for figure in &refs.latency {
            assert!(figure.source.starts_with("https://"), "{figure:?}");
            assert!(!figure.measured.is_empty() && !figure.author.is_empty());
            assert!(
                figure.p50_ms <= figure.p90_ms && figure.p90_ms <= figure.p99_ms,
                "{figure:?}"
            );
        }
        for behaviour in &refs.behaviours {
            assert!(behaviour.source.starts_with("https://"), "{behaviour:?}");
            assert_eq!(behaviour.read_on.len(), 10);
        }
        for service in Service::ALL {
            let name = service.as_str();
            assert!(
                refs.latency_for(name).next().is_some() || refs.behaviours_for(name).next().is_some(),
                "{name} has no reference"
            );
        }
        let sqs = refs.latency_for("sqs").next().unwrap();
        assert!((sqs.p50_ms - 16.2).abs() < 1e-9 && (sqs.p99_ms - 105.0).abs() < 1e-9);
    }
}
