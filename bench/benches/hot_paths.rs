//! In-process hot paths: what each event costs in CPU before any network is involved.
//! `make criterion` runs these; `cargo test --all-targets` runs each once as a check.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use eventlab_measure::stats::Latency;
use eventlab_publish::events::{build_events, lanes};
use eventlab_schema::{FactSource, LabEvent, RunId, Service};
use eventlab_transformers::batch::{Incoming, prepare, transform};

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

/// The generator's work per request before any network: build the events, serialise each
/// once per lane and plan the lane's requests by the service's limits.
fn generator_request(c: &mut Criterion) {
    let run_id: RunId = "criterion".parse().expect("a valid run id");
    let fact = "Octopuses have three hearts, and two of them stop beating when they swim.";
    let mut group = c.benchmark_group("generator/build_serialise_plan");
    for count in [1_u32, 10, 500] {
        group.throughput(Throughput::Elements(u64::from(count)));
        for service in Service::ALL {
            group.bench_with_input(BenchmarkId::new(service.as_str(), count), &count, |b, &count| {
                b.iter(|| {
                    let mut events = build_events(service, count, &run_id, fact, FactSource::Fallback, "bench");
                    lanes(&[service], black_box(&mut events)).expect("the events fit")
                });
            });
        }
    }
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

criterion_group!(hot_paths, serialisation, transformation, generator_request, percentiles);
criterion_main!(hot_paths);
