//! The `controlgate` command: parse arguments, run, map the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::collections::BTreeMap;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use controlgate::catalog::PackSource;
use controlgate::cli::{
    CheckArgs, Cli, Command, EvidenceCommand, ExceptionsCommand, FormatArg, PolicyArgs, RegistryArgs, TestArgs,
    VerifyArgs,
};
use controlgate::config::{
    ConfigFile, DEFAULT_CONFIG, DEFAULT_EXCEPTIONS, InvalidPolicy, Overrides, RunOptions, Settings,
};
use controlgate::error::{Error, Located};
use controlgate::gate::Verdict;
use controlgate::report::escape;

/// 0 the gate passes, 1 findings block it, 2 usage, input, policy or internal error.
enum Exit {
    Pass,
    Blocked,
    Error,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(match e {
            Exit::Pass => 0,
            Exit::Blocked => 1,
            Exit::Error => 2,
        })
    }
}

fn main() -> ExitCode {
    let parsed = without_empty_env(Cli::command())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|c| (c, m)));
    let (cli, matches) = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { Exit::Error } else { Exit::Pass };
            let _ = e.print();
            if e.use_stderr() {
                // clap does not say a bad value came from the environment.
                for (name, value) in std::env::vars_os() {
                    let name = name.to_string_lossy();
                    if name.starts_with("CONTROLGATE_") {
                        eprintln!(
                            "note: set in the environment: {}={}",
                            escape::line(&name),
                            escape::line(&controlgate::text::shorten(&value.to_string_lossy(), 200))
                        );
                    }
                }
            }
            return code.into();
        }
    };
    let sources = env_sources(&matches);
    let from_env = env_values(&matches);
    // Before anything is read: the config file and packs are bounded too.
    if let Some(limit) = cli.max_file_size {
        controlgate::input::read::set_max_file_size(limit);
    }
    let exit = match run(cli, sources) {
        Ok(exit) => exit,
        Err(errors) => {
            report_errors(&errors);
            Exit::Error
        }
    };
    // An error may name only a value (`missing.yaml`): say which variables gave values, as the
    // job's log may not show them.
    if matches!(exit, Exit::Error) {
        for (name, value) in &from_env {
            eprintln!(
                "note: set in the environment: {}={}",
                escape::line(name),
                escape::line(&controlgate::text::shorten(value, 200))
            );
        }
    }
    exit.into()
}

/// The `CONTROLGATE_*` variables that gave the subcommand a value, with the value.
fn env_values(matches: &clap::ArgMatches) -> Vec<(String, String)> {
    let Some((name, m)) = matches.subcommand() else {
        return Vec::new();
    };
    let cmd = Cli::command();
    let Some(sub) = cmd.find_subcommand(name) else {
        return Vec::new();
    };
    sub.get_arguments()
        .filter(|a| m.value_source(a.get_id().as_str()) == Some(ValueSource::EnvVariable))
        .filter_map(|a| {
            let var = a.get_env()?;
            let value = std::env::var_os(var)?;
            Some((var.to_string_lossy().into_owned(), value.to_string_lossy().into_owned()))
        })
        .collect()
}

fn report_errors(errors: &[Error]) {
    // Messages name files and quote values from the inputs: one line each, no control characters.
    // A closed standard error is no reason to panic: the exit code still tells.
    let mut err = std::io::stderr().lock();
    for e in errors {
        let _ = writeln!(err, "error: {}", escape::line(&e.to_string()));
        if let Some(help) = e.located().and_then(|l| l.help.as_ref()) {
            let _ = writeln!(err, "  help: {}", escape::line(help));
        }
    }
    if errors.len() > 1 {
        let _ = writeln!(err, "controlgate: {} errors", errors.len());
    }
}

/// Standard output's error: none when the reader closed the pipe (`controlgate ... | head`),
/// which ends the output but not the run: the exit code is what the run decided.
fn stdout_result(result: std::io::Result<()>) -> Result<(), Vec<Error>> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(vec![Error::Output {
            path: "standard output".into(),
            source,
        }]),
        Ok(()) => Ok(()),
    }
}

