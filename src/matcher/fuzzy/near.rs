//! A word's near terms: the lists of a term within its edit budget of the word (doubles
//! written once, and by sound: `nickker`, `fuhk`), of a term with its first letter changed
//! (`higger`), and of an abusive compound (`arselicker`, `limpdick`). [`super::Fuzzy::find`]
//! asks these, in that order, for each word no automaton hit explained.

use super::*;

impl Inner {
    /// The lists of the term `word` is an abusive compound of: a term and a head of
    /// `compound-heads.txt` (`arselicker`, `cumgoblins`), or a modifier of
    /// `compound-modifiers.txt` and a term (`limpdick`).
    pub(super) fn compound_lists(&self, word: &str, out: &mut Vec<u32>) {
        let (heads, modifiers) = compound_words();
        let word = word.strip_suffix('s').filter(|w| w.len() >= 6).unwrap_or(word);
        for cut in 3..word.len().saturating_sub(2) {
            let (a, b) = word.split_at(cut);
            let lists = match (self.stems.get(a), self.stems.get(b)) {
                (Some(l), _) if heads.contains(b) => l,
                (_, Some(l)) if modifiers.contains(a) => l,
                (_, None) if modifiers.contains(a) && !self.first.is_empty() && !is_english(b) => {
                    // `uglygigga`: a modifier and a term with its first letter changed.
                    let before = out.len();
                    self.first_letter_lists(b, out);
                    if out.len() > before {
                        return;
                    }
                    continue;
                }
                _ => continue,
            };
            for &l in lists {
                if !out.contains(&l) {
                    out.push(l);
                }
            }
            return;
        }
    }

    /// The lists (with `fuzzy_first_letter`) of a term that is `word` with its first letter
    /// changed, one consonant for another (`higger`, `gigga`): the rest is the term's as written
    /// and holds a doubled consonant.
    pub(super) fn first_letter_lists(&self, word: &str, out: &mut Vec<u32>) {
        let consonant = |c: u8| c.is_ascii_lowercase() && !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
        let (Some(&f), Some(tail)) = (word.as_bytes().first(), word.get(1..)) else { return };
        if word.len() < 5 || !consonant(f) {
            return;
        }
        for &(g, l) in self.first.get(tail).into_iter().flatten() {
            if g != f && consonant(g) && !out.contains(&l) {
                out.push(l);
            }
        }
    }

    /// The lists with a term within its edit budget of `word` (doubles written once).
    /// `whole`: `word` is the whole word, not the stem of an inflected one; only then may a short
    /// word be the term with letters doubled (`kikkee`; as a stem, `twiit` of `twiiter` is not;
    /// nor is a word with fewer letters than the term, `coch` for `cooch`).
    pub(super) fn near_lists(
        &self,
        word: &[u8],
        whole: bool,
        key: &mut Vec<u8>,
        heard: &mut Vec<u8>,
        out: &mut Vec<u32>,
    ) {
        collapse(word, key);
        if key.len() < 3 || key.len() > self.max_key + 2 {
            return;
        }
        Self::near_in(&self.near, key, word.len(), Pass::Plain { whole }, out);
        // `ck` written for the term's doubled consonant (`nickker`), or the term's `ck` written
        // `k` with an `h` breathed in (`fuhk`).
        let changed = sound_key(key, heard);
        if heard.len() >= 3 {
            if changed {
                Self::near_in(&self.near, heard, word.len(), Pass::WordSound, out);
            }
            if !self.sound.is_empty() {
                Self::near_in(&self.sound, heard, word.len(), Pass::TermSound, out);
            }
        }
    }

    /// Adds to `out` the lists of the entries of `near` within their budget of `key`.
    fn near_in(near: &FastMap<(u8, usize), Vec<Entry>>, key: &[u8], word_len: usize, pass: Pass, out: &mut Vec<u32>) {
        // A word of four letters or less is where English lives: bent only by one look-alike
        // (`niqa`, `siut`), a dropped vowel (`fgot`, `nigr`), doubled letters (`kikke`) or,
        // for a four-letter term, a letter slipped in (`fuwk`).
        let short = key.len() < 5;
        for len in key.len().saturating_sub(2)..=key.len() + 2 {
            let Some(bucket) = near.get(&(key[0], len)) else { continue };
            for e in bucket {
                let budget = e.budget;
                // `ck` in the word reads as `k` only for a term of five letters or more with a
                // doubled consonant (`nickker`: `nigger`); `dbacks` is not `dbags`, nor `glocks`
                // a slur with a letter slipped in.
                if pass == Pass::WordSound && !(e.doubled && e.written >= 5) {
                    continue;
                }
                let whole = matches!(pass, Pass::Plain { whole: true });
                if e.look_only {
                    if one_look_alike(key, &e.key) {
                        for &l in &e.lists {
                            if !out.contains(&l) {
                                out.push(l);
                            }
                        }
                    }
                    continue;
                }
                // The term's `ck` read as `k` only takes a breathed `h` (`fuhk`): its other
                // neighbours are English words the size-70 list lacks (`croker`, `plook`).
                let ok = if pass == Pass::TermSound {
                    breathed_h(key, &e.key)
                } else {
                    key.len().abs_diff(len) <= e.budget
                        && key.last().zip(e.key.last()).is_some_and(|(&a, &b)| same_sound(a, b))
                        && if short || e.written == 4 {
                            (whole && key == &e.key[..] && word_len > e.len)
                                || one_look_alike(key, &e.key)
                                || dropped_vowel(key, &e.key)
                                || (e.written == 4 && slipped_in(key, &e.key))
                        } else {
                            within(key, &e.key, budget) || vowels_crossed(key, &e.key)
                        }
                };
                if ok {
                    for &l in &e.lists {
                        if !out.contains(&l) {
                            out.push(l);
                        }
                    }
                }
            }
        }
    }
}
