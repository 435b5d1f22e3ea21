//! The JUnit XML report of `driftguard check` (`--format junit`): one test suite per judging
//! policy, one test case per rule — a violated rule is a failure carrying the observed value
//! and the threshold, a skipped rule is skipped — so that CI systems (GitLab's test report,
//! GitHub test-report actions, Jenkins) show the gate's result natively.

use driftguard_core::RiskTier;
use driftguard_governance::{EvaluationResult, Policy, RuleCheck, RuleOutcome, check_rules};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::borrow::Cow;
use std::io;

/// The report. `policies` and `tier` must be those the evaluation was judged by, so that the
/// rules listed are exactly the ones behind its status.
pub fn junit(
    result: &EvaluationResult,
    policies: &[Policy],
    tier: RiskTier,
) -> anyhow::Result<String> {
    let checks: Vec<RuleCheck> = check_rules(&result.metrics, policies, tier).collect();
    let mut xml = Writer::new_with_indent(Vec::new(), b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let totals = Counts::of(&checks);
    xml.create_element("testsuites")
        .with_attributes(totals.attributes("driftguard check"))
        .write_inner_content(|xml| {
            summary(xml, result)?;
            for policy in policies.iter().filter(|p| p.judges(tier)) {
                let rules: Vec<&RuleCheck> = checks
                    .iter()
                    .filter(|c| std::ptr::eq(c.policy, policy))
                    .collect();
                suite(xml, policy, &rules)?;
            }
            Ok(())
        })?;
    let mut bytes = xml.into_inner();
    bytes.push(b'\n');
    Ok(String::from_utf8(bytes)?)
}

/// The numbers a `testsuites` or `testsuite` element carries.
struct Counts {
    tests: usize,
    failures: usize,
    skipped: usize,
}

impl Counts {
    fn of<'a>(checks: impl IntoIterator<Item = &'a RuleCheck<'a>>) -> Self {
        let mut counts = Self {
            tests: 0,
            failures: 0,
            skipped: 0,
        };
        for check in checks {
            counts.tests += 1;
            match check.outcome {
                RuleOutcome::Held => {}
                RuleOutcome::Violated(_) => counts.failures += 1,
                RuleOutcome::Skipped(_) => counts.skipped += 1,
            }
        }
        counts
    }

    fn attributes(&self, name: &str) -> [(&'static str, Cow<'static, str>); 5] {
        [
            ("name", xml_safe(name).into()),
            ("tests", self.tests.to_string().into()),
            ("failures", self.failures.to_string().into()),
            ("errors", "0".into()),
            ("skipped", self.skipped.to_string().into()),
        ]
    }
}

/// The evaluation's outcome as properties of the whole run: what a reader of the report
/// wants besides the rules (the overall status, the risk score, how much drifted).
fn summary(xml: &mut Writer<Vec<u8>>, result: &EvaluationResult) -> io::Result<()> {
    let drift = &result.drift;
    let properties = [
        ("status", result.judgement.status.as_str().to_owned()),
        ("risk_score", result.risk.score.to_string()),
        ("drift.share", drift.share.to_string()),
        (
            "drifted_columns",
            format!("{} of {}", drift.drifted_columns, drift.total_columns),
        ),
    ];
    xml.create_element("properties")
        .write_inner_content(|xml| {
            for (name, value) in properties {
                xml.create_element("property")
                    .with_attributes([("name", name), ("value", value.as_str())])
                    .write_empty()?;
            }
            Ok(())
        })
        .map(|_| ())
}

fn suite(xml: &mut Writer<Vec<u8>>, policy: &Policy, rules: &[&RuleCheck]) -> io::Result<()> {
    let name = format!("policy {} (version {})", policy.name, policy.version);
    let classname = xml_safe(&format!("driftguard.policy.{}", policy.name));
    xml.create_element("testsuite")
        .with_attributes(Counts::of(rules.iter().copied()).attributes(&name))
        .write_inner_content(|xml| {
            for check in rules {
                case(xml, &classname, check)?;
            }
            Ok(())
        })
        .map(|_| ())
}

/// One rule: `drift.share < 0.5 [block]`, passed, failed or skipped.
fn case(xml: &mut Writer<Vec<u8>>, classname: &str, check: &RuleCheck) -> io::Result<()> {
    let rule = check.rule;
    let condition = format!("{} {} {}", rule.metric, rule.op.as_str(), rule.threshold);
    let name = xml_safe(&format!("{condition} [{}]", rule.severity.as_str()));
    let element = xml
        .create_element("testcase")
        .with_attributes([("classname", classname), ("name", name.as_str())]);
    match &check.outcome {
        RuleOutcome::Held => element.write_empty().map(|_| ()),
        RuleOutcome::Skipped(skipped) => element
            .write_inner_content(|xml| {
                xml.create_element("skipped")
                    .with_attribute(("message", xml_safe(&skipped.reason).as_str()))
                    .write_empty()
                    .map(|_| ())
            })
            .map(|_| ()),
        RuleOutcome::Violated(violation) => {
            let message = match violation.observed {
                Some(observed) => format!("observed {observed}, the rule needs {condition}"),
                None => format!("{} is missing and the rule is required", rule.metric),
            };
            let details = format!(
                "rule: {condition}\nobserved: {}\nthreshold: {}\nseverity: {}\npolicy: {} version {}\n",
                violation
                    .observed
                    .map_or_else(|| "missing".to_owned(), |v| v.to_string()),
                rule.threshold,
                rule.severity.as_str(),
                check.policy.name,
                check.policy.version,
            );
            element
                .write_inner_content(|xml| {
                    xml.create_element("failure")
                        .with_attributes([
                            ("message", xml_safe(&message).as_str()),
                            ("type", rule.severity.as_str()),
                        ])
                        .write_text_content(BytesText::new(&xml_safe(&details)))
                        .map(|_| ())
                })
                .map(|_| ())
        }
    }
}

/// `text` with the characters XML 1.0 cannot carry at all (control characters other than
/// tab, line feed and carriage return, U+FFFE, U+FFFF) replaced by U+FFFD: column and policy
/// names are user input, and escaping alone cannot make such a character valid XML.
/// Markup characters are left to the writer, which escapes them.
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => char::REPLACEMENT_CHARACTER,
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::xml_safe;

    #[test]
    fn only_characters_xml_cannot_carry_are_replaced() {
        assert_eq!(xml_safe("a<b&\"c'\t\n"), "a<b&\"c'\t\n");
        assert_eq!(xml_safe("x\u{1}y\u{ffff}"), "x\u{fffd}y\u{fffd}");
    }
}
