//! The batching controller's rule, pure: a lane's live signals and its current batch size
//! and window in, the next settings and the reason out. `eventlab-bench tune` reads the
//! signals and applies what this decides; nothing here talks to AWS.
//!
//! The rule holds delivery latency under a target at the least cost per event: batching
//! cuts invocations (cost), and every second of window or unfilled batch adds wait. Over
//! the target it shrinks the window first, then the batch; well under it (below half the
//! target: the band between is hysteresis, where it holds) it grows the batch when batches
//! fill — seen in the batches, or in the arrivals, which fill a batch within the window —
//! or the window when they do not, never past a wait of half the target. A growing
//! backlog grows the batch (more events per invocation drains faster). Steps are bounded
//! (×2 or ÷2), and a setting the service would reject is never returned.

use chrono::{DateTime, Utc};
use eventlab_schema::Service;
use serde::{Deserialize, Serialize};

/// One decision as `tune` logs it (a JSON line each): when, for which lane, on what
/// signals, from which settings to which, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub at: DateTime<Utc>,
    pub lane: Service,
    pub target_p99_ms: f64,
    pub signals: Signals,
    pub from: Knobs,
    pub to: Knobs,
    pub changed: bool,
    pub reason: String,
}

/// What an event source mapping can be set to, per lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounds {
    pub max_batch: u32,
    pub max_window_s: u32,
    /// A batch above this needs a window of at least 1 s (SQS standard: 10).
    pub window_needed_above: Option<u32>,
}

/// The lanes whose consumer has batching knobs, and theirs.
pub fn bounds(service: Service) -> Option<Bounds> {
    match service {
        Service::Sqs => Some(Bounds {
            max_batch: 10_000,
            max_window_s: 300,
            window_needed_above: Some(10),
        }),
        // FIFO queues take no batching window, and 10 messages a batch at most.
        Service::SqsFifo => Some(Bounds {
            max_batch: 10,
            max_window_s: 0,
            window_needed_above: None,
        }),
        Service::Kinesis | Service::DynamoDb => Some(Bounds {
            max_batch: 10_000,
            max_window_s: 300,
            window_needed_above: None,
        }),
        Service::EventBridge | Service::Sns | Service::Firehose => None,
    }
}

/// A mapping's batching settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Knobs {
    pub batch: u32,
    pub window_s: u32,
}

impl Knobs {
    /// The nearest settings the service accepts.
    #[must_use]
    pub fn within(self, bounds: Bounds) -> Self {
        let batch = self.batch.clamp(1, bounds.max_batch);
        let mut window_s = self.window_s.min(bounds.max_window_s);
        if bounds.window_needed_above.is_some_and(|limit| batch > limit) {
            window_s = window_s.max(1);
        }
        Self { batch, window_s }
    }
}

/// What the controller sees of a lane over the last interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// Delivery latency p99 (event time to the consumer's receipt), ms; `None` when nothing landed.
    pub p99_ms: Option<f64>,
    /// Events that landed per second.
    pub events_per_s: f64,
    /// Mean events per invocation.
    pub mean_batch: Option<f64>,
    /// Messages waiting in the source (a queue's depth), where the service says.
    pub backlog: Option<u64>,
}

/// One decision: the settings to apply, whether they differ, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub knobs: Knobs,
    pub changed: bool,
    pub reason: String,
}

