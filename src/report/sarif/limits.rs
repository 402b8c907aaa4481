//! Fitting a SARIF log to GitHub code scanning's limits: at most [`MAX_RESULTS`] results and
//! [`MAX_GZIP_BYTES`] compressed. Findings that do not fit are left out, the least important
//! first, and the log and the warnings say so.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_sarif::sarif::{ReportingDescriptor, Result as SarifResult, Sarif};

use super::{MAX_TAGS, descriptor, mark_skipped, result, skeleton};
use crate::catalog::{Control, Severity};
use crate::finding::Finding;
use crate::report::{Report, SarifExcepted};

/// GitHub code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;

/// The most a SARIF log may weigh gzip-compressed, in bytes. GitHub code scanning rejects an
/// upload over 10 MB gzip-compressed; we read that as 10,000,000 bytes, the smaller sense, and
/// stop 1,000,000 short of it because what GitHub measures is not exactly what we measure (the
/// log as written, compressed by flate2 at the default level). `github/codeql-action/upload-sarif`
/// parses the log, adds a `primaryLocationLineHash` fingerprint to every result without one (all
/// of ours: about 13 bytes each compressed, some 330 kB for [`MAX_RESULTS`] results), serializes
/// it again without indentation (which saves about as much) and compresses it with zlib, whose
/// output differs slightly from flate2's.
pub const MAX_GZIP_BYTES: usize = 9_000_000;

/// The priority of a finding in a capped log: blocking before not, then the most severe first.
/// Sorting by it is stable, so equal findings keep the report's order.
fn priority(report: &Report<'_>, f: &Finding) -> (bool, std::cmp::Reverse<Severity>) {
    (!report.blocks(f), std::cmp::Reverse(f.severity))
}

/// The findings a SARIF log may carry: excepted ones left out when asked, and at most
/// [`MAX_RESULTS`], the most severe first (blocking before not, then in report order). Also
/// returns how many were left out for the cap. Below the cap the report's order is kept.
fn selected<'a>(report: &'a Report<'_>) -> (Vec<&'a Finding>, usize) {
    let mut chosen: Vec<&Finding> = report
        .evaluation
        .findings
        .iter()
        .filter(|f| !(report.sarif.excepted == SarifExcepted::Omit && f.is_excepted()))
        .collect();
    let dropped = chosen.len().saturating_sub(MAX_RESULTS);
    if dropped > 0 {
        chosen.sort_by_key(|f| priority(report, f));
        chosen.truncate(MAX_RESULTS);
    }
    (chosen, dropped)
}

/// The SARIF log of a report, serialized and fitted to GitHub code scanning's limits, with what
/// fitting it left out. Built once per run: [`write`] writes it and `check` warns about its caps.
#[derive(Debug)]
pub struct SarifLog {
    /// The log as written: pretty JSON and a newline.
    pub bytes: Vec<u8>,
    /// How many findings the log carries.
    pub results: usize,
    /// Findings left out for [`MAX_RESULTS`].
    pub over_count: usize,
    /// Findings left out (besides those of `over_count`) so that the log gzip-compresses to at
    /// most [`MAX_GZIP_BYTES`].
    pub over_size: usize,
    /// The gzip-compressed size of the log, when it was measured: only a log whose size alone
    /// does not prove it fits is compressed.
    pub gzip_bytes: Option<usize>,
    /// The gzip-compressed size of the log with every finding the count cap kept, when that was
    /// over the limit and `over_size` findings had to go.
    pub gzip_bytes_uncapped: Option<usize>,
    /// Controls whose rule carries [`MAX_TAGS`] tags and leaves out some framework ids, with how
    /// many it leaves out.
    pub tags_left_out: Vec<(String, usize)>,
    /// The gzip limit the log was fitted to: [`MAX_GZIP_BYTES`] but in tests.
    limit: usize,
}

/// The log serialized as [`write`] writes it.
fn serialize(sarif: &Sarif) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(sarif).expect("a SARIF log serializes");
    bytes.push(b'\n');
    bytes
}

/// Counts the bytes written to it.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The size of `bytes` gzip-compressed at the default level, as `upload-sarif` compresses them.
fn gzip_len(bytes: &[u8]) -> usize {
    let mut gz = GzEncoder::new(Counter(0), Compression::default());
    gz.write_all(bytes).expect("counting cannot fail");
    gz.finish().expect("counting cannot fail").0
}

/// Whether `len` bytes gzip-compress to at most `limit` bytes whatever they hold, so need not be
/// compressed to know. Deflate stores a block it cannot shrink, at a cost of 5 bytes per block
/// (of up to 64 KiB), and gzip adds 18 bytes of header and trailer: zlib's `deflateBound` puts the
/// worst case at about `len + len / 3000 + 25`. `len / 1024 + 64` leaves ample room.
fn surely_fits(len: usize, limit: usize) -> bool {
    len.saturating_add(len / 1024 + 64) <= limit
}

/// The log with the first `count` of `results`, serialized, and its gzip-compressed size.
/// `results` is whole again on return.
fn measure(sarif: &mut Sarif, results: &mut Vec<SarifResult>, count: usize) -> (Vec<u8>, usize) {
    let rest = results.split_off(count);
    sarif.runs[0].results = Some(std::mem::take(results));
    let bytes = serialize(sarif);
    *results = sarif.runs[0].results.take().unwrap_or_default();
    results.extend(rest);
    let gzip = gzip_len(&bytes);
    (bytes, gzip)
}

