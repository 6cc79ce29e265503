//! The watch in a terminal (`watch --tui`): the page's counters as a table, one line per
//! lane, redrawn each poll; every line fits 84 columns.

use std::fmt::Write as _;

use super::board::{InFlightBasis, Snapshot};

const SPARK: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Seconds of landed-per-second history drawn per lane.
const SPARK_SECONDS: usize = 60;

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.0}"))
}

/// One character per second, scaled to the lane's busiest second.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]
pub fn sparkline(values: &[u64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if v == 0 {
                ' '
            } else {
                SPARK[((v as f64 / max as f64) * (SPARK.len() - 1) as f64).round() as usize]
            }
        })
        .collect()
}

/// The whole screen for one snapshot.
pub fn render(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "eventlab watch · {} · since {}\nresults: s3://{}",
        snapshot.platform,
        snapshot.started_at.format("%H:%M:%S"),
        snapshot.bucket
    );
    let _ = writeln!(
        out,
        "\n{:<12}{:>10}{:>10}{:>8}{:>5}{:>5}{:>5}{:>7}{:>6}{:>7}{:>7}",
        "lane", "published", "in flight", "landed", "rej", "dead", "dup", "invoc", "batch", "p50 ms", "p99 ms"
    );
    for lane in &snapshot.lanes {
        let in_flight = match lane.in_flight_basis {
            InFlightBasis::Queue => format!("≈{}", lane.in_flight),
            InFlightBasis::Derived => lane.in_flight.to_string(),
        };
        let _ = writeln!(
            out,
            "{:<12}{:>10}{:>10}{:>8}{:>5}{:>5}{:>5}{:>7}{:>6}{:>7}{:>7}",
            lane.service.as_str(),
            lane.published,
            in_flight,
            lane.landed,
            lane.rejected + lane.unreadable,
            lane.dead_lettered.map_or_else(|| "n/a".to_owned(), |n| n.to_string()),
            lane.duplicates,
            lane.invocations,
            lane.mean_batch.map_or_else(|| "–".to_owned(), |b| format!("{b:.1}")),
            ms(lane.e2e_p50_ms),
            ms(lane.e2e_p99_ms),
        );
    }
    for lane in snapshot.lanes.iter().filter(|l| l.broken_by.is_some()) {
        let _ = writeln!(
            out,
            "{:<12}consumer broken by {}",
            lane.service.as_str(),
            lane.broken_by.as_deref().unwrap_or_default()
        );
    }
    let batching: Vec<_> = snapshot
        .lanes
        .iter()
        .filter_map(|l| l.batching.as_ref().map(|b| (l.service, b)))
        .collect();
    if !batching.is_empty() {
        let _ = writeln!(out, "\nbatching now, read from the event source mappings");
        for (service, now) in batching {
            let _ = writeln!(
                out,
                "  {:<12}batch {} · window {} s",
                service.as_str(),
                now.batch,
                now.window_s
            );
            if let Some(decision) = &now.decision {
                let indent = " ".repeat(14);
                let options = textwrap::Options::new(84)
                    .initial_indent(&indent)
                    .subsequent_indent(&indent);
                let _ = writeln!(out, "{}", textwrap::fill(&format!("tune: {decision}"), options));
            }
        }
    }
    let _ = writeln!(out, "\nlanded per second, last {SPARK_SECONDS} s");
    for lane in &snapshot.lanes {
        let recent = &lane.landed_per_second[lane.landed_per_second.len().saturating_sub(SPARK_SECONDS)..];
        let _ = writeln!(
            out,
            "{:<12}{}{:>6}/s",
            lane.service.as_str(),
            sparkline(recent),
            recent.last().copied().unwrap_or(0)
        );
    }
    out.push_str(
        "\n≈ the source queue's approximate count. p50/p99: publish → transformer over the\nlast minute. dead: growth of the failure queue since the watch began.\n",
    );
    for problem in &snapshot.problems {
        let _ = writeln!(out, "problem: {problem}");
    }
    let _ = writeln!(
        out,
        "watch: bucket pass {:.0} ms for {} notices of new objects; {} objects read once each",
        snapshot.health.bucket_pass_ms, snapshot.health.notices_received, snapshot.health.objects_read
    );
    out
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::super::board::Board;
    use super::*;

    #[test]
    fn every_line_fits_84_columns_and_every_lane_is_shown() {
        let mut board = Board::new(Utc::now());
        board.published(eventlab_schema::Service::EventBridge, 123_456, 0);
        let mut snapshot = board.snapshot(Utc::now());
        let sqs = snapshot
            .lanes
            .iter_mut()
            .find(|l| l.service == eventlab_schema::Service::Sqs)
            .unwrap();
        sqs.batching = Some(super::super::board::BatchingNow {
            batch: 20,
            window_s: 1,
            decision: Some("p99 240 ms is under half the 2000 ms target and batches fill (mean 9.8 of 10): batch 10 → 20, window 0 → 1 s".into()),
        });
        snapshot.platform = "local emulator".into();
        snapshot.bucket = "eventlab-results-000000000000".into();
        let screen = render(&snapshot);
        for line in screen.lines() {
            assert!(line.chars().count() <= 84, "{line:?}");
        }
        for service in eventlab_schema::Service::ALL {
            let name = format!("{:<12}", service.as_str());
            let shown = screen.lines().filter(|l| l.starts_with(&name)).count();
            assert_eq!(shown, 2, "a counters line and a timeline line\n{screen}");
        }
        assert!(screen.contains("123456"));
        let header = screen.lines().find(|l| l.starts_with("lane")).unwrap();
        for heading in ["published", "in flight", "landed", "p99 ms"] {
            assert!(
                header.contains(&format!(" {heading}")),
                "{heading} runs into its neighbour: {header}"
            );
        }
        assert!(
            screen.contains("  sqs         batch 20 · window 1 s\n              tune: p99 240 ms"),
            "{screen}"
        );
    }

    #[test]
    fn the_sparkline_scales_to_the_busiest_second() {
        assert_eq!(sparkline(&[0, 1, 2, 4]), " ▃▅█");
        assert_eq!(sparkline(&[0, 0]), "  ");
    }
}
