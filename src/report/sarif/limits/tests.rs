use serde_json::Value;

use super::*;
use crate::catalog::Catalog;
use crate::evaluate::Evaluation;
use crate::gate::{Decision, Policy, UnknownPolicy, Verdict};
use crate::report::SarifOptions;
use crate::report::sarif::write;

/// A passing run that blocks on everything (tests here judge findings, not the verdict).
static PASS: Decision = Decision {
    verdict: Verdict::Pass,
    policy: Policy {
        fail_on: Severity::Low,
        unknown: UnknownPolicy::Fail,
    },
    blocking: 0,
    errors: Vec::new(),
    soft_fail: false,
};

static NO_SKIPS: crate::selection::Skips = crate::selection::Skips {
    rules: Vec::new(),
    files: Vec::new(),
    patterns: Vec::new(),
};

fn finding(i: usize, severity: Severity) -> Finding {
    Finding::sample("TST-001", &format!("aws_x.y[{i}]"), severity)
}

fn report_of<'a>(catalog: &'a Catalog, evaluation: &'a Evaluation) -> Report<'a> {
    Report {
        catalog,
        evaluation,
        exceptions: &[],
        files: 1,
        gate: &PASS,
        changed: &[],
        skips: &NO_SKIPS,
        parameters: &[],
        day: None,
        sarif: SarifOptions::default(),
    }
}

fn evaluation(findings: Vec<Finding>) -> Evaluation {
    Evaluation {
        findings,
        ..Default::default()
    }
}

/// The resources of a log's results, in order.
fn resources(bytes: &[u8]) -> Vec<String> {
    let log: Value = serde_json::from_slice(bytes).unwrap();
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["logicalLocations"][0]["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// `len` characters that deflate cannot shrink much, different for each `seed`.
fn noise(seed: u64, len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            // xorshift64
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            CHARS[(x % CHARS.len() as u64) as usize] as char
        })
        .collect()
}

#[test]
fn results_are_capped_below_githubs_limit_keeping_the_most_severe() {
    let catalog = Catalog::default();
    let mut findings: Vec<Finding> = (0..MAX_RESULTS + 10).map(|i| finding(i, Severity::Low)).collect();
    findings.push(finding(999_999, Severity::Critical));
    let evaluation = evaluation(findings);
    let report = report_of(&catalog, &evaluation);
    let (chosen, dropped) = selected(&report);
    assert_eq!((chosen.len(), dropped), (MAX_RESULTS, 11));
    assert_eq!(chosen[0].resource, "aws_x.y[999999]", "the critical one comes first");
    // Below the cap nothing is reordered or dropped.
    let small = Evaluation {
        findings: (0..3).map(|i| finding(i, Severity::Low)).collect(),
        ..Default::default()
    };
    let report = Report {
        evaluation: &small,
        ..report
    };
    let (chosen, dropped) = selected(&report);
    assert_eq!((chosen.len(), dropped), (3, 0));
}

/// 120 low findings, then a critical, a high and a medium one, and an excepted-by-nothing
/// medium that does not block: the report's order puts the most severe last.
fn mixed() -> Vec<Finding> {
    let mut findings: Vec<Finding> = (0..120).map(|i| finding(i, Severity::Low)).collect();
    findings.push(finding(200, Severity::Critical));
    findings.push(finding(201, Severity::High));
    findings.push(finding(202, Severity::Medium));
    findings.push(finding(203, Severity::High));
    findings
}

