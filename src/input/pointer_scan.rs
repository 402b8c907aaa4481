//! Where the targets of JSON pointers are written in a JSON text, found by one forward scan
//! that steps over every value no pointer leads into. Locating the findings of a 40 MB plan so
//! costs a byte scan, not a syntax tree of the whole plan.
//!
//! The text has already been read strictly (`input::json`), so the scan trusts its shape and
//! only has to stay in step; on text that is not JSON it gives `None` for what it cannot reach.

use std::collections::HashMap;

/// The pointers, as a tree of their segments: the scan enters a value only if a pointer goes on
/// inside it.
#[derive(Default)]
struct Node {
    /// The indices of the pointers that end here.
    ends: Vec<usize>,
    children: HashMap<String, Node>,
}

/// For each pointer, the byte span that names its target: the key with its quotes for an
/// object member, the first byte for an array element, `(0, 1)` for the root. `None` when the
/// pointer does not resolve. The first of two equal keys wins.
pub fn spans(text: &str, pointers: &[&str]) -> Vec<Option<(usize, usize)>> {
    let mut root = Node::default();
    let mut out = vec![None; pointers.len()];
    for (i, p) in pointers.iter().enumerate() {
        if p.is_empty() {
            out[i] = Some((0, 1));
            continue;
        }
        if !p.starts_with('/') {
            continue;
        }
        let mut node = &mut root;
        for seg in crate::pointer::segments(p) {
            node = node.children.entry(seg).or_default();
        }
        node.ends.push(i);
    }
    if !root.children.is_empty() {
        let mut scan = Scan {
            b: text.as_bytes(),
            pos: 0,
        };
        // A text that ends early or is not JSON leaves the rest unresolved.
        let _ = scan.value(&root, &mut out);
    }
    out
}

