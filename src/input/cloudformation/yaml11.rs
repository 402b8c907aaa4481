//! How YAML 1.1 resolves a plain (untagged, unquoted) scalar.
//!
//! AWS documents that CloudFormation reads YAML 1.1; saphyr reads YAML 1.2 (core schema). The two
//! disagree on `yes`/`no`/`on`/`off`/`y`/`n` (booleans in 1.1, strings in 1.2), `026` (octal 22 in
//! 1.1), `0b1010`, `1_000`, `-0x1A`, `190:20:30` (sexagesimal), `1_0.5` (integers and floats in
//! 1.1, strings in 1.2), and `0o17`, `1e3` (numbers in 1.2, strings in 1.1). The resolution here
//! follows the YAML 1.1 type repository (yaml.org/type: bool, int, float, null), with the float
//! form of PyYAML and SnakeYAML (a digit is required; `1.2.3` stays a string). Timestamps are
//! left as the text written.

use serde_json::{Number, Value};

/// The value YAML 1.1 reads a plain scalar as: a boolean, a number or null; `None` for a string
/// (the text written, not copied: a scalar may be very large). A number that JSON cannot hold
/// (`.inf`, `.nan`, an integer beyond 64 bits) is its text.
pub fn reading(plain: &str) -> Option<Value> {
    match plain {
        "" | "~" | "null" | "Null" | "NULL" => Some(Value::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(Value::Bool(true)),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(Value::Bool(false))
        }
        _ => integer(plain).or_else(|| float(plain)),
    }
}

/// `[-+]?` then the rest, and whether the sign was `-`.
fn sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

fn all(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    text.bytes().all(allowed)
}

/// The integer forms: `0b[01_]+`, `0x[0-9a-fA-F_]+`, `0[0-7_]+` (octal), `0|[1-9][0-9_]*`,
/// and sexagesimal `[1-9][0-9_]*(:[0-5]?[0-9])+`, each with an optional sign.
fn integer(text: &str) -> Option<Value> {
    let (negative, body) = sign(text);
    let magnitude = if let Some(bits) = body.strip_prefix("0b") {
        (!bits.is_empty() && all(bits, |b| matches!(b, b'0' | b'1' | b'_'))).then(|| radix(bits, 2))?
    } else if let Some(hex) = body.strip_prefix("0x") {
        (!hex.is_empty() && all(hex, |b| b.is_ascii_hexdigit() || b == b'_')).then(|| radix(hex, 16))?
    } else if body.len() > 1 && body.starts_with('0') {
        all(body, |b| matches!(b, b'0'..=b'7' | b'_')).then(|| radix(body, 8))?
    } else if body == "0" || body.starts_with(|c: char| matches!(c, '1'..='9')) && all(body, decimal) {
        radix(body, 10)
    } else {
        sexagesimal(body)?
    };
    Some(match magnitude {
        Some(m) => {
            let signed = if negative { -(m as i128) } else { m as i128 };
            if let Ok(i) = i64::try_from(signed) {
                Value::from(i)
            } else if let Ok(u) = u64::try_from(signed) {
                Value::from(u)
            } else {
                Value::String(signed.to_string())
            }
        }
        // Beyond 64 bits: kept as the text written (`None`), which is how YAML 1.2 reads it too;
        // not copied, since such a scalar may be very large.
        None => return None,
    })
}

fn decimal(b: u8) -> bool {
    b.is_ascii_digit() || b == b'_'
}

/// Digits (with `_` separators) in a radix; `None` when the value overflows.
fn radix(digits: &str, radix: u32) -> Option<u64> {
    let mut value: u64 = 0;
    for c in digits.chars().filter(|c| *c != '_') {
        value = value
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(c.to_digit(radix)?))?;
    }
    Some(value)
}

