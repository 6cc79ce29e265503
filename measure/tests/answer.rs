//! The answer block, computed from a real local run (`fixtures/summary-local.json`: 100
//! events per lane at 50 events/s through the API on MiniStack 1.5.33, 2026-11-28).

use eventlab_measure::answer::{Answer, LaneAnswer, answer};
use eventlab_measure::reference::References;
use eventlab_measure::summary::{Environment, Summary};
use eventlab_schema::Service;

fn local() -> Summary {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/summary-local.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn lane(answer: &Answer, service: Service) -> &LaneAnswer {
    answer.lanes.iter().find(|l| l.service == service).unwrap()
}

#[test]
fn pareto_best_lanes_are_those_nothing_beats_on_both_aws_cost_and_aws_latency() {
    let answer = answer(&local(), &References::bundled());
    let best: Vec<Service> = answer
        .lanes
        .iter()
        .filter(|l| l.pareto_best)
        .map(|l| l.service)
        .collect();
    // Modelled $/1M and published p50: sqs 2.78 / 16.2 (fastest), dynamodb 1.26 / 213,
    // kinesis 0.40 / 627 (cheapest with a latency figure); sqs-fifo 2.87 / 28.1 loses to sqs.
    assert_eq!(best, [Service::Sqs, Service::Kinesis, Service::DynamoDb]);
    let firehose = lane(&answer, Service::Firehose);
    assert!(
        firehose.aws_ms.is_none() && !firehose.pareto_best,
        "no published latency: not judged"
    );
}

#[test]
fn each_lane_row_carries_the_figures_a_choice_turns_on() {
    let answer = answer(&local(), &References::bundled());
    assert_eq!(answer.lanes.len(), 7);
    let kinesis = lane(&answer, Service::Kinesis);
    assert_eq!((kinesis.order_promised, kinesis.order_broken), ("per shard", Some(0)));
    assert!((kinesis.invocations_per_event - 0.1).abs() < 1e-9);
    assert_eq!(kinesis.aws_ms.as_ref().map(|a| (a.0, a.1)), Some((627.0, 1580.0)));
    let eventbridge = lane(&answer, Service::EventBridge);
    assert_eq!((eventbridge.order_promised, eventbridge.order_broken), ("none", None));
    assert!(eventbridge.usd_here > 0.0 && eventbridge.usd_aws.is_some());
}

#[test]
fn findings_are_written_from_the_run_and_say_where_each_figure_comes_from() {
    let answer = answer(&local(), &References::bundled());
    let f = &answer.findings;
    assert!((3..=6).contains(&f.len()), "{f:#?}");
    assert!(
        f[0].contains("each of its 100 events exactly once (measured here, on the local emulator)"),
        "{}",
        f[0]
    );
    assert!(
        f.iter()
            .any(|s| s.starts_with("Batching (measured here") && s.contains("kinesis batched most, 10.0 events"))
    );
    assert!(
        f.iter().any(|s| s.contains("firehose (the emulator does not buffer)")),
        "the emulator's one-record Firehose batches are named as the emulator's: {f:#?}"
    );
    let cost = f
        .iter()
        .find(|s| s.starts_with("Cost (modelled for AWS at 50 events/s)"))
        .unwrap();
    assert!(
        cost.contains("firehose is cheapest at $0.39") && cost.contains("eventbridge dearest at $6.76"),
        "{cost}"
    );
    assert!(cost.contains("sqs, kinesis and dynamodb are Pareto-best"), "{cost}");
    assert!(
        f.iter().any(|s| s.starts_with("Batch wait (modelled")
            && s.contains("firehose 2.5 s, kinesis 500 ms and dynamodb 125 ms"))
    );
    assert!(f.iter().any(|s| s.contains("eventbridge 57 of 100")), "{f:#?}");
    let latency = f.iter().find(|s| s.starts_with("Latency")).unwrap();
    assert!(
        latency.contains("say nothing about AWS's") && latency.contains("16.2 ms (sqs)"),
        "{latency}"
    );
}

#[test]
fn a_lost_event_and_a_broken_promise_are_named() {
    let mut summary = local();
    let sqs = summary.lanes.iter_mut().find(|l| l.service == Service::Sqs).unwrap();
    sqs.delivery.lost = 2;
    sqs.delivery.delivered -= 2;
    let kinesis = summary
        .lanes
        .iter_mut()
        .find(|l| l.service == Service::Kinesis)
        .unwrap();
    kinesis.order.against_service = Some(3);
    let f = answer(&summary, &References::bundled()).findings;
    assert!(f[0].contains("sqs lost 2 and duplicated 0 of 100"), "{}", f[0]);
    assert!(f.iter().any(|s| s.contains("kinesis broke it 3 times")), "{f:#?}");
}

#[test]
fn an_aws_run_never_mentions_the_emulator() {
    let mut summary = local();
    summary.environment = Environment::Aws;
    let f = answer(&summary, &References::bundled()).findings;
    assert!(f.iter().all(|s| !s.contains("emulator")), "{f:#?}");
    assert!(f[0].contains("(measured on AWS)"));
}