struct Scan<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Scan<'_> {
    fn ws(&mut self) -> Option<u8> {
        while let Some(&c) = self.b.get(self.pos) {
            if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(c);
            }
            self.pos += 1;
        }
        None
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.ws()? == byte).then(|| self.pos += 1)
    }

    /// The position just past the string that starts (with its quote) at `self.pos`.
    fn string_end(&self) -> Option<usize> {
        let mut i = self.pos + 1;
        loop {
            i += memchr::memchr2(b'"', b'\\', self.b.get(i..)?)?;
            if self.b[i] == b'\\' {
                i += 2;
            } else {
                return Some(i + 1);
            }
        }
    }

    /// The value at `self.pos`, entered when `node` has pointers going on inside it.
    fn value(&mut self, node: &Node, out: &mut [Option<(usize, usize)>]) -> Option<()> {
        if node.children.is_empty() {
            return self.skip();
        }
        match self.ws()? {
            b'{' => {
                self.pos += 1;
                if self.ws()? == b'}' {
                    self.pos += 1;
                    return Some(());
                }
                loop {
                    if self.ws()? != b'"' {
                        return None;
                    }
                    let (start, end) = (self.pos, self.string_end()?);
                    self.pos = end;
                    self.expect(b':')?;
                    match node.children.get(&*key(&self.b[start..end])?) {
                        Some(child) => {
                            mark(child, (start, end - start), out);
                            self.value(child, out)?;
                        }
                        None => self.skip()?,
                    }
                    match self.ws()? {
                        b',' => self.pos += 1,
                        b'}' => {
                            self.pos += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                if self.ws()? == b']' {
                    self.pos += 1;
                    return Some(());
                }
                for index in 0usize.. {
                    self.ws()?;
                    match node.children.get(index.to_string().as_str()) {
                        Some(child) => {
                            mark(child, (self.pos, 1), out);
                            self.value(child, out)?;
                        }
                        None => self.skip()?,
                    }
                    match self.ws()? {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
                None
            }
            _ => self.skip(),
        }
    }

    /// Step over one value, without recursion: nesting depth is the input's choice.
    fn skip(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.ws()? {
                b'"' => self.pos = self.string_end()?,
                b'{' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                    continue;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.pos += 1;
                }
                b',' | b':' if depth > 0 => {
                    self.pos += 1;
                    continue;
                }
                b',' | b':' => return None,
                _ => {
                    let rest = &self.b[self.pos..];
                    let len = rest
                        .iter()
                        .position(|c| matches!(c, b',' | b':' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'))
                        .unwrap_or(rest.len());
                    self.pos += len.max(1);
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
}

fn mark(node: &Node, span: (usize, usize), out: &mut [Option<(usize, usize)>]) {
    for &i in &node.ends {
        out[i].get_or_insert(span);
    }
}

/// A key as the string it means (`raw` holds its quotes): escapes are decoded only when present.
fn key(raw: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    let text = std::str::from_utf8(raw).ok()?;
    if raw.contains(&b'\\') {
        serde_json::from_str::<String>(text).ok().map(Into::into)
    } else {
        text.get(1..text.len() - 1).map(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::spans;

    fn named<'t>(text: &'t str, pointer: &str) -> Option<&'t str> {
        spans(text, &[pointer])[0].map(|(o, l)| &text[o..o + l])
    }

    #[test]
    fn keys_and_elements_are_found_where_they_are_written() {
        let text = r#"{"a": {"b~c": [1, {"d/e": "x"}, [2, 3]], "s": "q\"}{"}, "z\u0041": null, "e": {}}"#;
        assert_eq!(named(text, "/a"), Some("\"a\""));
        assert_eq!(named(text, "/a/b~0c"), Some("\"b~c\""));
        assert_eq!(named(text, "/a/b~0c/1/d~1e"), Some("\"d/e\""));
        assert_eq!(named(text, "/a/b~0c/2/1"), Some("3"));
        assert_eq!(named(text, "/a/b~0c/1"), Some("{"));
        assert_eq!(
            named(text, "/zA"),
            Some("\"z\\u0041\""),
            "an escaped key is compared decoded"
        );
        assert_eq!(
            named(text, "/e"),
            Some("\"e\""),
            "a string holding brackets is stepped over"
        );
        assert_eq!(named(text, ""), Some("{"));
    }

    #[test]
    fn what_does_not_resolve_is_none() {
        let text = r#"{"a": [1], "b": {"c": 1}}"#;
        for p in ["/x", "/a/1", "/a/01", "/b/c/d", "/a/-", "no-slash"] {
            assert_eq!(named(text, p), None, "{p}");
        }
        assert_eq!(spans("{oops", &["/a"]), vec![None]);
        assert_eq!(spans("{\"a\": [1, 2", &["/a/1", "/b"]), vec![Some((10, 1)), None]);
        assert_eq!(spans("", &["/a"]), vec![None]);
    }

    #[test]
    fn the_first_of_two_equal_keys_wins_and_many_pointers_resolve_in_one_scan() {
        let text = r#"{"k": {"v": 1}, "k": {"v": 2}}"#;
        assert_eq!(spans(text, &["/k/v"]), vec![Some((7, 3))]);
        let list: String = format!(
            "[{}]",
            (0..500).map(|i| format!("{{\"i\":{i}}}")).collect::<Vec<_>>().join(",")
        );
        let pointers: Vec<String> = (0..500).rev().map(|i| format!("/{i}/i")).collect();
        let refs: Vec<&str> = pointers.iter().map(String::as_str).collect();
        let found = spans(&list, &refs);
        assert!(found.iter().all(Option::is_some));
        assert!(found.windows(2).all(|w| w[0].unwrap().0 > w[1].unwrap().0));
    }

    #[test]
    fn deep_nesting_that_no_pointer_enters_does_not_recurse() {
        let deep = format!("{{\"a\": {}1{}, \"b\": 2}}", "[".repeat(200_000), "]".repeat(200_000));
        assert_eq!(named(&deep, "/b"), Some("\"b\""));
    }
}
