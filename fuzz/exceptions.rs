//! Fuzz target: an exception registry file, validated against the built-in pack, then every
//! valid entry's scope tried on a few addresses.

mod common;

use chrono::NaiveDate;
use controlgate::exceptions::registry;

const ADDRESSES: &[&str] = &[
    "aws_s3_bucket.logs",
    "aws_s3_bucket.logs[0]",
    "module.app[\"eu\"].aws_s3_bucket.logs[\"a\"]",
    "LogsBucket",
];

fn main() {
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else { return };
        if let Ok(entries) = registry::from_text("exceptions.yaml", text, common::builtin(), today, None) {
            for e in entries.iter().filter(|e| e.is_valid()) {
                for a in ADDRESSES {
                    std::hint::black_box(e.covers(a, "envs/prod/main.json", Some("123456789012"), Some("eu-west-1")));
                }
            }
        }
    });
}
