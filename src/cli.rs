//! Command-line arguments (clap types only; `main` turns them into [`crate::config::Settings`]).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use chrono::NaiveDate;

use crate::catalog::Severity;
use crate::config::InvalidPolicy;
use crate::evidence::query::When;
use crate::gate::Verdict;
use crate::report::control_catalog::DocFormat;
use crate::report::{Format, SarifExcepted, UnknownPolicy};

/// A command-line value enum mirroring a domain enum, with the help clap shows for each value:
/// the domain types stay free of the command line, and the mapping is checked by the compiler.
macro_rules! value_enum {
    ($(#[$meta:meta])* $name:ident => $domain:ident { $($(#[$vmeta:meta])* $variant:ident,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl From<$name> for $domain {
            fn from(v: $name) -> $domain {
                match v {
                    $($name::$variant => $domain::$variant,)*
                }
            }
        }
    };
}

value_enum! {
    /// `--format`.
    FormatArg => Format {
        /// Diagnostics for people, pointing at the line of each resource.
        Human,
        /// SARIF 2.1.0, for GitHub code scanning.
        Sarif,
        /// Findings and per-control counts, for scripts.
        Json,
        /// A Markdown summary for a pull request or a CI job summary.
        Markdown,
        /// GitHub Actions workflow commands (`::error file=…,line=…::`): annotations without
        /// code scanning.
        Github,
        /// JUnit XML test report (GitLab, Jenkins, Azure DevOps): a suite per control, a case per
        /// evaluated rule and resource.
        Junit,
        /// GitLab Code Quality report (`artifacts:reports:codequality`).
        Gitlab,
    }
}

value_enum! {
    /// `--fail-on`.
    SeverityArg => Severity {
        Low,
        Medium,
        High,
        Critical,
    }
}

value_enum! {
    /// `--unknown`.
    UnknownArg => UnknownPolicy {
        /// An unknown outcome blocks like a failure (the default: fail closed).
        Fail,
        /// An unknown outcome is reported but does not block.
        Warn,
    }
}

value_enum! {
    /// `--invalid-exceptions`.
    InvalidArg => InvalidPolicy {
        /// Every problem is an error: exit 2 (the default: fail closed).
        Fail,
        /// Problems are warnings; invalid entries still suppress nothing.
        Warn,
    }
}

value_enum! {
    /// `--sarif-excepted`.
    SarifExceptedArg => SarifExcepted {
        /// Kept, with a `suppressions` entry (accepted, with the exception's justification).
        Suppress,
        /// Left out, so code scanning opens no alert for them.
        Omit,
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "controlgate",
    version,
    about = "A pre-deploy compliance gate for AWS infrastructure-as-code"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// The largest file read (inputs, `.tf` sources, registry, config, packs, run records), in bytes or with
    /// a unit: `512M`, `1G`. A larger file is an error [default: 256M].
    #[arg(long, global = true, value_name = "SIZE", value_parser = crate::input::read::parse_size)]
    pub max_file_size: Option<u64>,
}

// Parsed once per run: the size of the largest variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Terraform plans (`terraform show -json`) and CloudFormation templates against the controls.
    ///
    /// Exit status: 0 the gate passes, 1 findings block it, 2 an input, policy or usage error.
    Check(CheckArgs),
    /// List the controls of the catalog and their rules.
    Controls(ControlsArgs),
    /// Validate and list the exception registry.
    #[command(subcommand)]
    Exceptions(ExceptionsCommand),
    /// Run policy unit tests: each rule against its compliant and noncompliant fixtures, and its
    /// examples.
    ///
    /// Tests of a pack live in PACK/tests/<rule-id>/: either an expected.yaml mapping each fixture
    /// to the resources the rule must fail, pass or find unknown, or compliant/ and noncompliant/
    /// folders. Without PACK, the built-in pack is tested: its directory in a controlgate checkout
    /// is policies/, so its tests are policies/tests (run it from the checkout's root). A Guard rule
    /// of a pack may instead be tested by a cfn-guard test file, PACK/tests/NAME_tests.yml or
    /// tests/NAME_tests.yml beside its NAME.guard. Exit status: 0 all pass, 1 a mismatch or an untested rule, 2 error.
    Test(TestArgs),
    /// The control catalog as a document: every control's intent, severity, scope, rules per
    /// format and engine, evidence sources, exception policy, remediation and framework mappings.
    ///
    /// With `--framework`, the catalog by the controls of one framework: which the catalog covers,
    /// which it maps without a rule in force, and which nothing covers.
    Catalog(CatalogArgs),
    /// Compliance metrics: control coverage (rules per format and engine, rules with passing and
    /// failing fixtures), exceptions by control and severity with their age, exceptions expiring
    /// soon and, with `--records`, noncompliance by control and its trend by month.
    ///
    /// Fixtures are counted by running the policy tests: the built-in pack's in policies/tests of
    /// the working directory (a controlgate checkout), a pack's in PACK/tests, or all in
    /// `--tests`. Exit status: 0, 2 a policy, registry or record cannot be read.
    Metrics(MetricsArgs),
    /// Print a control (or the control of a rule): intent, scope, rules, framework mappings,
    /// exception policy and remediation.
    Explain(ExplainArgs),
    /// Check that a run record (`check --evidence`) matches the files at hand: each input's
    /// SHA-256, the policy bundle's, and every other field against a new evaluation of the same
    /// inputs on the recorded day.
    ///
    /// Give the options the recorded run was given (the record's `settings.changed` lists
    /// them). Without INPUTS, the record's inputs are read, relative to the repository root.
    /// Exit status: 0 the record matches, 1 it does not, 2 the record cannot be read.
    VerifyEvidence(VerifyArgs),
    /// Find runs in a folder of run records, and put together a control's audit package
    /// (docs/evidence-queries.md).
    #[command(subcommand)]
    Evidence(EvidenceCommand),
}

