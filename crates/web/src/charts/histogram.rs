//! Histograms: one distribution, reference and current overlaid, and the mini histogram of
//! a drift table's row.

use super::Chart;
use super::format::{finite_max, nice_ceiling, number, share};
use super::palette::{AXIS, Fill, Paint, Tone};
use super::plot::Plot;
use super::svg::{Svg, clip, safe_id};
use super::table::Table;

/// The bins of a histogram: one label per bar, from numeric edges or from categories.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bins {
    labels: Vec<String>,
}

impl Bins {
    /// Bins between consecutive edges (`n + 1` edges make `n` bins, labelled `[a, b)` and
    /// the last `[a, b]`); fewer than two edges make no bin.
    pub fn from_edges(edges: &[f64]) -> Self {
        let count = edges.len().saturating_sub(1);
        let labels = edges
            .windows(2)
            .enumerate()
            .map(|(i, pair)| {
                let close = if i + 1 == count { ']' } else { ')' };
                format!("[{}, {}{close}", edge(pair[0]), edge(pair[1]))
            })
            .collect();
        Self { labels }
    }

    /// One bin per category, in the order given.
    pub fn from_categories<S: Into<String>>(categories: impl IntoIterator<Item = S>) -> Self {
        Self {
            labels: categories.into_iter().map(Into::into).collect(),
        }
    }

    /// The bins' labels.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
}

fn edge(value: f64) -> String {
    match value {
        v if v == f64::INFINITY => "∞".to_owned(),
        v if v == f64::NEG_INFINITY => "−∞".to_owned(),
        v => number(v, 3),
    }
}

/// The share of bin `i`, NaN where the caller gave fewer shares than bins.
fn at(shares: &[f64], i: usize) -> f64 {
    shares.get(i).copied().unwrap_or(f64::NAN)
}

/// A share's bar height in [0, 1] of the axis: what is not a positive number draws nothing.
fn fraction(value: f64, top: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        (value / top).min(1.0)
    } else {
        0.0
    }
}

const PLOT: Plot = Plot {
    width: 480.0,
    height: 270.0,
    left: 52.0,
    right: 12.0,
    top: 30.0,
    bottom: 78.0,
};

/// The frame shared by the full-size histograms: grid, y axis in percent, bin labels.
fn axes(svg: &mut Svg, bins: &Bins, top: f64) {
    let count = bins.labels.len();
    PLOT.frame(svg, top, share, count == 0);
    // At most a dozen labels fit; the table has them all.
    let every = count.div_ceil(12).max(1);
    let width = PLOT.inner_width() / count.max(1) as f64;
    for (i, label) in bins.labels.iter().enumerate().step_by(every) {
        let x = PLOT.left + width * (i as f64 + 0.5);
        svg.slanted_text(x + 4.0, PLOT.baseline() + 14.0, &clip(label, 14));
    }
}

/// Where bar `i` of `count` stands: its left edge and width, with a small gap either side.
fn slot(i: usize, count: usize) -> (f64, f64) {
    let width = PLOT.inner_width() / count as f64;
    let gap = (width * 0.1).min(4.0);
    (PLOT.left + width * i as f64 + gap, width - 2.0 * gap)
}

/// The label and share of the largest bin, for the description.
fn largest(bins: &Bins, shares: &[f64]) -> Option<(String, f64)> {
    let top = finite_max((0..bins.labels.len()).map(|i| at(shares, i)))?;
    let i = (0..bins.labels.len()).find(|&i| at(shares, i) == top)?;
    Some((bins.labels[i].clone(), top))
}

/// The table of one distribution's shares.
fn share_table(id: &str, title: &str, bins: &Bins, shares: &[f64]) -> String {
    let mut table = Table::open(id, title, &["Bin", "Share"]);
    for (i, label) in bins.labels.iter().enumerate() {
        table.row(label, &[share(at(shares, i))]);
    }
    table.finish()
}

