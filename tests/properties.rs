//! Property-based tests: invariants of the pieces that turn untrusted text into verdicts and
//! output, checked on generated inputs (proptest shrinks any counterexample to a small one).

use proptest::prelude::*;
use serde_json::{Value, json};

use controlgate::exceptions::{address, identity};
use controlgate::input;
use controlgate::model::readings_of;
use controlgate::pointer;
use controlgate::report::escape;

// ---------------------------------------------------------------------------------------------
// YAML 1.1 and 1.2 readings, through the template loader.

/// The value of property `P` of the one resource of a template whose `P` is written `written`.
fn property(written: &str) -> Value {
    let text = format!("Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      P: {written}\n");
    let file = input::template_from_text("t.yaml", &text).unwrap_or_else(|e| panic!("{written:?}: {e}"));
    file.resources[0].properties["P"].clone()
}

/// How CloudFormation (YAML 1.1) reads a loaded value: the second reading of a readings marker,
/// else the value itself.
fn yaml11(value: &Value) -> &Value {
    readings_of(value).map_or(value, |r| &r[1])
}

/// Upper-cases the letters of `word` where `mask` has a set bit.
fn with_case(word: &str, mask: u32) -> String {
    word.chars()
        .enumerate()
        .map(|(i, c)| if mask >> i & 1 == 1 { c.to_ascii_uppercase() } else { c })
        .collect()
}