/// Write `text` to standard output (see [`stdout_result`]).
fn print_out(text: &str) -> Result<(), Vec<Error>> {
    let mut out = std::io::stdout().lock();
    stdout_result(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

fn settings(
    cwd: PathBuf,
    paths: Vec<PathBuf>,
    policy: &PolicyArgs,
    overrides: Overrides,
) -> Result<Settings, Vec<Error>> {
    let config_path = policy.config.clone().or_else(|| {
        Some(PathBuf::from(DEFAULT_CONFIG)).filter(|p| !policy.no_config && std::fs::symlink_metadata(p).is_ok())
    });
    let config = match &config_path {
        Some(p) => Some((p.as_path(), ConfigFile::load(p).map_err(|e| vec![Error::Config(e)])?)),
        None => None,
    };
    let s = Settings::new(cwd, paths, config.map(|(p, c)| (p as &Path, c)), overrides)
        .map_err(|e| vec![Error::Config(e)])?;
    if policy.require_builtin && !s.packs.contains(&PackSource::Builtin) {
        let source = s
            .changed
            .iter()
            .find(|c| c.setting == "builtin")
            .map_or("the command line", |c| c.source.as_str());
        return Err(vec![Error::Config(
            Located::file(
                source,
                "the built-in pack is left out, and --require-builtin requires it",
            )
            .with_help("remove `builtin: false` (or --no-builtin); packs of your own are added with `policies:`"),
        )]);
    }
    // The repository's config is the pull request author's to edit: under --require-builtin it
    // may add packs and rules, never narrow what is checked. Selection stays the CI job's.
    if policy.require_builtin && !s.config_file.is_empty() {
        let narrowing: Vec<Error> = s
            .changed
            .iter()
            .filter(|c| ["check", "skipCheck", "skipPath"].contains(&c.setting.as_str()) && c.source == s.config_file)
            .map(|c| {
                Error::Config(
                    Located::file(
                        &s.config_file,
                        format!(
                            "`{}: {}` leaves rules or files unchecked, and --require-builtin refuses that from the config file",
                            c.setting,
                            c.value.escape_debug()
                        ),
                    )
                    .with_help(
                        "pass --check / --skip-check / --skip-path in the CI job that runs the gate, or record an exception for the resource (an exception has an owner, an approver and an expiry)",
                    ),
                )
            })
            .collect();
        if !narrowing.is_empty() {
            return Err(narrowing);
        }
    }
    Ok(s)
}

/// `cmd` reading no environment variable that is empty or blank: CI systems set a variable to
/// the empty string for an input nobody gave (`${{ inputs.fail-on }}`), which means "unset",
/// not an invalid value.
fn without_empty_env(cmd: clap::Command) -> clap::Command {
    let blank = |a: &clap::Arg| {
        a.get_env()
            .and_then(std::env::var_os)
            .is_some_and(|v| v.to_string_lossy().trim().is_empty())
    };
    // `--no-config` on the command line outranks CONTROLGATE_CONFIG, as the command line
    // outranks the environment everywhere (clap would call the two a conflict).
    let no_config = std::env::args_os().any(|a| a == "--no-config");
    let mut cmd = cmd.mut_args(|a| {
        if blank(&a) || (no_config && a.get_id() == "config") {
            a.env(None)
        } else {
            a
        }
    });
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, without_empty_env);
    }
    cmd
}

/// The settings of `check` (by their config-file name) that can come from the environment, with
/// the argument and the variable.
const FROM_ENV: &[(&str, &str, &str)] = &[
    ("failOn", "fail_on", "CONTROLGATE_FAIL_ON"),
    ("unknown", "unknown", "CONTROLGATE_UNKNOWN"),
    ("environment", "environment", "CONTROLGATE_ENVIRONMENT"),
    ("policies", "policies", "CONTROLGATE_POLICIES"),
    ("guardMappings", "guard_mapping", "CONTROLGATE_GUARD_MAPPING"),
    ("check", "check", "CONTROLGATE_CHECK"),
    ("skipCheck", "skip_check", "CONTROLGATE_SKIP_CHECK"),
    ("skipPath", "skip_path", "CONTROLGATE_SKIP_PATH"),
    ("softFail", "soft_fail", "CONTROLGATE_SOFT_FAIL"),
    ("changeId", "change_id", "CONTROLGATE_CHANGE_ID"),
];

/// The settings whose value came from a `CONTROLGATE_*` variable rather than the command line,
/// so the record of a weakened gate names the variable.
fn env_sources(matches: &clap::ArgMatches) -> BTreeMap<&'static str, String> {
    let Some(("check" | "verify-evidence", m)) = matches.subcommand() else {
        return BTreeMap::new();
    };
    FROM_ENV
        .iter()
        .filter(|(_, arg, _)| m.value_source(arg) == Some(ValueSource::EnvVariable))
        .map(|(setting, _, var)| (*setting, (*var).to_string()))
        .collect()
}

