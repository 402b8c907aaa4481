//! Identities of owners and approvers, and the text of ids, reasons and compensating controls,
//! as an author who wants an exception through would write them: an approver who is the owner
//! under another spelling (fullwidth letters, a zero-width space, a Cyrillic `а`, a sub-address,
//! a display name), a reason made of invisible characters, an id that differs from another only
//! in case.
//!
//! An identity is an e-mail address (`alice@example.com`; also written `Alice <alice@example.com>`
//! or `mailto:alice@example.com`), a GitHub handle or team (`@alice`, `@org/team`), or a user name
//! of the identity provider (`alice`). Two identities are the same person when their canonical
//! forms are equal.

use unicode_security::MixedScript;

pub use crate::text::{fold, invisible_in, is_blank};

/// The canonical form of an identity, or why it is not one.
pub fn canonical(raw: &str) -> Result<String, String> {
    if let Some(c) = invisible_in(raw) {
        return Err(format!(
            "`{}` holds the invisible character U+{:04X}: write the identity in plain text",
            raw.escape_debug(),
            c as u32
        ));
    }
    // `Alice <alice@example.com>`: the address is the identity; so is `mailto:…`, and a trailing
    // dot is none of it. Unwrapped until nothing changes, however the forms nest
    // (`Alice<alice@example.com>.`), so that a canonical form is its own canonical form and no
    // spelling of the owner reads as someone else.
    let mut id = fold(raw);
    loop {
        let mut next = id.trim().trim_end_matches('.').trim_end().to_string();
        if let (Some(open), true) = (next.rfind('<'), next.ends_with('>')) {
            next = next[open + 1..next.len() - 1].to_string();
        }
        if let Some(rest) = next.strip_prefix("mailto:") {
            next = rest.to_string();
        }
        if next == id {
            break;
        }
        id = next;
    }
    if id.is_empty() {
        return Err("an identity is empty".into());
    }
    // Each part on its own: `иван@example.com` is one person's name in one script, `аlice` (a
    // Cyrillic а) is a look-alike of a Latin name.
    if !id.split('@').all(|part| part.is_single_script()) {
        return Err(format!(
            "`{raw}` mixes scripts (letters of one alphabet that look like another's): write it in one script"
        ));
    }
    // What is left of a display name that did not unwrap (`<Alice <alice@example.com>>` leaves
    // `alice@example.com>`) would read as another person.
    if id.chars().any(char::is_whitespace) || id.contains(['<', '>']) {
        return Err(format!(
            "`{raw}` is not an identity: use an e-mail address (alice@example.com), a GitHub handle or team (@alice, @org/team) or a user name"
        ));
    }
    Ok(match id.split_once('@') {
        // An e-mail address: `alice+anything@` reaches alice's mailbox.
        Some((local, domain)) if !local.is_empty() => {
            if domain.is_empty() || domain.contains('@') {
                return Err(format!("`{raw}` is not an e-mail address"));
            }
            let local = local.split_once('+').map_or(local, |(l, _)| l);
            format!("{local}@{domain}")
        }
        _ => id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The owner `alice@example.com` written as the approver in each form an author could use
    /// to approve their own exception: each is the owner, or refused.
    #[test]
    fn the_owner_under_another_spelling_is_the_owner_or_refused() {
        let owner = canonical("alice@example.com").unwrap();
        let spellings = [
            ("fullwidth letters", "ａｌｉｃｅ@example.com"),
            ("upper case", "ALICE@Example.COM"),
            ("a zero-width space", "ali\u{200b}ce@example.com"),
            ("a byte-order mark", "\u{feff}alice@example.com"),
            ("a Cyrillic а for a Latin a", "\u{0430}lice@example.com"),
            ("a sub-address", "alice+x@example.com"),
            ("a display name", "Alice <alice@example.com>"),
            ("mailto:", "mailto:alice@example.com"),
            ("a trailing dot", "alice@example.com."),
            ("surrounding space", "  alice@example.com "),
            ("a soft hyphen", "al\u{ad}ice@example.com"),
            ("a right-to-left override", "\u{202e}alice@example.com"),
            ("MAILTO and a display name", "Alice Example <MAILTO:Alice@example.com>"),
            ("a display name and a trailing dot", "Alice<alice@example.com>."),
            ("mailto: twice", "mailto:mailto:alice@example.com"),
            ("nested display names", "<Alice <alice@example.com>>"),
        ];
        for (what, spelling) in spellings {
            match canonical(spelling) {
                Ok(c) => assert_eq!(c, owner, "{what}: {spelling:?} reads as another person"),
                Err(why) => assert!(!why.is_empty(), "{what}"),
            }
        }
        // Accented letters: NFD and NFC, upper and lower case are one person.
        let jose = canonical("jos\u{e9}@example.com").unwrap();
        for spelling in [
            "JOS\u{c9}@example.com",
            "jose\u{301}@example.com",
            "JOSE\u{301}@EXAMPLE.COM",
        ] {
            assert_eq!(canonical(spelling).unwrap(), jose, "{spelling:?}");
        }
        // Other people stay other people.
        for other in [
            "bob@example.com",
            "alice@example.org",
            "alicex@example.com",
            "@alice",
            "alice",
        ] {
            assert_ne!(canonical(other).unwrap(), owner, "{other}");
        }
    }

    #[test]
    fn hidden_and_mixed_text_is_refused_with_a_reason() {
        let why = canonical("ali\u{200b}ce@example.com").unwrap_err();
        assert!(why.contains("U+200B"), "{why}");
        let why = canonical("\u{0430}lice@example.com").unwrap_err();
        assert!(why.contains("mixes scripts"), "{why}");
        assert!(canonical("Alice Smith").unwrap_err().contains("not an identity"));
        assert!(canonical("").is_err());
        assert!(canonical("<>").is_err());
        // A name wholly in another script is one script: allowed, and not a Latin look-alike.
        assert_eq!(canonical("Иван@example.com").unwrap(), "иван@example.com");
        assert!(canonical("al\u{0456}ce@example.com").is_err(), "a Cyrillic і");
        assert_eq!(canonical("@org/Team").unwrap(), "@org/team");
    }
}