#[test]
fn a_log_over_the_gzip_limit_keeps_the_most_severe_findings_that_fit() {
    let catalog = Catalog::default();
    let evaluation = evaluation(mixed());
    let report = report_of(&catalog, &evaluation);
    let whole = SarifLog::within(&report, usize::MAX);
    let whole_gzip = gzip_len(&whole.bytes);
    let limit = 2_000;
    assert!(
        whole_gzip > 2 * limit,
        "the test needs a log well over the limit: {whole_gzip}"
    );

    let log = SarifLog::within(&report, limit);
    let gzip = gzip_len(&log.bytes);
    assert!(gzip <= limit, "{gzip} bytes gzip-compressed, over {limit}");
    assert_eq!(log.gzip_bytes, Some(gzip));
    assert_eq!(log.gzip_bytes_uncapped, Some(whole_gzip));
    assert_eq!(log.over_count, 0);
    assert!(log.results >= 4 && log.over_size > 0, "{log:?}");
    assert_eq!(log.results + log.over_size, 124);
    let kept = resources(&log.bytes);
    assert_eq!(kept.len(), log.results);
    // Blocking and most severe first (stable: the two highs keep their order), then the lows
    // in the report's order.
    assert_eq!(
        kept[..5],
        [
            "aws_x.y[200]",
            "aws_x.y[201]",
            "aws_x.y[203]",
            "aws_x.y[202]",
            "aws_x.y[0]"
        ]
    );
    let lows: Vec<String> = (0..log.results - 4).map(|i| format!("aws_x.y[{i}]")).collect();
    assert_eq!(kept[4..], lows[..]);

    // As many as fit: one more finding, in the same order, does not.
    let by_index = |i: usize| {
        let resource = format!("aws_x.y[{i}]");
        evaluation
            .findings
            .iter()
            .find(|f| f.resource == resource)
            .unwrap()
            .clone()
    };
    let one_more = self::evaluation(
        [200, 201, 203, 202]
            .into_iter()
            .chain(0..=log.results - 4)
            .map(by_index)
            .collect(),
    );
    let one_more = SarifLog::within(&report_of(&catalog, &one_more), usize::MAX);
    assert_eq!(resources(&one_more.bytes)[..log.results], kept[..]);
    assert!(gzip_len(&one_more.bytes) > limit);

    // Deterministic, and written as built.
    assert_eq!(SarifLog::within(&report, limit).bytes, log.bytes);
    let mut written = Vec::new();
    log.write(&mut written).unwrap();
    assert_eq!(written, log.bytes);
    assert!(written.ends_with(b"}\n"));

    assert_eq!(
        log.warnings(),
        [format!(
            "SARIF carries the {} most severe findings and leaves out {}: with them it would be {} gzip-compressed, and GitHub code scanning rejects uploads over 10 MB (controlgate stops at 0.01 MB)",
            log.results,
            log.over_size,
            megabytes(whole_gzip)
        )]
    );
}

#[test]
fn a_log_that_cannot_fit_leaves_out_every_finding_and_says_so() {
    let catalog = Catalog::default();
    let evaluation = evaluation(mixed());
    let report = report_of(&catalog, &evaluation);
    let log = SarifLog::within(&report, 100);
    assert_eq!((log.results, log.over_size), (0, 124));
    assert!(resources(&log.bytes).is_empty());
    let gzip = gzip_len(&log.bytes);
    assert_eq!(log.gzip_bytes, Some(gzip));
    assert!(gzip > 100);
    assert_eq!(
        log.warnings(),
        [format!(
            "SARIF leaves out all 124 findings and is still {} gzip-compressed: GitHub code scanning rejects uploads over 10 MB (controlgate stops at 0.01 MB); the upload will be rejected",
            megabytes(gzip)
        )]
    );
}

#[test]
fn below_the_gzip_limit_nothing_is_left_out_or_reordered() {
    let catalog = Catalog::default();
    let evaluation = evaluation(mixed());
    let report = report_of(&catalog, &evaluation);
    let order: Vec<String> = evaluation.findings.iter().map(|f| f.resource.clone()).collect();
    let whole = SarifLog::within(&report, usize::MAX);
    let gzip = gzip_len(&whole.bytes);
    let raw = whole.bytes.len();
    assert!(gzip * 2 < raw);

    // Small enough not to need compressing: not compressed.
    let log = SarifLog::within(&report, raw + raw / 1024 + 64);
    assert_eq!((log.results, log.over_size, log.gzip_bytes), (124, 0, None));
    assert_eq!(resources(&log.bytes), order);
    // Too large for that but within the limit compressed: compressed, nothing left out.
    for limit in [raw, gzip] {
        let log = SarifLog::within(&report, limit);
        assert_eq!(
            (log.results, log.over_size, log.gzip_bytes),
            (124, 0, Some(gzip)),
            "limit {limit}"
        );
        assert_eq!(log.bytes, whole.bytes);
        assert!(log.warnings().is_empty());
    }
    // One byte less and the least severe finding goes.
    let log = SarifLog::within(&report, gzip - 1);
    assert_eq!((log.results, log.over_size), (123, 1));
    assert!(!resources(&log.bytes).contains(&"aws_x.y[119]".to_string()));
    // With the real limit, this small log is not even compressed.
    let log = SarifLog::build(&report);
    assert_eq!((log.results, log.over_size, log.gzip_bytes), (124, 0, None));
    // `write` writes what `SarifLog` built.
    let mut written = Vec::new();
    write(&report, &mut written).unwrap();
    assert_eq!(written, whole.bytes);
}

