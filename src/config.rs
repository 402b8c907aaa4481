//! Validated settings of a run: command-line values over the config file over defaults.
//!
//! The config file is `.controlgate.yaml` in the working directory, or `--config FILE`:
//!
//! ```yaml
//! environment: dev            # environment of resources that say nothing else
//! environmentTag: Environment # the tag that names a resource's environment
//! environments:               # or by path of the file that declares it, from the repository root (first match wins)
//!   - path: "envs/prod/**"
//!     environment: prod
//! failOn: low                 # lowest severity that blocks
//! unknown: fail               # fail | warn: do undecidable findings block?
//! policies: [policies-extra]  # packs added to the built-in one
//! builtin: true               # false: only the packs above
//! guardMappings: [registry/mappings/rule_set_nist800_53rev5.json]  # AWS Guard rule sets run beside
//! exceptions: .controlgate/exceptions.yaml  # registry file or directory
//! expiryWarningDays: 14       # warn about exceptions expiring this soon
//! invalidExceptions: fail     # fail | warn: does an invalid registry entry stop the gate?
//! account: "123456789012"     # the AWS account deployed to, for exceptions scoped by account
//! region: eu-west-1           # the region, where the input does not say
//! parameters:                 # rule parameters, by rule id
//!   required-tags-missing:
//!     tags: [Owner, CostCenter]
//! check: [DP-ENC-001]         # evaluate only these controls or rules
//! skipCheck: [TAG-001]        # do not evaluate these controls or rules
//! skipPath: ["examples/**"]   # files of directory walks not read (repository-relative globs)
//! parameterFiles:             # CloudFormation parameter values by template glob
//!   - templates: "stacks/web/*.yaml"
//!     files: [params/web.json]
//! changeIdTag: ChangeId       # the resource tag whose value names the change record (CHG-001)
//! ```
//!
//! Precedence: command line, then `CONTROLGATE_*` environment variables, then the config file,
//! then the defaults. A list (`check`, `skipCheck`, `skipPath`) given on the command line or in
//! the environment replaces the config file's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::catalog::{PackSource, Severity};
use crate::engine::Parameters;
use crate::environment::EnvironmentResolver;
use crate::error::Located;
use crate::exceptions::Clock;
pub use crate::exceptions::JudgedDay;
pub use crate::gate::Changed;
use crate::report::{Format, SarifExcepted, SarifOptions, UnknownPolicy};
use crate::selection::{GivenId, Selection, SkipPath};

pub const DEFAULT_CONFIG: &str = ".controlgate.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfigFile {
    environment: Option<String>,
    environment_tag: Option<String>,
    #[serde(default)]
    environments: Vec<PathEnvironment>,
    fail_on: Option<Severity>,
    unknown: Option<UnknownPolicy>,
    #[serde(default)]
    policies: Vec<PathBuf>,
    #[serde(default)]
    guard_mappings: Vec<PathBuf>,
    builtin: Option<bool>,
    exceptions: Option<PathBuf>,
    expiry_warning_days: Option<u32>,
    invalid_exceptions: Option<InvalidPolicy>,
    account: Option<String>,
    region: Option<String>,
    #[serde(default)]
    parameters: BTreeMap<String, Parameters>,
    #[serde(default)]
    check: Vec<String>,
    #[serde(default)]
    skip_check: Vec<String>,
    #[serde(default)]
    skip_path: Vec<String>,
    /// CloudFormation parameter files by template glob (both relative to the config file's
    /// directory); the command line's `--parameters` replace them.
    #[serde(default)]
    parameter_files: Vec<ParameterFilesEntry>,
    /// The resource tag whose value names the change's record (CHG-001).
    change_id_tag: Option<String>,
    /// Refused with a reason (see [`Settings::new`]): whether a blocked gate fails the job is
    /// the CI job's decision, not the repository's.
    soft_fail: Option<serde::de::IgnoredAny>,
}

/// The nearest directory at or above `dir` holding `.git`: the repository root that SARIF URIs
/// are relative to.
pub fn git_top_level(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf)
}

/// Whether an invalid exception-registry entry stops the gate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvalidPolicy {
    /// Every problem is an error: exit 2 (the default: fail closed).
    #[default]
    Fail,
    /// Problems are warnings; invalid entries still suppress nothing.
    Warn,
}

