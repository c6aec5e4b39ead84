//! Config diagnostics: every problem with `file:line:column`, a caret snippet, and all of them
//! at once (vector's "validation collects every error", ripgrep's located config errors).
//!
//! Rendering uses `codespan-reporting`, a crate made for exactly this (caret snippets, labels,
//! notes), instead of hand-written formatting.

use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};

use super::source::line_col;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth a look; the run still starts.
    Warning,
    /// The run refuses to start.
    Error,
}

/// One located problem.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Index into [`Diagnostics::files`], if the problem has a place.
    pub file: Option<usize>,
    /// Byte range in that file.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it ("did you mean ...").
    pub help: Option<String>,
}

/// All diagnostics of one load, with the texts they point into.
#[derive(Debug, Default)]
pub struct Diagnostics {
    files: Vec<(String, String)>,
    /// The problems, in the order they were found.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Registers a file's text so diagnostics can point into it; returns its index.
    pub fn add_file(&mut self, name: &str, text: &str) -> usize {
        if let Some(i) = self.files.iter().position(|(n, _)| n == name) {
            return i;
        }
        self.files.push((name.to_string(), text.to_string()));
        self.files.len() - 1
    }

    /// Records an error at `span` of file `file`.
    pub fn error(&mut self, file: usize, span: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Error, Some(file), span, message)
    }

    /// Records a warning at `span` of file `file`.
    pub fn warning(&mut self, file: usize, span: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Warning, Some(file), span, message)
    }

    /// Records an error with no place in a file.
    pub fn error_nowhere(&mut self, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Error, None, 0..0, message)
    }

    fn push(
        &mut self,
        severity: Severity,
        file: Option<usize>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.items.push(Diagnostic { severity, file, span, message: message.into(), help: None });
        self.items.last_mut().unwrap()
    }

    /// Every file the load read, config first, as `(name, text)`: what a live server watches
    /// and hashes to name the config a verdict was judged with.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(n, t)| (n.as_str(), t.as_str()))
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors and warnings.
    pub fn counts(&self) -> (usize, usize) {
        let e = self.items.iter().filter(|d| d.severity == Severity::Error).count();
        (e, self.items.len() - e)
    }

    /// `file:line:col` of a diagnostic (or just the file, or nothing).
    pub fn location(&self, d: &Diagnostic) -> Option<String> {
        let (name, text) = self.files.get(d.file?)?;
        let (line, col) = line_col(text, d.span.start);
        Some(format!("{name}:{line}:{col}"))
    }

    /// One line per diagnostic: `file:line:col: error: message` (for logs and tests).
    pub fn short(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            let sev = if d.severity == Severity::Error { "error" } else { "warning" };
            match self.location(d) {
                Some(loc) => out.push_str(&format!("{loc}: {sev}: {}\n", d.message)),
                None => out.push_str(&format!("{sev}: {}\n", d.message)),
            }
        }
        out
    }

    /// Full rendering with caret snippets; `color` only on a terminal.
    pub fn render(&self, color: bool) -> String {
        let mut files = SimpleFiles::new();
        // A config is written by an attacker too: the snippets quote its lines, the messages its
        // values, so what reaches the terminal is made inert (offsets kept for the carets).
        for (name, text) in &self.files {
            files.add(crate::term::sanitize(name), crate::term::sanitize_in_place(text).into_owned());
        }
        let mut buf = if color { termcolor::Buffer::ansi() } else { termcolor::Buffer::no_color() };
        let config = term::Config::default();
        for d in &self.items {
            let mut cs = match d.severity {
                Severity::Error => CsDiagnostic::error(),
                Severity::Warning => CsDiagnostic::warning(),
            };
            // The one-line location first, so `grep`-style tools and people see file:line:col.
            let head = match self.location(d) {
                Some(loc) => format!("{loc}: {}", d.message),
                None => d.message.clone(),
            };
            let head = crate::term::sanitize(&head);
            cs = cs.with_message(head);
            if let Some(f) = d.file {
                let text_len = self.files[f].1.len();
                let span = d.span.start.min(text_len)..d.span.end.min(text_len).max(d.span.start.min(text_len));
                cs = cs.with_labels(vec![Label::primary(f, span)]);
            }
            if let Some(help) = &d.help {
                cs = cs.with_notes(vec![crate::term::sanitize(&format!("help: {help}"))]);
            }
            let _ = term::emit(&mut buf, &config, &files, &cs);
        }
        String::from_utf8_lossy(buf.as_slice()).into_owned()
    }
}

impl Diagnostic {
    /// Adds a "help:" note.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Diagnostic {
        self.help = Some(help.into());
        self
    }
}

/// The closest of `candidates` to `word`, if close enough to suggest ("did you mean").
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