#[test]
fn warnings_name_each_cap_that_applied() {
    let log = SarifLog {
        bytes: Vec::new(),
        results: 20_000,
        over_count: 11,
        over_size: 5_000,
        gzip_bytes: Some(8_999_990),
        gzip_bytes_uncapped: Some(11_234_567),
        tags_left_out: vec![("ABC-001".to_string(), 2), ("ABC-002".to_string(), 1)],
        limit: MAX_GZIP_BYTES,
    };
    assert_eq!(
        log.warnings(),
        [
            "SARIF carries the 25000 most severe findings and leaves out 11: GitHub code scanning rejects more than 25000 results per run",
            "SARIF carries the 20000 most severe findings and leaves out 5000 more: with them it would be 11.24 MB gzip-compressed, and GitHub code scanning rejects uploads over 10 MB (controlgate stops at 9.00 MB)",
            "SARIF rule ABC-001 carries 20 of its 22 tags and leaves out 2 framework ids: GitHub code scanning rejects more than 20 tags per rule",
            "SARIF rule ABC-002 carries 20 of its 21 tags and leaves out 1 framework id: GitHub code scanning rejects more than 20 tags per rule",
        ]
    );
    let log = SarifLog {
        results: 24_000,
        over_count: 0,
        over_size: 1_000,
        gzip_bytes: Some(8_950_000),
        gzip_bytes_uncapped: Some(9_004_000),
        tags_left_out: Vec::new(),
        ..log
    };
    assert_eq!(
        log.warnings(),
        [
            "SARIF carries the 24000 most severe findings and leaves out 1000: with them it would be 9.01 MB gzip-compressed, and GitHub code scanning rejects uploads over 10 MB (controlgate stops at 9.00 MB)"
        ]
    );
}

#[test]
fn the_real_limit_caps_a_log_of_incompressible_findings() {
    let catalog = Catalog::default();
    // Four findings of 3.5 MB each, about 2.6 MB each gzip-compressed: three fit in 9 MB.
    let findings: Vec<Finding> = (0..4)
        .map(|i| {
            let mut f = finding(i, if i == 3 { Severity::High } else { Severity::Low });
            f.facts = vec![noise(i as u64, 3_500_000)];
            f
        })
        .collect();
    let evaluation = evaluation(findings);
    let report = report_of(&catalog, &evaluation);
    let log = SarifLog::build(&report);
    let gzip = gzip_len(&log.bytes);
    assert!(gzip <= MAX_GZIP_BYTES, "{gzip}");
    assert!(log.gzip_bytes_uncapped.unwrap() > MAX_GZIP_BYTES);
    assert_eq!(resources(&log.bytes), ["aws_x.y[3]", "aws_x.y[0]", "aws_x.y[1]"]);
    assert_eq!(log.over_size, 1);
}

#[test]
fn rules_with_more_than_20_tags_are_cut_and_say_so() {
    let text = "id: TST-001\nversion: 1\ntitle: t\nintent: i\nseverity: low\nscope:\n  resourceTypes: [aws_s3_bucket]\nevidenceSources: [terraform-plan]\nexception:\n  allowed: false\nremediation:\n  mode: iac-change\n  hint: h\nframeworks:\n  nist-800-53: [A-1, A-2, A-3, A-4, A-5, A-6, A-7, A-8, A-9, A-10, A-11, A-12, A-13, A-14, A-15, A-16, A-17, A-18, A-19, A-20, A-21]\n";
    let control = crate::catalog::control::parse("TST-001.yaml", text).unwrap();
    let mut catalog = Catalog::default();
    catalog.controls.insert(control.id.clone(), control);
    let evaluation = evaluation(vec![finding(0, Severity::Low)]);
    let log = SarifLog::build(&report_of(&catalog, &evaluation));
    assert_eq!(log.tags_left_out, [("TST-001".to_string(), 4)]);
    let sarif: Value = serde_json::from_slice(&log.bytes).unwrap();
    let tags = sarif["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"]
        .as_array()
        .unwrap();
    assert_eq!(tags.len(), MAX_TAGS);
    assert_eq!(tags[..3], ["TST-001", "security", "compliance"]);
    assert_eq!(tags[19], "nist-800-53/A-17");
    assert_eq!(
        log.warnings(),
        [
            "SARIF rule TST-001 carries 20 of its 24 tags and leaves out 4 framework ids: GitHub code scanning rejects more than 20 tags per rule"
        ]
    );
    // At 20 tags nothing is cut.
    let text = text.replace(", A-18, A-19, A-20, A-21", "");
    let control = crate::catalog::control::parse("TST-001.yaml", &text).unwrap();
    catalog.controls.insert(control.id.clone(), control);
    let log = SarifLog::build(&report_of(&catalog, &evaluation));
    assert!(log.tags_left_out.is_empty() && log.warnings().is_empty());
}
