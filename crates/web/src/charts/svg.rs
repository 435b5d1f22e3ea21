//! The SVG writer every chart draws with: it escapes all text, writes only presentation
//! attributes (never a `style` attribute or element, which a `style-src 'self'` policy would
//! block) and rounds coordinates so the output is stable for the golden tests.

use std::fmt::Write;

use super::palette::{BACKGROUND, Fill, Paint};

/// Escapes text for use in XML/HTML content and double-quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0; a user's column name may hold one.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Keeps an element id to `[A-Za-z0-9_-]` so that a caller's id can never break out of an
/// attribute or a `url(#…)` reference; an empty result becomes `chart`.
pub(crate) fn safe_id(id: &str) -> String {
    let kept: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(64)
        .collect();
    if kept.is_empty() {
        "chart".to_owned()
    } else {
        kept
    }
}

/// Shortens a label drawn inside the chart; the full text stays in the tooltip and the table.
pub(crate) fn clip(label: &str, max_chars: usize) -> String {
    if label.chars().count() <= max_chars {
        return label.to_owned();
    }
    let mut short: String = label.chars().take(max_chars.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Horizontal anchor of a text element.
#[derive(Clone, Copy)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// One chart's SVG document being written.
pub(crate) struct Svg {
    out: String,
    id: String,
}

impl Svg {
    /// Opens the root element: an image with an accessible name (the title) and description.
    pub(crate) fn open(id: &str, width: u32, height: u32, title: &str, desc: &str) -> Self {
        let mut out = String::with_capacity(4096);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" class=\"chart\" role=\"img\" \
             width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
             aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" \
             font-family=\"sans-serif\" font-size=\"12\">\
             <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
             <rect width=\"{width}\" height=\"{height}\" fill=\"{BACKGROUND}\"/>",
            escape(title),
            escape(desc),
        );
        Self {
            out,
            id: id.to_owned(),
        }
    }

    /// The id of a pattern of this chart (ids are per chart so several charts share a page).
    fn pattern_id(&self, paint: Paint) -> String {
        format!("{}-{}-{}", self.id, paint.tone.name(), paint.fill.name())
    }

    /// Writes the `<defs>` holding the patterns of the given paints.
    pub(crate) fn defs(&mut self, paints: &[Paint]) {
        self.out.push_str("<defs>");
        for &paint in paints {
            let colour = paint.tone.colour();
            let pid = self.pattern_id(paint);
            let marks = match paint.fill {
                Fill::Solid | Fill::Outline => continue,
                Fill::Hatch => format!(
                    "<path d=\"M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2\" stroke=\"{colour}\" stroke-width=\"1.5\"/>"
                ),
                Fill::Cross => format!(
                    "<path d=\"M0,0 l6,6 M6,0 l-6,6\" stroke=\"{colour}\" stroke-width=\"1.2\"/>"
                ),
                Fill::Dots => format!("<circle cx=\"3\" cy=\"3\" r=\"1.3\" fill=\"{colour}\"/>"),
            };
            let _ = write!(
                self.out,
                "<pattern id=\"{pid}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
                 <rect width=\"6\" height=\"6\" fill=\"{BACKGROUND}\"/>{marks}</pattern>"
            );
        }
        self.out.push_str("</defs>");
    }

    /// The `fill` value of a paint: its colour, a pattern of this chart, or none.
    fn fill_value(&self, paint: Paint) -> String {
        match paint.fill {
            Fill::Solid => paint.tone.colour().to_owned(),
            Fill::Outline => "none".to_owned(),
            _ => format!("url(#{})", self.pattern_id(paint)),
        }
    }

    /// A rectangle filled with a paint and outlined in its colour, with a hover tooltip.
    pub(crate) fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, paint: Paint, tip: &str) {
        let fill = self.fill_value(paint);
        let stroke_width = if paint.fill == Fill::Outline { 2 } else { 1 };
        let _ = write!(
            self.out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" \
             stroke=\"{}\" stroke-width=\"{stroke_width}\"><title>{}</title></rect>",
            w.max(0.0),
            h.max(0.0),
            paint.tone.colour(),
            escape(tip),
        );
    }

    /// A legend entry along the top edge: a swatch painted like the series, then its name.
    pub(crate) fn legend(&mut self, x: f64, paint: Paint, name: &str) {
        self.rect(x, 6.0, 14.0, 12.0, paint, name);
        self.text(x + 19.0, 16.0, Anchor::Start, name);
    }

    /// A plain grey band (a span without data), with a tooltip.
    pub(crate) fn band(&mut self, x: f64, y: f64, w: f64, h: f64, tip: &str) {
        let _ = write!(
            self.out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\">\
             <title>{}</title></rect>",
            w.max(0.0),
            h.max(0.0),
            super::palette::GRID,
            escape(tip),
        );
    }

    /// A text element; `content` is escaped.
    pub(crate) fn text(&mut self, x: f64, y: f64, anchor: Anchor, content: &str) {
        let _ = write!(
            self.out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{}\" fill=\"{}\">{}</text>",
            anchor.attr(),
            super::palette::TEXT,
            escape(content),
        );
    }

    /// A text element turned by -45° about its anchor point (long axis labels).
    pub(crate) fn slanted_text(&mut self, x: f64, y: f64, content: &str) {
        let _ = write!(
            self.out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"end\" fill=\"{}\" \
             transform=\"rotate(-45 {x:.1} {y:.1})\">{}</text>",
            super::palette::TEXT,
            escape(content),
        );
    }

    /// A straight line; `dash` is an SVG `stroke-dasharray` or empty.
    pub(crate) fn line(&mut self, from: (f64, f64), to: (f64, f64), colour: &str, dash: &str) {
        let _ = write!(
            self.out,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\"",
            from.0, from.1, to.0, to.1
        );
        if !dash.is_empty() {
            let _ = write!(self.out, " stroke-dasharray=\"{dash}\"");
        }
        self.out.push_str("/>");
    }

    /// An unfilled path (`d` is built by the caller from numbers only).
    pub(crate) fn path(&mut self, d: &str, colour: &str, dash: &str) {
        let _ = write!(
            self.out,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\""
        );
        if !dash.is_empty() {
            let _ = write!(self.out, " stroke-dasharray=\"{dash}\"");
        }
        self.out.push_str("/>");
    }

    /// A point marker: a circle or a square, with a tooltip.
    pub(crate) fn marker(&mut self, x: f64, y: f64, square: bool, colour: &str, tip: &str) {
        if square {
            let _ = write!(
                self.out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"{colour}\">",
                x - 3.5,
                y - 3.5
            );
            let _ = write!(self.out, "<title>{}</title></rect>", escape(tip));
        } else {
            let _ = write!(
                self.out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{colour}\"><title>{}</title></circle>",
                escape(tip)
            );
        }
    }

    /// Closes the document.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}
