//! JUnit XML for the test reports of GitLab (`artifacts:reports:junit`), Jenkins (`junit`) and
//! Azure DevOps (`PublishTestResults`, format JUnit): a test suite per control, a test case per
//! evaluated (rule, resource).
//!
//! - A passing pair is a test case without children.
//! - A finding that blocks the gate is a `<failure>` (type `fail`, or `unknown` for one that
//!   cannot be decided before deployment and blocks under `--unknown fail`).
//! - A finding that does not block (excepted, below `--fail-on`, or undecidable and let through
//!   by `--unknown`) is `<skipped>`, its message saying why: reported, never counted as passed.
//! - The first suite, `controlgate`, holds the gate: a `gate` test case that fails when the gate
//!   blocks and is an `<error>` when the run failed, and one `<error>` test case per run error,
//!   so an error run is failed in every consumer. Settings that weaken the gate are properties
//!   of that suite and are named in the gate case's output.

use std::collections::BTreeMap;
use std::io::Write;

use super::{Report, escape};
use crate::finding::{Finding, Outcome};
use crate::gate::Verdict;

/// Text for XML: `&`, `<`, `>` and quotes as entities, hidden characters (controls, which XML
/// 1.0 does not allow even as references) as visible `\u{…}` escapes, newlines kept unless
/// `one_line`.
fn xml(s: &str, one_line: bool) -> String {
    let shown = if one_line { escape::line(s) } else { escape::terminal(s) };
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Not XML characters (the rest of the hidden ones are escaped above).
            '\u{FFFE}' | '\u{FFFF}' => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn attr(s: &str) -> String {
    xml(s, true)
}

/// One test case: its class (`CONTROL.rule`), its name (`resource (file)`) and what it holds.
struct Case {
    classname: String,
    name: String,
    body: Body,
}

enum Body {
    Passed,
    Failure {
        kind: &'static str,
        message: String,
        text: String,
    },
    Skipped {
        message: String,
    },
    Error {
        kind: String,
        message: String,
        text: String,
    },
}

impl Case {
    fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let open = format!(
            "    <testcase classname=\"{}\" name=\"{}\"",
            attr(&self.classname),
            attr(&self.name)
        );
        match &self.body {
            Body::Passed => writeln!(out, "{open}/>"),
            Body::Failure { kind, message, text } => writeln!(
                out,
                "{open}>\n      <failure type=\"{kind}\" message=\"{}\">{}</failure>\n    </testcase>",
                attr(message),
                xml(text, false)
            ),
            Body::Skipped { message } => writeln!(
                out,
                "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>",
                attr(message)
            ),
            Body::Error { kind, message, text } => writeln!(
                out,
                "{open}>\n      <error type=\"{}\" message=\"{}\">{}</error>\n    </testcase>",
                attr(kind),
                attr(message),
                xml(text, false)
            ),
        }
    }
}

/// A suite's counts: tests, failures, errors, skipped.
fn counts(cases: &[Case]) -> (usize, usize, usize, usize) {
    let mut c = (cases.len(), 0, 0, 0);
    for case in cases {
        match case.body {
            Body::Failure { .. } => c.1 += 1,
            Body::Error { .. } => c.2 += 1,
            Body::Skipped { .. } => c.3 += 1,
            Body::Passed => {}
        }
    }
    c
}

fn name(resource: &str, file: &str) -> String {
    format!("{resource} ({file})")
}

fn finding_case(report: &Report<'_>, f: &Finding) -> Case {
    let what = match f.outcome {
        Outcome::Fail => f.message.clone(),
        Outcome::Unknown => "cannot be checked before deployment".to_string(),
    };
    let mut text = format!(
        "{}: {what}\nat {}:{}:{}\n[{}] {} · rule {}",
        f.resource,
        f.file,
        f.location.line,
        f.location.column,
        f.severity.as_str(),
        f.control_id,
        f.rule_id
    );
    for fact in &f.facts {
        text.push_str(&format!("\n- {fact}"));
    }
    if let Some(r) = &f.related {
        text.push_str(&format!("\nplanned in {}:{}", r.file, r.location.line));
    }
    if let Some(hint) = report
        .catalog
        .controls
        .get(&f.control_id)
        .map(|c| c.remediation.hint.trim())
    {
        text.push_str(&format!("\nremediation: {hint}"));
    }
    let body = if report.blocks(f) {
        Body::Failure {
            kind: match f.outcome {
                Outcome::Fail => "fail",
                Outcome::Unknown => "unknown",
            },
            message: what,
            text,
        }
    } else {
        let why = match &f.exception {
            Some(note) if note.excepts() => note.describe(),
            _ if f.outcome == Outcome::Unknown => {
                format!("{what}: does not block the gate (--unknown warn)")
            }
            _ => format!(
                "{what}: severity {} is below --fail-on {}, so it does not block the gate",
                f.severity.as_str(),
                report.gate.policy.fail_on.as_str()
            ),
        };
        Body::Skipped { message: why }
    };
    Case {
        classname: format!("{}.{}", f.control_id, f.rule_id),
        name: name(&f.resource, &f.file),
        body,
    }
}

