//! What a decision may hold: the checks [`super::Store::decide`] makes before writing anything.

use super::{NewDecision, MAX_EDIT, MAX_NOTE};
use crate::review::Error;

pub(super) fn validate(d: &NewDecision) -> Result<(), Error> {
    let reviewer = d.reviewer.trim();
    if reviewer.is_empty() || reviewer.len() > 100 || reviewer.chars().any(char::is_control) {
        return Err(Error::invalid("reviewer must be a name of 1 to 100 printable characters"));
    }
    if d.note.as_ref().is_some_and(|n| n.len() > MAX_NOTE) {
        return Err(Error::invalid(format!("a note has at most {MAX_NOTE} bytes")));
    }
    if d.edited_body.as_ref().is_some_and(|b| b.len() > MAX_EDIT || b.trim().is_empty()) {
        return Err(Error::invalid(format!("an edited text has 1 to {MAX_EDIT} bytes")));
    }
    for (what, text) in [("an edited text", &d.edited_body), ("a note", &d.note)] {
        if let Some((at, c)) = text.as_deref().and_then(hidden_char) {
            return Err(Error::invalid(format!(
                "{what} holds U+{:04X} at character {}, a control, bidi or invisible character: the text \
                 would read otherwise than it was reviewed (or drive the terminal it is printed on); \
                 nothing was recorded",
                c as u32,
                at + 1
            )));
        }
    }
    validate_categories(d.categories.as_deref())
}

/// The first character of a moderator's text (an edited comment, a note) that must not be
/// published or printed as it is: a control (line feeds, tabs and CRLF kept), a bidi control or
/// an invisible character ([`crate::term::is_hidden`]), with its index in characters. A
/// zero-width joiner between two characters that are not letters or digits (an emoji sequence:
/// 👨‍👩‍👧) is kept; between letters it hides a word.
fn hidden_char(s: &str) -> Option<(usize, char)> {
    let chars: Vec<char> = s.chars().collect();
    let not_word = |c: Option<&char>| c.is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace() && !c.is_ascii());
    chars.iter().enumerate().find_map(|(i, &c)| {
        let kept = match c {
            '\n' | '\t' => true,
            '\r' => chars.get(i + 1) == Some(&'\n'),
            '\u{200d}' => not_word(i.checked_sub(1).and_then(|j| chars.get(j))) && not_word(chars.get(i + 1)),
            _ => !crate::term::is_hidden(c),
        };
        (!kept).then_some((i, c))
    })
}

pub(super) fn validate_categories(cats: Option<&[String]>) -> Result<(), Error> {
    if let Some(cats) = cats {
        if cats.len() > 32 || cats.iter().any(|c| c.is_empty() || c.len() > 64 || c.chars().any(char::is_control)) {
            return Err(Error::invalid("categories must be at most 32 names of 1 to 64 printable characters"));
        }
    }
    Ok(())
}
