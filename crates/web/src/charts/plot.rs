//! The frame of the charts with a value axis (histograms, trend): the drawing area inside
//! its margins, horizontal grid lines labelled from 0 to the axis top, and the two axes.

use super::palette::{AXIS, GRID};
use super::svg::{Anchor, Svg};

/// A chart's size and the margins around its drawing area.
pub(crate) struct Plot {
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) left: f64,
    pub(crate) right: f64,
    pub(crate) top: f64,
    pub(crate) bottom: f64,
}

/// The frame of the line charts (trend, sweep): room for a legend above and the x axis's
/// labels below.
pub(crate) const LINE_PLOT: Plot = Plot {
    width: 560.0,
    height: 250.0,
    left: 44.0,
    right: 12.0,
    top: 32.0,
    bottom: 40.0,
};

impl Plot {
    /// The drawing area's width.
    pub(crate) const fn inner_width(&self) -> f64 {
        self.width - self.left - self.right
    }

    /// The drawing area's height.
    pub(crate) const fn inner_height(&self) -> f64 {
        self.height - self.top - self.bottom
    }

    /// The y of the x axis.
    pub(crate) const fn baseline(&self) -> f64 {
        self.height - self.bottom
    }

    /// The y of `fraction` (0 to 1) of the axis.
    pub(crate) fn y_at(&self, fraction: f64) -> f64 {
        self.baseline() - self.inner_height() * fraction.clamp(0.0, 1.0)
    }

    /// Draws five grid lines from 0 to `axis_top`, labelled with `label`, then the axes; and
    /// "No data" in the middle when `empty`.
    pub(crate) fn frame(
        &self,
        svg: &mut Svg,
        axis_top: f64,
        label: fn(f64) -> String,
        empty: bool,
    ) {
        let right = self.left + self.inner_width();
        for step in 0..=4 {
            let fraction = f64::from(step) / 4.0;
            let y = self.y_at(fraction);
            svg.line((self.left, y), (right, y), GRID, "");
            svg.text(
                self.left - 6.0,
                y + 4.0,
                Anchor::End,
                &label(axis_top * fraction),
            );
        }
        svg.line(
            (self.left, self.top),
            (self.left, self.baseline()),
            AXIS,
            "",
        );
        svg.line(
            (self.left, self.baseline()),
            (right, self.baseline()),
            AXIS,
            "",
        );
        if empty {
            let middle = (
                self.left + self.inner_width() / 2.0,
                self.top + self.inner_height() / 2.0,
            );
            svg.text(middle.0, middle.1, Anchor::Middle, "No data");
        }
    }
}
