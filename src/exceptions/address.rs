//! The resource patterns of an exception's scope, and what each matches. There are exactly two
//! forms, so a scope covers what it names and nothing more:
//!
//! - an exact resource: a Terraform address (`aws_s3_bucket.logs`,
//!   `module.app["eu"].aws_s3_bucket.logs[0]`) or a CloudFormation logical id (`LogsBucket`);
//! - `ADDRESS[*]`: every `count`/`for_each` instance of exactly that Terraform resource
//!   (`module.app.aws_s3_bucket.logs[*]` covers `…logs[0]` and `…logs["a"]`, not other
//!   resources, not the instances of a module).
//!
//! Anything else — a module, a type, a glob, a regular expression, white space, a look-alike
//! letter outside an instance key — is refused when the registry is loaded.

use std::sync::LazyLock;

use regex::Regex;

/// A Terraform instance key: a number, or a JSON string.
const KEY: &str = r#"(?:[0-9]+|"(?:[^"\\]|\\.)*")"#;
/// A Terraform name (of a module, a type or a resource).
const NAME: &str = r"[A-Za-z_][A-Za-z0-9_-]*";

/// `(module.NAME[KEY]?.)*(data.)?TYPE.NAME([KEY])?`, the type captured.
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:module\.{NAME}(?:\[{KEY}\])?\.)*(?:data\.)?(?P<type>{NAME})\.{NAME}(?:\[{KEY}\])?$"
    ))
    .expect("the address grammar compiles")
});

/// The same without an instance key at the end: what `[*]` may follow.
static RESOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:module\.{NAME}(?:\[{KEY}\])?\.)*(?:data\.)?(?P<type>{NAME})\.{NAME}$"
    ))
    .expect("the resource grammar compiles")
});

static INSTANCE_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^\[{KEY}\]$")).expect("the key grammar compiles"));

/// Whether `pattern` is one of the two forms, or why not.
pub fn check(pattern: &str) -> Result<(), String> {
    if !pattern.is_empty() && pattern.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Ok(()); // a CloudFormation logical id
    }
    let (base, grammar) = match pattern.strip_suffix("[*]") {
        Some(base) => (base, &*RESOURCE),
        None => (pattern, &*ADDRESS),
    };
    let problem = match grammar.captures(base) {
        // `module.app` reads as a resource of type `module`: it is a module.
        Some(c) if matches!(&c["type"], "module" | "data") => "names a module, not a resource",
        Some(_) => return Ok(()),
        None if pattern.trim().is_empty() => "is empty",
        None if pattern.contains(['*', '?']) => "is a wildcard or a glob",
        None => "is not one of the forms",
    };
    Err(format!(
        "scope resource `{}` {problem}: name a Terraform address, a CloudFormation logical id, or `ADDRESS[*]` for the instances of one resource",
        pattern.escape_debug()
    ))
}

/// Whether `pattern` (a valid one) covers the resource at `address`.
pub fn matches(pattern: &str, address: &str) -> bool {
    match pattern.strip_suffix("[*]") {
        Some(base) => address
            .strip_prefix(base)
            .is_some_and(|rest| INSTANCE_KEY.is_match(rest)),
        None => pattern == address,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Addresses a plan or template can hold, for every scope to be tried on.
    const ADDRESSES: &[&str] = &[
        "aws_s3_bucket.logs",
        "aws_s3_bucket.logs[0]",
        "aws_s3_bucket.logs[\"eu\"]",
        "aws_s3_bucket.logs_archive[0]",
        "aws_s3_bucket.other[0]",
        "module.app.aws_s3_bucket.logs",
        "module.app.aws_s3_bucket.logs[1]",
        "module.app[\"x\"].aws_s3_bucket.logs[0]",
        "module.app[0].aws_db_instance.main",
        "module.app[1].aws_security_group.web[2]",
        "module.application.aws_s3_bucket.logs[0]",
        "LogsBucket",
        "LogsBucket2",
    ];

    /// Every scope string either is refused or matches exactly the addresses the docs say.
    #[test]
    fn scopes_are_refused_or_match_exactly_what_they_name() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            ("aws_s3_bucket.logs", Some(&["aws_s3_bucket.logs"])),
            (
                "aws_s3_bucket.logs[*]",
                Some(&["aws_s3_bucket.logs[0]", "aws_s3_bucket.logs[\"eu\"]"]),
            ),
            (
                "module.app.aws_s3_bucket.logs[*]",
                Some(&["module.app.aws_s3_bucket.logs[1]"]),
            ),
            (
                "module.app[\"x\"].aws_s3_bucket.logs[0]",
                Some(&["module.app[\"x\"].aws_s3_bucket.logs[0]"]),
            ),
            ("LogsBucket", Some(&["LogsBucket"])),
            // Refused: modules, types, wildcards, globs, regular expressions, blanks, look-alikes.
            ("module.app[*]", None),
            ("module.app", None),
            ("module.app[0]", None),
            ("module.app[\"x\"][*]", None),
            ("aws_s3_bucket", None),
            ("aws_s3_bucket.*", None),
            ("aws_s3_bucket.logs*", None),
            ("aws_s3_bucket.logs[*][*]", None),
            ("aws_s3_bucket.logs[0][*]", None),
            ("aws_s3_bucket.log?", None),
            ("aws_s3_bucket.logs.*", None),
            ("aws_s3_bucket.[a-z]+", None),
            ("^aws_s3_bucket\\..*$", None),
            ("**", None),
            ("*", None),
            ("[*]", None),
            ("", None),
            ("   ", None),
            (" aws_s3_bucket.logs", None),
            ("aws_s3_bucket.logs ", None),
            ("aws_s3_bucket .logs", None),
            ("\u{0430}ws_s3_bucket.logs", None),
            ("aws_s3_bucket.l\u{043e}gs", None),
            ("ａws_s3_bucket.logs", None),
            ("aws_s3_bucket.logs\u{200b}", None),
            ("Logs\u{200b}Bucket", None),
            ("LogsBucket*", None),
            ("Logs-Bucket", None),
            ("data.aws_iam_policy_document", None),
            ("module.app.module.db[*]", None),
            ("aws_s3_bucket.logs[\"a\"].x[*]", None),
        ];
        for (scope, expected) in cases {
            match (check(scope), expected) {
                (Err(why), None) => assert!(why.contains("scope resource"), "{why}"),
                (Ok(()), Some(want)) => {
                    let got: Vec<&str> = ADDRESSES.iter().copied().filter(|a| matches(scope, a)).collect();
                    assert_eq!(&got, want, "{scope}");
                }
                (result, _) => panic!("{scope:?}: {result:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn an_instance_wildcard_never_reaches_into_a_module_or_a_longer_name() {
        assert!(!matches(
            "module.app.aws_s3_bucket.logs[*]",
            "module.app.aws_s3_bucket.logs[0].x[1]"
        ));
        assert!(!matches("aws_s3_bucket.logs[*]", "aws_s3_bucket.logs_archive[0]"));
        assert!(!matches("aws_s3_bucket.logs[*]", "aws_s3_bucket.logs[\"a\"] [0]"));
        assert!(matches("aws_s3_bucket.logs[*]", "aws_s3_bucket.logs[\"a]b\"]"));
    }
}