fn run(cli: Cli, sources: BTreeMap<&'static str, String>) -> Result<Exit, Vec<Error>> {
    let cwd = std::env::current_dir().map_err(|e| {
        vec![Error::Config(Located::file(
            ".",
            format!("cannot read the working directory: {e}"),
        ))]
    })?;
    match cli.command {
        Command::Check(args) => check(cwd, args, sources),
        Command::VerifyEvidence(args) => verify_evidence(cwd, args, sources),
        Command::Exceptions(command) => exceptions(cwd, command),
        Command::Evidence(command) => evidence(cwd, command),
        Command::Test(args) => test(args),
        Command::Explain(args) => {
            let s = settings(
                cwd,
                Vec::new(),
                &args.policy,
                registry_overrides(&args.policy, &RegistryArgs::default()),
            )?;
            let catalog = controlgate::load_catalog(&s)?;
            let Some(text) = controlgate::report::catalog::explain(&catalog, &args.id, args.format.into()) else {
                return Err(vec![Error::Config(
                    Located::file("command line", format!("no control or rule `{}`", args.id))
                        .with_help("`controlgate controls` lists them"),
                )]);
            };
            print_out(&text)?;
            Ok(Exit::Pass)
        }
        Command::Metrics(args) => {
            let s = settings(
                cwd,
                Vec::new(),
                &args.policy,
                registry_overrides(&args.policy, &args.registry),
            )?;
            if let Some(t) = args.tests.as_deref().filter(|t| !t.is_dir()) {
                return Err(vec![Error::Config(Located::file(
                    t.display().to_string(),
                    "no such tests directory",
                ))]);
            }
            let store = match &args.records {
                Some(dir) => {
                    let loaded = controlgate::evidence::store::load(dir, args.skip_other_files, &|_| true)
                        .map_err(|e| e.into_iter().map(Error::Input).collect::<Vec<_>>())?;
                    for note in &loaded.skipped {
                        let _ = writeln!(std::io::stderr(), "note: {}", escape::line(note));
                    }
                    Some(loaded)
                }
                None => None,
            };
            let runs = store.as_ref().map(|s| s.records.as_slice());
            let value = controlgate::run::metrics(&s, args.tests.as_deref(), runs)?;
            let text = match args.format.into() {
                controlgate::report::control_catalog::DocFormat::Json => {
                    format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default())
                }
                controlgate::report::control_catalog::DocFormat::Markdown => {
                    controlgate::evidence::metrics::markdown(&value)
                }
            };
            print_out(&text)?;
            Ok(Exit::Pass)
        }
        Command::Catalog(args) => {
            let s = settings(
                cwd,
                Vec::new(),
                &args.policy,
                registry_overrides(&args.policy, &RegistryArgs::default()),
            )?;
            let catalog = controlgate::load_catalog(&s)?;
            let mut references = controlgate::catalog::framework::builtin().map_err(|e| vec![Error::Policy(e)])?;
            references.extend(catalog.references.iter().cloned());
            let format = args.format.into();
            let text = match &args.framework {
                None => controlgate::report::control_catalog::catalog(&catalog, &references, format),
                Some(key) => controlgate::report::control_catalog::by_framework(&catalog, &references, key, format)
                    .ok_or_else(|| {
                        let mut keys: Vec<&str> = references.iter().map(|r| r.key.as_str()).collect();
                        keys.sort();
                        vec![Error::Config(
                            Located::file("command line", format!("no framework `{key}`"))
                                .with_help(format!("known frameworks: {}", keys.join(", "))),
                        )]
                    })?,
            };
            print_out(&text)?;
            Ok(Exit::Pass)
        }
        Command::Controls(args) => {
            let s = settings(
                cwd,
                Vec::new(),
                &args.policy,
                Overrides {
                    policies: args.policy.policies.clone(),
                    guard_mappings: args.policy.guard_mapping.clone(),
                    no_builtin: args.policy.no_builtin,
                    ..Default::default()
                },
            )?;
            let catalog = controlgate::load_catalog(&s)?;
            stdout_result(controlgate::report::catalog::list_controls(
                &catalog,
                args.format.into(),
                &mut std::io::stdout().lock(),
            ))?;
            Ok(Exit::Pass)
        }
    }
}

