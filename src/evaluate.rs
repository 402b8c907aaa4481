//! Rules × resources → findings and per-control counts.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::control::UnknownEnvironment;
use crate::catalog::{Catalog, Control, Rule, Target};
use crate::engine::{EVERY_TYPE, FileMemo, FileView, Neighbours};
use crate::engine::{Truth, Verdict};
use crate::environment::EnvironmentResolver;
use crate::error::Located;
use crate::finding::{Finding, Outcome, Related, fingerprint};
use crate::input::LoadedFile;
use crate::input::cloudformation::foreach::ANY_TYPE;
use crate::model::{Anchor, InputFormat, Location, PlannedAction, Resource, Secrets, TagValue};

/// How one control fared.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ControlCounts {
    /// Resource × rule evaluations.
    pub evaluated: usize,
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
}

#[derive(Debug, Default)]
pub struct Evaluation {
    /// Sorted by file, line, resource, control, rule.
    pub findings: Vec<Finding>,
    /// Every control of the catalog, evaluated or not.
    pub counts: BTreeMap<String, ControlCounts>,
    pub resources: usize,
    /// Rules that could not be evaluated on a resource: the run fails (exit 2).
    pub errors: Vec<Located>,
    /// The (rule, resource) pairs that passed, in the order of the resources, when asked for
    /// ([`evaluate_recording`]: JUnit reports a test case per pair).
    pub passed: Vec<Passed>,
}

/// A rule that passed on a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passed {
    pub control_id: String,
    pub rule_id: String,
    pub resource: String,
    /// Where the resource is reported: its `.tf` block when found, else its input.
    pub file: String,
}

struct Applicable<'a> {
    rule: &'a Rule,
    control: &'a Control,
    target: &'a Target,
}

/// Evaluate every rule on every resource it targets, in a run that names no change record.
pub fn evaluate(catalog: &Catalog, files: &[LoadedFile], environments: &EnvironmentResolver) -> Evaluation {
    evaluate_recording(catalog, files, environments, None, false)
}

/// [`evaluate`] in a run that names the change record `change_record` (`changeRecord`
/// conditions read it), keeping the passing (rule, resource) pairs too when `passes` is set
/// (only then: a large plan has many).
pub fn evaluate_recording(
    catalog: &Catalog,
    files: &[LoadedFile],
    environments: &EnvironmentResolver,
    change_record: Option<&str>,
    passes: bool,
) -> Evaluation {
    // Which rules target a (format, type): built once, so each resource costs a lookup.
    let mut index: HashMap<(InputFormat, &str), Vec<Applicable<'_>>> = HashMap::new();
    let mut every: HashMap<InputFormat, Vec<Applicable<'_>>> = HashMap::new();
    for rule in catalog.rules.iter().filter(|r| r.deprecated.is_none()) {
        let Some(control) = catalog.controls.get(&rule.control) else {
            continue;
        };
        for format in [InputFormat::TerraformPlan, InputFormat::Cloudformation] {
            if let Some(target) = rule.target(format) {
                for t in &target.resource_types {
                    // A rule that selects its own resources (Guard) runs on every resource.
                    let list = if t == EVERY_TYPE {
                        every.entry(format).or_default()
                    } else {
                        index.entry((format, t.as_str())).or_default()
                    };
                    list.push(Applicable { rule, control, target });
                }
            }
        }
    }
    // A resource of any type (what a CloudFormation macro may add) is unknown for every control
    // that has a CloudFormation rule: one rule per control is enough to say so.
    let mut any_type: Vec<Applicable<'_>> = Vec::new();
    for rule in catalog.rules.iter().filter(|r| r.deprecated.is_none()) {
        let (Some(control), Some(target)) = (
            catalog.controls.get(&rule.control),
            rule.target(InputFormat::Cloudformation),
        ) else {
            continue;
        };
        if !any_type.iter().any(|a| a.control.id == control.id) {
            any_type.push(Applicable { rule, control, target });
        }
    }
    let neighbours: Vec<FileNeighbours<'_>> = files.iter().map(|f| FileNeighbours::new(f, change_record)).collect();
    // Per file, not per resource: an excerpt of one resource's line may show another's values.
    let secrets: Vec<Arc<Secrets>> = files
        .iter()
        .map(|f| {
            Arc::new(Secrets::new(
                f.resources.iter().chain(&f.deleted).flat_map(|r| &r.sensitive_values),
            ))
        })
        .collect();
    let resources: Vec<(&Resource, &FileNeighbours<'_>, &Arc<Secrets>)> = files
        .iter()
        .zip(&neighbours)
        .zip(&secrets)
        // A plan's deleted resources too: rules that ask for deletions judge them.
        .flat_map(|((f, n), s)| f.resources.iter().chain(&f.deleted).map(move |r| (r, n, s)))
        .collect();
    let results: Vec<ResourceResult> = resources
        .par_iter()
        .map(|(r, n, s)| {
            let (typed, every) = match (r.format, r.resource_type.as_str()) {
                (InputFormat::Cloudformation, ANY_TYPE) if r.opaque.is_some() => (any_type.as_slice(), &[][..]),
                (format, t) => (
                    index.get(&(format, t)).map_or(&[][..], Vec::as_slice),
                    every.get(&format).map_or(&[][..], Vec::as_slice),
                ),
            };
            evaluate_resource(r, typed, every, environments, *n, s, passes)
        })
        .collect();

    let mut counts: BTreeMap<String, ControlCounts> = catalog
        .controls
        .keys()
        .map(|k| (k.clone(), ControlCounts::default()))
        .collect();
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    let mut passed = Vec::new();
    for result in results {
        errors.extend(result.errors);
        passed.extend(result.passed);
        for (control, truth) in result.outcomes {
            let c = counts.entry(control).or_default();
            c.evaluated += 1;
            match truth {
                Truth::True => c.passed += 1,
                Truth::False => c.failed += 1,
                Truth::Unknown => c.unknown += 1,
            }
        }
        findings.extend(result.findings);
    }
    locate(&mut findings);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Evaluation {
        findings,
        counts,
        // The resources that will exist; a deleted one is not counted.
        resources: files.iter().map(|f| f.resources.len()).sum(),
        errors,
        passed,
    }
}

/// What evaluating one resource produced.
#[derive(Default)]
struct ResourceResult {
    outcomes: Vec<(String, Truth)>,
    findings: Vec<Finding>,
    errors: Vec<Located>,
    passed: Vec<Passed>,
}

/// Who refers to whom in one input file: (referenced address, attribute) → referrers.
struct FileNeighbours<'a> {
    by_target: HashMap<(&'a str, &'a str), Vec<&'a Resource>>,
    resources: &'a [Resource],
    memo: FileMemo,
    change_record: Option<&'a str>,
}

