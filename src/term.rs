//! Showing hostile text on a terminal (after fd's `sanitize.rs`): comment text may carry
//! control characters, ANSI escapes, bidi overrides and zero-width characters. The normalizer
//! must *see* them; anything printed for a person must *neutralize* them.

use std::io::IsTerminal;

/// Replaces control, bidi-override and invisible characters with visible escapes (`\u{202e}`).
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        let invisible = matches!(ch,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{00ad}' | '\u{061c}');
        if (ch.is_control() && ch != '\n' && ch != '\t') || invisible {
            out.push_str(&format!("\\u{{{:x}}}", ch as u32));
        } else {
            out.push(ch);
        }
    }
    out
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
