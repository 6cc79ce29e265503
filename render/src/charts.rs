//! SVG charts for the report, drawn with plotters into strings.

use plotters::coord::Shift;
use plotters::prelude::*;

/// One colour per series, readable on white and for common colour blindness (Okabe–Ito).
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
];

/// A named series of labelled points: (x, y, label).
pub type Series = (String, Vec<(f64, f64, String)>);

const WIDTH: u32 = 860;
const HEIGHT: u32 = 420;

fn draw(render: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Box<dyn std::error::Error>>) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).expect("filling an SVG string cannot fail");
        render(&root).expect("drawing into an SVG string cannot fail");
        root.present().expect("presenting an SVG string cannot fail");
    }
    svg
}

/// Grouped bars: for each category (x), one bar per series, with the value on top; `log`
/// puts y on a log scale, for values that span orders of magnitude.
pub fn grouped_bars(
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[(&str, Vec<f64>)],
    log: bool,
) -> String {
    let values = || {
        series
            .iter()
            .flat_map(|(_, values)| values.iter().copied())
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    let top = values().fold(0.0, f64::max);
    let bottom = values().fold(f64::INFINITY, f64::min);
    let (bottom, top) = match (log, top > 0.0) {
        (true, true) => (bottom / 2.0, top * 2.5),
        (false, true) => (0.0, top * 1.18),
        (_, false) => (if log { 0.1 } else { 0.0 }, 1.0),
    };
    #[allow(clippy::cast_precision_loss)]
    let groups = categories.len() as f64;
    #[allow(clippy::cast_precision_loss)]
    let width = 0.8 / series.len().max(1) as f64;
    draw(|root| {
        let mut builder = ChartBuilder::on(root);
        builder
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64);
        let label_x = |x: &f64| {
            let index = x.floor();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let name = categories.get(index as usize).cloned().unwrap_or_default();
            if (x - index - 0.5).abs() < 0.01 {
                name
            } else {
                String::new()
            }
        };
        // The two scales are different types to plotters: one body, drawn through a macro.
        macro_rules! bars {
            ($chart:expr, $label_offset:expr) => {{
                let mut chart = $chart;
                chart
                    .configure_mesh()
                    .disable_x_mesh()
                    .x_labels(categories.len() * 2 + 1)
                    .x_label_formatter(&label_x)
                    .y_desc(y_label)
                    .draw()?;
                for (s, (name, values)) in series.iter().enumerate() {
                    let colour = PALETTE[s % PALETTE.len()];
                    #[allow(clippy::cast_precision_loss)]
                    let offset = 0.1 + width * s as f64;
                    let visible = || {
                        values
                            .iter()
                            .enumerate()
                            .filter(|(_, v)| v.is_finite() && **v > bottom)
                    };
                    #[allow(clippy::cast_precision_loss)]
                    let rectangles = visible().map(|(g, &v)| {
                        let x0 = g as f64 + offset;
                        Rectangle::new([(x0, bottom), (x0 + width * 0.92, v)], colour.filled())
                    });
                    chart
                        .draw_series(rectangles)?
                        .label(*name)
                        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
                    #[allow(clippy::cast_precision_loss)]
                    let labels = visible().map(|(g, &v)| {
                        let at = (g as f64 + offset, $label_offset(v));
                        Text::new(short(v), at, ("sans-serif", 11).into_font().color(&BLACK))
                    });
                    chart.draw_series(labels)?;
                }
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::UpperLeft)
                    .border_style(BLACK)
                    .background_style(WHITE.mix(0.9))
                    .draw()?;
            }};
        }
        if log {
            bars!(
                builder.build_cartesian_2d(0.0..groups, (bottom..top).log_scale())?,
                |v: f64| v * 1.25
            );
        } else {
            bars!(builder.build_cartesian_2d(0.0..groups, bottom..top)?, |v: f64| v + top
                * 0.012);
        }
        Ok(())
    })
}

/// Cumulative distribution of each series' samples, x on a log scale.
pub fn cdf(title: &str, x_label: &str, series: &[(String, Vec<f64>)]) -> String {
    let positive = || series.iter().flat_map(|(_, s)| s.iter().copied()).filter(|v| *v > 0.0);
    let low = positive().fold(f64::INFINITY, f64::min);
    let high = positive().fold(0.0, f64::max);
    let (low, high) = if low.is_finite() && high > low {
        (low * 0.8, high * 1.25)
    } else {
        (0.1, 10.0)
    };
    draw(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d((low..high).log_scale(), 0.0..1.0)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("share of events")
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .draw()?;
        for (s, (name, samples)) in series.iter().enumerate() {
            let colour = PALETTE[s % PALETTE.len()];
            let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| *v > 0.0).collect();
            sorted.sort_by(f64::total_cmp);
            #[allow(clippy::cast_precision_loss)]
            let n = sorted.len() as f64;
            #[allow(clippy::cast_precision_loss)]
            let points = sorted.iter().enumerate().map(|(i, &v)| (v, (i + 1) as f64 / n));
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .border_style(BLACK)
            .background_style(WHITE.mix(0.9))
            .draw()?;
        Ok(())
    })
}

