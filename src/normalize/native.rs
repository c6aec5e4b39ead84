//! Words really written in Cyrillic or Greek, read as the words they are.
//!
//! The folder ([`super::fold`]) reads a Cyrillic or Greek letter as the Latin letter it looks
//! like, which is how `аѕѕhоӏе` and `ѕһіт` are caught. A Russian or Greek sentence is folded
//! the same way, letter by letter, and a real word may then spell a term: `сосок` ("nipple")
//! reads `cocok`, `сосун` ("suckling") `cocyh`, and a Russian comment about a baby was flagged.
//!
//! A reader of such a comment reads it in its language. So where the comment holds a word
//! written wholly in one of these scripts with a letter no Latin letter looks like (`ы`, `я`,
//! `л`, `б`, `λ`, `π`, an accented Greek vowel: [`native_only`]), the comment is written in
//! that script, and every word written wholly in it is kept as typed (lowercased), not folded.
//! What stays folded, as an evasion: a word mixing scripts (`ты аѕѕhоӏе`: `h` is Latin), a
//! word with a Cyrillic letter no Slavic language writes in running text but look-alike
//! generators do (`ѕ`, `һ`, `ԁ`, `ӏ`: [`evasion_only`]), and every Cyrillic or Greek word of a
//! comment without native text (`you are a сосок`).
//!
//! Linear: each unit is classified once, and the words kept are rewritten in one pass.

use unicode_normalization::char::is_combining_mark;

use super::Unit;

/// The two scripts whose letters the folder reads as Latin look-alikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Cyrillic,
    Greek,
}

fn script(c: char) -> Option<Script> {
    match c as u32 {
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Some(Script::Cyrillic),
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Some(Script::Greek),
        _ => None,
    }
}

/// A letter of Cyrillic or Greek text that no Latin letter looks like, or an accented Greek
/// vowel: its word is written in that language, not drawn to look Latin. The normalizer marks
/// a body holding one (a table lookup per non-ASCII character).
#[inline]
pub(crate) fn native_only(c: char) -> bool {
    /// Lowercase; a capital is looked up by its lowercase.
    const NATIVE: &str = "бгджзийлпцчшщъыьэюяёєїґγδζθλξπσςφψωάέήίόύώΐΰϊϋ";
    if !matches!(c as u32, 0x0370..=0x052F) {
        return false; // polytonic Greek (U+1F00 on) is rare: read as the folder reads it
    }
    c.to_lowercase().next().is_some_and(|l| NATIVE.contains(l))
}

/// Cyrillic letters the look-alike generators pick for Latin ones and Russian, Ukrainian,
/// Belarusian and Bulgarian text does not use: a word with one is an evasion in any comment.
#[inline]
fn evasion_only(c: char) -> bool {
    matches!(c as u32, 0x0405 | 0x0455 | 0x04BA | 0x04BB | 0x0501 | 0x051A..=0x051D | 0x04C0 | 0x04CF)
}

/// One word of the units: where it is, its script, whether it holds a native-only letter.
struct Word {
    from: usize,
    to: usize,
    script: Script,
    native: bool,
}

/// The script `units[from..to]` is written in as typed (every character a letter of one
/// script, combining marks aside), with whether a native-only letter is among them; None for
/// a word that mixes scripts, holds an evasion-only letter, came from an entity or was
/// reordered.
fn classify(body: &str, units: &[Unit], from: usize, to: usize) -> Option<(Script, bool)> {
    let mut found: Option<Script> = None;
    let mut native = false;
    let mut last = None;
    for u in &units[from..to] {
        if last == Some((u.start, u.end)) {
            continue; // one character folded into several units (`ю` → `io`)
        }
        last = Some((u.start, u.end));
        // One character (and its marks) per range: a stretch reordered as a whole (bidi,
        // upside-down text) maps every unit to all of it, and is left as the folder read it.
        let typed = body.get(u.start as usize..u.end as usize)?;
        let mut letters = typed.chars().filter(|&c| !is_combining_mark(c));
        let c = letters.next().filter(|_| letters.next().is_none())?;
        let s = script(c).filter(|_| c.is_alphabetic() && !evasion_only(c))?;
        if found.is_some_and(|f| f != s) {
            return None;
        }
        found = Some(s);
        native |= native_only(c);
    }
    found.map(|s| (s, native))
}

/// Rewrites the units of each word written wholly in Cyrillic or Greek as the lowercased
/// letters typed, when the comment holds a word of that script with a native-only letter.
pub(crate) fn keep(body: &str, units: &mut Vec<Unit>, scratch: &mut Vec<Unit>) {
    let mut words = Vec::new();
    let mut i = 0;
    while i < units.len() {
        if !units[i].ch.is_alphanumeric() {
            i += 1;
            continue;
        }
        let from = i;
        while i < units.len() && units[i].ch.is_alphanumeric() {
            i += 1;
        }
        if let Some((script, native)) = classify(body, units, from, i) {
            words.push(Word { from, to: i, script, native });
        }
    }
    let live = |s: Script| words.iter().any(|w| w.script == s && w.native);
    let (cyrillic, greek) = (live(Script::Cyrillic), live(Script::Greek));
    let kept = |w: &Word| match w.script {
        Script::Cyrillic => cyrillic,
        Script::Greek => greek,
    };
    if !words.iter().any(kept) {
        return;
    }
    scratch.clear();
    let mut at = 0;
    for w in words.iter().filter(|w| kept(w)) {
        scratch.extend_from_slice(&units[at..w.from]);
        let mut last = None;
        for u in &units[w.from..w.to] {
            if last == Some((u.start, u.end)) {
                continue;
            }
            last = Some((u.start, u.end));
            let typed = &body[u.start as usize..u.end as usize];
            if let Some(c) = typed.chars().find(|&c| !is_combining_mark(c)) {
                for ch in c.to_lowercase() {
                    scratch.push(Unit { ch, start: u.start, end: u.end });
                }
            }
        }
        at = w.to;
    }
    scratch.extend_from_slice(&units[at..]);
    std::mem::swap(units, scratch);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(ranges: &[(usize, usize)]) -> Vec<Unit> {
        ranges.iter().map(|&(s, e)| Unit { ch: 'x', start: s as u32, end: e as u32 }).collect()
    }

    #[test]
    fn only_words_of_one_character_per_range_are_kept() {
        // `ты сок`: two words, one with a native letter; both kept as typed.
        let body = "ты сок";
        let mut u = units(&[(0, 2), (2, 4), (5, 5), (5, 7), (7, 9), (9, 11)]);
        u[2].ch = ' ';
        keep(body, &mut u, &mut Vec::new());
        assert_eq!(u.iter().map(|u| u.ch).collect::<String>(), "ты сок");
        // The second word reordered as a whole (every unit maps to all of it): as folded.
        let mut u = units(&[(0, 2), (2, 4), (5, 5), (5, 11), (5, 11), (5, 11)]);
        u[2].ch = ' ';
        keep(body, &mut u, &mut Vec::new());
        assert_eq!(u.iter().map(|u| u.ch).collect::<String>(), "ты xxx");
    }

    #[test]
    fn evasion_letters_are_neither_native_nor_kept() {
        assert!(native_only('я') && native_only('λ') && native_only('έ'));
        assert!(!native_only('с') && !native_only('о') && !native_only('κ'));
        assert!(evasion_only('ѕ') && evasion_only('һ') && !evasion_only('с'));
    }
}