value_enum! {
    /// `--decision`.
    DecisionArg => Verdict {
        Pass,
        Blocked,
        Error,
    }
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// The runs whose records match every filter given (a filter given twice matches either
    /// value): one row per run with its time, decision, repository, commit, inputs and record.
    ///
    /// DIR is read recursively: every `*.json` file is a record, every `*.jsonl` file holds one
    /// record per line. Exit status: 0 (with or without runs found), 2 a file cannot be read or
    /// is not a run record.
    Query(QueryArgs),
    /// The audit package of CONTROL for a period: the control, its implementation (rules,
    /// rule sets and policy bundles recorded), the runs that evaluated it, the exceptions in
    /// force and the noncompliance found with how it ended.
    ///
    /// Exit status: 0, 2 a record or the catalog cannot be read, or CONTROL is not in it.
    Package(PackageArgs),
}

#[derive(Debug, Args)]
pub struct RecordsArgs {
    /// The folder of run records (or one `.json` or `.jsonl` file).
    pub dir: PathBuf,
    /// Pass over JSON that is not a controlgate run record (a SARIF log, another in-toto
    /// predicate) with a note, instead of failing. Invalid JSON still fails.
    #[arg(long)]
    pub skip_other_files: bool,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub records: RecordsArgs,
    /// Runs that evaluated this control; its failed and excepted counts are shown.
    #[arg(long, value_name = "ID")]
    pub control: Vec<String>,
    /// Runs that changed or reported this resource (address or logical id; `*` matches any
    /// characters).
    #[arg(long, value_name = "ADDRESS")]
    pub resource: Vec<String>,
    /// Runs that applied this exception (it excepted a finding).
    #[arg(long, value_name = "ID")]
    pub exception: Vec<String>,
    /// Runs with this decision.
    #[arg(long, value_enum, value_name = "DECISION")]
    pub decision: Vec<DecisionArg>,
    /// Runs for this AWS account (`--account` of the run).
    #[arg(long, value_name = "ID")]
    pub account: Vec<String>,
    /// Runs for this region: the run's `--region`, or a resource's or a finding's.
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,
    /// Runs on this repository (the record's context, `owner/name`).
    #[arg(long, value_name = "NAME")]
    pub repository: Vec<String>,
    /// Runs started at or after this day (UTC) or RFC 3339 time.
    #[arg(long, value_name = "DATE|TIME")]
    pub since: Option<When>,
    /// Runs started on or before this day (the whole day, UTC) or at or before this RFC 3339 time.
    #[arg(long, value_name = "DATE|TIME")]
    pub until: Option<When>,
    /// `human` (a table) or `json`.
    #[arg(long, short, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct PackageArgs {
    /// The control id (`DP-ENC-001`).
    pub control: String,
    #[command(flatten)]
    pub records: RecordsArgs,
    /// The first day (UTC) or RFC 3339 time of the period.
    #[arg(long, value_name = "DATE|TIME")]
    pub since: When,
    /// The last day of the period (included) or an RFC 3339 time.
    #[arg(long, value_name = "DATE|TIME")]
    pub until: When,
    /// `markdown` or `json`.
    #[arg(long, short, value_enum, default_value_t = PackageFormat::Markdown)]
    pub format: PackageFormat,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum PackageFormat {
    #[default]
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The run record.
    pub record: PathBuf,
    /// The options of the recorded run; `--format json` prints the verification as JSON. Output
    /// options (`--output`, `--sarif-file`, `--evidence`, ...) are ignored: nothing is written.
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The policy pack to test (controls/, rules/, tests/) [default: the built-in pack].
    pub pack: Option<PathBuf>,
    /// Where the tests are [default: PACK/tests; policies/tests for the built-in pack].
    #[arg(long, value_name = "DIR")]
    pub tests: Option<PathBuf>,
    /// Run cfn-guard test files instead: a registry root (the folder holding rules/), a folder,
    /// or one *_tests.yml file. Each **/tests/NAME_tests.yml is paired with NAME.guard in the
    /// folder above tests/; its cases run on the data controlgate hands Guard.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["pack", "tests"])]
    pub guard_tests: Option<PathBuf>,
    /// The Guard file of the one test file --guard-tests names (as `cfn-guard test --rules-file`).
    #[arg(long, value_name = "FILE", requires = "guard_tests")]
    pub rules: Option<PathBuf>,
    /// `human` or `json`.
    #[arg(long, short, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Where the policy tests are: DIR/<rule-id>/ for every rule [default: policies/tests for
    /// the built-in pack, PACK/tests for a pack, where present].
    #[arg(long, value_name = "DIR")]
    pub tests: Option<PathBuf>,
    /// A folder of run records (`check --evidence`; `*.json` and `*.jsonl`), for noncompliance
    /// by control and its trend.
    #[arg(long, value_name = "DIR")]
    pub records: Option<PathBuf>,
    /// Pass over JSON under `--records` that is not a run record, with a note.
    #[arg(long, requires = "records")]
    pub skip_other_files: bool,
    /// `markdown` or `json`.
    #[arg(long, short, value_enum, default_value_t = DocFormatArg::Markdown)]
    pub format: DocFormatArg,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// `markdown` or `json`.
    #[arg(long, short, value_enum, default_value_t = DocFormatArg::Markdown)]
    pub format: DocFormatArg,
    /// Render by the controls of this framework: `cis-aws`, `nist-800-53`, `soc2`, `iso-27001`,
    /// or the key of a `--guard-mapping` rule set (`nist800-53rev5` for `NIST800-53Rev5`).
    #[arg(long, value_name = "KEY")]
    pub framework: Option<String>,
}

value_enum! {
    /// The formats of `catalog`.
    DocFormatArg => DocFormat {
        Markdown,
        Json,
    }
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A control id (`DP-ENC-001`) or a rule id (`rds-backup-retention-too-short`).
    pub id: String,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// `human` or `json`.
    #[arg(long, short, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub enum ExceptionsCommand {
    /// Check every registry entry; exit 2 if any is invalid.
    Validate(ExceptionsArgs),
    /// The exception inventory: state, owner, control, days to expiry and age of every entry.
    /// With PATHS, the inputs are checked too, so unused exceptions show.
    List(ExceptionsListArgs),
}

#[derive(Debug, Default, Args)]
pub struct RegistryArgs {
    /// The exception registry: a YAML file, or a directory of them [default:
    /// .controlgate/exceptions.yaml or .controlgate/exceptions/, if present].
    #[arg(long, value_name = "PATH", env = "CONTROLGATE_EXCEPTIONS")]
    pub exceptions: Option<PathBuf>,
    /// Who may approve exceptions for each role (`approvers:` role to identities); an approval by
    /// anyone else is invalid. Keep it outside the pull request's reach.
    #[arg(long, value_name = "FILE", env = "CONTROLGATE_APPROVERS")]
    pub approvers: Option<PathBuf>,
    /// Judge dates as on this day (YYYY-MM-DD) instead of today, for reproducible runs.
    #[arg(long, value_name = "DATE")]
    pub today: Option<NaiveDate>,
    /// Warn about exceptions expiring within this many days [default: 14].
    #[arg(long, value_name = "DAYS")]
    pub expiry_warning_days: Option<u32>,
}

#[derive(Debug, Args)]
pub struct ExceptionsArgs {
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Args)]
pub struct ExceptionsListArgs {
    /// Inputs to check, to see which exceptions are used.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// `human` (a table) or `json`.
    #[arg(long, short, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
    /// The AWS account deployed to, for exceptions scoped by account.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// The AWS region, for inputs that do not say.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

/// The formats of the listing commands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    #[default]
    Human,
    Json,
}

