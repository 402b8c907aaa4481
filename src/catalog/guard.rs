//! `.guard` files in a pack's `rules/`: each Guard rule inside becomes a rule of the control
//! the file's leading comments name (`# control: ID`), with the Guard rule's name as its id.

use std::sync::Arc;

use super::control::Control;
use super::rule::{Examples, Rule, Target};
use crate::error::Located;

/// The control a `.guard` file's leading comment lines name, with its line.
fn control_tag(file: &str, text: &str) -> Result<(String, usize), Located> {
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix('#') else { break };
        if let Some(id) = comment.trim().strip_prefix("control:") {
            let id = id.trim();
            if id.is_empty() {
                return Err(Located::new(file, n + 1, 1, "`# control:` names no control")
                    .with_help("write the control's id: `# control: S3-001`"));
            }
            return Ok((id.to_string(), n + 1));
        }
    }
    Err(Located::file(file, "this Guard file names no control")
        .with_help("begin the file with a comment line `# control: ID` naming the control its rules enforce"))
}

/// The rules of a `.guard` file, bound to their control (looked up by `control`).
pub fn parse(file: &str, text: &str, control: &dyn Fn(&str) -> Option<Control>) -> Result<Vec<Rule>, Located> {
    let (id, line) = control_tag(file, text)?;
    let control_origin = Located::new(file, line, 1, "");
    let Some(control) = control(&id) else {
        return Err(Located {
            message: format!("Guard file names unknown control {id}"),
            ..control_origin
        }
        .with_help("add the control to controls/, or tag the file with an existing control id"));
    };
    let compiled = Arc::new(crate::engine::guard::GuardFile::compile(file, text)?);
    // Guard rules select their own resources; the control's CloudFormation types bound them.
    let resource_types: Vec<String> = control
        .scope
        .resource_types
        .iter()
        .filter(|t| t.contains("::"))
        .cloned()
        .collect();
    if resource_types.is_empty() {
        return Err(Located {
            message: format!("control {id} scopes no CloudFormation resource type, which Guard rules check"),
            ..control_origin
        }
        .with_help(format!(
            "add the types to scope.resourceTypes of {id} ({})",
            control.origin.file
        )));
    }
    Ok(compiled
        .names()
        .iter()
        .map(|name| Rule {
            id: name.clone(),
            control: id.clone(),
            title: format!("Guard rule {name} holds"),
            message: format!("Guard rule {name} fails"),
            description: None,
            why: None,
            examples: Examples::default(),
            parameters: Default::default(),
            deprecated: None,
            terraform: None,
            cloudformation: Some(Target {
                resource_types: resource_types.clone(),
                when: None,
                assert: Arc::new(crate::engine::guard::GuardRule {
                    file: compiled.clone(),
                    name: name.clone(),
                }),
            }),
            origin: Located::new(file, rule_line(text, name), 1, ""),
            control_origin: control_origin.clone(),
        })
        .collect())
}

/// The 1-based line of `rule NAME`.
fn rule_line(text: &str, name: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start().strip_prefix("rule ").is_some_and(|r| {
                r.trim_start()
                    .strip_prefix(name)
                    .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
            })
        })
        .map_or(0, |n| n + 1)
}
