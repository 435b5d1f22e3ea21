//! SVG charts drawn on the server: each is an accessible image (`role="img"`, a `<title>`
//! naming it and a `<desc>` saying what it shows, tied by `aria-labelledby` and
//! `aria-describedby`) with the HTML table of its numbers to put beside it.
//!
//! Every function is pure and returns a [`Chart`]: `svg` and `table` are HTML fragments as
//! `String`s, with all text escaped (labels are user input), so a template inserts them
//! unescaped (maud: `PreEscaped(&chart.svg)`; askama: `{{ chart.svg|safe }}`), or takes
//! [`Chart::html`] for both at once.
//!
//! - [`histogram`] — one distribution over [`Bins`] (from numeric edges or categories),
//!   shares in [0, 1].
//! - [`overlaid_histograms`] — reference (striped) and current (outlined) over the same bins.
//! - [`mini_histogram`] — a 100 × 28 shape for a table cell.
//! - [`stacked_bars`] — counts per [`Series`] for each [`StackedRow`] (compliance by tier:
//!   series pass/warn/fail/unevaluated with tones Good/Warning/Bad/Neutral).
//! - [`trend`] — mean and maximum per day ([`TrendPoint`]); a day without data is a gap.
//! - [`contributions`] — each [`Contribution`]'s points and the total they add up to.
//! - [`selection_rates`] — each group's ([`GroupRate`]) selection rate against the
//!   four-fifths line (0.8 × the highest rate); bars below it are hatched and say so.
//! - [`sweep`] — a what-if sweep's risk score per value tried ([`SweepPoint`]), each point
//!   shaped by its status, with the tipping point as a dashed rule.
//!
//! The `id` argument names the chart's element (`id`, `{id}-title`, `{id}-desc`,
//! `{id}-data` for the table, pattern ids `{id}-…`); give each chart on a page its own. It
//! is reduced to `[A-Za-z0-9_-]`. No chart writes a `style` attribute or element, so a
//! `style-src 'self'` policy holds; sizes are `width`/`height` attributes with a `viewBox`,
//! so CSS like `svg.chart { max-width: 100%; height: auto }` scales them. The tables carry
//! `class="chart-data"`. Colours meet WCAG AA (4.5:1) on white, and every series differs by
//! pattern, outline, dash or marker shape as well. NaN, infinities, empty inputs and
//! mismatched lengths draw as "n/a" or "No data", never a panic.

mod contributions;
mod format;
mod histogram;
mod palette;
mod plot;
mod selection;
mod stacked;
mod svg;
mod sweep;
mod table;
mod trend;

pub use contributions::{Contribution, contributions};
pub use histogram::{Bins, histogram, mini_histogram, overlaid_histograms};
pub use palette::{Tone, contrast_ratio};
pub use selection::{GroupRate, selection_rates};
pub use stacked::{Series, StackedRow, stacked_bars};
pub use sweep::{SweepPoint, sweep};
pub use trend::{TrendPoint, trend};

/// A chart and the table of its numbers, both HTML fragments ready to insert unescaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    /// The `<svg>` element.
    pub svg: String,
    /// The `<table class="chart-data">` of the same numbers.
    pub table: String,
}

impl Chart {
    /// The chart with its table beside it, in a `<figure class="chart-figure">`.
    pub fn html(&self) -> String {
        format!(
            "<figure class=\"chart-figure\">{}{}</figure>",
            self.svg, self.table
        )
    }
}
