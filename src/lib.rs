//! controlgate: a pre-deploy compliance gate for AWS infrastructure-as-code.
//!
//! The stages of a run, one module each: [`input`] reads Terraform plans and CloudFormation
//! templates into the [`model`]; [`catalog`] loads controls and rules; [`evaluate`] runs the
//! rules' [`engine`] on every resource into [`finding`]s; [`report`] writes them as human
//! diagnostics, SARIF or JSON.

pub mod catalog;
pub mod cli;
pub mod config;
pub mod engine;
pub mod environment;
pub mod error;
pub mod evaluate;
pub mod finding;
pub mod input;
pub mod model;
pub mod report;

use std::io::Write;
use std::path::Path;

use catalog::Catalog;
use config::Settings;
use error::Error;
use evaluate::Evaluation;
use report::{Format, Report};

/// What a `check` run decided. Errors make it exit 2 whatever the findings.
#[derive(Debug, Default)]
pub struct Outcome {
    pub blocked: bool,
    pub errors: Vec<Error>,
}

/// Load the catalog of a run.
pub fn load_catalog(settings: &Settings) -> Result<Catalog, Vec<Error>> {
    catalog::load(&settings.packs).map_err(|errs| errs.into_iter().map(Error::Policy).collect())
}

/// Run `check`: load, evaluate, write the chosen document to `stdout` (or `--output`) and the
/// extra documents; notes and the summary of machine formats go to `stderr`.
pub fn check(settings: &Settings, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Outcome {
    let catalog = match load_catalog(settings) {
        Ok(c) => c,
        Err(errors) => {
            return Outcome { blocked: false, errors };
        }
    };
    let (candidates, mut input_errors) = input::discover(&settings.paths);
    let loaded = input::load_all(&candidates, &settings.cwd);
    input_errors.extend(loaded.errors);
    for s in &loaded.skipped {
        if s.unparseable {
            let _ = writeln!(stderr, "note: skipped {}: {}", s.file, s.reason);
        } else if settings.verbose {
            let _ = writeln!(stderr, "skipped {}: {}", s.file, s.reason);
        }
    }
    let quiet_skips = loaded.skipped.iter().filter(|s| !s.unparseable).count();
    if quiet_skips > 0 && !settings.verbose {
        let _ = writeln!(
            stderr,
            "note: skipped {quiet_skips} JSON/YAML file(s) that are neither plans nor templates (--verbose lists them)"
        );
    }
    let evaluation: Evaluation = evaluate::evaluate(&catalog, &loaded.files, &settings.environments);
    let report = Report {
        catalog: &catalog,
        evaluation: &evaluation,
        files: loaded.files.len(),
        fail_on: settings.fail_on,
        unknown: settings.unknown,
    };

    let mut errors: Vec<Error> = input_errors.into_iter().map(Error::Input).collect();
    errors.extend(evaluation.errors.iter().cloned().map(Error::Evaluation));
    let main_result = match &settings.output {
        Some(path) => write_file(path, settings.format, &report),
        None => report::write(settings.format, &report, stdout, settings.color).map_err(|source| Error::Output {
            path: "standard output".into(),
            source,
        }),
    };
    errors.extend(main_result.err());
    for (path, format) in [
        (&settings.sarif_file, Format::Sarif),
        (&settings.json_file, Format::Json),
    ] {
        if let Some(p) = path {
            errors.extend(write_file(p, format, &report).err());
        }
    }
    if settings.format != Format::Human || settings.output.is_some() {
        let _ = writeln!(stderr, "controlgate: {}", report.summary());
    }
    Outcome {
        blocked: report.blocking() > 0,
        errors,
    }
}

fn write_file(path: &Path, format: Format, report: &Report<'_>) -> Result<(), Error> {
    let shown = path.display().to_string();
    let err = |source| Error::Output {
        path: shown.clone(),
        source,
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(err)?);
    report::write(format, report, &mut file, false).map_err(err)?;
    file.flush().map_err(err)
}

/// Write the catalog: a table of controls and their rules, or JSON.
pub fn list_controls(catalog: &Catalog, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    if format == Format::Human {
        for c in catalog.controls.values() {
            writeln!(out, "{:<11} {:<8} {}", c.id, c.severity.as_str(), c.title)?;
            for r in catalog.rules.iter().filter(|r| r.control == c.id) {
                let formats: Vec<&str> = [
                    r.terraform.as_ref().map(|_| "terraform"),
                    r.cloudformation.as_ref().map(|_| "cloudformation"),
                ]
                .into_iter()
                .flatten()
                .collect();
                writeln!(out, "            {} ({})", r.id, formats.join(", "))?;
            }
        }
        return Ok(());
    }
    let controls: Vec<serde_json::Value> = catalog
        .controls
        .values()
        .map(|c| {
            let mut v = serde_json::to_value(c).unwrap_or_default();
            let rules: Vec<&str> = catalog
                .rules
                .iter()
                .filter(|r| r.control == c.id)
                .map(|r| r.id.as_str())
                .collect();
            if let Some(o) = v.as_object_mut() {
                o.insert("rules".into(), serde_json::json!(rules));
            }
            v
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "controls": controls }))?;
    writeln!(out)
}