proptest! {
    /// A YAML 1.1 boolean word is a boolean to CloudFormation exactly when written all lower,
    /// Capitalized or ALL UPPER; any other casing is the text; quoted, always the text.
    #[test]
    fn yaml_1_1_booleans_in_any_case(
        (word, truth) in prop::sample::select(vec![
            ("y", true), ("yes", true), ("true", true), ("on", true),
            ("n", false), ("no", false), ("false", false), ("off", false),
        ]),
        mask in any::<u32>(),
    ) {
        let written = with_case(word, mask);
        let capitalized = with_case(word, 1);
        let is_bool = written == word || written == capitalized || written == word.to_uppercase();
        let loaded = property(&written);
        let want = if is_bool { json!(truth) } else { json!(written) };
        prop_assert_eq!(yaml11(&loaded), &want, "{} loaded as {}", written, loaded);
        let (single, double) = (format!("'{written}'"), format!("\"{written}\""));
        prop_assert_eq!(property(&single), json!(written));
        prop_assert_eq!(property(&double), json!(written));
    }

    /// Integers written in decimal, hex, octal, binary or base 60, with `_` separators where
    /// YAML 1.1 allows them, read back as the number they name.
    #[test]
    fn yaml_1_1_integers_read_back(n in 0u64..=i64::MAX as u64, negative in any::<bool>(), underscore in 0usize..8) {
        let sign = if negative { "-" } else { "" };
        let want = if negative { json!(-(n as i128) as i64) } else { json!(n) };
        // A separator inside the digits: `1_000`, `0x1_a`.
        let sep = |digits: String| -> String {
            let at = 1 + underscore % digits.len().max(1);
            if digits.len() > 1 { format!("{}_{}", &digits[..at.min(digits.len())], &digits[at.min(digits.len())..]) } else { digits }
        };
        for written in [
            format!("{sign}{n}"),
            format!("{sign}{}", sep(n.to_string())),
            format!("{sign}0x{n:x}"),
            format!("{sign}0x{}", sep(format!("{n:X}"))),
            format!("{sign}0b{n:b}"),
            format!("{sign}0{n:o}"),
        ] {
            let loaded = property(&written);
            prop_assert_eq!(yaml11(&loaded), &want, "{} loaded as {}", written, loaded);
        }
        // `0o17` is a number to YAML 1.2 only: text to CloudFormation.
        let octal = format!("0o{n:o}");
        let loaded = property(&octal);
        prop_assert_eq!(yaml11(&loaded), &json!(octal));
    }

    #[test]
    fn yaml_1_1_sexagesimal(h in 1u64..100_000, m in 0u64..60, s in 0u64..60) {
        let loaded = property(&format!("{h}:{m:02}:{s:02}"));
        prop_assert_eq!(yaml11(&loaded), &json!(h * 3600 + m * 60 + s));
        let loaded = property(&format!("{h}:{m}"));
        prop_assert_eq!(yaml11(&loaded), &json!(h * 60 + m));
    }

    /// A float of the YAML 1.1 form (a dot, a signed exponent) reads as Rust reads the digits;
    /// the forms only YAML 1.2 knows (`1e3`: no dot, an unsigned exponent) are text to
    /// CloudFormation.
    #[test]
    fn yaml_1_1_floats(whole in "[0-9]{1,6}", fraction in "[0-9]{0,6}", exp in prop::option::of(-300i32..300)) {
        let exponent = exp.map(|e| format!("e{e:+}")).unwrap_or_default();
        let written = format!("{whole}.{fraction}{exponent}");
        let want: f64 = written.parse().unwrap();
        let loaded = property(&written);
        prop_assert_eq!(yaml11(&loaded).as_f64(), Some(want), "{} loaded as {}", written, loaded);
        let unsigned = format!("{whole}e{}", exp.unwrap_or(3).unsigned_abs());
        let loaded = property(&unsigned);
        prop_assert_eq!(yaml11(&loaded), &json!(unsigned), "{} loaded as {}", unsigned, loaded);
    }

    /// Whatever a plain scalar of number-like characters is, it loads, and it has one reading or
    /// two: a readings marker holds exactly the two readings, and they differ.
    #[test]
    fn plain_scalars_have_one_reading_or_two_different_ones(written in "[0-9+.][0-9a-fA-FxXbBoO_.:+eE-]{0,12}") {
        prop_assume!(!written.ends_with(':'));
        let loaded = property(&written);
        if let Some(readings) = readings_of(&loaded) {
            prop_assert_eq!(readings.len(), 2);
            prop_assert_ne!(&readings[0], &readings[1]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON Pointer escaping.

proptest! {
    #[test]
    fn pointer_segments_read_back_as_the_keys(keys in prop::collection::vec("[a-z~/01 ]{0,6}|\\PC{0,4}", 0..5)) {
        for k in &keys {
            let e = pointer::escape(k);
            prop_assert_eq!(&pointer::unescape(&e), k);
            prop_assert!(!e.contains('/'), "{:?} -> {:?}", k, e);
            // Every `~` of an escaped key starts `~0` or `~1`.
            prop_assert!(e.match_indices('~').all(|(i, _)| matches!(e.as_bytes().get(i + 1), Some(b'0' | b'1'))));
        }
        let joined: String = keys.iter().map(|k| format!("/{}", pointer::escape(k))).collect();
        prop_assert_eq!(pointer::segments(&joined).collect::<Vec<_>>(), keys);
    }

    /// A pointer built from the keys of a document finds the place in its text: escaping and
    /// the locator agree on every key, `~` and `/` included.
    #[test]
    fn a_pointer_to_a_key_locates_it(keys in prop::collection::vec("[a-z~/01\"\\\\ ]{1,5}", 1..4)) {
        prop_assume!(keys.iter().all(|k| k != "pad"));
        let mut doc = json!(1);
        for k in keys.iter().rev() {
            doc = json!({ "pad": 0, k.as_str(): doc });
        }
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let pointer: String = keys.iter().map(|k| format!("/{}", pointer::escape(k))).collect();
        let (line, _) = input::json_position(&text, &pointer);
        // Each key on its own line, after `{` and `"pad": 0,` of each level.
        prop_assert_eq!(line, 2 * keys.len() + 1, "{} in\n{}", pointer, text);
    }
}

// ---------------------------------------------------------------------------------------------
// Exception scopes.

/// A Terraform resource address's parts: modules (with an optional key), type, name.
fn tf_name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_-]{0,5}"
}

fn instance_key() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..1000).prop_map(|n| format!("[{n}]")),
        "[a-z*.\\[\\] ]{0,5}".prop_map(|s| format!("[{}]", serde_json::to_string(&s).unwrap())),
    ]
}

fn resource() -> impl Strategy<Value = (String, String, String)> {
    (
        prop::collection::vec((tf_name(), prop::option::of(instance_key())), 0..3),
        tf_name(),
        tf_name(),
    )
        .prop_filter("`module` and `data` are not types", |(_, t, _)| {
            t != "module" && t != "data"
        })
        .prop_map(|(modules, t, n)| {
            let prefix: String = modules
                .iter()
                .map(|(m, k)| format!("module.{m}{}.", k.as_deref().unwrap_or("")))
                .collect();
            (prefix, t, n)
        })
}