/// The `controlgate` suite: the gate, then each run error.
fn gate_cases(report: &Report<'_>) -> Vec<Case> {
    let mut output = report.summary();
    for c in report.weakened() {
        output.push_str(&format!("\na setting weakens the gate: {}", c.describe()));
    }
    let body = match report.gate.verdict {
        Verdict::Pass => Body::Passed,
        Verdict::Blocked => Body::Failure {
            kind: "blocked",
            message: report.gate.headline(),
            text: output,
        },
        Verdict::Error => Body::Error {
            kind: "error".into(),
            message: report.gate.headline(),
            text: format!("{output}\n{}", report.gate.reasons().join("\n")),
        },
    };
    let mut cases = vec![Case {
        classname: "controlgate".into(),
        name: "gate".into(),
        body,
    }];
    for (i, e) in report.gate.errors.iter().enumerate() {
        let mut text = format!("{}: {}", e.position(), e.message);
        if let Some(help) = &e.help {
            text.push_str(&format!("\nhelp: {help}"));
        }
        cases.push(Case {
            classname: "controlgate".into(),
            name: format!("{} error {}: {}", e.kind, i + 1, e.position()),
            body: Body::Error {
                kind: format!("{}-error", e.kind),
                message: e.message.clone(),
                text,
            },
        });
    }
    cases
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    // Per control, its findings and passes, ordered by rule, file and resource.
    let mut by_control: BTreeMap<&str, Vec<(String, String, String, Case)>> = BTreeMap::new();
    for f in &report.evaluation.findings {
        by_control.entry(&f.control_id).or_default().push((
            f.rule_id.clone(),
            f.file.clone(),
            f.resource.clone(),
            finding_case(report, f),
        ));
    }
    for p in &report.evaluation.passed {
        by_control.entry(&p.control_id).or_default().push((
            p.rule_id.clone(),
            p.file.clone(),
            p.resource.clone(),
            Case {
                classname: format!("{}.{}", p.control_id, p.rule_id),
                name: name(&p.resource, &p.file),
                body: Body::Passed,
            },
        ));
    }
    let mut suites: Vec<(String, Vec<Case>)> = vec![("controlgate".into(), gate_cases(report))];
    for (control, mut cases) in by_control {
        cases.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
        let title = report
            .catalog
            .controls
            .get(control)
            .map_or_else(|| control.to_string(), |c| format!("{control} {}", c.title));
        suites.push((title, cases.into_iter().map(|c| c.3).collect()));
    }
    let total = suites.iter().fold((0, 0, 0), |t, (_, cases)| {
        let (n, f, e, _) = counts(cases);
        (t.0 + n, t.1 + f, t.2 + e)
    });
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"controlgate\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        total.0, total.1, total.2
    )?;
    for (i, (title, cases)) in suites.iter().enumerate() {
        let (n, f, e, s) = counts(cases);
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{f}\" errors=\"{e}\" skipped=\"{s}\">",
            attr(title)
        )?;
        if i == 0 {
            writeln!(out, "    <properties>")?;
            writeln!(
                out,
                "      <property name=\"gate\" value=\"{}\"/>",
                attr(&report.gate.headline())
            )?;
            for c in report.weakened() {
                writeln!(
                    out,
                    "      <property name=\"weakening setting\" value=\"{}\"/>",
                    attr(&c.describe())
                )?;
            }
            writeln!(out, "    </properties>")?;
        }
        for case in cases {
            case.write(out)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
