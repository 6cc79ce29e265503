//! Bars: grouped (one bar per series in each category), stacked (one bar per category, its
//! parts by series, the total on top) and horizontal (for categories with long names).

use plotters::prelude::*;

use super::place::measure;
use super::{Area, FONT, HEIGHT, KEY_WIDTH, Key, WIDTH, colour, log_axis, short, tick, with_key};

/// What the bars show: categories, and per series one value per category.
pub type Bars<'a> = (&'a [String], &'a [(&'a str, Vec<f64>)]);

/// Formats the category axis: a name at each category's middle, nothing elsewhere.
fn category_at(categories: &[String], at: f64, reversed: bool) -> String {
    let index = at.floor();
    if (at - index - 0.5).abs() > 0.01 || index < 0.0 {
        return String::new();
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let index = index as usize;
    let index = if reversed {
        categories.len().checked_sub(index + 1)
    } else {
        Some(index)
    };
    index.and_then(|i| categories.get(i)).cloned().unwrap_or_default()
}

/// A swatch in the key per series, in the series' colours.
fn swatches(series: &[(&str, Vec<f64>)]) -> Vec<Key> {
    series
        .iter()
        .enumerate()
        .map(|(s, (name, _))| Key::Swatch(colour(s), (*name).to_owned()))
        .collect()
}

fn finite_positive<'a>(series: &'a [(&'a str, Vec<f64>)]) -> impl Iterator<Item = f64> + 'a {
    series
        .iter()
        .flat_map(|(_, values)| values.iter().copied())
        .filter(|v| v.is_finite() && *v > 0.0)
}

fn bounds(series: &[(&str, Vec<f64>)], log: bool) -> (f64, f64) {
    let top = finite_positive(series).fold(0.0, f64::max);
    let bottom = finite_positive(series).fold(f64::INFINITY, f64::min);
    match (log, top > 0.0) {
        (true, true) => (bottom / 2.0, top * 2.5),
        (false, true) => (0.0, top * 1.18),
        (_, false) => (if log { 0.1 } else { 0.0 }, 1.0),
    }
}

/// Grouped bars: for each category one bar per series; `log` puts y on a log scale. Each
/// bar's value is written on top when every bar is wide enough for its label.
pub fn grouped_bars(
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[(&str, Vec<f64>)],
    log: bool,
) -> String {
    let (bottom, top) = bounds(series, log);
    #[allow(clippy::cast_precision_loss)]
    let groups = categories.len().max(1) as f64;
    #[allow(clippy::cast_precision_loss)]
    let width = 0.8 / series.len().max(1) as f64;
    let plot_px = f64::from(WIDTH - KEY_WIDTH - 80);
    let room = plot_px / groups * width;
    let values_fit = finite_positive(series).all(|v| measure(&short(v), 11.0).0 <= room);
    with_key((WIDTH, HEIGHT), title, |area: &Area<'_>| {
        let mut builder = ChartBuilder::on(area);
        builder.margin(10).x_label_area_size(30).y_label_area_size(60);
        let label_x = |x: &f64| category_at(categories, *x, false);
        macro_rules! bars {
            ($chart:expr, $above:expr, $ticks:expr) => {{
                let mut chart = $chart;
                chart
                    .configure_mesh()
                    .disable_x_mesh()
                    .x_labels(categories.len() * 2 + 1)
                    .x_label_formatter(&label_x)
                    .y_labels(30)
                    .y_label_formatter(&$ticks)
                    .y_desc(y_label)
                    .label_style((FONT, 12))
                    .draw()?;
                for (s, (_, values)) in series.iter().enumerate() {
                    #[allow(clippy::cast_precision_loss)]
                    let offset = 0.1 + width * s as f64;
                    let visible = || {
                        values
                            .iter()
                            .enumerate()
                            .filter(|(_, v)| v.is_finite() && **v > bottom)
                    };
                    #[allow(clippy::cast_precision_loss)]
                    chart.draw_series(visible().map(|(g, &v)| {
                        let x0 = g as f64 + offset;
                        Rectangle::new([(x0, bottom), (x0 + width * 0.92, v)], colour(s).filled())
                    }))?;
                    if values_fit {
                        #[allow(clippy::cast_precision_loss)]
                        chart.draw_series(visible().map(|(g, &v)| {
                            Text::new(short(v), (g as f64 + offset, $above(v)), (FONT, 11).into_font())
                        }))?;
                    }
                }
            }};
        }
        if log {
            bars!(
                builder.build_cartesian_2d(0.0..groups, log_axis(bottom, top))?,
                |v: f64| v * 1.3,
                |v: &f64| tick(*v)
            );
        } else {
            bars!(
                builder.build_cartesian_2d(0.0..groups, bottom..top)?,
                |v: f64| v + top * 0.045,
                |v: &f64| short(*v)
            );
        }
        let mut keys = swatches(series);
        if !values_fit {
            keys.push(Key::Note("values: in the table".to_owned()));
        }
        Ok(keys)
    })
}

/// Stacked bars on a linear scale: one bar per category, its parts by series, the total
/// written on top (a part too small to see still counts in it; the table has each part).
pub fn stacked_bars(title: &str, y_label: &str, categories: &[String], series: &[(&str, Vec<f64>)]) -> String {
    let totals: Vec<f64> = (0..categories.len())
        .map(|c| {
            series
                .iter()
                .filter_map(|(_, v)| v.get(c).copied().filter(|v| v.is_finite()))
                .sum()
        })
        .collect();
    let top = totals.iter().copied().fold(0.0, f64::max);
    let top = if top > 0.0 { top * 1.15 } else { 1.0 };
    #[allow(clippy::cast_precision_loss)]
    let groups = categories.len().max(1) as f64;
    with_key((WIDTH, HEIGHT), title, |area: &Area<'_>| {
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..groups, 0.0..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(categories.len() * 2 + 1)
            .x_label_formatter(&|x| category_at(categories, *x, false))
            .y_label_formatter(&|v| short(*v))
            .y_desc(y_label)
            .label_style((FONT, 12))
            .draw()?;
        let mut floor = vec![0.0; categories.len()];
        for (s, (_, values)) in series.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            chart.draw_series(values.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(c, &v)| {
                let x0 = c as f64 + 0.2;
                let rect = Rectangle::new([(x0, floor[c]), (x0 + 0.6, floor[c] + v)], colour(s).filled());
                floor[c] += v;
                rect
            }))?;
        }
        #[allow(clippy::cast_precision_loss)]
        chart.draw_series(
            totals
                .iter()
                .enumerate()
                .map(|(c, &t)| Text::new(short(t), (c as f64 + 0.25, t + top * 0.05), (FONT, 12).into_font())),
        )?;
        Ok(swatches(series))
    })
}