fn registry_overrides(policy: &PolicyArgs, registry: &RegistryArgs) -> Overrides {
    Overrides {
        policies: policy.policies.clone(),
        guard_mappings: policy.guard_mapping.clone(),
        no_builtin: policy.no_builtin,
        exceptions: registry.exceptions.clone(),
        approvers: registry.approvers.clone(),
        today: registry.today,
        expiry_warning_days: registry.expiry_warning_days,
        ..Default::default()
    }
}

fn exceptions(cwd: PathBuf, command: ExceptionsCommand) -> Result<Exit, Vec<Error>> {
    let (policy, registry, paths) = match &command {
        ExceptionsCommand::Validate(a) => (&a.policy, &a.registry, Vec::new()),
        ExceptionsCommand::List(a) => (&a.policy, &a.registry, a.paths.clone()),
    };
    let mut overrides = registry_overrides(policy, registry);
    if let ExceptionsCommand::List(a) = &command {
        overrides.account.clone_from(&a.account);
        overrides.region.clone_from(&a.region);
    }
    // Listing reports invalid entries as such; only `validate` fails on them.
    overrides.invalid_exceptions = Some(InvalidPolicy::Warn);
    let with_paths = !paths.is_empty();
    let s = settings(cwd, paths, policy, overrides)?;
    if s.exceptions.is_none() {
        return Err(vec![Error::Exception(
            Located::file("command line", "no exception registry: pass --exceptions PATH").with_help(format!(
                "or create {} (or set `exceptions:` in the config file)",
                DEFAULT_EXCEPTIONS.join(" or ")
            )),
        )]);
    }
    let catalog = controlgate::load_catalog(&s)?;
    let registry = controlgate::load_exceptions(&s, &catalog)?;
    match command {
        ExceptionsCommand::Validate(_) => {
            let errors: Vec<Error> = registry.iter().flat_map(|e| e.errors()).map(Error::Exception).collect();
            if !errors.is_empty() {
                return Err(errors);
            }
            // How many files were read, so a registry directory whose files were passed over shows.
            let files = s
                .exceptions
                .as_deref()
                .and_then(|p| controlgate::exceptions::registry::files(p).ok())
                .map_or(0, |f| f.len());
            print_out(&controlgate::report::inventory::all_valid(registry.len(), files))?;
            Ok(Exit::Pass)
        }
        ExceptionsCommand::List(a) => {
            let entries = if with_paths {
                let run = controlgate::run(&s)?;
                for m in &run.messages {
                    let _ = writeln!(std::io::stderr(), "{}", escape::line(m));
                }
                if !run.errors.is_empty() {
                    return Err(run.errors);
                }
                run.inventory
            } else {
                controlgate::exceptions::inventory(&registry, &s.clock, None)
            };
            stdout_result(controlgate::report::inventory::list_exceptions(
                &entries,
                a.format.into(),
                &mut std::io::stdout().lock(),
            ))?;
            Ok(Exit::Pass)
        }
    }
}

fn test(args: TestArgs) -> Result<Exit, Vec<Error>> {
    if let Some(path) = &args.guard_tests {
        return guard_tests(path, args.rules.as_deref(), args.format.into());
    }
    let (sources, tests) = match &args.pack {
        Some(pack) => (
            vec![PackSource::Builtin, PackSource::Dir(pack.clone())],
            args.tests.clone().unwrap_or_else(|| pack.join("tests")),
        ),
        None => (
            vec![PackSource::Builtin],
            args.tests
                .clone()
                .unwrap_or_else(|| PathBuf::from(controlgate::policytest::BUILTIN_TESTS)),
        ),
    };
    let mut catalog =
        controlgate::catalog::load(&sources).map_err(|e| e.into_iter().map(Error::Policy).collect::<Vec<_>>())?;
    // A pack's tests cover the pack's rules; its rules may still enforce built-in controls.
    if let Some(pack) = &args.pack {
        let root = pack.display().to_string();
        catalog.rules.retain(|r| r.origin.file.starts_with(&root));
    }
    #[cfg(feature = "guard")]
    if let Some(pack) = &args.pack {
        let guard = controlgate::guardtest::run_pack(pack);
        if !guard.files.is_empty() {
            // A Guard rule a cfn-guard test file states an expectation for is tested by it.
            let expected = guard.expected_rules();
            let covered = catalog
                .rules
                .iter()
                .filter(|r| expected.get(&r.origin.file).is_some_and(|names| names.contains(&r.id)))
                .map(|r| r.id.clone())
                .collect();
            let results =
                controlgate::policytest::run_with(&catalog, &tests, &covered).map_err(|e| vec![Error::Policy(e)])?;
            let failed = results.iter().filter(|r| !r.passed()).count() + guard.failed();
            let text = controlgate::report::policytest::with_guard_tests(Some(&results), &guard, args.format.into());
            return guard_exit(&text, &guard, failed);
        }
    }
    let results = controlgate::policytest::run(&catalog, &tests).map_err(|e| vec![Error::Policy(e)])?;
    let failed = results.iter().filter(|r| !r.passed()).count();
    let text = controlgate::report::policytest::results(&results, args.format.into());
    print_out(&text)?;
    Ok(if failed > 0 { Exit::Blocked } else { Exit::Pass })
}

