//! The failure queues after a run, as the report's section (Markdown and HTML).

use askama::Template;
use eventlab_measure::failures::{PROVENANCE, QueueDepth};

use crate::page::Table;

const HEADINGS: [&str; 4] = ["lane", "queue", "waiting", "in flight"];

fn table(depths: &[QueueDepth]) -> Table {
    let rows = depths
        .iter()
        .map(|d| {
            [
                d.lane.clone(),
                d.queue.clone(),
                d.waiting.to_string(),
                d.in_flight.to_string(),
            ]
        })
        .collect();
    Table::new(Some("failure-queues-table"), &HEADINGS, rows)
}

#[derive(Debug, Template)]
#[template(path = "failures.html")]
struct Section {
    provenance: &'static str,
    table: String,
}

/// The report's Markdown section.
pub fn markdown(depths: &[QueueDepth]) -> String {
    format!(
        "\n## Failure queues after the run\n\n{PROVENANCE}\n\n{}",
        table(depths).markdown()
    )
}

/// The report's HTML section.
pub fn html(depths: &[QueueDepth]) -> String {
    Section {
        provenance: PROVENANCE,
        table: table(depths).html(),
    }
    .render()
    .expect("the failure-queue section renders")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_queue_is_a_row_named_by_its_lane() {
        let depths = [QueueDepth {
            lane: "sqs".into(),
            queue: "lab-sqs-dlq".into(),
            waiting: 2,
            in_flight: 1,
        }];
        assert!(markdown(&depths).contains("| sqs | lab-sqs-dlq | 2 | 1 |"));
        let html = html(&depths);
        assert!(html.contains("<td>lab-sqs-dlq</td><td>2</td><td>1</td>"), "{html}");
    }
}