/// A histogram of one distribution: `shares[i]` is bin `i`'s share of the rows (0 to 1).
pub fn histogram(id: &str, title: &str, bins: &Bins, shares: &[f64]) -> Chart {
    let id = safe_id(id);
    let count = bins.labels.len();
    let desc = match largest(bins, shares) {
        Some((label, top)) => {
            format!(
                "Histogram of {count} bins. The largest is {label} with {}.",
                share(top)
            )
        }
        None => format!("Histogram of {count} bins, with no data."),
    };
    let top = nice_ceiling(finite_max((0..count).map(|i| at(shares, i))).unwrap_or(0.0));
    let paint = Paint {
        tone: Tone::Reference,
        fill: Fill::Solid,
    };
    let mut svg = Svg::open(&id, PLOT.width as u32, PLOT.height as u32, title, &desc);
    axes(&mut svg, bins, top);
    for (i, label) in bins.labels.iter().enumerate() {
        let (x, w) = slot(i, count);
        let (y, tip) = (
            PLOT.y_at(fraction(at(shares, i), top)),
            format!("{label}: {}", share(at(shares, i))),
        );
        svg.rect(x, y, w, PLOT.baseline() - y, paint, &tip);
    }
    Chart {
        svg: svg.finish(),
        table: share_table(&id, title, bins, shares),
    }
}

/// Reference and current distributions over the same bins, overlaid: the reference as
/// striped bars, the current as outlined bars on top, each named in a legend.
pub fn overlaid_histograms(
    id: &str,
    title: &str,
    bins: &Bins,
    reference: &[f64],
    current: &[f64],
) -> Chart {
    let id = safe_id(id);
    let count = bins.labels.len();
    let gap = (0..count)
        .map(|i| (i, (at(current, i) - at(reference, i)).abs()))
        .filter(|(_, d)| d.is_finite())
        .reduce(|a, b| if b.1 > a.1 { b } else { a });
    let desc = match gap {
        Some((i, _)) => format!(
            "Reference (striped bars) and current (outlined bars) shares over {count} bins. \
             The largest difference is in {}: reference {}, current {}.",
            bins.labels[i],
            share(at(reference, i)),
            share(at(current, i)),
        ),
        None => format!("Reference and current shares over {count} bins, with no data."),
    };
    let all = (0..count).flat_map(|i| [at(reference, i), at(current, i)]);
    let top = nice_ceiling(finite_max(all).unwrap_or(0.0));
    let reference_paint = Paint {
        tone: Tone::Reference,
        fill: Fill::Hatch,
    };
    let current_paint = Paint {
        tone: Tone::Current,
        fill: Fill::Outline,
    };
    let mut svg = Svg::open(&id, PLOT.width as u32, PLOT.height as u32, title, &desc);
    svg.defs(&[reference_paint]);
    svg.legend(PLOT.left, reference_paint, "Reference");
    svg.legend(PLOT.left + 110.0, current_paint, "Current");
    axes(&mut svg, bins, top);
    for (i, label) in bins.labels.iter().enumerate() {
        let (x, w) = slot(i, count);
        for (paint, shares, name) in [
            (reference_paint, reference, "reference"),
            (current_paint, current, "current"),
        ] {
            let (y, tip) = (
                PLOT.y_at(fraction(at(shares, i), top)),
                format!("{label}, {name}: {}", share(at(shares, i))),
            );
            svg.rect(x, y, w, PLOT.baseline() - y, paint, &tip);
        }
    }
    let mut table = Table::open(&id, title, &["Bin", "Reference", "Current"]);
    for (i, label) in bins.labels.iter().enumerate() {
        table.row(label, &[share(at(reference, i)), share(at(current, i))]);
    }
    Chart {
        svg: svg.finish(),
        table: table.finish(),
    }
}

/// A small histogram without axes for a table cell (100 × 28): the shape only, with the
/// exact shares in its table and in each bar's tooltip.
pub fn mini_histogram(id: &str, title: &str, bins: &Bins, shares: &[f64], tone: Tone) -> Chart {
    const W: f64 = 100.0;
    const H: f64 = 28.0;
    let id = safe_id(id);
    let count = bins.labels.len();
    let desc = match largest(bins, shares) {
        Some((label, top)) => format!("{count} bins; the largest is {label} with {}.", share(top)),
        None => format!("{count} bins, with no data."),
    };
    let top = finite_max((0..count).map(|i| at(shares, i)))
        .filter(|t| *t > 0.0)
        .unwrap_or(1.0);
    let paint = Paint {
        tone,
        fill: Fill::Solid,
    };
    let mut svg = Svg::open(&id, W as u32, H as u32, title, &desc);
    svg.line((0.0, H - 0.5), (W, H - 0.5), AXIS, "");
    let width = if count == 0 { W } else { W / count as f64 };
    for (i, label) in bins.labels.iter().enumerate() {
        let h = (H - 2.0) * fraction(at(shares, i), top);
        let tip = format!("{label}: {}", share(at(shares, i)));
        svg.rect(width * i as f64, H - 1.0 - h, width, h, paint, &tip);
    }
    Chart {
        svg: svg.finish(),
        table: share_table(&id, title, bins, shares),
    }
}
