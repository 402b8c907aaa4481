//! Escaping of untrusted text, one helper per destination. Resource names, tag values, file
//! names and exception fields come from the pull request: raw, a name could start a workflow
//! command in the CI log (`::stop-commands::`), fake a heading or inject HTML in the job summary,
//! or send escape sequences to a terminal.

/// Characters that change how text is shown rather than being shown: controls, bidirectional
/// overrides and isolates ("Trojan Source"), and the other invisible format characters.
pub use crate::text::is_invisible as is_hidden;

/// One line of text for a terminal or a log: every hidden character, newlines included, written
/// as a visible `\u{…}` escape, so untrusted text can neither start a line of its own (where the
/// runner would read a workflow command) nor reach the terminal as a control sequence.
pub fn line(s: &str) -> String {
    if !s.chars().any(is_hidden) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Text for a terminal that may span lines (a finding's multi-line title, a rule's remediation):
/// newlines kept, every other hidden character escaped.
pub fn terminal(s: &str) -> String {
    s.split('\n').map(line).collect::<Vec<_>>().join("\n")
}

/// The message of a GitHub Actions workflow command: `%`, CR and LF encoded as the runner
/// decodes them, other hidden characters made visible.
pub fn workflow_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if is_hidden(c) => out.push_str(&line(&c.to_string())),
            c => out.push(c),
        }
    }
    out
}

/// A property of a workflow command (`file=`, `title=`): data encoding plus `:` and `,`, which
/// end a property.
pub fn workflow_property(s: &str) -> String {
    workflow_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The characters that open something in GitHub Markdown inside a line: emphasis, strikethrough,
/// code spans, links and images, HTML tags and entities, table columns, math, autolinks, emoji
/// shortcodes, mentions and issue references. (Text never starts a line here, so headings and
/// lists cannot begin.)
const MARKDOWN_SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '(', ')', '<', '>', '!', '&', '|', '~', '#', '@', ':', '$', '{', '}',
];

/// Text inside Markdown (a table cell, a heading, a list item): one line, and every special
/// character backslash-escaped (CommonMark's escape for ASCII punctuation), so none opens
/// anything.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in line(s).chars() {
        if MARKDOWN_SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Untrusted text shown as code in Markdown: an HTML `<code>` element with the text
/// entity-encoded (a backtick in a name cannot end it, as it would end a code span), `|`
/// encoded so a table keeps its columns, and one line.
pub fn markdown_code(s: &str) -> String {
    let mut out = String::from("<code>");
    for c in line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '|' => out.push_str("&#124;"),
            // Markdown still runs inside inline HTML: these would open emphasis or a link.
            '*' | '_' | '[' | ']' | '\\' | '`' | '~' | '@' => out.push_str(&format!("&#{};", c as u32)),
            c => out.push(c),
        }
    }
    out.push_str("</code>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names an author of a pull request could give a resource, a tag or a file.
    const HOSTILE: &[&str] = &[
        "bucket\n::error::fake",
        "x\r\n::stop-commands::token",
        "\u{1b}[31mred\u{1b}[0m",
        "a\u{202e}txt.exe",
        "</code><img src=x onerror=alert(1)>",
        "| col | col |",
        "# heading",
        "[link](https://example.com)",
        "`code` and **bold**",
        "&lt;entity&gt;",
        "@team mention",
        "50%0A done",
        "tab\there\u{0}nul\u{7f}del\u{9b}csi",
    ];

    #[test]
    fn a_line_never_breaks_and_never_carries_a_control() {
        for s in HOSTILE {
            let out = line(s);
            assert!(!out.chars().any(is_hidden), "{s:?} -> {out:?}");
        }
        assert_eq!(line("a\nb\u{1b}"), "a\\nb\\u{1b}");
        assert_eq!(line("plain name"), "plain name");
        assert_eq!(terminal("two\nlines\u{1b}"), "two\nlines\\u{1b}");
    }

    #[test]
    fn workflow_commands_cannot_be_started_or_broken() {
        for s in HOSTILE {
            for out in [workflow_data(s), workflow_property(s)] {
                assert!(!out.contains(['\n', '\r']), "{s:?} -> {out:?}");
                assert!(!out.chars().any(is_hidden), "{s:?} -> {out:?}");
            }
            let p = workflow_property(s);
            assert!(!p.contains([':', ',']), "{s:?} -> {p:?}");
        }
        // The runner decodes %25 back to %: the text it shows is the text given.
        assert_eq!(workflow_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(workflow_data("50%0A"), "50%250A");
        assert_eq!(workflow_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn markdown_shows_text_and_opens_nothing() {
        for s in HOSTILE {
            let out = markdown(s);
            assert!(!out.contains('\n'), "{s:?} -> {out:?}");
            // Read back as CommonMark would: every special character is escaped, and unescaped,
            // the text is the line shown.
            let mut chars = out.chars();
            let mut shown = String::new();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    let next = chars.next().expect("a trailing backslash");
                    assert!(MARKDOWN_SPECIAL.contains(&next), "{s:?} -> {out:?}");
                    shown.push(next);
                } else {
                    assert!(!MARKDOWN_SPECIAL.contains(&c), "bare {c:?}: {s:?} -> {out:?}");
                    shown.push(c);
                }
            }
            assert_eq!(shown, line(s));
        }
        assert_eq!(markdown("# a|b. c-d"), "\\# a\\|b. c-d");
    }

    #[test]
    fn markdown_code_cannot_be_closed_from_inside() {
        for s in HOSTILE {
            let out = markdown_code(s);
            let inner = &out["<code>".len()..out.len() - "</code>".len()];
            assert!(
                !inner.contains(['<', '>', '|', '`', '\n', '*', '[']),
                "{s:?} -> {out:?}"
            );
        }
        assert_eq!(markdown_code("a<b>|c"), "<code>a&lt;b&gt;&#124;c</code>");
    }
}
