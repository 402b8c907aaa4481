//! How outputs name files: relative to the working directory for people, and as URI references
//! for SARIF and links. Every stage that names a file uses these, so a file reads the same in
//! every output.

use std::path::Path;

/// The path shown in reports: relative to `cwd`, `/`-separated, never absolute when avoidable.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let relative = pathdiff::diff_paths(&absolute, cwd).unwrap_or_else(|| path.to_path_buf());
    let mut parts: Vec<String> = Vec::new();
    for c in relative.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if parts.last().is_some_and(|p| p != "..") => {
                parts.pop();
            }
            c => parts.push(c.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

/// What a URI path cannot hold as it is (RFC 3986): controls, space, `"`, `#` (it would start a
/// fragment), `%`, `<`, `>`, `?` (a query), `[`, `]`, `\`, `^`, `` ` ``, `{`, `|`, `}`. Letters
/// outside ASCII are encoded as their UTF-8 bytes.
const URI_PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A relative path as a URI reference: `my dir/stack #1.yaml` is `my%20dir/stack%20%231.yaml`.
pub fn uri_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, URI_PATH).to_string()
}
