//! Lines and points: latency distributions, labelled points on log scales (settings against
//! cost, rates against cost), and the lanes' frontier (latency against cost per million
//! events, the Pareto-best marked) — AWS Lambda Power Tuning's picture, for messaging.

use plotters::prelude::*;

use super::place::{Placer, Rect};
use super::{Area, FONT, HEIGHT, Key, Series, WIDTH, colour, log_axis, tick, with_key};

const GREY: RGBColor = RGBColor(110, 110, 110);

/// The low and high ends of a log axis holding `values` (positive ones only).
fn log_range(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let positive = values.filter(|v| v.is_finite() && *v > 0.0);
    let low = positive.clone().fold(f64::INFINITY, f64::min);
    let high = positive.fold(0.0, f64::max);
    if low.is_finite() && high > low {
        (low * 0.6, high * 1.8)
    } else if low.is_finite() {
        (low / 3.0, low * 3.0)
    } else {
        (0.1, 10.0)
    }
}

/// The plot's pixel box, for placing labels inside it.
fn plot_box<X: Ranged, Y: Ranged>(chart: &ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>) -> Rect {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    Rect(
        f64::from(xs.start),
        f64::from(ys.start),
        f64::from(xs.end),
        f64::from(ys.end),
    )
}

fn pixel<X: Ranged<ValueType = f64>, Y: Ranged<ValueType = f64>>(
    chart: &ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
    point: (f64, f64),
) -> (f64, f64) {
    let (x, y) = chart.backend_coord(&point);
    (f64::from(x), f64::from(y))
}

/// A chart with both axes on log scales ticked at 1, 2 and 5, its mesh drawn.
fn log_log<'a, 'b>(
    area: &'a Area<'b>,
    x: (f64, f64),
    y: (f64, f64),
    x_label: &str,
    y_label: &str,
) -> Result<LogLog<'a, 'b>, Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(log_axis(x.0, x.1), log_axis(y.0, y.1))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_labels(30)
        .y_labels(30)
        .x_label_formatter(&|v: &f64| tick(*v))
        .y_label_formatter(&|v: &f64| tick(*v))
        .label_style((FONT, 12))
        .draw()?;
    Ok(chart)
}

type LogLog<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<LogAxis, LogAxis>>;
type LogAxis = plotters::coord::combinators::WithKeyPoints<plotters::coord::combinators::LogCoord<f64>>;

/// Cumulative distribution of each series' samples, x on a log scale.
pub fn cdf(title: &str, x_label: &str, series: &[(String, Vec<f64>)]) -> String {
    let (low, high) = log_range(series.iter().flat_map(|(_, s)| s.iter().copied()));
    with_key((WIDTH, HEIGHT), title, |area: &Area<'_>| {
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(log_axis(low, high), 0.0..1.0)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("share of events")
            .x_labels(30)
            .x_label_formatter(&|v: &f64| tick(*v))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .label_style((FONT, 12))
            .draw()?;
        let mut keys = Vec::new();
        for (s, (name, samples)) in series.iter().enumerate() {
            let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| *v > 0.0).collect();
            sorted.sort_by(f64::total_cmp);
            #[allow(clippy::cast_precision_loss)]
            let n = sorted.len() as f64;
            #[allow(clippy::cast_precision_loss)]
            let points = sorted.iter().enumerate().map(|(i, &v)| (v, (i + 1) as f64 / n));
            chart.draw_series(LineSeries::new(points, colour(s).stroke_width(2)))?;
            keys.push(Key::Line(colour(s), name.clone()));
        }
        Ok(keys)
    })
}

/// Labelled points, x against y, both on log scales, one colour per series (joined by a
/// line when `lines`). A label goes where it meets nothing; one that fits nowhere is left
/// out, and the key says so (the page's table has every point).
pub fn scatter(title: &str, x_label: &str, y_label: &str, series: &[Series], lines: bool) -> String {
    let all = || series.iter().flat_map(|(_, p)| p.iter());
    let (x0, x1) = log_range(all().map(|(x, _, _)| *x));
    let (y0, y1) = log_range(all().map(|(_, y, _)| *y));
    with_key((WIDTH, HEIGHT), title, |area: &Area<'_>| {
        let mut chart = log_log(area, (x0, x1), (y0, y1), x_label, y_label)?;
        let markers: Vec<(f64, f64)> = all().map(|(x, y, _)| pixel(&chart, (*x, *y))).collect();
        let mut placer = Placer::new(plot_box(&chart), markers, 5.0);
        let mut left_out = 0;
        let mut keys = Vec::new();
        for (s, (name, points)) in series.iter().enumerate() {
            let mut sorted = points.clone();
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            if lines {
                chart.draw_series(LineSeries::new(
                    sorted.iter().map(|(x, y, _)| (*x, *y)),
                    colour(s).stroke_width(2),
                ))?;
            }
            chart.draw_series(
                sorted
                    .iter()
                    .map(|(x, y, _)| Circle::new((*x, *y), 4, colour(s).filled())),
            )?;
            for (x, y, label) in sorted.iter().filter(|(_, _, l)| !l.is_empty()) {
                if let Some(offset) = placer.place(pixel(&chart, (*x, *y)), label, 11.0) {
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((*x, *y)) + Text::new(label.clone(), offset, (FONT, 11).into_font()),
                    ))?;
                } else {
                    left_out += 1;
                }
            }
            keys.push(Key::Dot(colour(s), name.clone()));
        }
        if left_out > 0 {
            keys.push(Key::Note(format!("{left_out} labels left out:")));
            keys.push(Key::Note("see the table".to_owned()));
        }
        Ok(keys)
    })
}

