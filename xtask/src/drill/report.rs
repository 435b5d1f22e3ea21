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
    errors: Vec<String>,
}

/// ERROR lines kept from each replica's log.
const ERRORS_KEPT: usize = 3;

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

    /// Keeps the first ERROR lines (bunyan level 50: a 500, a database fault) of replica
    /// `replica`'s `output`, to show why a promise broke.
    pub fn server_errors(&mut self, replica: usize, output: &str) {
        let errors: Vec<&str> = output
            .lines()
            .filter(|l| l.contains("\"level\":50"))
            .collect();
        for line in errors.iter().take(ERRORS_KEPT) {
            let line: String = line.chars().take(600).collect();
            self.errors.push(format!("replica {replica}: {line}"));
        }
        if errors.len() > ERRORS_KEPT {
            self.errors.push(format!(
                "replica {replica}: … {} more ERROR lines",
                errors.len() - ERRORS_KEPT
            ));
        }
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
        if !self.errors.is_empty() {
            let _ = writeln!(out, "\nERROR lines the servers logged:");
        }
        for line in &self.errors {
            let _ = writeln!(out, "{line}");
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

    #[test]
    fn error_lines_of_the_servers_follow_the_promises() {
        let mut report = Report::default();
        let log =
            "{\"level\":30,\"msg\":\"fine\"}\n{\"level\":50,\"msg\":\"database.query_error\"}\n";
        report.server_errors(1, log);
        report.server_errors(0, &log.repeat(5));
        let text = report.render();
        assert!(text.contains("replica 1: {\"level\":50"), "{text}");
        assert!(!text.contains("fine"), "{text}");
        assert!(text.contains("replica 0: … 2 more ERROR lines"), "{text}");
    }
}