/// Horizontal grouped bars on a log scale, one row per category (names on the left, in
/// full), as tall as the rows need; values are in the table beside it.
pub fn horizontal_bars(title: &str, x_label: &str, rows: &[String], series: &[(&str, Vec<f64>)]) -> String {
    let (low, high) = bounds(series, true);
    #[allow(clippy::cast_precision_loss)]
    let count = rows.len().max(1) as f64;
    let row_px = u32::try_from(series.len().max(2) * 9 + 8).unwrap_or(40);
    let height = 110 + row_px * u32::try_from(rows.len().max(1)).unwrap_or(1);
    let name_px = rows.iter().map(|r| measure(r, 12.0).0).fold(60.0, f64::max).min(340.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let name_px = name_px as u32 + 12;
    #[allow(clippy::cast_precision_loss)]
    let thickness = 0.8 / series.len().max(1) as f64;
    with_key((WIDTH, height), title, |area: &Area<'_>| {
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(name_px)
            .build_cartesian_2d(log_axis(low, high), 0.0..count)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows.len() * 2 + 1)
            .y_label_formatter(&|y| category_at(rows, *y, true))
            .x_labels(30)
            .x_label_formatter(&|v: &f64| tick(*v))
            .x_desc(x_label)
            .label_style((FONT, 12))
            .draw()?;
        for (s, (_, values)) in series.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            chart.draw_series(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_finite() && **v > low)
                    .map(|(r, &v)| {
                        let y0 = count - 1.0 - r as f64 + 0.9 - thickness * (s as f64 + 1.0);
                        Rectangle::new([(low, y0), (v, y0 + thickness * 0.9)], colour(s).filled())
                    }),
            )?;
        }
        Ok(swatches(series))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SVG backend writes each text on a line of its own.
    fn has(svg: &str, text: &str) -> bool {
        svg.contains(&format!(">\n{text}\n<"))
    }

    fn names(n: usize) -> Vec<String> {
        [
            "eventbridge",
            "sqs",
            "kinesis",
            "firehose",
            "sns",
            "sqs-fifo",
            "dynamodb",
        ][..n]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    #[test]
    fn grouped_bars_write_values_only_where_they_fit() {
        let two = grouped_bars(
            "Latency",
            "ms",
            &names(2),
            &[("p50", vec![10.0, 20.0]), ("p99", vec![30.0, f64::NAN])],
            true,
        );
        assert!(two.starts_with("<svg") && two.trim_end().ends_with("</svg>"));
        assert!(has(&two, "sqs") && has(&two, "p99") && has(&two, "30.0"));
        let series: Vec<(&str, Vec<f64>)> = ["a", "b", "c", "d"].iter().map(|n| (*n, vec![0.123_456; 7])).collect();
        let crowded = grouped_bars("Cost", "USD", &names(7), &series, false);
        assert!(!has(&crowded, "0.123") && crowded.contains("values: in the table"));
    }

    #[test]
    fn stacked_bars_write_each_total_once() {
        let svg = stacked_bars(
            "Cost",
            "USD",
            &names(2),
            &[("Lambda", vec![1.0, 2.0]), ("S3", vec![0.5, 0.25])],
        );
        assert!(has(&svg, "1.50") && has(&svg, "2.25") && has(&svg, "Lambda"));
    }

    #[test]
    fn horizontal_bars_name_every_row_in_full_and_grow_with_them() {
        let rows: Vec<String> = (0..10).map(|i| format!("generator · local · strategy {i}")).collect();
        let svg = horizontal_bars(
            "Cold starts",
            "ms",
            &rows,
            &[("INIT", vec![5.0; 10]), ("warm", vec![0.5; 10])],
        );
        assert!(rows.iter().all(|r| svg.contains(r.as_str())));
        assert!(svg.contains("height=\"370\""), "110 px and 26 px a row");
    }
}
