//! Controls: what must hold, why, how severe, where, and how exceptions are governed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::error::Located;

/// How bad a failure of a control is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The frameworks a control may map to. Ids only: the texts are the frameworks' own.
pub const FRAMEWORKS: &[&str] = &["cis-aws", "nist-800-53", "soc2", "iso-27001"];

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Scope {
    /// Environments the control applies to; empty means every environment.
    #[serde(default)]
    pub environments: Vec<String>,
    /// Terraform and CloudFormation types the control covers; its rules may target no others.
    /// `*` alone: every type.
    pub resource_types: Vec<String>,
    /// Whether a resource whose environment nothing says is in scope of a control scoped to
    /// environments: `include` (the default: fail closed), or `exclude` for a control about what
    /// only a resource placed in the environment is held to.
    #[serde(default, skip_serializing_if = "UnknownEnvironment::is_default")]
    pub unknown_environment: UnknownEnvironment,
}

impl Scope {
    /// Whether the control covers every resource type (`resourceTypes: ["*"]`).
    pub fn every_type(&self) -> bool {
        self.resource_types.iter().any(|t| t == crate::engine::EVERY_TYPE)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownEnvironment {
    #[default]
    Include,
    Exclude,
}

impl UnknownEnvironment {
    fn is_default(&self) -> bool {
        *self == UnknownEnvironment::Include
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExceptionPolicy {
    pub allowed: bool,
    /// The longest an exception may last, from approval to expiry.
    #[serde(default)]
    pub max_duration_days: Option<u32>,
    /// Who must approve an exception.
    #[serde(default)]
    pub approval_role: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemediationMode {
    /// Fixed by changing the Terraform or CloudFormation code.
    IacChange,
    /// Needs a decision or process outside the code.
    Manual,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Remediation {
    pub mode: RemediationMode,
    /// What to change, in words.
    pub hint: String,
    /// A corrected Terraform snippet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terraform: Option<String>,
    /// A corrected CloudFormation snippet (YAML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudformation: Option<String>,
}

impl Remediation {
    /// The snippet for one input format.
    pub fn snippet(&self, format: crate::model::InputFormat) -> Option<&str> {
        match format {
            crate::model::InputFormat::TerraformPlan => self.terraform.as_deref(),
            crate::model::InputFormat::Cloudformation => self.cloudformation.as_deref(),
        }
    }

    /// The parts of the snippet for `format` that fix resources of `types`: the blocks of those
    /// types and of their own sub-resources (`aws_s3_bucket_policy` for `aws_s3_bucket`,
    /// `AWS::S3::BucketPolicy` for `AWS::S3::Bucket`), with the blocks of types outside
    /// `scope` (a KMS key the fix creates, a policy document) that they need; the blocks for
    /// other resources of the control are left out. `None` when no block is for these types.
    pub fn snippet_for(&self, format: crate::model::InputFormat, types: &[&str], scope: &[String]) -> Option<String> {
        let blocks = snippet_blocks(self.snippet(format)?);
        let typed: Vec<(Option<String>, &str)> = blocks.iter().map(|b| (block_type(b), b.as_str())).collect();
        let related = |t: &str| {
            types.iter().any(|want| match format {
                crate::model::InputFormat::TerraformPlan => t == *want || t.starts_with(&format!("{want}_")),
                crate::model::InputFormat::Cloudformation => t.starts_with(want),
            })
        };
        let in_scope = |t: &Option<String>| t.as_ref().is_some_and(|t| scope.contains(t));
        // A snippet of helpers only (no block of a scoped type) applies to every finding.
        let any_scoped = typed.iter().any(|(t, _)| in_scope(t));
        let any_related = typed.iter().any(|(t, _)| t.as_deref().is_some_and(related));
        if any_scoped && !any_related {
            return None;
        }
        let kept: Vec<&str> = typed
            .iter()
            .filter(|(t, _)| !in_scope(t) || t.as_deref().is_some_and(related))
            .map(|(_, b)| b.trim_end())
            .collect();
        (!kept.is_empty()).then(|| kept.join("\n\n"))
    }
}

/// A snippet cut into its top-level blocks: a block starts at an unindented line that is not a
/// closing bracket; comments above a block belong to it.
fn snippet_blocks(text: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let top = !line.is_empty() && !line.starts_with([' ', '\t', '}', ']', ')']);
        let only_comments = current.lines().all(|l| {
            let l = l.trim_start();
            l.is_empty() || l.starts_with('#') || l.starts_with("//")
        });
        if top && !only_comments {
            blocks.push(std::mem::take(&mut current));
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        blocks.push(current);
    }
    blocks
}

/// The resource type a snippet block declares: `resource "TYPE"` in Terraform (a `data` block is
/// `data.TYPE`), `Type: TYPE` in CloudFormation.
fn block_type(block: &str) -> Option<String> {
    block.lines().find_map(|l| {
        let l = l.trim_start();
        if let Some(rest) = l.strip_prefix("resource ").or_else(|| l.strip_prefix("data ")) {
            let t = rest.trim_start().strip_prefix('"')?.split('"').next()?;
            return Some(if l.starts_with("data ") {
                format!("data.{t}")
            } else {
                t.to_string()
            });
        }
        let t = l.strip_prefix("Type:")?.trim().trim_matches(['"', '\'']);
        t.starts_with("AWS::").then(|| t.to_string())
    })
}

/// A control as written in `policies/controls/<ID>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ControlFile {
    id: Spanned<String>,
    version: u32,
    title: String,
    intent: String,
    severity: Severity,
    scope: Scope,
    evidence_sources: Vec<String>,
    exception: Spanned<ExceptionPolicy>,
    remediation: Remediation,
    frameworks: Spanned<BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    help_uri: Option<String>,
    /// Rule parameters shared by the control's rules, which take them as their defaults.
    #[serde(default)]
    parameters: crate::engine::Parameters,
}

/// A loaded control.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Control {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub intent: String,
    pub severity: Severity,
    pub scope: Scope,
    pub evidence_sources: Vec<String>,
    pub exception: ExceptionPolicy,
    pub remediation: Remediation,
    pub frameworks: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// Parameter defaults of the control's rules (a rule's own declaration wins).
    #[serde(skip)]
    pub parameters: crate::engine::Parameters,
    /// Where the control was defined, for error messages.
    #[serde(skip)]
    pub origin: Located,
}

/// Whether `id` has the shape of a control id: upper-case words and a three-digit number.
pub fn is_control_id(id: &str) -> bool {
    let mut parts = id.split('-').peekable();
    let mut words = 0;
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            return words > 0 && p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit());
        }
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_uppercase()) {
            return false;
        }
        words += 1;
    }
    false
}

