//! The `controlgate` command: parse arguments, run, map the outcome to an exit code.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use controlgate::cli::{CheckArgs, Cli, Color, Command, PolicyArgs};
use controlgate::config::{ConfigFile, DEFAULT_CONFIG, Overrides, Settings};
use controlgate::error::{Error, Located};
use controlgate::report::Format;

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
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { Exit::Error } else { Exit::Pass };
            let _ = e.print();
            return code.into();
        }
    };
    match run(cli) {
        Ok(exit) => exit.into(),
        Err(errors) => {
            report_errors(&errors);
            Exit::Error.into()
        }
    }
}

fn report_errors(errors: &[Error]) {
    for e in errors {
        eprintln!("error: {e}");
        if let Some(help) = e.located().and_then(|l| l.help.as_ref()) {
            eprintln!("  help: {help}");
        }
    }
    if errors.len() > 1 {
        eprintln!("controlgate: {} errors", errors.len());
    }
}

fn settings(
    cwd: PathBuf,
    paths: Vec<PathBuf>,
    policy: &PolicyArgs,
    overrides: Overrides,
) -> Result<Settings, Vec<Error>> {
    let config_path = policy
        .config
        .clone()
        .or_else(|| Some(PathBuf::from(DEFAULT_CONFIG)).filter(|p| p.is_file()));
    let config = match &config_path {
        Some(p) => Some((p.as_path(), ConfigFile::load(p).map_err(|e| vec![Error::Config(e)])?)),
        None => None,
    };
    Settings::new(cwd, paths, config.map(|(p, c)| (p as &Path, c)), overrides).map_err(|e| vec![Error::Config(e)])
}

fn run(cli: Cli) -> Result<Exit, Vec<Error>> {
    let cwd = std::env::current_dir().map_err(|e| {
        vec![Error::Config(Located::file(
            ".",
            format!("cannot read the working directory: {e}"),
        ))]
    })?;
    match cli.command {
        Command::Check(args) => check(cwd, args),
        Command::Controls(args) => {
            let s = settings(
                cwd,
                Vec::new(),
                &args.policy,
                Overrides {
                    policies: args.policy.policies.clone(),
                    no_builtin: args.policy.no_builtin,
                    ..Default::default()
                },
            )?;
            let catalog = controlgate::load_catalog(&s)?;
            let format = if args.format == Format::Sarif {
                Format::Json
            } else {
                args.format
            };
            controlgate::list_controls(&catalog, format, &mut std::io::stdout().lock()).map_err(|source| {
                vec![Error::Output {
                    path: "standard output".into(),
                    source,
                }]
            })?;
            Ok(Exit::Pass)
        }
    }
}

fn check(cwd: PathBuf, args: CheckArgs) -> Result<Exit, Vec<Error>> {
    let overrides = Overrides {
        environment: args.environment.clone(),
        fail_on: args.fail_on,
        unknown: args.unknown,
        policies: args.policy.policies.clone(),
        no_builtin: args.policy.no_builtin,
    };
    let mut s = settings(cwd, args.paths.clone(), &args.policy, overrides)?;
    s.format = args.format;
    s.output = args.output;
    s.sarif_file = args.sarif_file;
    s.json_file = args.json_file;
    s.verbose = args.verbose;
    s.color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => s.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let outcome = controlgate::check(&s, &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
    if !outcome.errors.is_empty() {
        return Err(outcome.errors);
    }
    Ok(if outcome.blocked { Exit::Blocked } else { Exit::Pass })
}
