//! Guard-DSL rules (AWS CloudFormation Guard) through the `cfn-guard` crate.
//!
//! The crate's evaluator is private: the public route is its `validate` command in payload mode
//! with a structured JSON report, run on in-memory buffers. Every byte it writes lands in those
//! buffers, never on stdout or stderr. It never reads a file: the rule text is read once by the
//! catalog and the data is what controlgate's own loader produced.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::{Arc, Mutex};

use cfn_guard::commands::Executable;
use cfn_guard::commands::validate::{OutputFormatType, ShowSummaryType};
use cfn_guard::utils::reader::{ReadBuffer, Reader};
use cfn_guard::utils::writer::{WriteBuffer, Writer};
use cfn_guard::{CommandBuilder, ValidateBuilder};
use serde_json::{Value, json};

use super::{CompiledRule, Neighbours, Truth, Verdict};
use crate::error::Located;
use crate::model::Resource;

/// Deepest data handed to Guard. Its evaluator recurses without a bound (200,000 levels abort
/// the process, 2,000 take seconds); CloudFormation templates nest a few dozen levels.
pub const MAX_DEPTH: usize = 64;

/// cfn-guard's exit codes.
const PASS: i32 = 0;
const FAIL: i32 = 19;

/// The outcome of one Guard rule on one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// With the failure messages, one per failed check.
    Fail(Vec<String>),
    /// The rule's type filter or `when` guard selected nothing in the resource.
    Skip,
}

/// Per Guard rule name, per resource logical id.
pub type Report = BTreeMap<String, BTreeMap<String, Outcome>>;

/// A `.guard` file, parsed once.
#[derive(Debug)]
pub struct GuardFile {
    file: String,
    text: String,
    /// The `rule NAME` names, in file order.
    names: Vec<String>,
    /// Reports by the data they were computed on: a file's rules share one run per resource.
    cache: Mutex<BTreeMap<String, Arc<BTreeMap<String, Outcome>>>>,
}

impl GuardFile {
    /// Parse `text` (the content of `file`), reporting a syntax error at its 1-based line.
    pub fn compile(file: &str, text: &str) -> Result<GuardFile, Located> {
        let names = rule_names(text);
        if names.is_empty() {
            return Err(Located::new(file, 0, 0, "this Guard file names no rule").with_help(
                "write each check as a named rule (`rule S3_BUCKET_VERSIONING { ... }`): its name is the rule's permanent id",
            ));
        }
        // Parsing against empty data: a syntax error is exit code 5 with the message in the
        // error buffer; the crate has no other way to report it.
        let (code, _, err) = run(text, "{}", true).map_err(|e| Located::new(file, 0, 0, e))?;
        if code != PASS && code != FAIL {
            let (line, column) = position(&err);
            // `Parsing error handling rule file = RULES_STDIN[1], Error = Parser Error when
            // parsing `Parsing Error Error parsing file RULES_STDIN[1] at line 2 at column 17,
            // when handling expecting ..., fragment ...`: keep what it expected.
            let message = err
                .split(", when handling ")
                .nth(1)
                .and_then(|rest| rest.split(", fragment").next())
                .unwrap_or(err.trim())
                .to_string();
            return Err(
                Located::new(file, line, column, format!("Guard syntax error: {message}"))
                    .with_help("see https://docs.aws.amazon.com/cfn-guard/latest/ug/writing-rules.html"),
            );
        }
        Ok(GuardFile {
            file: file.to_string(),
            text: text.to_string(),
            names,
            cache: Mutex::new(BTreeMap::new()),
        })
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    /// The names of the file's rules, in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Run every rule of the file on `template` (a CloudFormation template as controlgate's
    /// loader produced it), on each resource in turn with the template's other sections: a
    /// Guard report says which rules failed, not on which resource, so one run per resource
    /// makes the attribution exact. Data deeper than [`MAX_DEPTH`] is an error, never handed
    /// to Guard.
    pub fn evaluate_template(&self, template: &Value) -> Result<Report, String> {
        let mut report = Report::new();
        let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
            return Ok(report);
        };
        for (id, resource) in resources {
            let mut single = template.clone();
            single["Resources"] = json!({ id.clone(): resource });
            for (name, outcome) in self.evaluate_single(&single)?.iter() {
                report
                    .entry(name.clone())
                    .or_default()
                    .insert(id.clone(), outcome.clone());
            }
        }
        Ok(report)
    }

    /// The outcome of each rule of the file on a template holding one resource.
    fn evaluate_single(&self, template: &Value) -> Result<Arc<BTreeMap<String, Outcome>>, String> {
        if exceeds_depth(template, MAX_DEPTH) {
            return Err(format!(
                "the input nests deeper than {MAX_DEPTH} levels, the most Guard rules ({}) are evaluated on",
                self.file
            ));
        }
        let data = serde_json::to_string(template).map_err(|e| e.to_string())?;
        if let Some(outcomes) = self.cache.lock().map_err(|e| e.to_string())?.get(&data) {
            return Ok(outcomes.clone());
        }
        let (code, out, _) = run(&self.text, &data, false)?;
        if code != PASS && code != FAIL {
            return Err(format!("cfn-guard failed on {} (exit code {code})", self.file));
        }
        let outcomes = Arc::new(parse_report(&out, &self.names).map_err(|e| format!("{}: {e}", self.file))?);
        self.cache
            .lock()
            .map_err(|e| e.to_string())?
            .insert(data, outcomes.clone());
        Ok(outcomes)
    }
}

/// One Guard rule of a file: the seam's compiled rule.
#[derive(Debug)]
pub struct GuardRule {
    pub file: Arc<GuardFile>,
    pub name: String,
}