/// The next settings for a lane at `current`, holding p99 under `target_ms`.
pub fn decide(current: Knobs, signals: &Signals, target_ms: f64, bounds: Bounds) -> Decision {
    let current = current.within(bounds);
    let hold = |reason: String| Decision {
        knobs: current,
        changed: false,
        reason,
    };
    let Some(p99) = signals.p99_ms else {
        return hold("nothing landed: hold".to_owned());
    };
    let next = if p99 > target_ms {
        if current.window_s > 0 {
            (
                Knobs {
                    window_s: current.window_s / 2,
                    ..current
                },
                format!("p99 {p99:.0} ms over the {target_ms:.0} ms target: halve the window"),
            )
        } else {
            (
                Knobs {
                    batch: (current.batch / 2).max(1),
                    ..current
                },
                format!("p99 {p99:.0} ms over the {target_ms:.0} ms target, no window left: halve the batch"),
            )
        }
    } else if let Some(backlog) = signals.backlog.filter(|b| {
        #[allow(clippy::cast_precision_loss)] // a queue's depth is far below 2^52
        let waiting = *b as f64;
        waiting > signals.events_per_s.max(1.0) * target_ms / 1000.0
    }) {
        (
            Knobs {
                batch: current.batch.saturating_mul(2),
                ..current
            },
            format!("{backlog} waiting, more than a target's worth of arrivals: double the batch to drain"),
        )
    } else if p99 < target_ms / 2.0 {
        let full = 0.8 * f64::from(current.batch);
        let filling = signals.mean_batch.is_some_and(|m| m >= full);
        // The arrivals of one window: a batch they would fill closes early, before the
        // window does. Read from the landings, not the batches, so it holds where batches
        // do not show it (the emulator ignores the window and hands over each poll's).
        let arriving = signals.events_per_s * f64::from(current.window_s);
        let wait_room_s = target_ms / 2.0 / 1000.0;
        if filling {
            (
                Knobs {
                    batch: current.batch.saturating_mul(2),
                    ..current
                },
                format!("p99 {p99:.0} ms under half the target and batches fill: double the batch"),
            )
        } else if arriving >= full {
            (
                Knobs {
                    batch: current.batch.saturating_mul(2),
                    ..current
                },
                format!(
                    "p99 {p99:.0} ms under half the target and {:.0} events/s fill a batch of {} within the {} s window: double the batch",
                    signals.events_per_s, current.batch, current.window_s
                ),
            )
        } else if f64::from((current.window_s * 2).max(1)) <= wait_room_s {
            (
                Knobs {
                    window_s: (current.window_s * 2).max(1),
                    ..current
                },
                format!("p99 {p99:.0} ms under half the target, batches not filling: lengthen the window"),
            )
        } else {
            return hold(format!(
                "p99 {p99:.0} ms under half the target, but a longer window would wait past half of it: hold"
            ));
        }
    } else {
        return hold(format!(
            "p99 {p99:.0} ms within the band ({:.0}–{target_ms:.0} ms): hold",
            target_ms / 2.0
        ));
    };
    let (knobs, reason) = next;
    let knobs = knobs.within(bounds);
    if knobs == current {
        hold(format!("{reason}, but the service's limits allow no change: hold"))
    } else {
        Decision {
            knobs,
            changed: true,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQS: Bounds = Bounds {
        max_batch: 10_000,
        max_window_s: 300,
        window_needed_above: Some(10),
    };

    fn signals(p99_ms: f64, mean_batch: f64) -> Signals {
        Signals {
            p99_ms: Some(p99_ms),
            events_per_s: 50.0,
            mean_batch: Some(mean_batch),
            backlog: Some(0),
        }
    }

    #[test]
    fn over_the_target_it_shrinks_the_window_first_then_the_batch() {
        let d = decide(
            Knobs {
                batch: 100,
                window_s: 4,
            },
            &signals(3000.0, 100.0),
            2000.0,
            SQS,
        );
        assert_eq!(
            (d.knobs, d.changed),
            (
                Knobs {
                    batch: 100,
                    window_s: 2
                },
                true
            ),
            "{}",
            d.reason
        );
        let d = decide(Knobs { batch: 8, window_s: 0 }, &signals(3000.0, 8.0), 2000.0, SQS);
        assert_eq!(d.knobs, Knobs { batch: 4, window_s: 0 }, "{}", d.reason);
    }

    #[test]
    fn an_sqs_batch_over_ten_keeps_a_window_of_a_second() {
        // Halving the window of a batch of 100 from 1 s would be 0 s: SQS rejects that.
        let d = decide(
            Knobs {
                batch: 100,
                window_s: 1,
            },
            &signals(3000.0, 100.0),
            2000.0,
            SQS,
        );
        assert_eq!(d.knobs.window_s, 1);
        assert!(
            !d.changed && d.reason.ends_with("allow no change: hold"),
            "{}",
            d.reason
        );
        let grown = decide(Knobs { batch: 10, window_s: 0 }, &signals(100.0, 10.0), 2000.0, SQS);
        assert_eq!(grown.knobs, Knobs { batch: 20, window_s: 1 }, "{}", grown.reason);
    }

    #[test]
    fn in_the_band_it_holds_so_it_does_not_oscillate() {
        let d = decide(Knobs { batch: 10, window_s: 1 }, &signals(1500.0, 10.0), 2000.0, SQS);
        assert!(!d.changed && d.reason.contains("within the band"), "{}", d.reason);
    }

    #[test]
    fn well_under_the_target_it_batches_more_within_half_the_target() {
        // Batches not filling at 2 events/s: a longer window, while it waits less than half
        // the target.
        let quiet = |p99: f64, mean: f64| Signals {
            events_per_s: 2.0,
            ..signals(p99, mean)
        };
        let d = decide(Knobs { batch: 10, window_s: 0 }, &quiet(200.0, 3.0), 4000.0, SQS);
        assert_eq!(d.knobs, Knobs { batch: 10, window_s: 1 }, "{}", d.reason);
        let d = decide(Knobs { batch: 10, window_s: 1 }, &quiet(200.0, 3.0), 4000.0, SQS);
        assert_eq!(d.knobs.window_s, 2);
        let d = decide(Knobs { batch: 10, window_s: 2 }, &quiet(200.0, 3.0), 4000.0, SQS);
        assert!(
            !d.changed && d.reason.contains("past half"),
            "4 s of window would pass 2 s: {}",
            d.reason
        );
    }

    #[test]
    fn rising_load_grows_the_batch_even_where_batches_do_not_show_it() {
        // 40 events/s and a 1 s window fill a batch of 10 four times over; the batches seen
        // (1.4, as the emulator hands them over) do not say so, the arrivals do.
        let busy = Signals {
            events_per_s: 40.0,
            ..signals(100.0, 1.4)
        };
        let d = decide(Knobs { batch: 10, window_s: 1 }, &busy, 2000.0, SQS);
        assert_eq!(d.knobs, Knobs { batch: 20, window_s: 1 }, "{}", d.reason);
        assert!(d.reason.contains("40 events/s fill a batch of 10"), "{}", d.reason);
    }

    /// A steady load on a queue whose batches close as AWS closes them: when full or when
    /// the window ends, whichever comes first (a poll's 50 ms with no window); p99 that
    /// wait plus 100 ms.
    fn steady(rate: f64, knobs: Knobs) -> Signals {
        let window = f64::from(knobs.window_s);
        let wait = window.min(f64::from(knobs.batch) / rate);
        Signals {
            p99_ms: Some(100.0 + 1000.0 * wait),
            events_per_s: rate,
            mean_batch: Some((rate * window.max(0.05)).clamp(1.0, f64::from(knobs.batch))),
            backlog: Some(0),
        }
    }

    #[test]
    fn a_steady_load_settles_and_stays_settled() {
        for rate in [0.5, 2.0, 40.0, 400.0] {
            let mut knobs = Knobs { batch: 10, window_s: 0 };
            let mut seen = Vec::new();
            for _ in 0..30 {
                let d = decide(knobs, &steady(rate, knobs), 2000.0, SQS);
                knobs = d.knobs;
                seen.push(knobs);
            }
            let last = &seen[20..];
            assert!(
                last.iter().all(|k| *k == knobs),
                "{rate}/s: still changing after 20 decisions: {seen:?}"
            );
            assert!(
                knobs.window_s <= 1,
                "{rate}/s: the wait stays under half the target: {knobs:?}"
            );
            assert!(
                f64::from(knobs.batch) >= 0.8 * rate * f64::from(knobs.window_s),
                "{rate}/s: the batch grew to what a window of the load brings: {knobs:?}"
            );
        }
    }

    #[test]
    fn a_fifo_queue_never_gets_a_window_nor_more_than_ten() {
        let fifo = bounds(Service::SqsFifo).unwrap();
        let d = decide(Knobs { batch: 10, window_s: 0 }, &signals(10.0, 10.0), 2000.0, fifo);
        assert_eq!(d.knobs, Knobs { batch: 10, window_s: 0 });
        assert!(!d.changed);
        let d = decide(Knobs { batch: 10, window_s: 0 }, &signals(10.0, 2.0), 2000.0, fifo);
        assert_eq!(d.knobs.window_s, 0, "{}", d.reason);
    }

    #[test]
    fn a_backlog_doubles_the_batch_and_nothing_landed_holds() {
        let busy = Signals {
            backlog: Some(500),
            ..signals(1500.0, 10.0)
        };
        let d = decide(
            Knobs { batch: 10, window_s: 1 },
            &busy,
            2000.0,
            bounds(Service::Kinesis).unwrap(),
        );
        assert_eq!(d.knobs.batch, 20, "{}", d.reason);
        let quiet = Signals {
            p99_ms: None,
            ..signals(0.0, 0.0)
        };
        assert!(!decide(Knobs { batch: 10, window_s: 1 }, &quiet, 2000.0, SQS).changed);
    }

    #[test]
    fn only_lanes_with_batching_knobs_are_tuned() {
        assert!(bounds(Service::EventBridge).is_none() && bounds(Service::Sns).is_none());
        assert!(
            bounds(Service::Firehose).is_none(),
            "Firehose buffering is not an event source mapping"
        );
        assert_eq!(bounds(Service::SqsFifo).unwrap().max_batch, 10);
    }
}
