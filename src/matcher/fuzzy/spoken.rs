//! Spoken spellings (round 14): a word written as a listed term sounds, with a letter group
//! English spells one sound by (`ph` for `f`, `kh` for `k`, `wh` for `w`, `oo` or `ou` for
//! `u`, `ee` for `e`, `or` before a consonant for `o`, `q` for `k`): `phelching`, `khunt`,
//! `doochbag`, `corksucker`.
//!
//! Both the terms (at load time) and a word are written by sound ([`spoken`]: those groups as
//! their plainest letter, `ck` and a hard `c` as `k`, a soft `c` as `s`, `wh` as `w`, `ea` as
//! `e`, doubled letters once, an `e` after `ch` or `sh` before a consonant left out, the
//! silent one of `douchebag`), and a word counts when its key is a term's key **and** the word
//! itself used a marker group: a word with only `ck`, `c`, `wh`, `ea` or doubles is spelled as
//! English spells it, and is a different word (`sukker`, the Danish sugar, is not `sucker`;
//! `cokehead` is not `cockhead`). A marker at the start (`ph`, `kh`) takes a key of four
//! letters or more, one inside the word six or more before an inflection: inside, `oo`, `ou`, `ph`, `or` are how
//! rare English and other languages spell (`sooks`, `bourd`, `morpho`, `cooming`, the dictionary
//! audit's words). The word must not be English, a name or a place (the caller's guard), and
//! has five letters or more.
//! One lookup per word: linear.

use super::*;

