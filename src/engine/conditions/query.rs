//! JSONPath (RFC 9535, `jsonpath-rust`) selection, aware of values that cannot be judged before
//! deployment on the way to the selected ones.

use std::fmt::Write as _;

use jsonpath_rust::parser::model::JpQuery;
use jsonpath_rust::parser::parse_json_path;
use jsonpath_rust::query::js_path_process;
use serde_json::Value;

use super::deploy_time::{is_absent, undecidable};

/// A selected value, its JSON pointer, and why it cannot be judged before deployment, if so.
pub(super) type Selected<'a> = (&'a Value, String, Option<&'static str>);

/// A parsed JSONPath with its text, for messages.
#[derive(Debug, Clone)]
pub struct Query {
    pub(super) text: String,
    query: JpQuery,
}

impl Query {
    pub fn parse(text: &str) -> Result<Query, String> {
        let query =
            parse_json_path(text).map_err(|e| format!("invalid JSONPath `{text}`: {}", first_line(&e.to_string())))?;
        Ok(Query {
            text: text.to_string(),
            query,
        })
    }

    /// The selected values with their JSON pointers (relative to `root`) and, for a value that
    /// is or sits inside an undecidable one, why it cannot be judged: a wildcard may otherwise
    /// select the inside of a "known after apply" marker or of an `Fn::If`.
    ///
    /// `null` is not selected: Terraform writes it for every optional attribute left unset, so it
    /// means "absent".
    pub(super) fn select<'a>(&self, root: &'a Value) -> Result<Vec<Selected<'a>>, String> {
        let mut out: Vec<Selected<'a>> = Vec::new();
        for (value, path) in select_with(&self.query, root)? {
            if is_absent(value) {
                continue;
            }
            let pointer = to_pointer(&path);
            let selected = match undecidable_on_the_way(root, &pointer, &self.text) {
                // Name the undecidable value, not a path inside it (or inside the marker).
                Some((why, len)) => (value, pointer[..len].to_string(), Some(why)),
                None => (value, pointer, undecidable(value)),
            };
            if !out.iter().any(|(_, p, w)| w.is_some() && *p == selected.1) {
                out.push(selected);
            }
        }
        Ok(out)
    }

    /// Why nothing was selected, when a value on the way is known only after apply or set by an
    /// intrinsic function: the path may well select something once deployed.
    pub(super) fn unknown_prefix(&self, root: &Value) -> Result<Option<&'static str>, String> {
        for k in (0..self.query.segments.len()).rev() {
            // The next step names an intrinsic function: the path inspects its form.
            let next = self.query.segments[k].to_string();
            if next.contains("Fn::") || next.contains("'Ref'") {
                continue;
            }
            let prefix = JpQuery::new(self.query.segments[..k].to_vec());
            if let Some(why) = select_with(&prefix, root)?
                .into_iter()
                .find_map(|(v, _)| undecidable(v))
            {
                return Ok(Some(why));
            }
        }
        Ok(None)
    }
}

pub(super) fn select_with<'a>(query: &JpQuery, root: &'a Value) -> Result<Vec<(&'a Value, String)>, String> {
    js_path_process(query, root)
        .map(|refs| refs.into_iter().map(|r| (r.val, r.path)).collect())
        .map_err(|e| format!("JSONPath `{query}` failed: {}", first_line(&e.to_string())))
}

/// Whether a proper ancestor of `pointer` under `root` is undecidable.
/// Why it is undecidable, and the length of the ancestor's pointer.
///
/// A path that names an intrinsic function (`$.Resource['Fn::GetAtt']`) inspects the form of
/// the value on purpose: passing through that function is not undecidable.
pub(super) fn undecidable_on_the_way(root: &Value, pointer: &str, query: &str) -> Option<(&'static str, usize)> {
    let mut node = root;
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let mut len = 0;
    for (i, seg) in segments.iter().enumerate().take(segments.len().saturating_sub(1)) {
        len += 1 + seg.len();
        let seg = crate::pointer::unescape(seg);
        node = match node {
            Value::Object(m) => m.get(&seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
        if let Some(why) = undecidable(node) {
            let next = segments
                .get(i + 1)
                .map(|s| crate::pointer::unescape(s))
                .unwrap_or_default();
            let named = (next == "Ref" || next.starts_with("Fn::")) && query.contains(next.as_str());
            if !named {
                return Some((why, len));
            }
        }
    }
    None
}

pub(super) fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// `$['a'][0]['b']` → `/a/0/b` (RFC 6901).
pub(super) fn to_pointer(normalized: &str) -> String {
    let mut out = String::new();
    let mut rest = normalized.strip_prefix('$').unwrap_or(normalized);
    while let Some(r) = rest.strip_prefix('[') {
        if let Some(r) = r.strip_prefix('\'') {
            // A quoted name: read to the closing quote, honouring escapes.
            let mut name = String::new();
            let mut chars = r.char_indices();
            let mut end = r.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, e)) = chars.next() {
                            name.push(e);
                        }
                    }
                    '\'' => {
                        end = i + 1;
                        break;
                    }
                    c => name.push(c),
                }
            }
            let _ = write!(out, "/{}", crate::pointer::escape(&name));
            rest = r[end..].strip_prefix(']').unwrap_or(&r[end..]);
        } else {
            let end = r.find(']').unwrap_or(r.len());
            let _ = write!(out, "/{}", &r[..end]);
            rest = r.get(end + 1..).unwrap_or("");
        }
    }
    out
}

/// A rule's path for messages: `$.a.b` under element `/ingress/0` → `ingress[0].a.b`.
pub(super) fn display_path(prefix: &str, path: &str) -> String {
    let tail = path
        .strip_prefix("$.")
        .or_else(|| path.strip_prefix('$'))
        .unwrap_or(path);
    let head = crate::pointer::display(prefix);
    match (head.is_empty(), tail.is_empty()) {
        (true, _) => tail.to_string(),
        (false, true) => head,
        (false, false) if tail.starts_with('[') => format!("{head}{tail}"),
        (false, false) => format!("{head}.{tail}"),
    }
}