/// The `:`-separated parts of a sexagesimal number after the first: `[0-5]?[0-9]` each.
fn base60_parts<'a>(parts: impl Iterator<Item = &'a str>) -> Option<Vec<u64>> {
    parts
        .map(|p| {
            let ok = matches!(p.as_bytes(), [d] if d.is_ascii_digit())
                || matches!(p.as_bytes(), [t, d] if (b'0'..=b'5').contains(t) && d.is_ascii_digit());
            ok.then(|| u64::from(p.parse::<u8>().unwrap_or(0)))
        })
        .collect()
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+`: `Some(None)` when it overflows.
fn sexagesimal(body: &str) -> Option<Option<u64>> {
    let mut parts = body.split(':');
    let head = parts.next()?;
    if !head.starts_with(|c: char| matches!(c, '1'..='9')) || !all(head, decimal) {
        return None;
    }
    let rest = base60_parts(parts)?;
    if rest.is_empty() {
        return None;
    }
    let mut value = radix(head, 10);
    for part in rest {
        value = value.and_then(|v| v.checked_mul(60)?.checked_add(part));
    }
    Some(value)
}

/// The float forms: `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?`, `[-+]?\.[0-9_]+(…)?`,
/// sexagesimal `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`, `[-+]?.inf`, `.nan`.
fn float(text: &str) -> Option<Value> {
    let (negative, body) = sign(text);
    let finite = |f: f64| {
        let f = if negative { -f } else { f };
        Some(Number::from_f64(f).map_or_else(|| Value::String(text.to_string()), Value::Number))
    };
    if matches!(body, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(Value::String(text.to_string()));
    }
    if let Some((whole, fraction)) = body.split_once('.')
        && whole.contains(':')
    {
        // Sexagesimal: every part a base-60 digit pair, the last with a fraction.
        let mut parts = whole.split(':');
        let head = parts.next()?;
        if head.is_empty() || !head.starts_with(|c: char| c.is_ascii_digit()) || !all(head, decimal) {
            return None;
        }
        let rest = base60_parts(parts)?;
        if rest.is_empty() || !all(fraction, decimal) {
            return None;
        }
        let mut value: f64 = head.replace('_', "").parse().ok()?;
        for part in rest {
            value = value * 60.0 + part as f64;
        }
        let fraction: f64 = format!("0.{}", fraction.replace('_', "")).parse().unwrap_or(0.0);
        return finite(value + fraction);
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.')?;
    let digits_ok = if whole.is_empty() {
        !fraction.is_empty() && fraction.starts_with(|c: char| c.is_ascii_digit())
    } else {
        whole.starts_with(|c: char| c.is_ascii_digit())
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let (_, digits) = sign(e);
        e.starts_with(['-', '+']) && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    });
    if !digits_ok || !all(whole, decimal) || !all(fraction, decimal) || !exponent_ok {
        return None;
    }
    let cleaned = body.replace('_', "");
    finite(cleaned.parse::<f64>().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The reading, a string as the text written.
    fn reading(plain: &str) -> Value {
        super::reading(plain).unwrap_or_else(|| Value::String(plain.to_string()))
    }

    #[test]
    fn booleans_of_yaml_1_1() {
        for t in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] {
            assert_eq!(reading(t), json!(true), "{t}");
        }
        for f in [
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            assert_eq!(reading(f), json!(false), "{f}");
        }
        for s in ["yES", "oN", "tRUE", "yess", "nope"] {
            assert_eq!(reading(s), json!(s), "{s}");
        }
    }

    #[test]
    fn nulls_of_yaml_1_1() {
        for n in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(reading(n), Value::Null, "{n:?}");
        }
        assert_eq!(reading("nULL"), json!("nULL"));
    }

    #[test]
    fn integers_of_yaml_1_1() {
        let cases = [
            ("0", json!(0)),
            ("-0", json!(0)),
            ("22", json!(22)),
            ("+12", json!(12)),
            ("-12", json!(-12)),
            ("1_000", json!(1000)),
            ("026", json!(22)),
            ("0_26", json!(22)),
            ("-026", json!(-22)),
            ("00", json!(0)),
            ("0b1010", json!(10)),
            ("-0b1_0", json!(-2)),
            ("0x1A", json!(26)),
            ("0x1_a", json!(26)),
            ("-0x16", json!(-22)),
            ("190:20:30", json!(685_230)),
            ("1:00", json!(60)),
            ("-0:22", json!("-0:22")),
            ("0:22", json!("0:22")),
            ("22:", json!("22:")),
            ("1:60", json!("1:60")),
            ("1:5", json!(65)),
            ("18446744073709551615", json!(18_446_744_073_709_551_615_u64)),
            ("-9223372036854775809", json!("-9223372036854775809")),
            (
                "0x1ffffffffffffffffffffffffffffffff",
                json!("0x1ffffffffffffffffffffffffffffffff"),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(reading(text), want, "{text}");
        }
        // Not integers in YAML 1.1.
        for s in ["0o17", "09", "012345678901", "0b", "0x", "0b12", "0xg", "+", "-", "1-2"] {
            assert_eq!(reading(s), json!(s), "{s}");
        }
        assert_eq!(reading("1__"), json!(1), "underscores are separators");
    }

    #[test]
    fn floats_of_yaml_1_1() {
        let cases = [
            ("1.5", json!(1.5)),
            ("1.", json!(1.0)),
            (".5", json!(0.5)),
            ("-.5", json!(-0.5)),
            ("1_0.5", json!(10.5)),
            ("6.8523015e+5", json!(685_230.15)),
            ("1.0E-3", json!(0.001)),
            ("190:20:30.15", json!(685_230.15)),
            ("-1:30.5", json!(-90.5)),
            (".inf", json!(".inf")),
            ("-.Inf", json!("-.Inf")),
            (".NaN", json!(".NaN")),
            ("1.0e400", json!("1.0e400")),
        ];
        for (text, want) in cases {
            let got = reading(text);
            match (got.as_f64(), want.as_f64()) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{text}: {g} != {w}"),
                _ => assert_eq!(got, want, "{text}"),
            }
        }
        // Strings in YAML 1.1: no dot, an exponent without a sign, no digit, versions.
        for s in [
            "1e3", "1.5e3", ".", "._", "1.2.3", "-.nan", "inf", "nan", "1:2.x", "1.0e+",
        ] {
            assert_eq!(reading(s), json!(s), "{s}");
        }
    }
}