proptest! {
    /// An exact pattern covers itself alone; `ADDRESS[*]` covers exactly the instances of that
    /// one resource: never the resource of another type or name, never a module's resources.
    #[test]
    fn scopes_cover_what_they_name_and_nothing_else(
        (prefix, t, n) in resource(),
        (prefix2, t2, n2) in resource(),
        key in instance_key(),
        key2 in prop::option::of(instance_key()),
    ) {
        let base = format!("{prefix}{t}.{n}");
        let other = format!("{prefix2}{t2}.{n2}{}", key2.as_deref().unwrap_or(""));
        let every = format!("{base}[*]");
        prop_assert!(address::check(&base).is_ok(), "{}", base);
        prop_assert!(address::check(&every).is_ok(), "{}", every);
        let (instance, twice, inside) = (format!("{base}{key}"), format!("{base}{key}{key}"), format!("{base}{key}.{t}.{n}"));
        prop_assert!(address::matches(&every, &instance));
        prop_assert!(!address::matches(&every, &base));
        prop_assert!(!address::matches(&every, &twice));
        prop_assert!(!address::matches(&every, &inside));
        prop_assert_eq!(address::matches(&base, &other), base == other);
        if base != format!("{prefix2}{t2}.{n2}") {
            prop_assert!(!address::matches(&every, &other), "{} covers {}", every, other);
        }
    }

    /// A wildcard anywhere but a final `[*]`, or white space, makes a pattern refused.
    #[test]
    fn wildcards_and_blanks_are_refused((prefix, t, n) in resource(), at in any::<prop::sample::Index>(), junk in "[*? \t\u{200b}]") {
        let base = format!("{prefix}{t}.{n}");
        let mut chars: Vec<char> = base.chars().collect();
        let i = at.index(chars.len() + 1);
        // Inside a quoted instance key anything is the key's text.
        prop_assume!(!base[..chars[..i].iter().map(|c| c.len_utf8()).sum::<usize>()].contains('"'));
        chars.insert(i, junk.chars().next().unwrap());
        let pattern: String = chars.into_iter().collect();
        prop_assert!(address::check(&pattern).is_err(), "{:?} accepted", pattern);
        let every = format!("{pattern}[*]");
        prop_assert!(address::check(&every).is_err(), "{:?} accepted", every);
    }
}

// ---------------------------------------------------------------------------------------------
// Identities of owners and approvers.

fn email() -> impl Strategy<Value = (String, String)> {
    ("[a-z][a-z0-9._-]{0,8}[a-z0-9]", "[a-z][a-z0-9-]{0,6}\\.[a-z]{2,4}")
}

/// Fullwidth forms of ASCII letters and digits (NFKC maps them back).
fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap()
            } else {
                c
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn one_person_under_every_spelling_is_one_identity((local, domain) in email(), tag in "[a-z0-9]{0,5}", upper in any::<u32>()) {
        let plain = format!("{local}@{domain}");
        let id = identity::canonical(&plain).unwrap();
        prop_assert_eq!(&id, &plain);
        prop_assert_eq!(identity::canonical(&id).unwrap(), id.clone(), "idempotent");
        let spellings = [
            with_case(&plain, upper),
            plain.to_uppercase(),
            fullwidth(&plain),
            format!("{local}+{tag}@{domain}"),
            format!("Some One <{plain}>"),
            format!("mailto:{plain}"),
            format!("  {plain}. "),
        ];
        for s in spellings {
            let got = identity::canonical(&s);
            prop_assert_eq!(got.as_ref(), Ok(&id), "{:?}", s);
        }
    }

    /// An invisible character anywhere in an identity is refused, whatever else it is.
    #[test]
    fn invisible_characters_are_refused((local, domain) in email(), at in any::<prop::sample::Index>(),
        hidden in prop::sample::select(vec!['\u{200b}', '\u{200d}', '\u{feff}', '\u{ad}', '\u{202e}', '\u{2066}', '\u{1b}'])) {
        let mut chars: Vec<char> = format!("{local}@{domain}").chars().collect();
        chars.insert(at.index(chars.len() + 1), hidden);
        let s: String = chars.into_iter().collect();
        prop_assert!(identity::canonical(&s).is_err(), "{:?}", s);
    }

    /// Different people stay different: two addresses that differ other than in case, a
    /// sub-address or a trailing dot never share a canonical id.
    #[test]
    fn distinct_addresses_never_collide(a in email(), b in email()) {
        prop_assume!(a != b);
        let one = identity::canonical(&format!("{}@{}", a.0, a.1)).unwrap();
        let two = identity::canonical(&format!("{}@{}", b.0, b.1)).unwrap();
        prop_assert_ne!(one, two);
    }

    /// Whatever the text, canonicalisation ends (no panic) and, when it gives an id, the id is
    /// its own canonical form.
    #[test]
    fn canonical_is_idempotent_on_any_text(s in "\\PC{0,16}|[a-zA-Z@<>+. ]{0,16}") {
        if let Ok(id) = identity::canonical(&s) {
            let again = identity::canonical(&id);
            prop_assert_eq!(again.as_ref(), Ok(&id), "{:?}", s);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Escaping of untrusted text for output.

/// What the runner reads back from a workflow command: `%XX` decoded.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .expect("UTF-8")
        .into_owned()
}

/// Any text, weighted toward what a hostile name holds: controls, bidi overrides, Markdown.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\\x7f-\\x9f\u{200b}-\u{200f}\u{202a}-\u{202e}\u{2066}-\u{2069}a :%,`*_\\[\\]<>|#@!&~\\\\\n\r]{0,24}",
    ]
}

