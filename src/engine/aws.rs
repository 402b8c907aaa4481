//! Values read as AWS reads them, for the operators that judge IAM policy documents and EC2
//! security group rules:
//!
//! - IAM **action** patterns: case-insensitive globs where `*` is any run of characters and `?`
//!   one character, anywhere (`iam:*Ro*`, `IAM:passrole`, `*`). [`action_matches`] tells whether a
//!   pattern grants a named action; [`covers_every_action`] whether it grants every action.
//! - IAM **resource** patterns: case-sensitive globs over ARNs. [`covers_family`] tells whether a
//!   pattern takes in every resource (of a partition) or every role (of an account), however the
//!   wildcards are placed (`*`, `arn:*`, `arn:aws:iam::*:*`, `*:role/*`, `arn:aws:iam::12345678901?:role/*`).
//! - EC2 **IP protocols**: names in any letter case, numbers, `-1` and `all` ([`protocol_number`]).
//!
//! A pattern that grants the action or covers the family is never judged otherwise: the checks are
//! exact where they say "no" (they name an action, or an ARN of the family, the pattern misses) and
//! lean towards "yes" only for spellings no policy author writes (`??????*`, see
//! [`covers_every_action`]).

use serde_json::Value;

/// What a resource pattern must take in to count as "all of them".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Every resource ARN of a partition (`*`, `arn:aws:*`).
    Everything,
    /// Every IAM role of an account (`arn:aws:iam::111122223333:role/*`, `arn:aws:iam::*:*`).
    IamRoles,
}

impl Family {
    pub fn parse(name: &str) -> Option<Family> {
        match name {
            "all" => Some(Family::Everything),
            "iam-roles" => Some(Family::IamRoles),
            _ => None,
        }
    }
}

/// Whether the IAM action pattern `glob` grants `action` (compared without regard to case).
pub fn action_matches(glob: &str, action: &str) -> bool {
    let glob: Vec<char> = glob.chars().flat_map(char::to_lowercase).collect();
    let action: Vec<char> = action.chars().flat_map(char::to_lowercase).collect();
    glob_matches(&glob, &action)
}

/// Whether the IAM action pattern `glob` grants every action. An action is `service:Name`; a
/// pattern grants all of them when it has no letters, digits or dashes (any of those is missing
/// from some action), at most one `:`, and a `*` on each side of it that lets every service
/// prefix and action name through. Its `?`s each demand a character; up to 2 before the colon
/// and 3 after (6 without a colon) are taken to let every real action through (`s3` is the
/// shortest prefix): a pattern that demands more misses only the shortest names.
pub fn covers_every_action(glob: &str) -> bool {
    if glob.chars().any(|c| !matches!(c, '*' | '?' | ':')) {
        return false;
    }
    let side = |part: &str, max_marks: usize| part.contains('*') && part.matches('?').count() <= max_marks;
    match glob.split(':').collect::<Vec<_>>().as_slice() {
        [whole] => side(whole, 6),
        [service, name] => side(service, 2) && side(name, 3),
        _ => false,
    }
}

/// Whether the resource pattern `glob` takes in every resource of `family`: it ends in a run of
/// wildcards holding a `*` (any resource name, any role name), and what comes before that run
/// can match the start of the family's ARNs (`arn:aws:iam::111122223333:role/`, or a part of it:
/// `arn:aws:iam::*` takes in every role too). ARNs compare with case.
pub fn covers_family(glob: &str, family: Family) -> bool {
    let chars: Vec<char> = glob.chars().collect();
    let tail = chars.iter().rev().take_while(|c| matches!(c, '*' | '?')).count();
    if !chars[chars.len() - tail..].contains(&'*') {
        return false;
    }
    let head = &chars[..chars.len() - tail];
    let nfa = Nfa::of(family);
    // The set of automaton states the pattern's prefix read so far may have reached.
    let mut states: u64 = 1;
    for c in head {
        states = match c {
            '*' => nfa.closure(states),
            '?' => nfa.step(states, None),
            c => nfa.step(states, Some(*c)),
        };
        if states == 0 {
            return false;
        }
    }
    // Every state of the automaton lies on the way to a complete prefix: reaching any is enough.
    true
}

