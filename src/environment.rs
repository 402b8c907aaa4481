//! Which environment a resource belongs to, so controls scoped to `prod` reach only production.
//!
//! In order: the resource's environment tag (`Environment` unless configured otherwise), then the
//! first `environments` path pattern of the config file matching its file (its path relative to
//! the repository root), then `--environment`.
//! A resource whose environment stays unknown is in scope of every control: the gate fails closed.

use globset::{Glob, GlobMatcher};

use crate::error::Located;
use crate::model::{Resource, TagValue};

#[derive(Debug, Clone)]
pub struct EnvironmentResolver {
    pub tag: String,
    pub patterns: Vec<(GlobMatcher, String)>,
    pub default: Option<String>,
}

impl Default for EnvironmentResolver {
    fn default() -> Self {
        EnvironmentResolver {
            tag: "Environment".into(),
            patterns: Vec::new(),
            default: None,
        }
    }
}

impl EnvironmentResolver {
    /// Compile `(glob, environment)` pairs; `origin` names the config file for errors.
    pub fn with_patterns(mut self, origin: &str, pairs: &[(String, String)]) -> Result<Self, Located> {
        for (glob, env) in pairs {
            let g =
                Glob::new(glob).map_err(|e| Located::file(origin, format!("invalid path pattern `{glob}`: {e}")))?;
            self.patterns.push((g.compile_matcher(), env.to_ascii_lowercase()));
        }
        Ok(self)
    }

    /// The environment, lower-cased, or `None` when nothing says.
    pub fn resolve(&self, resource: &Resource) -> Option<String> {
        if let TagValue::Known(v) = resource.tag(&self.tag) {
            return Some(v.to_ascii_lowercase());
        }
        self.patterns
            .iter()
            // Relative to the repository root, not the working directory: a run from a
            // subdirectory must place `envs/prod/**` in production all the same.
            .find(|(g, _)| g.is_match(&resource.source.repo_path))
            .map(|(_, e)| e.clone())
            .or_else(|| self.default.as_ref().map(|d| d.to_ascii_lowercase()))
    }
}
