//! Approver rosters: who may approve exceptions for each role. A free-text `role` on an approval
//! proves nothing; a roster, kept outside the pull request's reach (another repository, a file
//! under CODEOWNERS, a secret store), names the people. When a roster is given, an approval by
//! anyone not on its role's list is invalid.
//!
//! ```yaml
//! approvers:
//!   platform-owner: [bob@example.com, "@org/platform-leads"]
//!   security: [sec-oncall@example.com]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::identity;
use crate::error::Located;
use crate::yaml;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterFile {
    approvers: BTreeMap<String, Vec<Spanned<String>>>,
}

/// Who may approve for each role, in canonical identities.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    /// The file it came from, for messages.
    pub file: String,
    /// By folded role name.
    roles: BTreeMap<String, BTreeSet<String>>,
}

impl Roster {
    /// Read and validate a roster: every identity must be one (see [`identity::canonical`]).
    pub fn load(path: &Path) -> Result<Roster, Vec<Located>> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| vec![Located::file(&shown, format!("cannot read the approver roster: {e}"))])?;
        Roster::parse(&shown, &text)
    }

    pub fn parse(file: &str, text: &str) -> Result<Roster, Vec<Located>> {
        let spec: RosterFile = yaml::from_str(file, text).map_err(|e| {
            vec![e.with_help("a roster is a YAML mapping `approvers:` of role to a list of identities")]
        })?;
        let mut errors = Vec::new();
        let mut roles: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (role, people) in &spec.approvers {
            if identity::is_blank(role) || identity::invisible_in(role).is_some() {
                errors.push(Located::file(
                    file,
                    format!(
                        "role `{}` is blank or holds an invisible character",
                        role.escape_debug()
                    ),
                ));
                continue;
            }
            let list = roles.entry(identity::fold(role)).or_default();
            for person in people {
                match identity::canonical(&person.value) {
                    Ok(id) => {
                        list.insert(id);
                    }
                    Err(why) => {
                        let (line, column) = yaml::position(person);
                        errors.push(Located::new(
                            file,
                            line,
                            column,
                            format!("approver of role `{role}`: {why}"),
                        ));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(Roster {
                file: file.to_string(),
                roles,
            })
        } else {
            Err(errors)
        }
    }

    /// Why `approver` (canonical) may not approve for `role`, or `None` when they may.
    pub fn refuses(&self, role: &str, approver: &str) -> Option<String> {
        match self.roles.get(&identity::fold(role)) {
            None => Some(format!("role `{role}` has no approvers in the roster {}", self.file)),
            Some(people) if !people.contains(approver) => Some(format!(
                "approver `{approver}` is not on the roster of role `{role}` in {}",
                self.file
            )),
            Some(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROSTER: &str =
        "approvers:\n  platform-owner: [bob@example.com, '@org/leads']\n  security: [Carol <carol@example.com>]\n";

    #[test]
    fn only_people_on_the_roles_roster_may_approve() {
        let r = Roster::parse("roster.yaml", ROSTER).unwrap();
        assert_eq!(r.refuses("platform-owner", "bob@example.com"), None);
        assert_eq!(r.refuses("Platform-Owner", "@org/leads"), None);
        assert_eq!(r.refuses("security", "carol@example.com"), None);
        let why = r.refuses("platform-owner", "carol@example.com").unwrap();
        assert!(why.contains("not on the roster of role `platform-owner`"), "{why}");
        let why = r.refuses("dba", "bob@example.com").unwrap();
        assert!(why.contains("no approvers"), "{why}");
    }

    #[test]
    fn a_roster_with_a_bad_identity_or_shape_is_an_error() {
        let e = Roster::parse("r.yaml", "approvers:\n  security: [\"\\u0430lice@example.com\"]\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (2, 14), "{e:?}");
        assert!(e[0].message.contains("mixes scripts"), "{e:?}");
        let e = Roster::parse("r.yaml", "approver:\n  security: [a@b.c]\n").unwrap_err();
        assert!(e[0].message.contains("unknown field"), "{e:?}");
        assert!(Roster::parse("r.yaml", "approvers:\n  security: [a@b.c]\n  security: [d@e.f]\n").is_err());
    }
}