/// Where the registry is looked for when neither `--exceptions` nor the config file names one.
pub const DEFAULT_EXCEPTIONS: &[&str] = &[".controlgate/exceptions.yaml", ".controlgate/exceptions"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParameterFilesEntry {
    templates: String,
    files: Vec<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PathEnvironment {
    path: String,
    environment: String,
}

/// What the command line and the config file change from the defaults.
fn changes(o: &Overrides, file: &ConfigFile, origin: &str) -> Vec<Changed> {
    let config = if origin.is_empty() { "command line" } else { origin };
    let from = |setting: &str, cli: bool| {
        if cli { o.source(setting) } else { config.to_string() }
    };
    let mut out = Vec::new();
    let mut add = |setting: &str, value: String, default: &str, source: String, weakens: bool, effect: String| {
        out.push(Changed {
            setting: setting.into(),
            value,
            default: default.into(),
            source,
            weakens,
            effect,
        })
    };
    if o.no_builtin || file.builtin == Some(false) {
        add(
            "builtin",
            "false".into(),
            "true",
            from("builtin", o.no_builtin),
            true,
            "the built-in pack is not loaded: only the packs given decide what is checked".into(),
        );
    }
    if let Some(sev) = o.fail_on.or(file.fail_on).filter(|s| *s != Severity::Low) {
        add(
            "failOn",
            sev.as_str().into(),
            "low",
            from("failOn", o.fail_on.is_some()),
            true,
            format!("failing findings below {} severity do not block", sev.as_str()),
        );
    }
    if o.unknown.or(file.unknown) == Some(UnknownPolicy::Warn) {
        add(
            "unknown",
            "warn".into(),
            "fail",
            from("unknown", o.unknown.is_some()),
            true,
            "findings that cannot be decided before deployment do not block".into(),
        );
    }
    if o.invalid_exceptions.or(file.invalid_exceptions) == Some(InvalidPolicy::Warn) {
        add(
            "invalidExceptions",
            "warn".into(),
            "fail",
            from("invalidExceptions", o.invalid_exceptions.is_some()),
            true,
            "invalid exception entries are warned about instead of failing the run (they still suppress nothing)"
                .into(),
        );
    }
    if let Some(env) = o.environment.as_ref().or(file.environment.as_ref()) {
        add(
            "environment",
            env.clone(),
            "none",
            from("environment", o.environment.is_some()),
            true,
            format!(
                "resources that neither a tag nor a path pattern places are in `{env}`: controls scoped to other environments skip them"
            ),
        );
    }
    for e in &file.environments {
        add(
            "environments",
            format!("{} -> {}", e.path, e.environment),
            "none",
            config.to_string(),
            true,
            format!(
                "resources declared in `{}` are in `{}`: controls scoped to other environments skip them",
                e.path, e.environment
            ),
        );
    }
    if let Some(tag) = &file.environment_tag {
        add(
            "environmentTag",
            tag.clone(),
            "Environment",
            config.to_string(),
            true,
            format!("a resource's environment is read from its `{tag}` tag"),
        );
    }
    for (rule, params) in &file.parameters {
        let value = serde_json::to_string(params).unwrap_or_default();
        add(
            "parameters",
            format!("{rule} = {value}"),
            "the rule's own",
            config.to_string(),
            true,
            format!("rule {rule} runs with parameters of the config file"),
        );
    }
    for p in o
        .policies
        .iter()
        .map(|p| (p, true))
        .chain(file.policies.iter().map(|p| (p, false)))
    {
        add(
            "policies",
            p.0.display().to_string(),
            "none",
            from("policies", p.1),
            false,
            "a policy pack is added".into(),
        );
    }
    for p in o
        .guard_mappings
        .iter()
        .map(|p| (p, true))
        .chain(file.guard_mappings.iter().map(|p| (p, false)))
    {
        add(
            "guardMappings",
            p.0.display().to_string(),
            "none",
            from("guardMappings", p.1),
            false,
            "a Guard rule set is added".into(),
        );
    }
    let (check, cli) = list(&o.check, &file.check);
    if !check.is_empty() {
        add(
            "check",
            check.join(", "),
            "every rule",
            from("check", cli),
            true,
            "only the rules of these controls and rules are evaluated: every other rule is skipped (each is listed as skipped)".into(),
        );
    }
    let (skip, cli) = list(&o.skip_check, &file.skip_check);
    if !skip.is_empty() {
        add(
            "skipCheck",
            skip.join(", "),
            "none",
            from("skipCheck", cli),
            true,
            "the rules of these controls and rules are not evaluated (each is listed as skipped)".into(),
        );
    }
    let (paths, cli) = list(&o.skip_path, &file.skip_path);
    for p in paths {
        add(
            "skipPath",
            p.clone(),
            "none",
            from("skipPath", cli),
            true,
            format!("files of directory walks matching `{p}` are not read (each is listed as skipped)"),
        );
    }
    let cli_parameters = !o.parameter_files.is_empty();
    for p in &o.parameter_files {
        add(
            "parameterFiles",
            p.display().to_string(),
            "none",
            from("parameterFiles", true),
            true,
            "CloudFormation parameters of every template take this file's values: rules judge them instead of leaving the parameters undecided".into(),
        );
    }
    for e in file.parameter_files.iter().filter(|_| !cli_parameters) {
        add(
            "parameterFiles",
            format!(
                "{} -> {}",
                e.templates,
                e.files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "none",
            config.to_string(),
            true,
            format!(
                "CloudFormation parameters of templates matching `{}` take these files' values: rules judge them instead of leaving the parameters undecided",
                e.templates
            ),
        );
    }
    if let Some(tag) = &file.change_id_tag {
        add(
            "changeIdTag",
            tag.clone(),
            "none",
            config.to_string(),
            true,
            format!(
                "the `{tag}` tag of the resources a change touches names its change record: CHG-001 passes on a change whose resources carry it (the tag is the pull request author's to write)"
            ),
        );
    }
    if o.soft_fail {
        add(
            "softFail",
            "true".into(),
            "false",
            from("softFail", true),
            true,
            "a blocked gate exits 0: findings are reported and the decision is still `blocked`, but the job does not fail (an error still exits 2)".into(),
        );
    }
    out.sort_by_key(|c| !c.weakens);
    out
}

/// The change settings: `--change-id` checked (a bad one is an error: the CI job gave it), the
/// tag's name checked, the CI context detected.
fn change_settings(o: &Overrides, tag: Option<&str>, config: &str) -> Result<ChangeSettings, Located> {
    use crate::change::{ChangeRecord, RecordSource};
    let given = match &o.change_id {
        Some(id) => {
            let source = o.source("changeId");
            let flag = if source == "command line" {
                "--change-id"
            } else {
                source.as_str()
            };
            let id = crate::change::check_change_id(id).map_err(|e| {
                Located::file(flag, e).with_help(
                    "give the id of the change record (a ticket or change request), e.g. --change-id CHG-1234",
                )
            })?;
            Some(ChangeRecord {
                id,
                source: RecordSource::ChangeId,
                url: None,
            })
        }
        None => o.recorded_change.clone(),
    };
    if let Some(t) = tag
        && (crate::text::is_blank(t) || crate::text::invisible_in(t).is_some())
    {
        return Err(
            Located::file(config, format!("`changeIdTag` is not a tag key: {:?}", t))
                .with_help("name the tag whose value is the change record id, e.g. `changeIdTag: ChangeId`"),
        );
    }
    let detected = crate::change::detect(&o.ci_env);
    Ok(ChangeSettings {
        detected: detected.context,
        given,
        tag: tag.map(str::to_string),
        warnings: detected.warnings,
    })
}

/// The effective list of a setting: the command line's (or environment's) when it gives one,
/// else the config file's, with comma lists split and empty items dropped; and whether it is
/// the command line's.
fn list(cli: &[String], file: &[String]) -> (Vec<String>, bool) {
    let given = crate::selection::split_ids(cli);
    if given.is_empty() {
        (crate::selection::split_ids(file), false)
    } else {
        (given, true)
    }
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<ConfigFile, Located> {
        let shown = path.display().to_string();
        let text = crate::input::read::read_text(path, &shown)?;
        crate::yaml::from_str(&shown, &text)
    }
}

/// Values given on the command line; `None` leaves the config file's or the default.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub environment: Option<String>,
    pub fail_on: Option<Severity>,
    pub unknown: Option<UnknownPolicy>,
    pub policies: Vec<PathBuf>,
    /// Guard rule set mappings run beside the packs.
    pub guard_mappings: Vec<PathBuf>,
    pub no_builtin: bool,
    pub exceptions: Option<PathBuf>,
    /// The approver roster (command line only: the repository's config must not choose who
    /// may approve its own exceptions).
    pub approvers: Option<PathBuf>,
    pub today: Option<NaiveDate>,
    pub expiry_warning_days: Option<u32>,
    pub invalid_exceptions: Option<InvalidPolicy>,
    pub account: Option<String>,
    pub region: Option<String>,
    /// `--check` ids (comma lists allowed); empty leaves the config file's.
    pub check: Vec<String>,
    pub skip_check: Vec<String>,
    pub skip_path: Vec<String>,
    /// A blocked gate exits 0 (command line and environment only).
    pub soft_fail: bool,
    /// `--parameters` files: for every template checked.
    pub parameter_files: Vec<PathBuf>,
    /// `--change-id`: the change record the change names.
    pub change_id: Option<String>,
    /// The record a verified run named (its `context.changeRecord`), when `--change-id` is not
    /// given: a verification reads no CI variables.
    pub recorded_change: Option<crate::change::ChangeRecord>,
    /// The process environment, read once by the command: the change context is detected from it.
    pub ci_env: crate::change::Env,
    /// Where a value of the command line came from when it is not the command line: setting
    /// (`softFail`) to its environment variable (`CONTROLGATE_SOFT_FAIL`).
    pub sources: BTreeMap<&'static str, String>,
    /// What only the command line sets: where documents go and how files are read.
    pub run: RunOptions,
}

/// Options of `check` that the config file cannot set: the documents a run writes, how it
/// reads the files it is given, and what it prints. They carry even when the config file is
/// invalid, so every document still says the run failed.
#[derive(Debug, Default, Clone)]
pub struct RunOptions {
    pub format: Format,
    pub output: Option<PathBuf>,
    pub sarif_file: Option<PathBuf>,
    pub json_file: Option<PathBuf>,
    pub evidence: Option<PathBuf>,
    pub github_output: Option<PathBuf>,
    pub sarif_category: Option<String>,
    pub sarif_excepted: SarifExcepted,
    /// Relative to the working directory [default: its git top level].
    pub repo_root: Option<PathBuf>,
    pub source_roots: Vec<PathBuf>,
    pub skip_other_files: bool,
    pub allow_empty: bool,
    pub verbose: bool,
    pub quiet: bool,
    pub color: bool,
}

impl Overrides {
    /// Where the command-line value of `setting` came from: `command line` or an environment
    /// variable.
    pub fn source(&self, setting: &str) -> String {
        self.sources
            .get(setting)
            .cloned()
            .unwrap_or_else(|| "command line".to_string())
    }
}

/// Everything `check` needs, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The process exits once the run is reported (the command line sets it): what the run
    /// read is then left for the exit to free rather than freed piece by piece.
    pub leave_to_exit: bool,
    pub paths: Vec<PathBuf>,
    pub cwd: PathBuf,
    pub packs: Vec<PackSource>,
    pub environments: EnvironmentResolver,
    pub fail_on: Severity,
    pub unknown: UnknownPolicy,
    pub format: Format,
    /// The chosen document goes here instead of standard output.
    pub output: Option<PathBuf>,
    /// Extra documents written in the same run.
    pub sarif_file: Option<PathBuf>,
    pub json_file: Option<PathBuf>,
    /// The run record (`--evidence`).
    pub evidence: Option<PathBuf>,
    /// GitHub's step output file: `findings=`, `blocking=` and `verdict=` lines are appended.
    pub github_output: Option<PathBuf>,
    pub verbose: bool,
    /// Errors, warnings and the summary only (`--quiet`).
    pub quiet: bool,
    pub color: bool,
    /// The exception registry (file or directory), if there is one.
    pub exceptions: Option<PathBuf>,
    /// Who may approve for each role; when set, an approval by anyone else is invalid.
    pub approvers: Option<PathBuf>,
    /// The day exceptions are judged on (`--today`, else the system date).
    pub clock: Clock,
    /// That day, and where it came from.
    pub day: JudgedDay,
    pub invalid_exceptions: InvalidPolicy,
    pub account: Option<String>,
    /// The region of resources whose input does not say.
    pub region: Option<String>,
    /// SARIF category and the treatment of excepted findings.
    pub sarif: SarifOptions,
    /// Extra directories holding the `.tf` files of plans.
    pub source_roots: Vec<PathBuf>,
    /// Named files that are neither plans nor templates are skipped, not errors.
    pub skip_other_files: bool,
    /// A run that finds no plan or template passes instead of failing.
    pub allow_empty: bool,
    /// Rule parameters from the config file, by rule id, and the file that sets them.
    pub parameters: BTreeMap<String, Parameters>,
    pub config_file: String,
    /// Settings that differ from the defaults, weakening ones first.
    pub changed: Vec<Changed>,
    /// `--check` / `--skip-check` ids, resolved against the catalog when it is loaded.
    pub selection: Selection,
    /// `--skip-path` patterns.
    pub skip_paths: Vec<SkipPath>,
    /// A blocked gate exits 0; the decision still says `blocked`.
    pub soft_fail: bool,
    /// CloudFormation parameter files and the templates they go with.
    pub parameter_sources: Vec<crate::parameters::ParameterSource>,
    /// The change context and how the change names its record.
    pub change: ChangeSettings,
}

/// What a run knows of the change before reading its inputs.
#[derive(Debug, Clone, Default)]
pub struct ChangeSettings {
    /// The CI context detected from the run's variables, without its change record.
    pub detected: Option<crate::change::Context>,
    /// `--change-id`, or the record a verified run named.
    pub given: Option<crate::change::ChangeRecord>,
    /// The resource tag whose value names the change record (`changeIdTag`).
    pub tag: Option<String>,
    /// What detection left out, for standard error.
    pub warnings: Vec<String>,
}

impl Settings {
    /// How human output is printed to standard output.
    pub fn style(&self) -> crate::report::human::Style {
        crate::report::human::Style {
            color: self.color,
            quiet: self.quiet,
        }
    }

    /// Merge the config file (if any) with the command line.
    pub fn new(
        cwd: PathBuf,
        paths: Vec<PathBuf>,
        config: Option<(&Path, ConfigFile)>,
        o: Overrides,
    ) -> Result<Settings, Located> {
        let (origin, file) = match config {
            Some((p, f)) => (p.display().to_string(), f),
            None => (String::new(), ConfigFile::default()),
        };
        // The day is a UTC day: the same run judges the same exceptions in every time zone.
        let system = chrono::Utc::now().date_naive();
        let today = o.today.unwrap_or(system);
        if file.soft_fail.is_some() {
            return Err(Located::file(
                &origin,
                "`softFail` is not a config-file setting: whether a blocked gate fails the job is the CI job's decision, and the repository's config is the pull request author's to edit",
            )
            .with_help("pass --soft-fail (or set CONTROLGATE_SOFT_FAIL=true) in the job that runs the gate, for the rollout"));
        }
        let mut changed = changes(&o, &file, &origin);
        let config = if origin.is_empty() {
            "command line"
        } else {
            origin.as_str()
        };
        let change = change_settings(&o, file.change_id_tag.as_deref(), config)?;
        let given = |setting: &str, cli: &[String], file: &[String]| -> Vec<GivenId> {
            let (ids, from_cli) = list(cli, file);
            let source = if from_cli {
                o.source(setting)
            } else {
                config.to_string()
            };
            ids.into_iter()
                .map(|id| GivenId {
                    id,
                    source: source.clone(),
                })
                .collect()
        };
        let selection = Selection {
            check: given("check", &o.check, &file.check),
            skip: given("skipCheck", &o.skip_check, &file.skip_check),
        };
        let skip_paths = given("skipPath", &o.skip_path, &file.skip_path)
            .iter()
            .map(|g| SkipPath::new(&g.id, &g.source))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(day) = o.today {
            let earlier = day < system;
            changed.push(Changed {
                setting: "today".into(),
                value: day.to_string(),
                default: format!("the system date ({system}, UTC)"),
                source: "command line".into(),
                weakens: earlier,
                effect: if earlier {
                    format!(
                        "exceptions are judged as on {day}, {} days before the system date: an exception expired since may still apply",
                        (system - day).num_days()
                    )
                } else {
                    format!("exceptions are judged as on {day}")
                },
            });
            changed.sort_by_key(|c| !c.weakens);
        }
        let base = |p: &PathBuf| {
            if p.is_relative() { cwd.join(p) } else { p.clone() }
        };
        let mut packs = Vec::new();
        if !o.no_builtin && file.builtin.unwrap_or(true) {
            packs.push(PackSource::Builtin);
        }
        packs.extend(file.policies.iter().map(|p| PackSource::Dir(base(p))));
        packs.extend(o.policies.iter().map(|p| PackSource::Dir(p.clone())));
        packs.extend(file.guard_mappings.iter().map(|p| PackSource::GuardMapping(base(p))));
        packs.extend(o.guard_mappings.iter().map(|p| PackSource::GuardMapping(p.clone())));
        if packs.is_empty() {
            return Err(Located::file(
                if origin.is_empty() {
                    "command line".into()
                } else {
                    origin
                },
                "no policies: the built-in pack is off and no `--policies` is given",
            ));
        }
        let pairs: Vec<(String, String)> = file
            .environments
            .iter()
            .map(|e| (e.path.clone(), e.environment.clone()))
            .collect();
        let mut environments = EnvironmentResolver::default().with_patterns(&origin, &pairs)?;
        if let Some(tag) = file.environment_tag {
            environments.tag = tag;
        }
        environments.default = o.environment.or(file.environment);
        let run = o.run;
        let repo_root = match run.repo_root {
            Some(root) => {
                let root = if root.is_absolute() { root } else { cwd.join(root) };
                Some(root.canonicalize().unwrap_or(root))
            }
            None => git_top_level(&cwd),
        };
        let sarif = SarifOptions {
            category: run.sarif_category,
            excepted: run.sarif_excepted,
            repo_root,
            cwd: cwd.clone(),
        };
        let exceptions = o
            .exceptions
            .clone()
            .or_else(|| file.exceptions.as_ref().map(base))
            .or_else(|| DEFAULT_EXCEPTIONS.iter().map(|d| cwd.join(d)).find(|p| p.exists()));
        let parameter_sources = if !o.parameter_files.is_empty() {
            vec![crate::parameters::ParameterSource {
                templates: None,
                base: cwd.clone(),
                files: o.parameter_files.clone(),
                origin: "command line".into(),
            }]
        } else {
            // Relative to the config file's directory.
            let dir = Path::new(&origin)
                .parent()
                .map_or_else(|| cwd.clone(), |d| base(&d.to_path_buf()));
            file.parameter_files
                .iter()
                .map(|e| crate::parameters::ParameterSource {
                    templates: Some(e.templates.clone()),
                    base: dir.clone(),
                    files: e.files.clone(),
                    origin: origin.clone(),
                })
                .collect()
        };
        Ok(Settings {
            leave_to_exit: false,
            change,
            parameter_sources,
            changed,
            paths: if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            },
            cwd,
            packs,
            environments,
            fail_on: o.fail_on.or(file.fail_on).unwrap_or(Severity::Low),
            unknown: o.unknown.or(file.unknown).unwrap_or_default(),
            format: run.format,
            output: run.output,
            sarif_file: run.sarif_file,
            json_file: run.json_file,
            evidence: run.evidence,
            github_output: run.github_output,
            verbose: run.verbose,
            quiet: run.quiet,
            color: run.color,
            exceptions,
            approvers: o.approvers,
            day: JudgedDay {
                day: today,
                source: if o.today.is_some() {
                    "--today"
                } else {
                    "system clock (UTC)"
                },
                system,
            },
            clock: Clock {
                today,
                warn_days: i64::from(o.expiry_warning_days.or(file.expiry_warning_days).unwrap_or(14)),
            },
            invalid_exceptions: o.invalid_exceptions.or(file.invalid_exceptions).unwrap_or_default(),
            account: o.account.or(file.account),
            region: o.region.or(file.region),
            sarif,
            source_roots: run.source_roots,
            skip_other_files: run.skip_other_files,
            allow_empty: run.allow_empty,
            parameters: file.parameters,
            config_file: origin,
            selection,
            skip_paths,
            soft_fail: o.soft_fail,
        })
    }
}