impl<'a> FileNeighbours<'a> {
    fn new(file: &'a LoadedFile, change_record: Option<&'a str>) -> Self {
        let mut by_target: HashMap<(&str, &str), Vec<&Resource>> = HashMap::new();
        for r in &file.resources {
            for (attr, targets) in &r.references {
                for t in targets {
                    by_target.entry((t.as_str(), attr.as_str())).or_default().push(r);
                }
            }
        }
        FileNeighbours {
            by_target,
            resources: &file.resources,
            memo: FileMemo::default(),
            change_record,
        }
    }
}

impl Neighbours for FileNeighbours<'_> {
    fn change_record(&self) -> Option<&str> {
        self.change_record
    }

    fn file(&self) -> Option<FileView<'_>> {
        Some(FileView {
            resources: self.resources,
            memo: &self.memo,
        })
    }

    fn referrers(&self, address: &str, via: &str, types: &[String]) -> Vec<&Resource> {
        self.by_target
            .get(&(address, via))
            .map(|rs| {
                rs.iter()
                    .copied()
                    .filter(|r| types.contains(&r.resource_type))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn of_types(&self, types: &[String]) -> Vec<&Resource> {
        self.resources
            .iter()
            .filter(|r| types.contains(&r.resource_type))
            .collect()
    }

    fn referenced<'b>(&'b self, resource: &Resource, via: &str, types: &[String]) -> Vec<&'b Resource> {
        let Some(targets) = resource.references.get(via) else {
            return Vec::new();
        };
        self.resources
            .iter()
            .filter(|r| types.contains(&r.resource_type) && targets.contains(&r.address))
            .collect()
    }
}