/// Parse and validate one control file.
pub fn parse(file: &str, text: &str) -> Result<Control, Located> {
    let c: ControlFile = crate::yaml::from_str(file, text)?;
    let (line, column) = crate::yaml::position(&c.id);
    let at = |l: usize, col: usize, msg: String| Located::new(file, l, col, msg);
    let id = c.id.value;
    if !is_control_id(&id) {
        return Err(at(line, column, format!("`{id}` is not a control id"))
            .with_help("control ids are upper-case words and a three-digit number, e.g. DP-ENC-001"));
    }
    if c.version == 0 {
        return Err(at(line, column, "`version` starts at 1".into()));
    }
    for (name, value) in [
        ("title", &c.title),
        ("intent", &c.intent),
        ("remediation.hint", &c.remediation.hint),
    ] {
        if value.trim().is_empty() {
            return Err(at(line, column, format!("control {id}: `{name}` is empty")));
        }
    }
    if c.scope.resource_types.is_empty() {
        return Err(
            at(line, column, format!("control {id}: `scope.resourceTypes` is empty"))
                .with_help("list the Terraform and CloudFormation types the control covers"),
        );
    }
    if c.scope.every_type() && c.scope.resource_types.len() > 1 {
        return Err(at(
            line,
            column,
            format!("control {id}: `*` covers every resource type and stands alone in `scope.resourceTypes`"),
        ));
    }
    if c.scope.unknown_environment == UnknownEnvironment::Exclude && c.scope.environments.is_empty() {
        return Err(at(
            line,
            column,
            format!("control {id}: `scope.unknownEnvironment: exclude` needs `scope.environments`"),
        )
        .with_help("it says whether a resource whose environment is unknown is in the environments listed"));
    }
    if c.evidence_sources.is_empty() {
        return Err(at(line, column, format!("control {id}: `evidenceSources` is empty")));
    }
    let (el, ec) = crate::yaml::position(&c.exception);
    let exception = c.exception.value;
    if exception.allowed
        && (exception.max_duration_days.unwrap_or(0) == 0
            || exception.approval_role.as_deref().is_none_or(crate::text::is_blank))
    {
        return Err(at(
            el,
            ec,
            format!("control {id}: exceptions are allowed but `maxDurationDays` or `approvalRole` is missing"),
        )
        .with_help("an allowed exception needs a positive `maxDurationDays` and an `approvalRole`"));
    }
    let (fl, fc) = crate::yaml::position(&c.frameworks);
    for (framework, ids) in &c.frameworks.value {
        if !FRAMEWORKS.contains(&framework.as_str()) {
            return Err(at(fl, fc, format!("control {id}: unknown framework `{framework}`"))
                .with_help(format!("known frameworks: {}", FRAMEWORKS.join(", "))));
        }
        if ids.is_empty() {
            return Err(at(
                fl,
                fc,
                format!("control {id}: framework `{framework}` lists no ids"),
            ));
        }
    }
    Ok(Control {
        parameters: c.parameters,
        origin: at(line, column, String::new()),
        id,
        version: c.version,
        title: c.title,
        intent: c.intent,
        severity: c.severity,
        scope: c.scope,
        evidence_sources: c.evidence_sources,
        exception,
        remediation: c.remediation,
        frameworks: c.frameworks.value,
        help_uri: c.help_uri,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id: BCK-001
version: 1
title: Backups
intent: Data can be restored.
severity: high
scope:
  environments: [prod]
  resourceTypes: [aws_db_instance]
evidenceSources: [terraform-plan]
exception:
  allowed: true
  maxDurationDays: 90
  approvalRole: security
remediation:
  mode: iac-change
  hint: Set it.
frameworks:
  nist-800-53: [CP-9]
";

    #[test]
    fn snippets_are_cut_to_the_blocks_of_the_findings_types() {
        use crate::model::InputFormat::{Cloudformation, TerraformPlan};
        let r = Remediation {
            mode: RemediationMode::IacChange,
            hint: "h".into(),
            terraform: Some(
                "# the key\nresource \"aws_kms_key\" \"k\" {\n  x = 1\n}\n\nresource \"aws_db_instance\" \"a\" {\n}\n\n\
                 resource \"aws_s3_bucket_policy\" \"p\" {\n}\nresource \"aws_rds_cluster\" \"c\" {\n}\n"
                    .into(),
            ),
            cloudformation: Some("Db:\n  Type: AWS::RDS::DBInstance\nPolicy:\n  Type: \"AWS::S3::BucketPolicy\"\n".into()),
        };
        let scope: Vec<String> = [
            "aws_db_instance",
            "aws_s3_bucket",
            "aws_s3_bucket_policy",
            "aws_rds_cluster",
        ]
        .map(String::from)
        .into();
        let db = r.snippet_for(TerraformPlan, &["aws_db_instance"], &scope).unwrap();
        assert!(db.starts_with("# the key\nresource \"aws_kms_key\""), "{db}");
        assert!(
            db.contains("aws_db_instance") && !db.contains("aws_rds_cluster") && !db.contains("policy"),
            "{db}"
        );
        // A sub-resource's block fixes its parent.
        let bucket = r.snippet_for(TerraformPlan, &["aws_s3_bucket"], &scope).unwrap();
        assert!(
            bucket.contains("aws_s3_bucket_policy") && !bucket.contains("aws_db_instance"),
            "{bucket}"
        );
        let both = r
            .snippet_for(TerraformPlan, &["aws_db_instance", "aws_rds_cluster"], &scope)
            .unwrap();
        assert!(
            both.contains("aws_rds_cluster") && both.contains("aws_db_instance"),
            "{both}"
        );
        // No block for the type: no snippet, rather than another resource's.
        assert_eq!(r.snippet_for(TerraformPlan, &["aws_dynamodb_table"], &scope), None);
        let scope: Vec<String> = ["AWS::RDS::DBInstance", "AWS::S3::Bucket", "AWS::S3::BucketPolicy"]
            .map(String::from)
            .into();
        let cfn = r.snippet_for(Cloudformation, &["AWS::S3::Bucket"], &scope).unwrap();
        assert_eq!(cfn, "Policy:\n  Type: \"AWS::S3::BucketPolicy\"");
        // Helpers only: the whole snippet.
        let helpers = Remediation {
            terraform: Some("provider \"aws\" {\n}\n".into()),
            ..r.clone()
        };
        assert_eq!(
            helpers.snippet_for(TerraformPlan, &["aws_db_instance"], &[]).as_deref(),
            Some("provider \"aws\" {\n}")
        );
    }

    #[test]
    fn parses_a_valid_control() {
        let c = parse("c.yaml", GOOD).unwrap();
        assert_eq!(c.id, "BCK-001");
        assert_eq!(c.severity, Severity::High);
        assert_eq!(c.frameworks["nist-800-53"], vec!["CP-9"]);
    }

    #[test]
    fn every_type_and_unknown_environments() {
        let every = parse("c.yaml", &GOOD.replace("[aws_db_instance]", "[\"*\"]")).unwrap();
        assert!(every.scope.every_type());
        assert_eq!(every.scope.unknown_environment, UnknownEnvironment::Include);
        let e = parse("c.yaml", &GOOD.replace("[aws_db_instance]", "[\"*\", aws_db_instance]")).unwrap_err();
        assert!(e.message.contains("stands alone"), "{e}");
        let exclude = GOOD.replace(
            "  environments: [prod]\n",
            "  environments: [prod]\n  unknownEnvironment: exclude\n",
        );
        assert_eq!(
            parse("c.yaml", &exclude).unwrap().scope.unknown_environment,
            UnknownEnvironment::Exclude
        );
        let e = parse("c.yaml", &exclude.replace("  environments: [prod]\n", "")).unwrap_err();
        assert!(e.message.contains("needs `scope.environments`"), "{e}");
    }

    #[test]
    fn control_ids_have_a_fixed_shape() {
        assert!(is_control_id("DP-ENC-001"));
        assert!(is_control_id("BCK-001"));
        assert!(!is_control_id("bck-001"));
        assert!(!is_control_id("BCK-1"));
        assert!(!is_control_id("001"));
        assert!(!is_control_id("BCK--001"));
    }

    #[test]
    fn rejects_unknown_fields_missing_fields_and_bad_values() {
        let e = parse("c.yaml", &GOOD.replace("intent:", "purpose:")).unwrap_err();
        assert!(e.message.contains("unknown field `purpose`"), "{e}");
        assert_eq!(e.line, 4);
        let e = parse("c.yaml", &GOOD.replace("severity: high\n", "")).unwrap_err();
        assert!(e.message.contains("missing field `severity`"), "{e}");
        let e = parse("c.yaml", &GOOD.replace("severity: high", "severity: urgent")).unwrap_err();
        assert_eq!(e.line, 5);
        let e = parse("c.yaml", &GOOD.replace("nist-800-53:", "nist:")).unwrap_err();
        assert!(e.message.contains("unknown framework `nist`"), "{e}");
        let e = parse("c.yaml", &GOOD.replace("id: BCK-001", "id: backups")).unwrap_err();
        assert_eq!((e.line, e.column), (1, 5));
        let e = parse("c.yaml", &GOOD.replace("  maxDurationDays: 90\n", "")).unwrap_err();
        assert!(e.message.contains("maxDurationDays"), "{e}");
    }
}