/// `controlgate test --guard-tests PATH [--rules FILE]`.
#[cfg(feature = "guard")]
fn guard_tests(path: &Path, rules: Option<&Path>, format: controlgate::report::Format) -> Result<Exit, Vec<Error>> {
    let guard = controlgate::guardtest::run_path(path, rules).map_err(|e| vec![Error::Policy(e)])?;
    let text = controlgate::report::policytest::with_guard_tests(None, &guard, format);
    guard_exit(&text, &guard, guard.failed())
}

#[cfg(not(feature = "guard"))]
fn guard_tests(path: &Path, _: Option<&Path>, _: controlgate::report::Format) -> Result<Exit, Vec<Error>> {
    Err(vec![Error::Policy(
        Located::file(
            path.display().to_string(),
            "this build of controlgate has no Guard engine",
        )
        .with_help("build with the default feature `guard` to run Guard test files"),
    )])
}

/// Print the results; a test file that could not be run is an error (exit 2), named on standard
/// error too.
#[cfg(feature = "guard")]
fn guard_exit(text: &str, guard: &controlgate::guardtest::GuardTests, failed: usize) -> Result<Exit, Vec<Error>> {
    print_out(text)?;
    let errors: Vec<Error> = guard.errors().into_iter().map(|e| Error::Policy(e.clone())).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(if failed > 0 { Exit::Blocked } else { Exit::Pass })
}

/// `evidence query` and `evidence package`: read the records folder, keeping the runs asked
/// for, then print them or the package.
fn evidence(cwd: PathBuf, command: EvidenceCommand) -> Result<Exit, Vec<Error>> {
    use controlgate::evidence::{package, query, store};
    let period = match &command {
        EvidenceCommand::Query(a) => a.since.zip(a.until),
        EvidenceCommand::Package(a) => Some((a.since, a.until)),
    };
    if let Some((since, until)) = period.filter(|(s, u)| s.after(*u)) {
        return Err(vec![Error::Config(Located::file(
            "command line",
            format!(
                "--since {} is after --until {}: the period is empty",
                since.show(),
                until.show()
            ),
        ))]);
    }
    let load = |records: &controlgate::cli::RecordsArgs, keep: &(dyn Fn(&store::Record) -> bool + Sync)| {
        let loaded = store::load(&records.dir, records.skip_other_files, keep)
            .map_err(|e| e.into_iter().map(Error::Input).collect::<Vec<_>>())?;
        let mut err = std::io::stderr().lock();
        // A folder of artifacts may hold thousands of other files: the first ones, then a count.
        const NOTES: usize = 20;
        for note in loaded.skipped.iter().take(NOTES) {
            let _ = writeln!(err, "note: {}", escape::line(note));
        }
        if loaded.skipped.len() > NOTES {
            let _ = writeln!(err, "note: and {} more passed over", loaded.skipped.len() - NOTES);
        }
        Ok::<_, Vec<Error>>(loaded)
    };
    match command {
        EvidenceCommand::Query(a) => {
            let filter = query::Filter {
                controls: a.control,
                resources: a.resource,
                exceptions: a.exception,
                decisions: a.decision.into_iter().map(Into::into).collect(),
                accounts: a.account,
                regions: a.region,
                repositories: a.repository,
                since: a.since,
                until: a.until,
            };
            let loaded = load(&a.records, &|r| filter.matches(r))?;
            let rows: Vec<&store::Record> = loaded.records.iter().collect();
            eprintln!("controlgate: {} of {} runs match", rows.len(), loaded.read);
            if rows.is_empty() && a.format == controlgate::cli::ListFormat::Human {
                return Ok(Exit::Pass);
            }
            let text = match a.format {
                controlgate::cli::ListFormat::Human => query::human(&rows, &filter),
                controlgate::cli::ListFormat::Json => query::json(loaded.read, &rows, &filter),
            };
            print_out(&text)?;
            Ok(Exit::Pass)
        }
        EvidenceCommand::Package(a) => {
            // The catalog first: a control that is not in it fails before the folder is read.
            let s = settings(
                cwd,
                Vec::new(),
                &a.policy,
                registry_overrides(&a.policy, &RegistryArgs::default()),
            )?;
            let catalog = controlgate::load_catalog(&s)?;
            let Some(control) = catalog.controls.get(&a.control) else {
                return Err(vec![Error::Config(
                    Located::file("command line", format!("no control `{}` in the catalog", a.control))
                        .with_help("`controlgate controls` lists them; a control of your own pack needs --policies"),
                )]);
            };
            let period = package::Period {
                since: a.since,
                until: a.until,
            };
            let loaded = load(&a.records, &|r| package::evaluated_in(r, &control.id, period))?;
            let p = package::build(&catalog, control, &loaded.records, period);
            eprintln!(
                "controlgate: {} of {} runs evaluated {} in the period",
                loaded.records.len(),
                loaded.read,
                escape::line(&a.control)
            );
            let text = match a.format {
                controlgate::cli::PackageFormat::Markdown => package::markdown(&p),
                controlgate::cli::PackageFormat::Json => package::json_text(&p),
            };
            print_out(&text)?;
            Ok(Exit::Pass)
        }
    }
}