/// True for an ASCII consonant.
fn consonant(c: u8) -> bool {
    c.is_ascii_lowercase() && !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Where a word used a marker group ([`spoken`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Marker {
    /// None: the word is spelled as English spells words.
    None,
    /// Inside the word (`doochbag`, `corksucker`): other languages and rare English words spell
    /// that way too (`sooks`, `bourd`, `morpho`), so only a long key (six letters) counts.
    Inner,
    /// A `ph` or a silent `h` after the first letter (`phelching`, `khunt`).
    First,
}

/// Writes `w` by sound into `out` (see the module's note) and says where a marker group was
/// read: `ph`, a silent `h` after a consonant, `oo`, `ou`, `ee`, `or` before a consonant, a `q`
/// without its `u` (`wh`, `ea`, `ck`, `c`, `qu` are read but mark nothing: English spells
/// `whisk`, `creatine`, `cokehead` so).
pub(super) fn spoken(w: &[u8], out: &mut Vec<u8>) -> Marker {
    out.clear();
    let mut marker = Marker::None;
    let mut i = 0;
    while i < w.len() {
        let (c, next) = (w[i], w.get(i + 1).copied());
        let (read, used, marks): (&[u8], usize, bool) = match (c, next) {
            (b'p', Some(b'h')) => (b"f", 2, true),
            (b'w', Some(b'h')) => (b"w", 2, false),
            (b'k' | b'g' | b'b' | b'd' | b'r' | b'j' | b'f' | b'v' | b'm' | b'n' | b'l' | b'z', Some(b'h')) => {
                (&w[i..=i], 2, true)
            }
            (b'c', Some(b'k')) => (b"k", 2, false),
            (b'c', Some(b'e' | b'i' | b'y')) => (b"s", 1, false),
            (b'c', n) if n != Some(b'h') => (b"k", 1, false),
            (b'q', Some(b'u')) => (b"kw", 2, false),
            (b'q', _) => (b"k", 1, true),
            (b'o', Some(b'o' | b'u')) => (b"u", 2, true),
            (b'e', Some(b'e')) => (b"e", 2, true),
            (b'e', Some(b'a')) => (b"e", 2, false),
            (b'o', Some(b'r')) if w.get(i + 2).copied().is_some_and(consonant) => (b"o", 2, true),
            _ => (&w[i..=i], 1, false),
        };
        if marks {
            marker = marker.max(if i == 0 && used == 2 && next == Some(b'h') { Marker::First } else { Marker::Inner });
        }
        for &r in read {
            if out.last() != Some(&r) {
                out.push(r);
            }
        }
        i += used;
    }
    // An `e` after `ch` or `sh` and before a consonant is not heard (`douchebag`, `doochbag`).
    let mut k = 2;
    while k + 1 < out.len() {
        if out[k] == b'e' && out[k - 1] == b'h' && matches!(out[k - 2], b'c' | b's') && consonant(out[k + 1]) {
            out.remove(k);
        } else {
            k += 1;
        }
    }
    marker
}

impl Inner {
    /// The terms (with their list) whose spoken key is `word`'s, when `word` (five letters or
    /// more) used a marker group (`khunt`: `kunt`, the key of `cunt`).
    pub(super) fn spoken_terms_of(&self, word: &[u8], key: &mut Vec<u8>) -> &[(u32, String)] {
        // A marker at the start is an `h` second; one inside needs six letters: most words
        // have neither and are not written by sound.
        if word.len() < 5 || self.spoken.is_empty() || (word[1] != b'h' && word.len() < 6) {
            return &[];
        }
        let enough = match spoken(word, key) {
            Marker::None => false,
            // Six letters before an inflection (`cooming` is `coom` + `ing`).
            Marker::Inner => {
                let end = ["ing", "in", "ed", "ers", "er", "es", "s"].iter().find(|e| key.ends_with(e.as_bytes()));
                key.len() - end.map_or(0, |e| e.len()) >= 6
            }
            Marker::First => key.len() >= 4,
        };
        match self.spoken.get(&key[..]) {
            Some(terms) if enough => terms,
            _ => &[],
        }
    }

    /// The lists of a term whose spoken key is `word`'s ([`Inner::spoken_terms_of`]).
    pub(super) fn spoken_lists(&self, word: &[u8], key: &mut Vec<u8>, out: &mut Vec<u32>) {
        for (l, _) in self.spoken_terms_of(word, key) {
            if !out.contains(l) {
                out.push(*l);
            }
        }
    }
}

/// The terms (`cores`: list, term) by their spoken key of four letters or more, allowlisted
/// ones left out; per list the first term of a key.
pub(super) fn spoken_terms(cores: &[(u32, String)], allow: &[HashSet<String>]) -> FastMap<Vec<u8>, Vec<(u32, String)>> {
    let mut map: FastMap<Vec<u8>, Vec<(u32, String)>> = FastMap::default();
    let mut key = Vec::new();
    for (li, core) in cores {
        if allow[*li as usize].contains(core) {
            continue;
        }
        spoken(core.as_bytes(), &mut key);
        if key.len() >= 4 {
            let terms = map.entry(key.clone()).or_default();
            if !terms.iter().any(|(l, _)| l == li) {
                terms.push((*li, core.clone()));
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::{spoken, Marker};

    fn key(w: &str) -> (String, Marker) {
        let mut out = Vec::new();
        let m = spoken(w.as_bytes(), &mut out);
        (String::from_utf8(out).unwrap(), m)
    }

    #[test]
    fn spoken_keys_meet_where_the_sound_does() {
        assert_eq!(key("khunt"), ("kunt".into(), Marker::First));
        assert_eq!(key("phelching"), (key("felching").0, Marker::First));
        assert_eq!(key("doochbag"), (key("douchebag").0, Marker::Inner));
        assert_eq!(key("corksucker"), (key("cocksucker").0, Marker::Inner));
        // Spelled as English spells it: no marker.
        assert_eq!(key("sukker").1, Marker::None);
        assert_eq!(key("fucker").1, Marker::None);
        assert_eq!(key("cokehead").1, Marker::None);
        // Inside the word a marker needs a long key: `sooks` is `suks`, four letters.
        assert_eq!(key("sooks"), ("suks".into(), Marker::Inner));
    }
}