proptest! {
    #[test]
    fn a_line_holds_no_control_and_no_newline(s in hostile()) {
        let out = escape::line(&s);
        prop_assert!(!out.chars().any(escape::is_hidden), "{:?} -> {:?}", s, out);
        prop_assert!(!out.contains(['\n', '\r']));
        // Text with nothing hidden is shown as written.
        if !s.chars().any(escape::is_hidden) {
            prop_assert_eq!(&out, &s);
        }
        for l in escape::terminal(&s).split('\n') {
            prop_assert!(!l.chars().any(escape::is_hidden), "{:?}", s);
        }
    }

    /// Markdown: every special character is backslash-escaped, and once unescaped (as CommonMark
    /// shows it), the text is the line shown.
    #[test]
    fn markdown_escapes_every_special(s in hostile()) {
        let out = escape::markdown(&s);
        let mut shown = String::new();
        let mut chars = out.chars();
        while let Some(c) = chars.next() {
            prop_assert!(!c.is_ascii_control() && !escape::is_hidden(c), "{:?} -> {:?}", s, out);
            if c == '\\' {
                let next = chars.next();
                prop_assert!(next.is_some_and(|n| n.is_ascii_punctuation()), "{:?} -> {:?}", s, out);
                shown.extend(next);
            } else {
                prop_assert!(!"\\`*_[]<>|&~#@!:${}()".contains(c), "bare {:?}: {:?} -> {:?}", c, s, out);
                shown.push(c);
            }
        }
        prop_assert_eq!(shown, escape::line(&s));
        let code = escape::markdown_code(&s);
        let inner = &code["<code>".len()..code.len() - "</code>".len()];
        prop_assert!(!inner.contains(['<', '>', '|', '`', '\n', '*', '[', '_', '~', '\\']), "{:?} -> {:?}", s, code);
    }

    /// A workflow command's data decodes (as the runner decodes `%25`, `%0D`, `%0A`) to the
    /// text, hidden characters but CR and LF made visible; its line never breaks; a property
    /// holds no `:` or `,` that would end it.
    #[test]
    fn workflow_data_decodes_to_the_text(s in hostile()) {
        let data = escape::workflow_data(&s);
        prop_assert!(!data.contains(['\n', '\r']) && !data.chars().any(escape::is_hidden));
        let decoded = percent_decode(&data);
        let want: String = s
            .split_inclusive(['\n', '\r'])
            .map(|part| {
                let (body, end) = match part.strip_suffix(['\n', '\r']) {
                    Some(b) => (b, &part[b.len()..]),
                    None => (part, ""),
                };
                format!("{}{end}", escape::line(body))
            })
            .collect();
        prop_assert_eq!(decoded, want);
        let property = escape::workflow_property(&s);
        prop_assert!(!property.contains([':', ',', '\n', '\r']));
        prop_assert_eq!(percent_decode(&property), percent_decode(&data));
    }
}