/// `verify-evidence`: evaluate the record's inputs again, as the recorded run did, and compare.
fn verify_evidence(
    cwd: PathBuf,
    args: VerifyArgs,
    sources: BTreeMap<&'static str, String>,
) -> Result<Exit, Vec<Error>> {
    let shown = args.record.display().to_string();
    let text = controlgate::input::read::read_text(&args.record, &shown).map_err(|e| vec![Error::Input(e)])?;
    let recorded = controlgate::evidence::verify::parse(&shown, &text).map_err(|e| vec![Error::Input(e)])?;
    let json = matches!(args.check.format, FormatArg::Json);
    let mut overrides = check_overrides(&args.check, sources);
    overrides.run = RunOptions {
        format: controlgate::report::Format::Json,
        quiet: true,
        ..overrides.run
    };
    overrides.run.output = None;
    overrides.run.sarif_file = None;
    overrides.run.json_file = None;
    overrides.run.evidence = None;
    overrides.run.github_output = None;
    if overrides.today.is_none() {
        overrides.today = controlgate::evidence::verify::judged_day(&recorded);
    }
    // The change as recorded, not as this machine's variables describe it: CHG-001 is judged
    // with the recorded change record (one a tag names is read from the inputs again).
    overrides.ci_env.clear();
    if overrides.change_id.is_none() {
        overrides.recorded_change = recorded
            .pointer("/predicate/context/changeRecord")
            .and_then(|r| serde_json::from_value::<controlgate::change::ChangeRecord>(r.clone()).ok())
            // A record is anyone's to write: its id is held to what a change id may be.
            .filter(|r| {
                r.source != controlgate::change::RecordSource::Tag
                    && controlgate::change::check_change_id(&r.id).is_ok()
            });
    }
    let given = !args.check.paths.is_empty();
    let mut s = settings(cwd.clone(), args.check.paths.clone(), &args.check.policy, overrides)?;
    if !given {
        // The record's inputs, by their names relative to the repository root.
        let root = s.sarif.repo_root.clone().unwrap_or_else(|| cwd.clone());
        s.paths = recorded
            .pointer("/predicate/inputs")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|i| i.get("name").and_then(serde_json::Value::as_str))
            // Only names inside the repository: a record names what to read, and a record can be
            // written by anyone. Any other subject is reported missing.
            .filter(|n| {
                Path::new(n)
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir))
            })
            .map(|n| root.join(n))
            .collect();
        s.allow_empty = s.paths.is_empty();
    }
    let (verification, errors) = controlgate::run::verify_evidence(&s, &shown, &recorded);
    let mut err = std::io::stderr().lock();
    for e in &errors {
        let _ = writeln!(err, "note: the new evaluation: {}", escape::line(&e.to_string()));
    }
    let out = if json {
        let mut t = serde_json::to_string_pretty(&verification).unwrap_or_default();
        t.push('\n');
        t
    } else {
        controlgate::evidence::verify::human(&verification)
    };
    print_out(&out)?;
    Ok(if verification.matches {
        Exit::Pass
    } else {
        Exit::Blocked
    })
}