impl From<ListFormat> for Format {
    fn from(f: ListFormat) -> Format {
        match f {
            ListFormat::Human => Format::Human,
            ListFormat::Json => Format::Json,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Color {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// A policy pack directory (`controls/`, `rules/`) added to the built-in pack. Repeatable
    /// (the environment variable names one directory).
    #[arg(long, value_name = "DIR", env = "CONTROLGATE_POLICIES")]
    pub policies: Vec<PathBuf>,
    /// An AWS Guard Rules Registry rule set mapping (`mappings/rule_set_*.json` in a checkout of
    /// the registry): its Guard rules run beside the packs, each as a control named by the rule.
    /// Repeatable (the environment variable names one file).
    #[arg(long, value_name = "FILE", env = "CONTROLGATE_GUARD_MAPPING")]
    pub guard_mapping: Vec<PathBuf>,
    /// Leave out the built-in pack: only `--policies` packs apply.
    #[arg(long)]
    pub no_builtin: bool,
    /// Config file [default: .controlgate.yaml in the working directory, if present].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config", env = "CONTROLGATE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Read no config file, not even .controlgate.yaml (the repository's config is the pull
    /// request author's to edit).
    #[arg(long)]
    pub no_config: bool,
    /// Refuse to run without the built-in pack: a config file (or `--no-builtin`) that leaves it
    /// out is an error, and so is a config file's `check`, `skipCheck` or `skipPath` (the
    /// command line's and the environment's still apply).
    #[arg(long)]
    pub require_builtin: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and directories to check [default: .].
    pub paths: Vec<PathBuf>,
    /// The document written to standard output (or to `--output`).
    #[arg(long, short, value_enum, default_value_t = FormatArg::Human, env = "CONTROLGATE_FORMAT")]
    pub format: FormatArg,
    /// Write the document to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write SARIF to FILE, whatever `--format` is.
    #[arg(long, value_name = "FILE")]
    pub sarif_file: Option<PathBuf>,
    /// Also write JSON to FILE, whatever `--format` is.
    #[arg(long, value_name = "FILE")]
    pub json_file: Option<PathBuf>,
    /// Also write the run record to FILE: an in-toto Statement naming every input and policy
    /// file by its SHA-256, with the settings, per-control counts, exceptions applied, planned
    /// changes, the decision and the change's context (docs/evidence.md).
    #[arg(long, value_name = "FILE", env = "CONTROLGATE_EVIDENCE")]
    pub evidence: Option<PathBuf>,
    /// Append `findings=N`, `blocking=N` and `verdict=pass|blocked|error` lines to FILE, in the
    /// format of GitHub Actions' step output file (`--github-output "$GITHUB_OUTPUT"`).
    #[arg(long, value_name = "FILE")]
    pub github_output: Option<PathBuf>,
    /// Where to look for the `.tf` files of a plan, so findings point at the `resource` block
    /// (repeatable) [default: the plan's directory, then the working directory].
    #[arg(long, value_name = "DIR")]
    pub source_root: Vec<PathBuf>,
    /// The repository root SARIF URIs are relative to (with `originalUriBaseIds`) [default: the
    /// git top level of the working directory].
    #[arg(long, value_name = "DIR")]
    pub repo_root: Option<PathBuf>,
    /// SARIF `runAutomationDetails.id`: one category per stack when several SARIF files of one
    /// commit are uploaded to code scanning.
    #[arg(long, value_name = "NAME", env = "CONTROLGATE_SARIF_CATEGORY")]
    pub sarif_category: Option<String>,
    /// Excepted findings in SARIF: kept with a `suppressions` entry, or left out (GitHub code
    /// scanning ignores suppressions and would open alerts for them) [default: suppress].
    #[arg(long, value_enum, value_name = "MODE")]
    pub sarif_excepted: Option<SarifExceptedArg>,
    /// The lowest severity that blocks the gate [default: low, i.e. any].
    #[arg(long, value_enum, value_name = "SEVERITY", env = "CONTROLGATE_FAIL_ON")]
    pub fail_on: Option<SeverityArg>,
    /// Whether findings that cannot be decided before deployment block [default: fail].
    #[arg(long, value_enum, value_name = "POLICY", env = "CONTROLGATE_UNKNOWN")]
    pub unknown: Option<UnknownArg>,
    /// The environment of resources that neither a tag nor a config path pattern places.
    #[arg(long, value_name = "ENV", env = "CONTROLGATE_ENVIRONMENT")]
    pub environment: Option<String>,
    /// Evaluate only the rules of these controls or rules (`DP-ENC-001`,
    /// `rds-storage-unencrypted`); repeatable, or comma-separated. Every other rule is skipped
    /// and listed as skipped. An id that names nothing is an error.
    #[arg(long, value_name = "ID", env = "CONTROLGATE_CHECK")]
    pub check: Vec<String>,
    /// Do not evaluate the rules of these controls or rules; repeatable, or comma-separated.
    /// Skipped rules are listed in every output. An id that names nothing is an error.
    #[arg(long, value_name = "ID", env = "CONTROLGATE_SKIP_CHECK")]
    pub skip_check: Vec<String>,
    /// Leave out files of directory walks whose path (relative to the repository root), or a
    /// directory they are in, matches GLOB (`examples/**`, `**/testdata`). Repeatable. Named
    /// files are checked unless `--skip-other-files`. Skipped files are listed in every output.
    #[arg(long, value_name = "GLOB", env = "CONTROLGATE_SKIP_PATH")]
    pub skip_path: Vec<String>,
    /// CloudFormation parameter values the templates are deployed with: an AWS CLI parameters
    /// JSON, `Key=Value` lines, or a CodePipeline template configuration. Repeatable; applies to
    /// every template checked, replacing the config file's `parameterFiles`.
    #[arg(long = "parameters", value_name = "FILE")]
    pub parameter_files: Vec<PathBuf>,
    /// The change record the change names (a ticket or change request id), for CHG-001 and the
    /// run record's `context.changeRecord`; it takes precedence over the pull request of the CI
    /// context and over the config file's `changeIdTag`.
    #[arg(long, value_name = "ID", env = "CONTROLGATE_CHANGE_ID")]
    pub change_id: Option<String>,
    /// Report everything but exit 0 when the gate is blocked (for a rollout); the decision
    /// still says `blocked`, and an error run still exits 2.
    #[arg(long, env = "CONTROLGATE_SOFT_FAIL", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0, default_missing_value = "true")]
    pub soft_fail: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Whether an invalid registry entry stops the gate (exit 2) or is only reported [default: fail].
    #[arg(long, value_enum, value_name = "POLICY")]
    pub invalid_exceptions: Option<InvalidArg>,
    /// The AWS account deployed to, for exceptions scoped by account.
    #[arg(long, value_name = "ID", env = "CONTROLGATE_ACCOUNT")]
    pub account: Option<String>,
    /// The AWS region, for inputs that do not say (CloudFormation templates).
    #[arg(long, value_name = "REGION", env = "CONTROLGATE_REGION")]
    pub region: Option<String>,
    /// Treat files named on the command line as a directory walk does: skip those that are
    /// neither plans nor templates instead of failing (for pre-commit, which passes every
    /// matching file). A broken plan or template still fails.
    #[arg(long)]
    pub skip_other_files: bool,
    /// Pass a run that finds no plan or template (without it, that is an error, as when the
    /// paths are wrong). `--skip-other-files` implies it.
    #[arg(long)]
    pub allow_empty: bool,
    /// List the files skipped because they are neither plans nor templates.
    #[arg(long, short, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Print only errors, warnings and the summary: no findings or remediation in human output,
    /// no notes on standard error. Documents of other formats are unchanged.
    #[arg(long, short)]
    pub quiet: bool,
    /// Colors in human output: `auto` colors a terminal unless NO_COLOR is set (to anything but
    /// the empty string) or TERM is `dumb`; `always` and `never` override both.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

impl Color {
    /// Whether to color, given whether standard output is a terminal and the NO_COLOR and TERM
    /// variables (<https://no-color.org>: a flag overrides NO_COLOR).
    pub fn enabled(self, terminal: bool, no_color: Option<&std::ffi::OsStr>, term: Option<&std::ffi::OsStr>) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb"),
        }
    }
}

#[derive(Debug, Args)]
pub struct ControlsArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// `human` (a table) or `json`.
    #[arg(long, short, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[cfg(test)]
mod tests {
    use super::Color;
    use std::ffi::OsStr;

    #[test]
    fn color_follows_the_flag_then_no_color_then_term() {
        let s = |v: &'static str| Some(OsStr::new(v));
        assert!(Color::Auto.enabled(true, None, s("xterm-256color")));
        assert!(!Color::Auto.enabled(false, None, None), "not a terminal");
        assert!(!Color::Auto.enabled(true, s("1"), None));
        // An empty NO_COLOR does not count (no-color.org).
        assert!(Color::Auto.enabled(true, s(""), None));
        assert!(!Color::Auto.enabled(true, None, s("dumb")));
        assert!(Color::Always.enabled(false, s("1"), s("dumb")));
        assert!(!Color::Never.enabled(true, None, None));
    }
}
