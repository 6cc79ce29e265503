//! Which Lambda durations, memory and log bytes the model prices with: the stated
//! assumption, or what a run measured per lane from its functions' REPORT lines and log
//! groups (`model --profile-from <report>/summary.json`), each figure keeping its origin.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use eventlab_schema::Service;

use crate::cost::{FunctionProfile, LambdaProfile, Origin};

/// The Lambda side of every row.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Lambdas {
    /// 25 ms per transformer and 40 ms per generator invocation, 128 MB, 700 B of logs.
    #[default]
    Assumed,
    /// Measured per lane by the run at `from`; a lane it did not run stays assumed.
    Measured {
        from: String,
        lanes: BTreeMap<Service, LambdaProfile>,
    },
}

impl Lambdas {
    /// The profile `service`'s row is priced with.
    pub fn for_service(&self, service: Service) -> LambdaProfile {
        match self {
            Self::Assumed => LambdaProfile::assumed(),
            Self::Measured { lanes, .. } => lanes.get(&service).copied().unwrap_or_else(LambdaProfile::assumed),
        }
    }

    /// What the rows were priced with, in words, for under the model's table.
    pub fn describe(&self) -> String {
        match self {
            Self::Assumed => {
                "Lambda: assumed 25 ms billed per transformer invocation and 40 ms per generator invocation, \
                 128 MB, arm64, 700 B of logs each (400 B of API access log per request); run `model --profile-from \
                 <report>/summary.json` to price with a run's measured figures instead."
                    .to_owned()
            }
            Self::Measured { from, lanes } => {
                let mut text = format!("Lambda: per lane, from the REPORT lines and log groups of {from}:");
                let function = |f: &FunctionProfile| {
                    format!(
                        "{:.1} ms billed, {:.0} MB, {:.0} B of logs ({})",
                        f.billed_ms, f.memory_mb, f.log_bytes, f.origin
                    )
                };
                for (service, profile) in lanes {
                    let _ = write!(
                        text,
                        "\n  {service}: transformer {}; generator {}",
                        function(&profile.transformer),
                        function(&profile.generator)
                    );
                }
                if lanes.values().any(|p| p.transformer.origin == Origin::MeasuredLocal) {
                    text.push_str(
                        "\n  Measured on the local emulator: host x86_64 dev-profile builds, which overstate arm64 release builds on AWS.",
                    );
                }
                text
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(billed_ms: f64, origin: Origin) -> LambdaProfile {
        let mut profile = LambdaProfile::assumed();
        profile.transformer = FunctionProfile {
            billed_ms,
            init_ms: 0.0,
            memory_mb: 256.0,
            log_bytes: 300.0,
            origin,
        };
        profile
    }

    #[test]
    fn a_lane_the_run_measured_uses_its_figures_and_the_others_stay_assumed() {
        let lambdas = Lambdas::Measured {
            from: "bench-x".into(),
            lanes: BTreeMap::from([(Service::Sqs, measured(3.0, Origin::MeasuredLocal))]),
        };
        assert!((lambdas.for_service(Service::Sqs).transformer.billed_ms - 3.0).abs() < 1e-9);
        assert_eq!(lambdas.for_service(Service::Kinesis), LambdaProfile::assumed());
        let words = lambdas.describe();
        assert!(
            words.contains("sqs: transformer 3.0 ms billed, 256 MB, 300 B of logs (measured on the local emulator)"),
            "{words}"
        );
        assert!(words.contains("overstate arm64 release builds"));
        assert!(Lambdas::Assumed.describe().starts_with("Lambda: assumed 25 ms"));
    }

    #[test]
    fn an_aws_run_says_so_and_no_emulator_caveat() {
        let lambdas = Lambdas::Measured {
            from: "bench-y".into(),
            lanes: BTreeMap::from([(Service::Kinesis, measured(12.0, Origin::MeasuredAws))]),
        };
        let words = lambdas.describe();
        assert!(
            words.contains("(measured on AWS)") && !words.contains("emulator"),
            "{words}"
        );
    }
}
