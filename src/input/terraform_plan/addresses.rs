//! Terraform addresses taken apart: `module.a["k"].aws_x.y[0]` → module path, resource, index.

/// Split an address at the dots that separate its parts, not those inside `["..."]` keys.
pub(super) fn address_parts(address: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut depth, mut quoted) = (0, 0usize, false);
    for (i, c) in address.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            '.' if !quoted && depth == 0 => {
                parts.push(&address[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&address[start..]);
    parts
}

/// `name[0]` → (`name`, `[0]`).
pub(super) fn split_index(part: &str) -> (&str, &str) {
    part.find('[').map_or((part, ""), |i| (&part[..i], &part[i..]))
}

/// An instance address taken apart: `module.a["k"].aws_x.y[0]` → prefix `module.a["k"].`,
/// module path `a`, resource `aws_x.y`, index `[0]`.
pub(super) struct Instance<'a> {
    pub(super) prefix: String,
    pub(super) module_path: String,
    pub(super) resource: String,
    pub(super) index: &'a str,
}

pub(super) fn parse_instance(address: &str) -> Option<Instance<'_>> {
    let parts = address_parts(address);
    let mut i = 0;
    let (mut prefix, mut path) = (String::new(), Vec::new());
    while parts.get(i) == Some(&"module") {
        let call = parts.get(i + 1)?;
        prefix.push_str(&format!("module.{call}."));
        path.push(split_index(call).0);
        i += 2;
    }
    let (kind, name) = (parts.get(i)?, parts.get(i + 1)?);
    let (name, index) = split_index(name);
    Some(Instance {
        prefix,
        module_path: path.join("."),
        resource: format!("{kind}.{name}"),
        index,
    })
}