fn check(cwd: PathBuf, args: CheckArgs, sources: BTreeMap<&'static str, String>) -> Result<Exit, Vec<Error>> {
    let overrides = check_overrides(&args, sources);
    let run = overrides.run.clone();
    // The record of a failed run still says which change it was.
    let ci_env = overrides.ci_env.clone();
    let change_id = overrides
        .change_id
        .clone()
        .filter(|id| controlgate::change::check_change_id(id).is_ok());
    let s = match settings(cwd.clone(), args.paths.clone(), &args.policy, overrides) {
        Ok(s) => s,
        // An invalid config file still gets every document written, each saying the run failed:
        // the defaults carry, with the command line's outputs and the change's context.
        Err(errors) => {
            let fallback = Overrides {
                run,
                ci_env,
                change_id,
                ..Overrides::default()
            };
            let s = Settings::new(cwd, args.paths.clone(), None, fallback).map_err(|e| vec![Error::Config(e)])?;
            return finish(&s, Some(errors));
        }
    };
    finish(
        &Settings {
            leave_to_exit: true,
            ..s
        },
        None,
    )
}

/// The command line of `check` as overrides of the config file, in one step: nothing of the
/// settings is filled in afterwards.
fn check_overrides(args: &CheckArgs, sources: BTreeMap<&'static str, String>) -> Overrides {
    let mut o = registry_overrides(&args.policy, &args.registry);
    o.check.clone_from(&args.check);
    o.skip_check.clone_from(&args.skip_check);
    o.skip_path.clone_from(&args.skip_path);
    o.soft_fail = args.soft_fail;
    o.change_id.clone_from(&args.change_id);
    // Read once, here: the change context is detected from these. Only the CI's own variables
    // are kept, not the job's secrets.
    o.ci_env = std::env::vars_os()
        .map(|(k, v)| (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned()))
        .filter(|(k, _)| controlgate::change::is_context_variable(k))
        .collect();
    o.parameter_files.clone_from(&args.parameter_files);
    o.sources = sources;
    o.environment.clone_from(&args.environment);
    o.fail_on = args.fail_on.map(Into::into);
    o.unknown = args.unknown.map(Into::into);
    o.invalid_exceptions = args.invalid_exceptions.map(Into::into);
    o.account.clone_from(&args.account);
    o.region.clone_from(&args.region);
    o.run = RunOptions {
        format: args.format.into(),
        output: args.output.clone(),
        sarif_file: args.sarif_file.clone(),
        json_file: args.json_file.clone(),
        evidence: args.evidence.clone(),
        github_output: args.github_output.clone(),
        sarif_category: args.sarif_category.clone(),
        sarif_excepted: args.sarif_excepted.map(Into::into).unwrap_or_default(),
        repo_root: args.repo_root.clone(),
        source_roots: args.source_root.clone(),
        skip_other_files: args.skip_other_files,
        allow_empty: args.allow_empty,
        verbose: args.verbose,
        quiet: args.quiet,
        color: args.color.enabled(
            args.output.is_none() && std::io::stdout().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
            std::env::var_os("TERM").as_deref(),
        ),
    };
    o
}

/// Run `check` with its settings (or report the errors that kept it from running) and map the
/// gate's verdict to the exit code.
fn finish(s: &Settings, failed: Option<Vec<Error>>) -> Result<Exit, Vec<Error>> {
    let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr().lock());
    let outcome = match failed {
        None => controlgate::check(s, &mut stdout, &mut stderr),
        Some(errors) => controlgate::report_failure(s, errors, &mut stdout, &mut stderr),
    };
    // The gate decided the code; `main` only returns it.
    match (outcome.verdict, outcome.exit_code) {
        (Verdict::Error, _) => Err(outcome.errors),
        // The decision was reported as `blocked` everywhere; only the exit code is soft.
        (Verdict::Blocked, 0) => {
            eprintln!("controlgate: soft-fail: the gate is blocked, exiting 0");
            Ok(Exit::Pass)
        }
        (_, 0) => Ok(Exit::Pass),
        _ => Ok(Exit::Blocked),
    }
}