/// The protocol number EC2 reads from an `IpProtocol` (`protocol`, `ip_protocol`) value: a name
/// in any letter case (`TCP`), a number (`6`, `"6"`), or `-1`/`all` for every protocol (-1).
/// `None` for a value EC2 rejects (`ssh`, `300`, `6.5`): no verdict can be given on it.
pub fn protocol_number(value: &Value) -> Option<i64> {
    let number = |n: f64| (n.fract() == 0.0 && (n == -1.0 || (0.0..=255.0).contains(&n))).then_some(n as i64);
    match value {
        Value::Number(n) => number(n.as_f64()?),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "all" => Some(-1),
            "tcp" => Some(6),
            "udp" => Some(17),
            "icmp" => Some(1),
            "icmpv6" => Some(58),
            other => number(other.parse::<f64>().ok()?),
        },
        _ => None,
    }
}

/// `*` any run of characters, `?` one character, anything else itself. Linear in space; the
/// usual backtracking to the last `*` keeps time at worst the product of the lengths.
fn glob_matches(glob: &[char], text: &[char]) -> bool {
    let (mut g, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match glob.get(g) {
            Some('*') => {
                star = Some((g, t));
                g += 1;
            }
            Some(c) if *c == '?' || *c == text[t] => {
                g += 1;
                t += 1;
            }
            _ => match star {
                Some((sg, st)) => {
                    g = sg + 1;
                    t = st + 1;
                    star = Some((sg, st + 1));
                }
                None => return false,
            },
        }
    }
    glob[g..].iter().all(|c| *c == '*')
}

/// What one edge of the automaton reads.
#[derive(Clone, Copy)]
enum Class {
    Char(char),
    Digit,
    /// The letters and dashes after `aws` in a partition name (`aws-cn`, `aws-us-gov`).
    PartitionTail,
}

impl Class {
    fn admits(self, c: char) -> bool {
        match self {
            Class::Char(x) => x == c,
            Class::Digit => c.is_ascii_digit(),
            Class::PartitionTail => c.is_ascii_lowercase() || c == '-',
        }
    }
}

/// A small automaton for the start of a family's ARNs, state 0 first (at most 64 states, held as
/// bits).
struct Nfa {
    edges: Vec<Vec<(Class, usize)>>,
}

impl Nfa {
    fn of(family: Family) -> Nfa {
        let mut nfa = Nfa {
            edges: vec![Vec::new()],
        };
        let partition = nfa.literal(0, "arn:aws");
        nfa.edges[partition].push((Class::PartitionTail, partition));
        let after = nfa.literal(partition, ":");
        if family == Family::IamRoles {
            let account = nfa.literal(after, "iam::");
            // Twelve digits, or none (IAM ARNs may leave the account out).
            let mut at = account;
            for _ in 0..12 {
                at = nfa.edge(at, Class::Digit);
            }
            let end = nfa.literal(at, ":");
            nfa.edges[account].push((Class::Char(':'), end));
            nfa.literal(end, "role/");
        }
        nfa
    }

    fn edge(&mut self, from: usize, class: Class) -> usize {
        self.edges.push(Vec::new());
        let to = self.edges.len() - 1;
        self.edges[from].push((class, to));
        to
    }

    fn literal(&mut self, mut from: usize, text: &str) -> usize {
        for c in text.chars() {
            from = self.edge(from, Class::Char(c));
        }
        from
    }

    /// The states one character (`None`: any) leads to from `states`.
    fn step(&self, states: u64, c: Option<char>) -> u64 {
        let mut out = 0;
        for (_, edges) in self.edges.iter().enumerate().filter(|(q, _)| states & (1 << q) != 0) {
            for (class, to) in edges {
                if c.is_none_or(|c| class.admits(c)) {
                    out |= 1 << to;
                }
            }
        }
        out
    }

