//! The charts' colours and fills. Every colour reaches WCAG AA's 4.5:1 against the white
//! background (so it is fine for text as well as for shapes, which need 3:1), and each series
//! also differs by fill pattern or outline, so no meaning rests on colour alone.

/// The background every chart is drawn on.
pub(crate) const BACKGROUND: &str = "#ffffff";
/// Labels and numbers.
pub(crate) const TEXT: &str = "#1f1f1f";
/// Axes and tick marks.
pub(crate) const AXIS: &str = "#5f6368";
/// Grid lines and "no data" marks: decorative, so they need no contrast.
pub(crate) const GRID: &str = "#d6d6d6";

/// What a series means, which chooses its colour.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tone {
    /// Passing, healthy (green).
    Good,
    /// A warning (amber).
    Warning,
    /// A failure or a block (red).
    Bad,
    /// Not evaluated, unknown (grey).
    Neutral,
    /// The reference data, or a first series (blue).
    Reference,
    /// The current data, or a second series (purple).
    Current,
}

impl Tone {
    /// Every tone, for the contrast test.
    pub const ALL: [Tone; 6] = [
        Tone::Good,
        Tone::Warning,
        Tone::Bad,
        Tone::Neutral,
        Tone::Reference,
        Tone::Current,
    ];

    /// The colour, as `#rrggbb`.
    pub fn colour(self) -> &'static str {
        match self {
            Tone::Good => "#1e6b34",
            Tone::Warning => "#8a5300",
            Tone::Bad => "#b3261e",
            Tone::Neutral => "#5f6368",
            Tone::Reference => "#1f5a96",
            Tone::Current => "#7b2d8e",
        }
    }

    /// A short name used in pattern ids.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Warning => "warning",
            Tone::Bad => "bad",
            Tone::Neutral => "neutral",
            Tone::Reference => "reference",
            Tone::Current => "current",
        }
    }
}

/// How a shape is filled: the second, colour-free way to tell series apart.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Fill {
    Solid,
    Hatch,
    Cross,
    Dots,
    /// No fill, a thick outline.
    Outline,
}

impl Fill {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Fill::Solid => "solid",
            Fill::Hatch => "hatch",
            Fill::Cross => "cross",
            Fill::Dots => "dots",
            Fill::Outline => "outline",
        }
    }

    /// How the fill is named in a legend's words, so the description needs no colour.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Fill::Solid => "solid",
            Fill::Hatch => "striped",
            Fill::Cross => "cross-hatched",
            Fill::Dots => "dotted",
            Fill::Outline => "outlined",
        }
    }
}

/// A tone with a fill.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Paint {
    pub(crate) tone: Tone,
    pub(crate) fill: Fill,
}

impl Paint {
    /// The paint a tone gets in the stacked bars: each status its own pattern.
    pub(crate) fn for_status(tone: Tone) -> Self {
        let fill = match tone {
            Tone::Good | Tone::Reference => Fill::Solid,
            Tone::Warning => Fill::Hatch,
            Tone::Bad => Fill::Cross,
            Tone::Neutral | Tone::Current => Fill::Dots,
        };
        Self { tone, fill }
    }
}

/// WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21); `None` for a malformed colour.
pub fn contrast_ratio(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (relative_luminance(a)?, relative_luminance(b)?);
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

fn relative_luminance(colour: &str) -> Option<f64> {
    let hex = colour.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| -> Option<f64> {
        let v = f64::from(u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()?) / 255.0;
        Some(if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_colour_meets_aa_for_text_against_the_background() {
        for tone in Tone::ALL {
            let ratio = contrast_ratio(tone.colour(), BACKGROUND).unwrap_or(0.0);
            assert!(ratio >= 4.5, "{tone:?} {} has {ratio:.2}:1", tone.colour());
        }
        for colour in [TEXT, AXIS] {
            let ratio = contrast_ratio(colour, BACKGROUND).unwrap_or(0.0);
            assert!(ratio >= 4.5, "{colour} has {ratio:.2}:1");
        }
    }

    #[test]
    fn contrast_of_black_on_white_is_21() {
        let ratio = contrast_ratio("#000000", "#ffffff").unwrap_or(0.0);
        assert!((ratio - 21.0).abs() < 1e-9);
        assert_eq!(contrast_ratio("red", "#ffffff"), None);
    }

    #[test]
    fn the_four_statuses_have_four_different_fills() {
        let fills: Vec<Fill> = [Tone::Good, Tone::Warning, Tone::Bad, Tone::Neutral]
            .into_iter()
            .map(|t| Paint::for_status(t).fill)
            .collect();
        for (i, a) in fills.iter().enumerate() {
            assert!(fills[i + 1..].iter().all(|b| b != a), "{fills:?}");
        }
    }
}
