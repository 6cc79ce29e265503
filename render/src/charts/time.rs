//! Values over time: a linear time axis in seconds, one line per series (drawn as steps
//! where a value holds until the next), an optional dashed reference (a target), the y axis
//! linear or on a log scale ticked at 1, 2 and 5.

use plotters::prelude::*;

use super::{Area, FONT, Key, WIDTH, colour, log_axis, tick, with_key};

const GREY: RGBColor = RGBColor(110, 110, 110);

/// A series over time: its name and its (seconds, value) points.
pub type TimeSeries = (String, Vec<(f64, f64)>);

/// How a time chart draws its lines and its y axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeAxes {
    /// Each value holds until the next point (settings, a load's phases).
    pub steps: bool,
    pub log_y: bool,
    pub height: u32,
}

/// `series` over `0..end_s` seconds, with a dashed `reference` line where given.
pub fn over_time(
    title: &str,
    y_label: &str,
    end_s: f64,
    series: &[TimeSeries],
    reference: Option<(&str, f64)>,
    axes: TimeAxes,
) -> String {
    let values = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|(_, v)| *v))
        .chain(reference.map(|(_, v)| v))
        .filter(|v| v.is_finite() && (!axes.log_y || *v > 0.0));
    let (low, high) = values.fold((f64::INFINITY, 0.0_f64), |(l, h), v| (l.min(v), h.max(v)));
    let high = if high > 0.0 { high } else { 1.0 };
    let end_s = end_s.max(1.0);
    with_key((WIDTH, axes.height), title, |area: &Area<'_>| {
        let drawn = if axes.log_y {
            let low = if low.is_finite() && low > 0.0 { low } else { 1.0 };
            let mut chart = ChartBuilder::on(area)
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(64)
                .build_cartesian_2d(0.0..end_s, log_axis(low * 0.6, high * 1.8))?;
            chart
                .configure_mesh()
                .x_desc("seconds into the run")
                .y_desc(y_label)
                .x_labels(10)
                .y_labels(30)
                .x_label_formatter(&|v: &f64| format!("{v:.0}"))
                .y_label_formatter(&|v: &f64| tick(*v))
                .label_style((FONT, 12))
                .draw()?;
            lines(&mut chart, series, reference, axes.steps, end_s)?
        } else {
            let mut chart = ChartBuilder::on(area)
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(64)
                .build_cartesian_2d(0.0..end_s, 0.0..high * 1.15)?;
            chart
                .configure_mesh()
                .x_desc("seconds into the run")
                .y_desc(y_label)
                .x_labels(10)
                .y_labels(5)
                .x_label_formatter(&|v: &f64| format!("{v:.0}"))
                .y_label_formatter(&|v: &f64| linear_tick(*v))
                .label_style((FONT, 12))
                .draw()?;
            lines(&mut chart, series, reference, axes.steps, end_s)?
        };
        Ok(drawn)
    })
}

/// Draws each series (as steps where asked) and the reference; the key's entries.
fn lines<Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    series: &[TimeSeries],
    reference: Option<(&str, f64)>,
    steps: bool,
    end_s: f64,
) -> Result<Vec<Key>, Box<dyn std::error::Error>> {
    let mut keys = Vec::new();
    for (s, (name, points)) in series.iter().enumerate() {
        let mut path: Vec<(f64, f64)> = Vec::new();
        for (i, &(t, v)) in points.iter().enumerate() {
            if steps && i > 0 {
                path.push((t, points[i - 1].1));
            }
            path.push((t, v));
        }
        if steps && let Some(&(_, last)) = points.last() {
            path.push((end_s, last));
        }
        chart.draw_series(LineSeries::new(path, colour(s).stroke_width(2)))?;
        if !steps {
            chart.draw_series(points.iter().map(|&(t, v)| Circle::new((t, v), 3, colour(s).filled())))?;
        }
        keys.push(Key::Line(colour(s), name.clone()));
    }
    if let Some((name, value)) = reference {
        chart.draw_series(DashedLineSeries::new(
            [(0.0, value), (end_s, value)],
            6,
            4,
            GREY.stroke_width(2),
        ))?;
        keys.push(Key::Line(GREY, name.to_owned()));
    }
    Ok(keys)
}

/// A linear axis's tick: whole numbers as such, others to two decimals at most.
fn linear_tick(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_read_as_written() {
        assert_eq!(linear_tick(0.0), "0");
        assert_eq!(linear_tick(30.0), "30");
        assert_eq!(linear_tick(2.5), "2.5");
    }

    #[test]
    fn steps_hold_each_value_until_the_next_and_the_target_is_keyed() {
        let svg = over_time(
            "t",
            "batch",
            30.0,
            &[("tune".to_owned(), vec![(0.0, 10.0), (8.0, 20.0)])],
            Some(("target", 15.0)),
            TimeAxes {
                steps: true,
                log_y: true,
                height: 300,
            },
        );
        assert!(svg.contains(">\ntune\n<") && svg.contains(">\ntarget\n<"), "{svg}");
        // The target is dashed: several short grey segments, beside its one in the key.
        assert!(
            svg.matches("stroke=\"#6E6E6E\" stroke-width=\"2\"").count() > 3,
            "{svg}"
        );
    }
}