    /// The states any run of characters, the empty one included, leads to from `states`.
    fn closure(&self, mut states: u64) -> u64 {
        loop {
            let next = states | self.step(states, None);
            if next == states {
                return states;
            }
            states = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn action_globs_match_as_iam_does() {
        for glob in [
            "iam:PassRole",
            "IAM:passrole",
            "iam:*",
            "iam:P*Role",
            "iam:*Ro*",
            "iam:Pass?ole",
            "i?m:*",
            "*",
            "*:*",
            "*Pass*",
            "iam:PassRole*",
        ] {
            assert!(action_matches(glob, "iam:PassRole"), "{glob}");
        }
        for glob in [
            "iam:Get*",
            "iam:PassRoles",
            "iam:Pass?Role",
            "s3:*",
            "iam:",
            "",
            "iam:PassRol",
        ] {
            assert!(!action_matches(glob, "iam:PassRole"), "{glob}");
        }
    }

    #[test]
    fn every_action_takes_only_wildcards() {
        for glob in ["*", "**", "*:*", "?*:*", "*:?*", "*?", "**:**"] {
            assert!(covers_every_action(glob), "{glob}");
        }
        for glob in ["iam:*", "*:Get*", "s*", "*:*:*", "?", "???:*", "*:", ":*", "", "*a*"] {
            assert!(!covers_every_action(glob), "{glob}");
        }
    }

    #[test]
    fn resource_families_however_the_wildcards_fall() {
        for glob in [
            "*",
            "?*",
            "arn:aws:iam::111122223333:role/*",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::*:*",
            "arn:aws:iam::*",
            "arn:*:iam::*:role/*",
            "arn:aws-us-gov:iam::111122223333:role/?*",
            "*:role/*",
            "arn:aws:iam::11112222333?:role/*",
            "arn:aws:iam:::role/*",
            "arn:*",
        ] {
            assert!(covers_family(glob, Family::IamRoles), "{glob}");
        }
        for glob in [
            "arn:aws:iam::111122223333:role/app-*",
            "arn:aws:iam::111122223333:role/*x",
            "arn:aws:iam::111122223333:user/*",
            "arn:aws:s3:::*",
            "arn:aws:iam::1111:role/*",
            "ARN:AWS:IAM::*:ROLE/*",
            "arn:aws:iam::111122223333:role/app",
            "",
        ] {
            assert!(!covers_family(glob, Family::IamRoles), "{glob}");
        }
        for glob in ["*", "arn:*", "arn:aws:*", "arn:aws-cn:*", "*:*"] {
            assert!(covers_family(glob, Family::Everything), "{glob}");
        }
        for glob in ["arn:aws:s3:::*", "arn:aws:iam::*:role/*", "arn:aws", "bucket/*x"] {
            assert!(!covers_family(glob, Family::Everything), "{glob}");
        }
    }

    #[test]
    fn long_patterns_stay_fast() {
        let glob = "*a".repeat(50_000);
        let start = std::time::Instant::now();
        assert!(!action_matches(&glob, "iam:PassRole"));
        assert!(!covers_family(&glob, Family::IamRoles));
        assert!(covers_family(&"*".repeat(100_000), Family::IamRoles));
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn protocols_as_ec2_reads_them() {
        for (value, number) in [
            (json!("tcp"), Some(6)),
            (json!("TCP"), Some(6)),
            (json!("Tcp"), Some(6)),
            (json!("6"), Some(6)),
            (json!(6), Some(6)),
            (json!("UDP"), Some(17)),
            (json!(17), Some(17)),
            (json!("-1"), Some(-1)),
            (json!(-1), Some(-1)),
            (json!("ALL"), Some(-1)),
            (json!("icmp"), Some(1)),
            (json!("132"), Some(132)),
            (json!("ssh"), None),
            (json!("256"), None),
            (json!("6.5"), None),
            (json!(true), None),
        ] {
            assert_eq!(protocol_number(&value), number, "{value}");
        }
    }
}