impl CompiledRule for GuardRule {
    /// The rule on a template holding only `resource`: Guard rules select resources by type
    /// under `Resources`, and each resource is judged on its own.
    fn evaluate(&self, resource: &Resource, _: &dyn Neighbours) -> Result<Verdict, String> {
        let template = json!({
            "Resources": {
                resource.address.clone(): {
                    "Type": resource.resource_type,
                    "Properties": resource.properties,
                }
            }
        });
        let outcomes = self.file.evaluate_single(&template)?;
        let outcome = outcomes.get(&self.name);
        Ok(match outcome {
            Some(Outcome::Fail(messages)) => Verdict {
                truth: Truth::False,
                facts: messages.clone(),
            },
            Some(Outcome::Pass) => Verdict::new(Truth::True, format!("Guard rule `{}` passes", self.name)),
            Some(Outcome::Skip) => Verdict::new(Truth::True, format!("Guard rule `{}` does not apply", self.name)),
            // The report places every rule of the file; a rule missing from it is never a pass.
            None => {
                return Err(format!(
                    "the cfn-guard report of {} has no rule `{}`",
                    self.file.file, self.name
                ));
            }
        })
    }
}

/// Run cfn-guard's validate command on `rules` and `data`: exit code, report, error buffer.
fn run(rules: &str, data: &str, read_errors: bool) -> Result<(i32, String, String), String> {
    let payload = json!({ "rules": [rules], "data": [data] }).to_string();
    let mut reader = Reader::new(ReadBuffer::Cursor(Cursor::new(payload.into_bytes())));
    let mut writer =
        Writer::new_with_err(WriteBuffer::Vec(Vec::new()), WriteBuffer::Vec(Vec::new())).map_err(|e| e.to_string())?;
    let command = ValidateBuilder::default()
        .payload(true)
        .structured(true)
        .output_format(OutputFormatType::JSON)
        .show_summary(vec![ShowSummaryType::None])
        .try_build()
        .map_err(|e| format!("cfn-guard: {e}"))?;
    let code = command
        .execute(&mut writer, &mut reader)
        .map_err(|e| format!("cfn-guard: {e}"))?;
    // The writer gives up one of its buffers: the error buffer when only it matters.
    if read_errors {
        Ok((
            code,
            String::new(),
            writer.err_to_stripped().map_err(|e| e.to_string())?,
        ))
    } else {
        Ok((code, writer.into_string().map_err(|e| e.to_string())?, String::new()))
    }
}

/// Parse cfn-guard's structured JSON report (a list with one file report) into an outcome per
/// rule of the file. A rule the report does not place is an error, never a pass.
fn parse_report(out: &str, names: &[String]) -> Result<BTreeMap<String, Outcome>, String> {
    let report: Value = serde_json::from_str(out).map_err(|e| format!("unreadable cfn-guard report: {e}"))?;
    let file = report.get(0).ok_or("empty cfn-guard report")?;
    let listed = |key: &str, name: &str| {
        file.get(key)
            .and_then(Value::as_array)
            .is_some_and(|names| names.iter().any(|n| n.as_str() == Some(name)))
    };
    let mut failures: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for clause in file
        .get("not_compliant")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(rule) = clause.get("Rule") {
            let name = rule.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let messages = failures.entry(name).or_default();
            collect_messages(rule, messages);
        }
    }
    let mut outcomes = BTreeMap::new();
    for name in names {
        let outcome = if let Some(messages) = failures.remove(name) {
            Outcome::Fail(messages)
        } else if listed("compliant", name) {
            Outcome::Pass
        } else if listed("not_applicable", name) {
            Outcome::Skip
        } else {
            return Err(format!("the cfn-guard report does not place rule `{name}`"));
        };
        outcomes.insert(name.clone(), outcome);
    }
    Ok(outcomes)
}

/// The failure messages under a rule's report: custom messages (`<< ... >>`) when written,
/// else cfn-guard's own, each once, in report order.
fn collect_messages(node: &Value, messages: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(m) = map.get("messages").and_then(Value::as_object) {
                let text = [m.get("custom_message"), m.get("error_message")]
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::trim)
                    .find(|t| !t.is_empty());
                if let Some(text) = text
                    && map.contains_key("check")
                {
                    let text = clean(text);
                    if !messages.contains(&text) {
                        messages.push(text);
                    }
                }
            }
            map.values().for_each(|v| collect_messages(v, messages));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_messages(v, messages)),
        _ => {}
    }
}

/// The `rule NAME` names a Guard file declares, in order (`rule NAME when ... {` included).
fn rule_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("rule ") {
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// The line and column of a cfn-guard parse error (`... at line 3 at column 7, ...`), both
/// 1-based as its parser counts them; 0 when it gives none.
fn position(err: &str) -> (usize, usize) {
    let number_after = |key: &str| -> Option<usize> {
        let at = err.find(key)? + key.len();
        err[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    };
    (
        number_after(" at line ").unwrap_or(0),
        number_after(" at column ").unwrap_or(0),
    )
}

/// A cfn-guard message without the offsets it cites into the JSON text it was handed
/// (`[L:0,C:209]`), which point nowhere in the user's file.
fn clean(message: &str) -> String {
    static OFFSETS: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\[L:\d+,C:\d+\]").expect("valid regex"));
    OFFSETS.replace_all(message, "").replace("Path= ", "")
}

/// Whether `value` nests deeper than `limit` levels, found without recursion.
pub fn exceeds_depth(value: &Value, limit: usize) -> bool {
    let mut stack = vec![(value, 1usize)];
    while let Some((value, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests;
