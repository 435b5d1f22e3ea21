//! The HTML table of a chart's numbers, put beside the chart: the same data for screen
//! readers, keyboard users and anyone who wants the exact figures.

use std::fmt::Write;

use super::svg::escape;

/// A table being written: a caption, column headers, then rows led by a row header.
pub(crate) struct Table {
    out: String,
}

impl Table {
    /// Opens a table with its caption and column headers (all escaped).
    pub(crate) fn open(chart_id: &str, caption: &str, headers: &[&str]) -> Self {
        let mut out = String::with_capacity(1024);
        let _ = write!(
            out,
            "<table class=\"chart-data\" id=\"{chart_id}-data\"><caption>{}</caption><thead><tr>",
            escape(caption)
        );
        for header in headers {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(header));
        }
        out.push_str("</tr></thead><tbody>");
        Self { out }
    }

    /// A row: its header cell, then its data cells (all escaped).
    pub(crate) fn row<S: AsRef<str>>(&mut self, header: &str, cells: &[S]) {
        let _ = write!(self.out, "<tr><th scope=\"row\">{}</th>", escape(header));
        for cell in cells {
            let _ = write!(self.out, "<td>{}</td>", escape(cell.as_ref()));
        }
        self.out.push_str("</tr>");
    }

    /// Closes the table.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</tbody></table>");
        self.out
    }
}
