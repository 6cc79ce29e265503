//! SVG charts for the pages, drawn with plotters into strings.
//!
//! No two labels of a chart may meet (a browser test measures every page): keys sit in a
//! panel of their own beside the plot, log axes label only 1, 2 and 5 times a power of ten,
//! point labels are placed where nothing else is ([`place::Placer`]) and left out where no
//! room is, values are written on bars only when a bar is wide enough to hold them. What a
//! chart leaves out is in the table beside it.

mod bars;
mod place;
mod points;
mod time;

pub use bars::{Bars, grouped_bars, horizontal_bars, stacked_bars};
pub use points::{LanePoint, cdf, frontier, scatter};
pub use time::{TimeAxes, TimeSeries, over_time};

use plotters::coord::Shift;
use plotters::coord::combinators::{BindKeyPoints, LogCoord, WithKeyPoints};
use plotters::prelude::*;

/// One colour per series, readable on white and for common colour blindness (Okabe–Ito,
/// with black for a seventh).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(0, 0, 0),
];

/// The colour of the `index`th series.
pub fn colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// A named series of labelled points: (x, y, label).
pub type Series = (String, Vec<(f64, f64, String)>);

const WIDTH: u32 = 900;
const HEIGHT: u32 = 420;
/// The key's panel, right of the plot.
const KEY_WIDTH: u32 = 200;
const FONT: &str = "sans-serif";

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Drawn = Result<(), Box<dyn std::error::Error>>;

fn draw_sized(size: (u32, u32), render: impl FnOnce(&Area<'_>) -> Drawn) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).expect("filling an SVG string cannot fail");
        render(&root).expect("drawing into an SVG string cannot fail");
        root.present().expect("presenting an SVG string cannot fail");
    }
    svg
}

/// A chart with its title above, the plot left and its key right: `render` draws the plot
/// and returns the key's entries.
fn with_key(
    size: (u32, u32),
    title: &str,
    render: impl FnOnce(&Area<'_>) -> Result<Vec<Key>, Box<dyn std::error::Error>>,
) -> String {
    draw_sized(size, |root| {
        let root = root.titled(title, (FONT, 19))?;
        let (plot, key_area) = root.split_horizontally(size.0 - KEY_WIDTH);
        let entries = render(&plot)?;
        key(&key_area, &entries)
    })
}

/// One entry of a chart's key.
#[derive(Debug, Clone)]
pub(crate) enum Key {
    Swatch(RGBColor, String),
    Line(RGBColor, String),
    Dot(RGBColor, String),
    Ring(RGBColor, String),
    Note(String),
}

/// The key, one entry per line, in its own panel: nothing of the plot can meet it.
fn key(area: &Area<'_>, entries: &[Key]) -> Drawn {
    let font = (FONT, 13).into_font();
    let mut y = 30;
    for entry in entries {
        let name = match entry {
            Key::Swatch(c, name) => {
                area.draw(&Rectangle::new([(8, y - 6), (20, y + 6)], c.filled()))?;
                name
            }
            Key::Line(c, name) => {
                area.draw(&PathElement::new(vec![(4, y), (22, y)], c.stroke_width(2)))?;
                name
            }
            Key::Dot(c, name) => {
                area.draw(&Circle::new((14, y), 5, c.filled()))?;
                name
            }
            Key::Ring(c, name) => {
                area.draw(&Circle::new((14, y), 5, c.stroke_width(2)))?;
                name
            }
            Key::Note(name) => {
                area.draw(&Text::new(
                    name.as_str(),
                    (4, y - 8),
                    font.clone().color(&RGBColor(80, 80, 80)),
                ))?;
                y += 20;
                continue;
            }
        };
        area.draw(&Text::new(fit(name, 26), (28, y - 8), font.clone()))?;
        y += 20;
    }
    Ok(())
}

/// `text` cut to `chars` characters, with an ellipsis where cut.
fn fit(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(chars - 1).collect();
        cut.push('…');
        cut
    }
}

/// A log axis from `low` to `high` whose ticks are 1, 2 and 5 times a power of ten (every
/// step, where the axis spans less than two such ticks): labels cannot crowd, and each tick
/// is drawn once.
fn log_axis(low: f64, high: f64) -> WithKeyPoints<LogCoord<f64>> {
    (low..high).log_scale().with_key_points(log_ticks(low, high))
}

fn log_ticks(low: f64, high: f64) -> Vec<f64> {
    let within = |mantissas: &[f64]| -> Vec<f64> {
        #[allow(clippy::cast_possible_truncation)]
        let (first, last) = (low.log10().floor() as i32, high.log10().ceil() as i32);
        (first..=last)
            .flat_map(|e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
            .filter(|v| (low..=high).contains(v))
            .collect()
    };
    let ticks = within(&[1.0, 2.0, 5.0]);
    if ticks.len() >= 2 {
        ticks
    } else {
        within(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    }
}

/// A round tick value as short as it reads: 0.05, 2, 500, 10k.
fn tick(value: f64) -> String {
    match value {
        v if v >= 1e6 => format!("{}M", v / 1e6),
        v if v >= 1e4 => format!("{}k", v / 1e3),
        v if v >= 1.0 => format!("{v:.0}"),
        v => {
            let text = format!("{v:.6}");
            text.trim_end_matches('0').to_owned()
        }
    }
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
    fn log_axes_tick_one_two_and_five_once_each() {
        let ticks = log_ticks(3.0, 1200.0);
        assert_eq!(ticks, [5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]);
        assert_eq!(
            ticks.iter().map(|t| tick(*t)).collect::<Vec<_>>(),
            ["5", "10", "20", "50", "100", "200", "500", "1000"]
        );
        assert_eq!(log_ticks(30.0, 45.0), [30.0, 40.0], "a narrow axis ticks every step");
        assert_eq!(tick(0.05), "0.05");
        assert_eq!(tick(20_000.0), "20k");
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(0.4234), "0.423");
        assert_eq!(short(12.34), "12.3");
        assert_eq!(short(1234.0), "1.2k");
        assert_eq!(short(123_456.0), "123k");
    }

    #[test]
    fn long_names_are_cut_to_the_key() {
        assert_eq!(fit("sqs", 22), "sqs");
        assert_eq!(fit("generator · local · ssm-per-request", 10), "generator…");
    }
}
