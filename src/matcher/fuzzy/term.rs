//! Which term a word the fuzzy pass read stands for, so the regex rules can read the sentence
//! again with the term in the word's place (`you're a m*ron` → `you're a moron`; see
//! [`crate::matcher::reread`]). The passes report only the list a word belongs to; the term is
//! recovered here, and only for the rare comment that has such a reading.

use super::{Fuzzy, MAX_TOKEN};

impl Fuzzy {
    /// The single-word term of list `list` that `word` (a span of the normalized text the
    /// fuzzy pass read as a term of that list) is by its shape alone: its letters (`i d i o t`,
    /// `f🔥u🔥c🔥k`), written backwards, without a filler letter, with its masks filled or its
    /// inner letters reordered. None for a near spelling, a compound or a run-together phrase.
    /// Ties go to the term first in byte order, so the same word always gives the same term.
    pub fn term_read(&self, list: usize, word: &str) -> Option<&str> {
        let w = word.as_bytes();
        let letters: Vec<u8> = w.iter().filter(|b| b.is_ascii_alphabetic()).map(u8::to_ascii_lowercase).collect();
        if letters.is_empty() || letters.len() > 2 * MAX_TOKEN || w.len() > 4 * MAX_TOKEN {
            return None;
        }
        let backwards: Vec<u8> = letters.iter().rev().copied().collect();
        let unfilled = unfilled(&letters);
        // The letters alone, backwards or without a filler may be the term itself: one lookup.
        if let Some(t) = [Some(&letters), Some(&backwards), unfilled.as_ref()]
            .into_iter()
            .flatten()
            .find_map(|w| self.listed(list, w))
        {
            return Some(t);
        }
        // A stub and a piece that repeats its last letter (`sh hit`, `fu uck`): the letter once.
        if let Some(at) = repeated_joint(w) {
            let mut once = letters.clone();
            once.remove(at);
            if let Some(t) = self.listed(list, &once) {
                return Some(t);
            }
        }
        // A spoken spelling (`khunt`, `doochbag`: [`super::spoken`]) is written so on purpose,
        // not a typo: the term it sounds like.
        if letters.len() == w.len() {
            let mut key = Vec::new();
            if let Some((_, t)) =
                self.inner.spoken_terms_of(&letters, &mut key).iter().find(|(l, _)| *l as usize == list)
            {
                return Some(t.as_str());
            }
        }
        // Masks filled (`m*ron`) or the inner letters reordered (`fkuc`): the terms of that
        // first letter and length. A near spelling (`thort`) is not rewritten: a pattern reading
        // it as the term would turn a typo the word lists only flag into an aimed insult.
        let first = w.first().filter(|b| b.is_ascii_lowercase())?;
        let masked = w.iter().any(|&b| !b.is_ascii_alphabetic() && b != b' ');
        let shuffled = !masked && letters.len() == w.len();
        if !masked && !shuffled {
            return None; // letters spaced apart: only the lookup above
        }
        let len = if masked { word.chars().count() } else { letters.len() };
        let mut best: Option<&str> = None;
        for term in self.inner.by_len.get(&(*first, len)).into_iter().flatten() {
            let t = term.as_bytes();
            let fits = if masked { masks_fit(word, t) } else { same_inner_letters(&letters, t) };
            if fits && best.map_or(true, |b| term.as_str() < b) && self.listed(list, t).is_some() {
                best = Some(term.as_str());
            }
        }
        best
    }

    /// `word` if it is a single-word term of list `list`.
    fn listed(&self, list: usize, word: &[u8]) -> Option<&str> {
        let word = std::str::from_utf8(word).ok()?;
        let (term, lists) = self.inner.stems.get_key_value(word)?;
        lists.contains(&(list as u32)).then_some(term.as_str())
    }

    /// Whether a word-list hit on `word` may stand for a term other than as written: masked
    /// (`m*ron`: a byte that is no letter or space) or letters spaced apart (`i d i o t`). A
    /// hit that is a term or one of its generated spellings is not (the patterns' list slots
    /// hold those already), so a plain hit costs one byte scan.
    pub fn may_reread(word: &str) -> bool {
        let masked = word.bytes().any(|b| !(b.is_ascii_lowercase() || b == b' ' || b == b'\''));
        // Letters spaced apart, not a phrase: every piece one letter (`i d i o t`, not `sand n…`).
        masked
            || (word.contains(' ') && word.split(' ').all(|p| p.len() == 1))
            || repeated_joint(word.as_bytes()).is_some()
    }
}

/// For `xy yz` (one space, the letter before it repeated after it: `sh hit`), the index in the
/// letters (space left out) of the repeated letter's second writing.
fn repeated_joint(w: &[u8]) -> Option<usize> {
    let sp = memchr::memchr(b' ', w)?;
    (sp > 0 && w.get(sp + 1) == Some(&w[sp - 1]) && !w[sp + 1..].contains(&b' ')).then_some(sp)
}

/// True when `word` is `term` with some letters hidden: as many characters, and every one
/// either the term's letter or not an ASCII letter or digit (`m*ron`, `f$ck`, `f★ck`).
fn masks_fit(word: &str, term: &[u8]) -> bool {
    word.chars().count() == term.len()
        && word.chars().zip(term).all(|(a, &b)| a.to_ascii_lowercase() == b as char || !a.is_ascii_alphanumeric())
}

/// `fxuxcxk` → `fuck`: the letters at even places, when every odd place holds one same letter.
fn unfilled(letters: &[u8]) -> Option<Vec<u8>> {
    if letters.len() < 7 || letters.len() % 2 == 0 {
        return None;
    }
    let filler = letters[1];
    letters.iter().skip(1).step_by(2).all(|&b| b == filler).then(|| letters.iter().step_by(2).copied().collect())
}

/// True when `a` and `b` have the same first letter and the same other letters in any order.
fn same_inner_letters(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() || a.first() != b.first() {
        return false;
    }
    let mut counts = [0i32; 256];
    for (&x, &y) in a.iter().zip(b).skip(1) {
        counts[x as usize] += 1;
        counts[y as usize] -= 1;
    }
    counts.iter().all(|&c| c == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_shapes() {
        assert!(masks_fit("m*ron", b"moron"));
        assert!(masks_fit("f★ck", b"fuck"));
        assert!(!masks_fit("m*ran", b"moron"));
        assert_eq!(unfilled(b"fxuxcxk").as_deref(), Some(&b"fuck"[..]));
        assert_eq!(unfilled(b"fxuycxk"), None);
        assert!(same_inner_letters(b"fkuc", b"fuck"));
        assert!(!same_inner_letters(b"kcuf", b"fuck"));
    }
}
