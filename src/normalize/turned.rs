//! Upside-down text: words a reader turns the page to read.
//!
//! Flip-text generators write a sentence turned by half a circle: every letter is replaced by
//! one that looks like it rotated (`f` by `ɟ`, `k` by `ʞ`, `u` by `n`, `p` by `d`) and the
//! order is reversed, so `you fuck off` is posted as `ɟɟo ʞɔnɟ noʎ`. A reader reads it at a
//! glance; letter by letter it is IPA nobody speaks. This pass finds the runs of such words and
//! puts them back upright: the run's units in reverse order, each letter turned back.
//!
//! What makes a word turned: every character is a turned letter ([`upright`]), a letter that
//! reads as a letter when turned (`o s x z l` as themselves, `n u`, `d p`, `b q` as each
//! other) or punctuation, and at least one is a turned letter no upright text uses. A run is
//! the words of one line next to each other that are turned, or made only of the letters that
//! turn into letters, between two words with a turned letter: `sn ʞɔnɟ` turns only `ʞɔnɟ`
//! (`sn` could be either way up). An IPA or Akan word with `ɔ` or `ʌ` is turned too; it
//! reads as some other non-word, and the rules only see more text to judge, never less.
//!
//! Offsets: the units of a turned run all map to the whole run of the body (the offset map
//! stays monotone, as for [`super::bidi`]'s reordered stretches), so a hit inside reports the
//! run as the reader saw it. Linear: each unit is classified once and moved once.

use super::Unit;

/// The letter a turned character stands for, for characters upright text does not use as
/// letters of English (the IPA and Unicode "turned" letters flip-text generators pick).
/// Dotless `ı` and the long `ſ` are left out: Turkish and old print use them upright.
#[inline]
pub(crate) fn upright(c: char) -> Option<char> {
    Some(match c {
        'ɐ' | '∀' => 'a',
        'ꓭ' | '𐐒' => 'b',
        'ɔ' | 'Ɔ' | 'ↄ' => 'c',
        'ᗡ' => 'd',
        'ǝ' | 'Ǝ' => 'e',
        'ɟ' | 'Ⅎ' | 'ⅎ' => 'f',
        'ƃ' | 'ᵷ' | '⅁' => 'g',
        'ɥ' => 'h',
        'ᴉ' => 'i',
        'ɾ' => 'j',
        'ʞ' | 'ꓘ' => 'k',
        'ꞁ' | 'Ꞁ' | '⅂' | '˥' => 'l',
        'ɯ' | 'Ɯ' => 'm',
        'Ԁ' => 'p',
        'ꓤ' | 'ᴚ' => 'r',
        'ɹ' => 'r',
        'ʇ' | 'ꓕ' | '⊥' => 't',
        '∩' => 'u',
        'ʌ' | 'Ʌ' | 'Λ' => 'v',
        'ʍ' => 'w',
        'ʎ' | '⅄' => 'y',
        _ => return None,
    })
}

/// A letter of upright text that reads as a letter when turned: itself (`o s x z l`) or its
/// twin (`n u`, `d p`, `b q`). `m` and `w` are not: a generator writes `ɯ` and `ʍ`.
#[inline]
pub(crate) fn turns(c: char) -> Option<char> {
    Some(match c {
        'o' | 's' | 'x' | 'z' | 'l' | 'i' => c,
        'n' => 'u',
        'u' => 'n',
        'd' => 'p',
        'p' => 'd',
        'b' => 'q',
        'q' => 'b',
        _ => return None,
    })
}

/// How one unit reads in a turned word.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A turned letter: the letter it stands for.
    Turned(char),
    /// A letter that turns into a letter, or punctuation (kept).
    Either(char),
    /// A word break.
    Space,
    /// Anything else: the word is upright.
    Upright,
}

/// `u` as [`Class`]: a turned letter is still the character typed (or decoded from an entity),
/// kept unfolded by the decoder for this pass.
fn class(u: &Unit) -> Class {
    if u.ch == ' ' {
        return Class::Space;
    }
    if let Some(up) = upright(u.ch) {
        return Class::Turned(up);
    }
    if let Some(t) = turns(u.ch) {
        return Class::Either(t);
    }
    // An apostrophe turned is a comma and back; other punctuation is kept.
    match u.ch {
        ',' => return Class::Either('\''),
        '\'' => return Class::Either(','),
        c if c.is_ascii_punctuation() => return Class::Either(c),
        _ => {}
    }
    Class::Upright
}

/// A line ends at a space unit made from a line break or a block tag (a generator turns one
/// line at a time).
fn breaks_line(body: &str, u: &Unit) -> bool {
    body.get(u.start as usize..).and_then(|t| t.chars().next()).is_some_and(|c| matches!(c, '\n' | '\r' | '<'))
}

/// Turns upright every run of turned words in `units` of `body` (see the module doc), then
/// folds the turned letters left outside a run as any other character (`ʌ` in an IPA note
/// reads as before). `scratch` is reused between calls. Called only when decoding met a
/// turned letter, which it kept as typed.
pub(crate) fn read(body: &str, units: &mut Vec<Unit>, scratch: &mut Vec<Unit>) {
    let classes: Vec<Class> = units.iter().map(class).collect();
    scratch.clear();
    scratch.extend_from_slice(units);
    let mut i = 0;
    // The current run: first unit of its first word, end of its last word with a turned letter.
    let mut run: Option<(usize, usize)> = None;
    let flush = |run: &mut Option<(usize, usize)>, out: &mut Vec<Unit>| {
        if let Some((a, b)) = run.take() {
            // Units another pass stretched (hidden text moved out) may reach further either way.
            let lo = units[a..b].iter().map(|u| u.start).min().unwrap_or(0);
            let hi = units[a..b].iter().map(|u| u.end).max().unwrap_or(lo);
            for (k, j) in (a..b).rev().enumerate() {
                let ch = match classes[j] {
                    Class::Turned(c) | Class::Either(c) => c,
                    _ => units[j].ch,
                };
                out[a + k] = Unit { ch, start: lo, end: hi };
            }
        }
    };
    while i < units.len() {
        if classes[i] == Class::Space {
            if breaks_line(body, &units[i]) {
                flush(&mut run, scratch);
            }
            i += 1;
            continue;
        }
        let start = i;
        let (mut turnable, mut turned) = (true, false);
        while i < units.len() && classes[i] != Class::Space {
            match classes[i] {
                Class::Turned(_) => turned = true,
                Class::Upright => turnable = false,
                _ => {}
            }
            i += 1;
        }
        if !turnable {
            flush(&mut run, scratch);
        } else if turned {
            run = Some((run.map_or(start, |(a, _)| a), i));
        }
        // A word of letters that read either way up joins the run only if a turned word
        // follows it (the run's end moves only at a turned word).
    }
    flush(&mut run, scratch);
    units.clear();
    for &u in scratch.iter() {
        if upright(u.ch).is_some() {
            super::fold::Folder.fold(u.ch, |ch| units.push(Unit { ch, ..u }));
        } else {
            units.push(u);
        }
    }
}