fn evaluate_resource(
    resource: &Resource,
    typed: &[Applicable<'_>],
    every: &[Applicable<'_>],
    environments: &EnvironmentResolver,
    neighbours: &dyn Neighbours,
    secrets: &Arc<Secrets>,
    record_passes: bool,
) -> ResourceResult {
    let mut result = ResourceResult::default();
    if typed.is_empty() && every.is_empty() {
        return result;
    }
    let ResourceResult {
        outcomes,
        findings,
        errors,
        passed,
    } = &mut result;
    let environment = environments.resolve(resource);
    // Scoping reads the tag; reports never show it when it is marked sensitive.
    let shown_environment = environment.as_ref().map(|e| match resource.tag(&environments.tag) {
        TagValue::Known(_) if resource.tag_is_sensitive(&environments.tag) => resource.mask().to_string(),
        _ => e.clone(),
    });
    for a in typed.iter().chain(every) {
        // A deleted resource is judged only by rules that ask for deletions (`actions`).
        if resource.action == Some(PlannedAction::Delete)
            && !a
                .target
                .actions
                .as_ref()
                .is_some_and(|x| x.contains(&PlannedAction::Delete))
        {
            continue;
        }
        let scoped = &a.control.scope.environments;
        if let Some(env) = &environment
            && !scoped.is_empty()
            && !scoped.iter().any(|s| s.eq_ignore_ascii_case(env))
        {
            continue;
        }
        if environment.is_none()
            && !scoped.is_empty()
            && a.control.scope.unknown_environment == UnknownEnvironment::Exclude
        {
            continue;
        }
        let judged = match &resource.opaque {
            // Not the resource CloudFormation will create: nothing of it is judged.
            Some(why) => Ok(Some(Verdict::new(Truth::Unknown, why.clone()))),
            None => judge(a.target, resource, neighbours),
        };
        let verdict = match judged {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(e) => {
                errors.push(Located {
                    message: format!(
                        "rule {} cannot be evaluated on {} ({}): {e}",
                        a.rule.id, resource.address, resource.source.display
                    ),
                    ..a.rule.origin.clone()
                });
                continue;
            }
        };
        outcomes.push((a.control.id.clone(), verdict.truth));
        if record_passes && verdict.truth == Truth::True {
            passed.push(Passed {
                control_id: a.control.id.clone(),
                rule_id: a.rule.id.clone(),
                resource: resource.address.clone(),
                file: resource
                    .declared
                    .as_ref()
                    .map_or(&resource.source.display, |(tf, _)| &tf.display)
                    .clone(),
            });
        }
        let outcome = match verdict.truth {
            Truth::True => continue,
            Truth::False => Outcome::Fail,
            Truth::Unknown => Outcome::Unknown,
        };
        let in_input = match &resource.anchor {
            Anchor::Span(l) => *l,
            // Resolved after evaluation, once per file.
            Anchor::JsonPointer(_) => Location {
                line: 1,
                column: 1,
                offset: 0,
                length: 0,
            },
        };
        // A Terraform resource found in the `.tf` sources is reported there, the plan related.
        let (file, location, source, related) = match &resource.declared {
            Some((tf, at)) => (
                tf.display.clone(),
                *at,
                Arc::clone(tf),
                Some(Related {
                    file: resource.source.display.clone(),
                    location: in_input,
                }),
            ),
            None => (
                resource.source.display.clone(),
                in_input,
                Arc::clone(&resource.source),
                None,
            ),
        };
        findings.push(Finding {
            // The repository-relative path: the same fingerprint from any working directory.
            fingerprint: fingerprint(&a.control.id, &a.rule.id, &source.repo_path, &resource.address),
            control_id: a.control.id.clone(),
            rule_id: a.rule.id.clone(),
            severity: a.control.severity,
            outcome,
            resource: resource.address.clone(),
            resource_type: resource.resource_type.clone(),
            format: resource.format,
            action: resource.action,
            environment: shown_environment.clone(),
            region: resource.region.clone(),
            exception: None,
            notes: Vec::new(),
            inline: resource.inline_suppressions.clone(),
            file,
            location,
            related,
            message: a.rule.message.clone(),
            facts: verdict.facts,
            source,
            anchor_source: Arc::clone(&resource.source),
            anchor: resource.anchor.clone(),
            secrets: Arc::clone(secrets),
        });
    }
    result
}

/// The verdict of a rule's target on a resource, `None` when its `when` filter excludes it.
///
/// The rule reads "when W, then A": a definite "no" from W takes the resource out of reach; an
/// undecidable W keeps it in, and then a failing A is undecidable too (the resource may not be
/// one the rule is about), while a passing A passes.
fn judge(target: &Target, resource: &Resource, neighbours: &dyn Neighbours) -> Result<Option<Verdict>, String> {
    let when = match &target.when {
        Some(w) => Some(w.evaluate(resource, neighbours)?),
        None => None,
    };
    if when.as_ref().is_some_and(|w| w.truth == Truth::False) {
        return Ok(None);
    }
    if let (Some(actions), Some(action)) = (&target.actions, resource.action)
        && !actions.contains(&action)
    {
        return Ok(None);
    }
    if !target.assert.applies(resource, neighbours)? {
        return Ok(None);
    }
    let mut verdict = target.assert.evaluate(resource, neighbours)?;
    if let Some(w) = when.filter(|w| w.truth == Truth::Unknown)
        && verdict.truth == Truth::False
    {
        verdict.truth = Truth::Unknown;
        verdict.facts.extend(w.facts);
    }
    Ok(Some(verdict))
}

/// Resolve JSON-pointer anchors to lines, parsing each JSON file that has findings once: source
/// positions cost nothing for resources without findings.
fn locate(findings: &mut [Finding]) {
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        if matches!(f.anchor, Anchor::JsonPointer(_)) {
            by_file.entry(f.anchor_source.display.clone()).or_default().push(i);
        }
    }
    let resolved: Vec<(Vec<usize>, Vec<Option<Location>>)> = by_file
        .into_values()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|idx| {
            let pointers: Vec<&str> = idx
                .iter()
                .map(|i| match &findings[*i].anchor {
                    Anchor::JsonPointer(p) => p.as_str(),
                    Anchor::Span(_) => "",
                })
                .collect();
            let locations = crate::input::json_locations(&findings[idx[0]].anchor_source.text, &pointers);
            (idx, locations)
        })
        .collect();
    for (idx, locations) in resolved {
        for (i, loc) in idx.into_iter().zip(locations) {
            if let Some(l) = loc {
                match &mut findings[i].related {
                    Some(related) => related.location = l,
                    None => findings[i].location = l,
                }
            }
        }
    }
}
