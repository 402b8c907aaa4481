//! Text helpers shared by every stage. Most are about text as an author could write it to look
//! like other text: invisible characters, blank text and spellings that differ only in case or
//! compatibility form (exception registries, catalogs compare and require such text); the rest
//! shape the words of messages (plurals, shortening).

use unicode_normalization::UnicodeNormalization;

/// Unicode's Default_Ignorable_Code_Point set and the other invisible format characters: a
/// renderer shows none of them, so text holding one can look like other text.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
            | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}'
            | '\u{fff0}'..='\u{fff8}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}')
}

/// The first invisible character of `text`, for a message that names it.
pub fn invisible_in(text: &str) -> Option<char> {
    text.chars()
        .find(|&c| is_invisible(c) && !matches!(c, '\n' | '\t' | '\r'))
}

/// `text` folded for comparison: NFKC (fullwidth and compatibility forms become their plain
/// letters), full Unicode case folding, NFKC again (NFKC_Casefold), trimmed.
pub fn fold(text: &str) -> String {
    let nfkc: String = text.nfkc().collect();
    caseless::default_case_fold_str(&nfkc)
        .nfkc()
        .collect::<String>()
        .trim()
        .to_string()
}

/// Whether `text` says something: not empty once invisible characters and white space are gone.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

/// The plural suffix of a count: `1 file`, `2 files`, `0 files`.
pub fn plural<N: PartialEq + From<u8>>(n: N) -> &'static str {
    if n == N::from(1) { "" } else { "s" }
}

/// `text` in at most `max` characters: a longer one keeps its first `max - 3` and ends in `...`.
/// Messages quote what an author wrote; a long value must not flood a terminal or an annotation.
pub fn shorten(text: &str, max: usize) -> String {
    let keep = max.saturating_sub(3);
    match text.char_indices().nth(max) {
        Some(_) => {
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            format!("{}...", &text[..end])
        }
        None => text.to_string(),
    }
}

/// The SHA-256 of `bytes`, in lower-case hex (as `sha256sum` prints it).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_says_nothing() {
        for blank in ["", "   ", "\u{200b}\u{200b}", "\u{feff} \u{2060}", "\t\n"] {
            assert!(is_blank(blank), "{blank:?}");
        }
        assert!(!is_blank(" a "));
        assert_eq!(fold("EXC-1"), fold("exc-1"));
        assert_eq!(invisible_in("EXC-1\u{200b}"), Some('\u{200b}'));
    }

    #[test]
    fn shortened_text_fits() {
        assert_eq!(shorten("abcdef", 6), "abcdef");
        assert_eq!(shorten("abcdefg", 6), "abc...");
        assert_eq!(shorten("ééééééé", 6), "ééé...");
        assert!(shorten(&"x".repeat(500), 80).chars().count() == 80);
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1usize), "");
        assert_eq!(plural(0usize), "s");
        assert_eq!(plural(2i64), "s");
        assert_eq!(plural(-1i64), "s");
    }
}
