//! Where a point's label goes: the first of eight places around the point that meets no
//! other label, no marker and stays inside the plot; none, if there is no such place.
//! Text is measured by estimate (a sans-serif glyph is at most about 0.62 em wide on
//! average, a line 1.3 em high), which errs on the wide side.

/// A box in pixels: left, top, right, bottom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect(pub f64, pub f64, pub f64, pub f64);

impl Rect {
    fn meets(self, other: Self) -> bool {
        self.0 < other.2 && other.0 < self.2 && self.1 < other.3 && other.1 < self.3
    }

    fn inside(self, other: Self) -> bool {
        self.0 >= other.0 && self.1 >= other.1 && self.2 <= other.2 && self.3 <= other.3
    }
}

/// The estimated size of `text` at `size` px: (width, height).
pub(crate) fn measure(text: &str, size: f64) -> (f64, f64) {
    #[allow(clippy::cast_precision_loss)]
    let chars = text.chars().count() as f64;
    (chars * size * 0.62 + 2.0, size * 1.3)
}

/// Places labels one by one, each clear of everything placed before it.
#[derive(Debug)]
pub(crate) struct Placer {
    bounds: Rect,
    taken: Vec<Rect>,
    /// A label keeps this far from its own point: clear of its marker.
    gap: f64,
}

impl Placer {
    /// Labels must stay inside `bounds`; `markers` (point centres) are kept clear by `radius`.
    pub(crate) fn new(bounds: Rect, markers: impl IntoIterator<Item = (f64, f64)>, radius: f64) -> Self {
        let taken = markers
            .into_iter()
            .map(|(x, y)| Rect(x - radius, y - radius, x + radius, y + radius))
            .collect();
        Self {
            bounds,
            taken,
            gap: radius + 2.0,
        }
    }

    /// The offset from `point` of the label's top-left corner, or `None` where it fits nowhere.
    pub(crate) fn place(&mut self, point: (f64, f64), text: &str, size: f64) -> Option<(i32, i32)> {
        let (w, h) = measure(text, size);
        let gap = self.gap;
        let candidates = [
            (gap, -h / 2.0),
            (-gap - w, -h / 2.0),
            (-w / 2.0, -gap - h),
            (-w / 2.0, gap),
            (gap, -gap - h),
            (gap, gap),
            (-gap - w, -gap - h),
            (-gap - w, gap),
        ];
        let (x, y) = point;
        let (dx, dy) = candidates.into_iter().find(|&(dx, dy)| {
            let rect = Rect(x + dx, y + dy, x + dx + w, y + dy + h);
            rect.inside(self.bounds) && !self.taken.iter().any(|t| t.meets(rect))
        })?;
        self.taken.push(Rect(x + dx, y + dy, x + dx + w, y + dy + h));
        #[allow(clippy::cast_possible_truncation)]
        Some((dx.round() as i32, dy.round() as i32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLOT: Rect = Rect(0.0, 0.0, 400.0, 300.0);

    #[test]
    fn a_label_goes_right_of_its_point_when_that_is_free() {
        let mut placer = Placer::new(PLOT, [(100.0, 100.0)], 5.0);
        let (dx, dy) = placer.place((100.0, 100.0), "sqs", 11.0).unwrap();
        assert_eq!(dx, 7, "clear of its own marker");
        assert!(dy < 0);
    }

    #[test]
    fn a_second_label_at_the_same_point_goes_to_the_other_side_and_a_crowd_is_left_out() {
        let mut placer = Placer::new(PLOT, [(200.0, 150.0)], 5.0);
        let offsets: Vec<_> = (0..8).map(|_| placer.place((200.0, 150.0), "batch 10", 11.0)).collect();
        let (right, left) = (offsets[0].unwrap(), offsets[1].unwrap());
        assert!(right.0 > 0 && left.0 < 0, "{offsets:?}");
        assert!(
            offsets[2..].iter().all(Option::is_none),
            "the rest would meet those two: {offsets:?}"
        );
    }

    #[test]
    fn a_label_keeps_clear_of_a_large_marker() {
        let mut placer = Placer::new(PLOT, [(100.0, 100.0)], 11.0);
        assert_eq!(placer.place((100.0, 100.0), "kinesis", 12.0).map(|o| o.0), Some(13));
    }

    #[test]
    fn labels_stay_inside_the_plot() {
        let mut placer = Placer::new(PLOT, [], 5.0);
        let (dx, _) = placer.place((395.0, 150.0), "a long label", 11.0).unwrap();
        assert!(dx < 0, "at the right edge the label goes left");
        assert_eq!(placer.place((2.0, 2.0), "x".repeat(80).as_str(), 11.0), None);
    }
}
