//! In-process hot paths: what each event costs in CPU before any network is involved.
//! `make criterion` runs these; `cargo test --all-targets` runs each once as a check.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use eventlab_bench::stats::Latency;
use eventlab_generator::handler::build_events;
use eventlab_generator::publish::{check, eventbridge, firehose, kinesis, sqs};
use eventlab_schema::{FactSource, LabEvent, RunId, Service};
use eventlab_transformers::batch::{Incoming, prepare};
use eventlab_transformers::transform::transform;

fn events(count: u32) -> Vec<LabEvent> {
    let run_id: RunId = "criterion".parse().expect("a valid run id");
    let fact = "Octopuses have three hearts, and two of them stop beating when they swim.";
    build_events(Service::Sqs, count, &run_id, fact, FactSource::Fallback, "bench")
}

fn serialisation(c: &mut Criterion) {
    let event = events(1).remove(0);
    let json = event.to_json();
    c.bench_function("event/serialise", |b| b.iter(|| black_box(&event).to_json()));
    c.bench_function("event/parse", |b| {
        b.iter(|| LabEvent::from_json(black_box(json.as_bytes())));
    });
}

fn transformation(c: &mut Criterion) {
    let event = events(1).remove(0);
    let invocation = eventlab_transformers::Invocation {
        request_id: "criterion".into(),
        function_name: "transform-sqs".into(),
        received_at: chrono::Utc::now(),
        cold_start: false,
    };
    let record = Incoming {
        record_id: "1".into(),
        payload: event.to_json().into_bytes(),
        attempt: 1,
        position: None,
    };
    c.bench_function("transform/event", |b| b.iter(|| transform(black_box(&event))));
    c.bench_function("transform/parse_and_transform_record", |b| {
        b.iter(|| prepare(Service::Sqs, black_box(&record), 10, &invocation));
    });
}

fn chunking(c: &mut Criterion) {
    let batch = events(500);
    let mut group = c.benchmark_group("chunk/500_events");
    group.bench_function(BenchmarkId::from_parameter("eventbridge"), |b| {
        b.iter(|| check::<eventbridge::EventBridgePublisher>(black_box(&batch)));
    });
    group.bench_function(BenchmarkId::from_parameter("sqs"), |b| {
        b.iter(|| check::<sqs::SqsPublisher>(black_box(&batch)));
    });
    group.bench_function(BenchmarkId::from_parameter("kinesis"), |b| {
        b.iter(|| check::<kinesis::KinesisPublisher>(black_box(&batch)));
    });
    group.bench_function(BenchmarkId::from_parameter("firehose"), |b| {
        b.iter(|| check::<firehose::FirehosePublisher>(black_box(&batch)));
    });
    group.finish();
}

fn percentiles(c: &mut Criterion) {
    let samples: Vec<f64> = (0..10_000)
        .map(|i| f64::from(i % 997) * 1.37 + f64::from(i).sqrt())
        .collect();
    c.bench_function("stats/latency_of_10k_samples", |b| {
        b.iter(|| Latency::of(black_box(&samples)));
    });
}

criterion_group!(hot_paths, serialisation, transformation, chunking, percentiles);
criterion_main!(hot_paths);
