//! The exception inventory as `exceptions list` shows it: a table, or JSON.

use std::io::Write;

use crate::exceptions;
use crate::report::{Format, escape};
use crate::text;

/// Write the exception inventory: a table, or JSON.
pub fn list_exceptions(entries: &[exceptions::Entry], format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    if format != Format::Human {
        serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "exceptions": entries }))?;
        return writeln!(out);
    }
    let opt = |v: Option<i64>| v.map_or_else(|| "-".to_string(), |d| d.to_string());
    let rows: Vec<[String; 8]> = entries
        .iter()
        .map(|e| {
            [
                e.note.id.clone(),
                e.shown_state().to_string(),
                e.control.clone(),
                e.note.owner.clone(),
                e.note.expires.map_or_else(|| "-".to_string(), |d| d.to_string()),
                opt(e.note.days_left),
                opt(e.age_days),
                e.uses.map_or_else(|| "-".to_string(), |u| u.to_string()),
            ]
        })
        .collect();
    let header = ["ID", "STATE", "CONTROL", "OWNER", "EXPIRES", "DAYS LEFT", "AGE", "USES"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    for (i, row) in std::iter::once(&header).chain(&rows).enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{:<w$}", escape::line(c)))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
        if let Some(e) = i.checked_sub(1).and_then(|j| entries.get(j)) {
            for p in &e.note.problems {
                let problem = format!("{p} ({}:{})", e.file, e.line);
                writeln!(out, "    invalid: {}", escape::line(&problem))?;
            }
        }
    }
    let count = |s: &str| entries.iter().filter(|e| e.shown_state() == s).count();
    writeln!(
        out,
        "{} exception{}: {} active, {} expiring soon, {} expired, {} invalid, {} unused, {} requested, {} revoked",
        entries.len(),
        text::plural(entries.len()),
        count("active"),
        count("expiring-soon"),
        count("expired"),
        count("invalid"),
        count("unused"),
        count("requested"),
        count("revoked"),
    )
}

/// What `exceptions validate` prints when every entry is valid.
pub fn all_valid(exceptions: usize, files: usize) -> String {
    format!(
        "{exceptions} exception{} from {files} file{}: all valid\n",
        text::plural(exceptions),
        text::plural(files)
    )
}