/// Labelled points: x against y, both on log scales (cost against latency, rate against cost).
pub fn scatter(title: &str, x_label: &str, y_label: &str, series: &[Series], lines: bool) -> String {
    scatter_with_legend(title, x_label, y_label, series, lines, SeriesLabelPosition::UpperLeft)
}

/// [`scatter`] with the legend where the points are not.
pub fn scatter_with_legend(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    lines: bool,
    legend: SeriesLabelPosition,
) -> String {
    let xs = || {
        series
            .iter()
            .flat_map(|(_, p)| p.iter().map(|(x, _, _)| *x))
            .filter(|v| *v > 0.0)
    };
    let ys = || {
        series
            .iter()
            .flat_map(|(_, p)| p.iter().map(|(_, y, _)| *y))
            .filter(|v| *v > 0.0)
    };
    let bounds = |low: f64, high: f64| {
        if low.is_finite() && high > low {
            (low * 0.7, high * 1.5)
        } else {
            (0.1, 10.0)
        }
    };
    let (x0, x1) = bounds(xs().fold(f64::INFINITY, f64::min), xs().fold(0.0, f64::max));
    let (y0, y1) = bounds(ys().fold(f64::INFINITY, f64::min), ys().fold(0.0, f64::max));
    draw(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
        chart.configure_mesh().x_desc(x_label).y_desc(y_label).draw()?;
        for (s, (name, points)) in series.iter().enumerate() {
            let colour = PALETTE[s % PALETTE.len()];
            let mut sorted = points.clone();
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            if lines {
                chart.draw_series(LineSeries::new(
                    sorted.iter().map(|(x, y, _)| (*x, *y)),
                    colour.stroke_width(2),
                ))?;
            }
            chart
                .draw_series(sorted.iter().map(|(x, y, label)| {
                    EmptyElement::at((*x, *y))
                        + Circle::new((0, 0), 4, colour.filled())
                        + Text::new(label.clone(), (6, -12), ("sans-serif", 11).into_font())
                }))?
                .label(name.as_str())
                .legend(move |(x, y)| Circle::new((x + 5, y), 4, colour.filled()));
        }
        chart
            .configure_series_labels()
            .position(legend)
            .border_style(BLACK)
            .background_style(WHITE.mix(0.9))
            .draw()?;
        Ok(())
    })
}

/// A number in at most four significant characters: 0.42, 12.3, 1.2k.
pub fn short(value: f64) -> String {
    match value.abs() {
        v if v >= 10_000.0 => format!("{:.0}k", value / 1000.0),
        v if v >= 1000.0 => format!("{:.1}k", value / 1000.0),
        v if v >= 100.0 => format!("{value:.0}"),
        v if v >= 10.0 => format!("{value:.1}"),
        v if v >= 1.0 => format!("{value:.2}"),
        _ => format!("{value:.3}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_documents_with_their_labels() {
        let bars = grouped_bars(
            "Latency",
            "ms",
            &["sqs".into(), "kinesis".into()],
            &[("p50", vec![10.0, 20.0]), ("p99", vec![30.0, f64::NAN])],
            true,
        );
        assert!(bars.starts_with("<svg") && bars.trim_end().ends_with("</svg>"));
        assert!(bars.contains("sqs") && bars.contains("p99") && bars.contains("Latency"));

        let cdf = cdf("CDF", "ms", &[("sqs".into(), vec![1.0, 2.0, 3.0])]);
        assert!(cdf.contains("<polyline") || cdf.contains("<path"), "a line is drawn");

        let scatter = scatter(
            "Pareto",
            "$",
            "ms",
            &[("sqs".into(), vec![(1.0, 2.0, "batch 10".into())])],
            false,
        );
        assert!(scatter.contains("batch 10"));
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(0.4234), "0.423");
        assert_eq!(short(12.34), "12.3");
        assert_eq!(short(1234.0), "1.2k");
        assert_eq!(short(123_456.0), "123k");
    }
}