/// One lane on the frontier chart: (cost per 1M events, latency ms) on AWS (modelled cost,
/// published latency) and in this run, and whether it is Pareto-best on AWS.
#[derive(Debug, Clone)]
pub struct LanePoint {
    pub name: String,
    pub aws: Option<(f64, f64)>,
    pub here: Option<(f64, f64)>,
    pub best: bool,
}

/// Latency against cost per million events, one colour per lane: a filled dot for AWS, a
/// ring for this run (labelled in the key by `here`), the Pareto-best AWS lanes circled
/// and joined by a dashed line.
pub fn frontier(title: &str, x_label: &str, y_label: &str, here: &str, lanes: &[LanePoint]) -> String {
    let all = || lanes.iter().flat_map(|l| l.aws.iter().chain(l.here.iter()));
    let (x0, x1) = log_range(all().map(|p| p.0));
    let (y0, y1) = log_range(all().map(|p| p.1));
    with_key((WIDTH, HEIGHT), title, |area: &Area<'_>| {
        let mut chart = log_log(area, (x0, x1), (y0, y1), x_label, y_label)?;
        let mut best: Vec<(f64, f64)> = lanes.iter().filter(|l| l.best).filter_map(|l| l.aws).collect();
        best.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart.draw_series(DashedLineSeries::new(best.iter().copied(), 6, 4, GREY.stroke_width(1)))?;
        chart.draw_series(best.iter().map(|p| Circle::new(*p, 10, BLACK.stroke_width(2))))?;
        let markers: Vec<(f64, f64)> = all().map(|p| pixel(&chart, *p)).collect();
        let mut placer = Placer::new(plot_box(&chart), markers, 11.0);
        let mut keys = Vec::new();
        for (i, lane) in lanes.iter().enumerate() {
            let c = colour(i);
            if let Some(p) = lane.here {
                chart.draw_series(std::iter::once(Circle::new(p, 5, c.stroke_width(2))))?;
            }
            if let Some(p) = lane.aws {
                chart.draw_series(std::iter::once(Circle::new(p, 5, c.filled())))?;
            }
            if let Some(p) = lane.aws.or(lane.here)
                && let Some(offset) = placer.place(pixel(&chart, p), &lane.name, 12.0)
            {
                chart.draw_series(std::iter::once(
                    EmptyElement::at(p) + Text::new(lane.name.clone(), offset, (FONT, 12).into_font().color(&c)),
                ))?;
            }
            keys.push(Key::Dot(c, lane.name.clone()));
        }
        keys.push(Key::Note(String::new()));
        keys.push(Key::Dot(GREY, "AWS: published, modelled".to_owned()));
        keys.push(Key::Ring(GREY, here.to_owned()));
        keys.push(Key::Ring(BLACK, "Pareto-best on AWS".to_owned()));
        Ok(keys)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SVG backend writes each text on a line of its own.
    fn has(svg: &str, text: &str) -> bool {
        svg.contains(&format!(">\n{text}\n<"))
    }

    #[test]
    fn a_scatter_labels_its_points_and_keys_its_series() {
        let svg = scatter(
            "Pareto",
            "$",
            "ms",
            &[(
                "sqs".into(),
                vec![(1.0, 2.0, "batch 10".into()), (3.0, 1.0, "batch 100".into())],
            )],
            true,
        );
        assert!(has(&svg, "batch 10") && has(&svg, "batch 100") && has(&svg, "sqs"));
        assert!(!svg.contains("left out"));
    }

    #[test]
    fn a_scatter_says_how_many_labels_it_left_out() {
        let crowded: Vec<(f64, f64, String)> = (0..12).map(|i| (1.0, 1.0, format!("setting number {i}"))).collect();
        let svg = scatter("Crowded", "$", "ms", &[("sqs".into(), crowded)], false);
        assert!(
            svg.contains("labels left out:"),
            "twelve labels cannot all sit around one point"
        );
    }

    #[test]
    fn the_frontier_circles_the_best_lanes_and_keys_both_origins() {
        let lane = |name: &str, aws: (f64, f64), best| LanePoint {
            name: name.into(),
            aws: Some(aws),
            here: Some((aws.0 * 2.0, aws.1 / 3.0)),
            best,
        };
        let svg = frontier(
            "Latency against cost",
            "USD per 1M events",
            "p50 ms",
            "this run (local)",
            &[
                lane("sqs", (0.5, 20.0), true),
                lane("kinesis", (0.3, 300.0), true),
                lane("sns", (2.0, 50.0), false),
            ],
        );
        assert_eq!(svg.matches("r=\"10\"").count(), 2, "two lanes circled as Pareto-best");
        assert!(has(&svg, "this run (local)") && has(&svg, "Pareto-best on AWS"));
        assert_eq!(
            svg.matches("\nkinesis\n").count(),
            2,
            "kinesis in the key and beside its point"
        );
    }
}
