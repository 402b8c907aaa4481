//! Typed errors. Every error about a file names the file, and a line and column where one exists;
//! only `main` turns an error into an exit code.

use std::fmt;

use miette::Diagnostic;
use thiserror::Error;

/// A problem at a place in a file: `file:line:column: message`, with a hint on how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
#[error("{}: {message}", self.position())]
pub struct Located {
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    pub column: usize,
    pub message: String,
    #[help]
    pub help: Option<String>,
}

impl Located {
    pub fn new(file: impl Into<String>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Located {
            file: file.into(),
            line,
            column,
            message: message.into(),
            help: None,
        }
    }

    /// A problem with the file as a whole.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Located::new(file, 0, 0, message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    fn position(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.file.clone(),
            (l, 0) => format!("{}:{l}", self.file),
            (l, c) => format!("{}:{l}:{c}", self.file),
        }
    }
}

/// Everything that makes a run end with exit code 2.
#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    /// A plan or template that cannot be read or parsed.
    #[error("input error: {0}")]
    #[diagnostic(code(controlgate::input))]
    Input(Located),
    /// A control, rule or pack that is invalid.
    #[error("policy error: {0}")]
    #[diagnostic(code(controlgate::policy))]
    Policy(Located),
    /// A configuration file or command-line value that is invalid.
    #[error("configuration error: {0}")]
    #[diagnostic(code(controlgate::config))]
    Config(Located),
    /// An exception registry that cannot be read, or an invalid entry (unless only warned about).
    #[error("exception registry: {0}")]
    #[diagnostic(code(controlgate::exceptions))]
    Exception(Located),
    /// A rule that could not be evaluated on a resource.
    #[error("evaluation error: {0}")]
    #[diagnostic(code(controlgate::evaluation))]
    Evaluation(Located),
    /// A report that could not be written.
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(controlgate::output))]
    Output { path: String, source: std::io::Error },
}

impl Error {
    /// The located problem, for errors that have one.
    pub fn located(&self) -> Option<&Located> {
        match self {
            Error::Input(l) | Error::Policy(l) | Error::Config(l) | Error::Exception(l) | Error::Evaluation(l) => {
                Some(l)
            }
            Error::Output { .. } => None,
        }
    }
}

/// Several errors gathered from one stage (every file is loaded, every error reported).
#[derive(Debug, Default)]
pub struct Errors(pub Vec<Error>);

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn located_errors_name_file_line_and_column() {
        let e = Located::new("a/b.yaml", 3, 7, "unexpected key");
        assert_eq!(e.to_string(), "a/b.yaml:3:7: unexpected key");
        assert_eq!(Located::new("x.json", 2, 0, "m").to_string(), "x.json:2: m");
        assert_eq!(Located::file("x.json", "m").to_string(), "x.json: m");
    }
}
