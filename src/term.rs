//! Showing hostile text on a terminal (after fd's `sanitize.rs`): comment text may carry
//! control characters, ANSI escapes, bidi overrides and zero-width characters. The normalizer
//! must *see* them; anything printed for a person must *neutralize* them.

use std::io::IsTerminal;

/// Whether `ch` must not reach a terminal as it is: a control character (an escape sequence's
/// ESC or CSI, a carriage return that overwrites a line), a bidi override or isolate that
/// reorders what follows, or an invisible character. Line feeds and tabs are the caller's call.
pub fn is_hidden(ch: char) -> bool {
    let invisible = matches!(ch,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{00ad}' | '\u{061c}');
    ch.is_control() || invisible
}

/// Replaces control, bidi-override and invisible characters with visible escapes (`\u{202e}`).
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if is_hidden(ch) && ch != '\n' && ch != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", ch as u32));
        } else {
            out.push(ch);
        }
    }
    out
}

/// Replaces each byte of a control, bidi-override or invisible character (line feeds and tabs
/// kept) with `?`: the text keeps its byte offsets, so a snippet of a file quoted with spans
/// into it (a config diagnostic) can be shown without the file driving the terminal. A CR that
/// ends a line (CRLF) is a space and a byte order mark opening the text is kept: neither moves
/// nor hides anything.
pub fn sanitize_in_place(s: &str) -> std::borrow::Cow<'_, str> {
    let shown = |i: usize, ch: char| !is_hidden(ch) || ch == '\n' || ch == '\t' || (i == 0 && ch == '\u{feff}');
    if s.char_indices().all(|(i, ch)| shown(i, ch)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, ch) in s.char_indices() {
        if shown(i, ch) {
            out.push(ch);
        } else if ch == '\r' && s.as_bytes().get(i + 1) == Some(&b'\n') {
            out.push(' ');
        } else {
            out.extend(std::iter::repeat('?').take(ch.len_utf8()));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The first character of `s` that [`sanitize`] would escape, line feeds and tabs counted too
/// unless `lines` allows them.
pub fn first_hidden(s: &str, lines: bool) -> Option<char> {
    s.chars().find(|&ch| is_hidden(ch) && !(lines && (ch == '\n' || ch == '\t')))
}

/// Whether stdout is a terminal and colour is not switched off (`NO_COLOR`).
pub fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Whether stderr is a terminal and colour is not switched off (`NO_COLOR`).
pub fn color_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Wraps `s` in an ANSI style when `on`.
pub fn paint(s: &str, style: &str, on: bool) -> String {
    if on {
        format!("\x1b[{style}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}
