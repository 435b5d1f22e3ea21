//! What a drill prints: tables of what happened, then its promises, each held or broken with
//! what was observed. One broken promise fails the drill (a non-zero exit).

use std::fmt::Write;

/// One promise and whether it held.
#[derive(Debug, Clone, PartialEq)]
pub struct Promise {
    /// What the service promises, in a few words.
    pub text: String,
    /// Whether it held in this run.
    pub held: bool,
    /// What was seen, for the reader to judge.
    pub observed: String,
}

/// A drill's result.
#[derive(Debug, Default)]
pub struct Report {
    tables: Vec<String>,
    promises: Vec<Promise>,
}

impl Report {
    /// Adds a table (already laid out) of what happened.
    pub fn table(&mut self, text: String) {
        self.tables.push(text);
    }

    /// Records promise `text`, `held` or not, with what was `observed`.
    pub fn promise(&mut self, text: impl Into<String>, held: bool, observed: impl Into<String>) {
        self.promises.push(Promise {
            text: text.into(),
            held,
            observed: observed.into(),
        });
    }

    /// The promises that did not hold.
    pub fn broken(&self) -> Vec<&Promise> {
        self.promises.iter().filter(|p| !p.held).collect()
    }

    /// The tables, then the promises.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for table in &self.tables {
            out.push_str(table);
            out.push('\n');
        }
        let width = self.promises.iter().map(|p| p.text.chars().count()).max();
        let width = width.unwrap_or(0).max("promise".len());
        // Writing into a String cannot fail.
        let _ = writeln!(out, "{:<width$}  {:<6}  observed", "promise", "held");
        for p in &self.promises {
            let held = if p.held { "yes" } else { "BROKEN" };
            let _ = writeln!(out, "{:<width$}  {held:<6}  {}", p.text, p.observed);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_promise_and_flags_broken_ones() {
        let mut report = Report::default();
        report.table("phase  count\nbefore 10\n".into());
        report.promise("chain verifies", true, "ok, 12 rows");
        report.promise("no acknowledged write lost", false, "1 of 40 missing");
        let text = report.render();
        assert!(text.starts_with("phase  count\n"), "{text}");
        assert!(
            text.contains("chain verifies              yes     ok, 12 rows"),
            "{text}"
        );
        assert!(
            text.contains("no acknowledged write lost  BROKEN  1 of 40 missing"),
            "{text}"
        );
        assert_eq!(report.broken().len(), 1);
        assert_eq!(report.broken()[0].text, "no acknowledged write lost");
    }
}