// ---------------------------------------------------------------------------------------------
// An exception's whole scope, as the registry loads it.

fn builtin() -> &'static controlgate::catalog::Catalog {
    static CATALOG: std::sync::OnceLock<controlgate::catalog::Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        controlgate::catalog::load(&[controlgate::catalog::PackSource::Builtin]).expect("the built-in pack loads")
    })
}

/// A valid, approved exception of BCK-001 scoped to `resource`, with the accounts and regions
/// given (none: any).
fn exception(resource: &str, accounts: &[String], regions: &[String]) -> controlgate::exceptions::Exception {
    let text = format!(
        "exceptions:
  - id: EXC-1
    control: BCK-001
    scope:
      resources: [{}]
      paths: [\"envs/**\"]
      accounts: {}
      regions: {}
    owner: alice@example.com
    reason: migrating
    compensatingControl: manual snapshots
    approval: {{approver: bob@example.com, role: platform-owner, date: 2026-11-01}}
    expires: 2027-01-15
    status: approved
",
        serde_json::to_string(resource).unwrap(),
        serde_json::to_string(accounts).unwrap(),
        serde_json::to_string(regions).unwrap(),
    );
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let mut entries = controlgate::exceptions::registry::from_text("x.yaml", &text, builtin(), today, None).unwrap();
    let e = entries.remove(0);
    assert!(e.is_valid(), "{:?}", e.problems);
    e
}

proptest! {
    /// An exception covers a resource only when its pattern does, the file is under its paths,
    /// and the account and region it names are the run's: one the run does not know never
    /// matches.
    #[test]
    fn an_exception_covers_only_inside_its_whole_scope(
        (prefix, t, n) in resource(),
        every in any::<bool>(),
        key in instance_key(),
        (prefix2, t2, n2) in resource(),
        accounts in prop::collection::vec("[0-9]{12}", 0..2),
        regions in prop::collection::vec("(eu|us)-(west|east)-[12]", 0..2),
        file in "(envs|other)/[a-z]{1,3}\\.json",
    ) {
        let base = format!("{prefix}{t}.{n}");
        let pattern = if every { format!("{base}[*]") } else { base.clone() };
        let e = exception(&pattern, &accounts, &regions);
        let account = accounts.first().map(String::as_str);
        let region = regions.first().map(String::as_str);
        let mine = if every { format!("{base}{key}") } else { base.clone() };
        let in_paths = file.starts_with("envs/");
        prop_assert_eq!(e.covers(&mine, &file, account, region), in_paths);
        let other = format!("{prefix2}{t2}.{n2}{key}");
        if !address::matches(&pattern, &other) {
            prop_assert!(!e.covers(&other, &file, account, region), "{} covers {}", pattern, other);
        }
        if !accounts.is_empty() {
            prop_assert!(!e.covers(&mine, &file, None, region));
            prop_assert!(!e.covers(&mine, &file, Some("000000000000"), region) || accounts.iter().any(|a| a == "000000000000"));
        }
        if !regions.is_empty() {
            prop_assert!(!e.covers(&mine, &file, account, None));
        }
    }
}

/// Found by `canonical_is_idempotent_on_any_text`: the owner under a display name written
/// without a space and with a trailing dot read as someone else, so approved their own exception.
#[test]
fn the_owner_cannot_approve_under_a_nested_spelling() {
    for approver in [
        "Alice<alice@example.com>.",
        "mailto:mailto:alice@example.com",
        "<A <alice@example.com>>",
    ] {
        let text = format!(
            "exceptions:
  - id: EXC-1
    control: BCK-001
    scope: {{resources: [aws_db_instance.main]}}
    owner: alice@example.com
    reason: migrating
    compensatingControl: manual snapshots
    approval: {{approver: {approver:?}, role: platform-owner, date: 2026-11-01}}
    expires: 2027-01-15
    status: approved
"
        );
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let entries = controlgate::exceptions::registry::from_text("x.yaml", &text, builtin(), today, None).unwrap();
        assert!(!entries[0].is_valid(), "{approver}: valid");
        assert!(
            entries[0]
                .problems
                .iter()
                .any(|p| p.contains("its own owner") || p.contains("not an identity")),
            "{approver}: {:?}",
            entries[0].problems
        );
    }
}