impl SarifLog {
    /// The SARIF log of `report`, within GitHub code scanning's limits.
    pub fn build(report: &Report<'_>) -> SarifLog {
        SarifLog::within(report, MAX_GZIP_BYTES)
    }

    /// The SARIF log of `report`, gzip-compressing to at most `limit` bytes if it can: when the
    /// whole log does not, the least severe findings (by [`priority`]) are left out, as few as
    /// a binary search over their number finds, so the log is compressed about log2(results)
    /// times rather than once per finding left out.
    fn within(report: &Report<'_>, limit: usize) -> SarifLog {
        let (chosen, over_count) = selected(report);
        let controls: Vec<&Control> = report.catalog.controls.values().collect();
        let index: BTreeMap<&str, usize> = controls.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        let mut tags_left_out = Vec::new();
        let rules: Vec<ReportingDescriptor> = controls
            .iter()
            .map(|c| {
                let (mut rule, left_out) = descriptor(c);
                mark_skipped(&mut rule, report, c);
                if left_out > 0 {
                    tags_left_out.push((c.id.clone(), left_out));
                }
                rule
            })
            .collect();
        let results: Vec<SarifResult> = chosen
            .iter()
            .map(|f| result(f, index.get(f.control_id.as_str()).copied().unwrap_or(0), &report.sarif))
            .collect();
        let all = results.len();
        let mut sarif = skeleton(report, rules);
        sarif.runs[0].results = Some(results);
        let bytes = serialize(&sarif);
        let mut log = SarifLog {
            bytes,
            results: all,
            over_count,
            over_size: 0,
            gzip_bytes: None,
            gzip_bytes_uncapped: None,
            tags_left_out,
            limit,
        };
        if surely_fits(log.bytes.len(), limit) {
            return log;
        }
        let gzip = gzip_len(&log.bytes);
        log.gzip_bytes = Some(gzip);
        if gzip <= limit {
            return log;
        }
        log.gzip_bytes_uncapped = Some(gzip);

        // The most severe first (a no-op when `selected` already sorted them), then the largest
        // count that fits. `fits` holds the log of `lo` results (none yet for 0), which fits;
        // `hi` results do not fit.
        let mut ranked: Vec<(&Finding, SarifResult)> = chosen
            .into_iter()
            .zip(sarif.runs[0].results.take().unwrap_or_default())
            .collect();
        ranked.sort_by_key(|(f, _)| priority(report, f));
        let mut results: Vec<SarifResult> = ranked.into_iter().map(|(_, r)| r).collect();
        let (mut lo, mut hi) = (0, all);
        let mut fits = None;
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let (bytes, gzip) = measure(&mut sarif, &mut results, mid);
            if gzip <= limit {
                lo = mid;
                fits = Some((bytes, gzip));
            } else {
                hi = mid;
            }
        }
        // With no findings the log may still not fit (a catalog of thousands of controls): it is
        // written all the same, and `warnings` says the upload will be rejected.
        let (bytes, gzip) = fits.unwrap_or_else(|| measure(&mut sarif, &mut results, 0));
        log.bytes = bytes;
        log.gzip_bytes = Some(gzip);
        log.results = lo;
        log.over_size = all - lo;
        log
    }

    /// Write the log.
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(&self.bytes)
    }

    /// What the caps left out, one warning each (without a `warning: ` prefix).
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.over_count > 0 {
            warnings.push(format!(
                "SARIF carries the {MAX_RESULTS} most severe findings and leaves out {}: GitHub code scanning rejects more than {MAX_RESULTS} results per run",
                self.over_count
            ));
        }
        if let Some(uncapped) = self.gzip_bytes_uncapped {
            let limit = format!(
                "GitHub code scanning rejects uploads over 10 MB (controlgate stops at {})",
                megabytes(self.limit)
            );
            let gzip = self.gzip_bytes.unwrap_or(uncapped);
            warnings.push(if gzip > self.limit {
                format!(
                    "SARIF leaves out all {} findings and is still {} gzip-compressed: {limit}; the upload will be rejected",
                    self.over_size,
                    megabytes(gzip)
                )
            } else {
                format!(
                    "SARIF carries the {} most severe findings and leaves out {}{}: with them it would be {} gzip-compressed, and {limit}",
                    self.results,
                    self.over_size,
                    if self.over_count > 0 { " more" } else { "" },
                    megabytes(uncapped)
                )
            });
        }
        for (control, left_out) in &self.tags_left_out {
            warnings.push(format!(
                "SARIF rule {control} carries {MAX_TAGS} of its {} tags and leaves out {left_out} framework id{}: GitHub code scanning rejects more than {MAX_TAGS} tags per rule",
                MAX_TAGS + left_out,
                crate::text::plural(*left_out)
            ));
        }
        warnings
    }
}

/// `9.46 MB`: rounded up to two decimals, so that a size just over a limit does not read as the
/// limit.
fn megabytes(bytes: usize) -> String {
    format!("{:.2} MB", (bytes as f64 / 1e4).ceil() / 100.0)
}

#[cfg(test)]
mod tests;
