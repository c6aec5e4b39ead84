//! Bounded fuzzy whole-word matching: the spellings no rule in [`super::variants`] foresaw.
//!
//! The automaton finds every spelling a term compiles into. What is left are one-off
//! misspellings (`nlgger`, `nyger`, `fuwck`, `skanck`, `f8ck`, `fuacking`). This pass looks only
//! at the words of the normalized text that the automaton did not explain and that are **not
//! English words** (the SCOWL list, names and places of the Scunthorpe lint in `rules/lint/`,
//! also with an apostrophe or a final `g` left out: `dont`, `goin`), nor handles, hashtags or
//! capitalized names in the middle of a sentence, so an innocent word is never bent into a term.
//!
//! Such a word counts as a term when, with doubled letters written once (`niiger` → `niger`),
//! it is within the term's edit budget (an edit is a letter inserted, dropped or changed, or two
//! neighbours swapped; a digit counts as a changed letter: `f8ck`):
//!
//! - under four letters: none (English is too dense there);
//! - four letters: one letter slipped inside (`fuwck`); the generated variants already cover
//!   the dropped vowels and swaps of short terms;
//! - five to seven letters: one edit; eight or more: two;
//! - a term made of a shorter term and more letters (`cockface`, `cumsock`): none, because the
//!   words that share its first part are English compounds (`cockmatch`, `cocksfoot`).
//!
//! A word that is not English is also read as an **abusive compound**: a term followed by a
//! head of `rules/profanity/compound-heads.txt` (`arse` + `licker`, `cum` + `goblin`) or preceded
//! by a modifier of `rules/profanity/compound-modifiers.txt` (`limp` + `dick`). Both lists are
//! closed: a term followed by any English word reaches innocent compounds (`cockweed`).
//!
//! The first and the last letter must be the term's: evasions keep them so the word is still
//! read, and they keep the pass away from most of English's near neighbours (`tardo`, `spiss`). An inflected word is also compared by
//! its stem (`fuacking` → `fuack`), and a handle's trailing digits are ignored (`fuker123`).
//!
//! Time is linear in the text: a word is looked up in the dictionary once, and only a word of 4
//! to [`MAX_TOKEN`] letters that is not English is compared, with a banded edit distance
//! (O(length × budget)), to the terms that share its first letter and a length within two.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

mod decorated;
mod dict;
mod dict_hash;
mod edits;
mod masked;
mod near;
mod split;
mod spoken;
mod term;
mod typed;

use edits::{
    breathed_h, budget, collapse, dropped_vowel, one_look_alike, same_sound, slipped_in, sound_key, vowels_crossed,
    within,
};

use super::fasthash::{FastMap, FastSet};
use super::scan::{glued, runs, Explained};
use super::wordlist::{ListSpec, WordMode};
use crate::normalize::Normalizer;

/// Longest token looked at (letters); longer ones are not words anyone reads as one term.
pub const MAX_TOKEN: usize = 24;

/// The English words, names and places that are never bent into a term: the word lists of the
/// Scunthorpe lint in the built-in pack, as a table compiled into the binary ([`dict`]).
pub use dict::{dictionary, Dictionary};

/// True when `w` is an English word, a name or a place, also as informal writing drops
/// letters from one: `goin`/`killin` (-ing), `dont`/`thats`/`youre` (an apostrophe left out).
fn is_english(w: &str) -> bool {
    let d = dictionary();
    if d.contains_key(w) {
        return true;
    }
    if w.ends_with("in") && with_g(w, |wg| d.contains_key(wg)) {
        return true;
    }
    const CONTRACTED: &[&str] = &["nt", "s", "re", "ll", "ve", "d", "m"];
    CONTRACTED.iter().any(|end| {
        w.strip_suffix(end).is_some_and(|stem| {
            stem.len() >= 2
                && (d.contains_key(stem)
                    || (*end == "nt"
                        && matches!(
                            stem,
                            "do" | "wo"
                                | "ca"
                                | "does"
                                | "did"
                                | "is"
                                | "are"
                                | "was"
                                | "were"
                                | "have"
                                | "has"
                                | "had"
                                | "could"
                                | "would"
                                | "should"
                                | "must"
                                | "need"
                                | "ai"
                        )))
        })
    })
}

/// `f(w + "g")`, built on the stack for a word of up to [`MAX_TOKEN`] bytes (no allocation
/// per word looked up).
pub(super) fn with_g(w: &str, f: impl Fn(&str) -> bool) -> bool {
    let mut buf = [0u8; MAX_TOKEN + 1];
    match buf.get_mut(..w.len() + 1) {
        Some(dst) => {
            dst[..w.len()].copy_from_slice(w.as_bytes());
            dst[w.len()] = b'g';
            std::str::from_utf8(dst).is_ok_and(f)
        }
        None => f(&format!("{w}g")),
    }
}

/// True when `w` is two English words run together (`hellbred`, `spunkless`, `pusslies`): a
/// compound or a coinage the dictionary lacks, not a misspelled term. Both parts must be words
/// of `english.txt` as written (names and informal endings would split misspellings:
/// `loo`+`mer`), each of four letters or more (`moo`+`slim`, `moos`+`lam` are spellings of `moslem`).
fn english_compound(w: &str) -> bool {
    let d = dictionary();
    let english = |p: &str| d.get(p).copied().unwrap_or(false);
    (4..=w.len().saturating_sub(4)).any(|i| w.is_char_boundary(i) && english(&w[..i]) && english(&w[i..]))
}

/// True when the word at `range` of the original `body` is a handle, a hashtag or a name
/// (capitalized, not at the start of a sentence, not all capitals): such words are not read as
/// misspelled terms.
pub fn skip_original(body: &str, range: std::ops::Range<usize>) -> bool {
    // Only the word's neighbourhood is read: a word of text judged out of line maps to its whole
    // sentence (`normalize::out_of_line`), and reading that per word was quadratic (round 16).
    let mut from = range.start.saturating_sub(NEIGHBOURHOOD);
    while !body.is_char_boundary(from) {
        from += 1;
    }
    let before = body[from..range.start].trim_end_matches(|c: char| c.is_alphanumeric());
    let word = &body[range];
    if before.ends_with(['@', '#']) || word.starts_with(['@', '#']) {
        return true;
    }
    let mut chars = word.chars();
    let capital = chars.next().is_some_and(char::is_uppercase) && chars.take(NEIGHBOURHOOD).any(char::is_lowercase);
    let prev = before.trim_end().chars().last();
    capital && !matches!(prev, None | Some('.' | '!' | '?' | ':' | '"' | '\'' | '(' | '\n' | '-' | '>'))
}

/// How many bytes before a word, and characters of it, [`skip_original`] reads.
const NEIGHBOURHOOD: usize = 64;

/// The built-in pack's entries of `path` (one per line, `#` comments).
fn pack_words(path: &str) -> FastSet<&'static str> {
    crate::config::source::FileSource::builtin_files()
        .iter()
        .filter(|(p, _)| *p == path)
        .flat_map(|(_, text)| text.lines())
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Heads and modifiers of abusive compounds (`rules/profanity/compound-*.txt`).
fn compound_words() -> &'static (FastSet<&'static str>, FastSet<&'static str>) {
    static WORDS: OnceLock<(FastSet<&'static str>, FastSet<&'static str>)> = OnceLock::new();
    WORDS.get_or_init(|| {
        (pack_words("rules/profanity/compound-heads.txt"), pack_words("rules/profanity/compound-modifiers.txt"))
    })
}

/// Endings an inflected token loses before its stem is compared with the terms (`fuacking`).
const STEM_ENDINGS: &[&str] = &["ing", "in", "ed", "ers", "er", "es", "s", "az", "a"];

/// One term as the fuzzy pass sees it.
#[derive(Debug, Clone)]
struct Entry {
    /// The term with doubled letters written once.
    key: Vec<u8>,
    /// Edits allowed.
    budget: usize,
    /// Lists it belongs to.
    lists: Vec<u32>,
    /// Only a look-alike letter counts (`assho1e`): the term is a shorter term plus letters,
    /// whose other near spellings are English compounds.
    look_only: bool,
    /// Letters of the term with doubles written once, before [`sound_key`]: what sets the
    /// rules for short terms (`fuck` stays a four-letter term as `fuk`).
    written: usize,
    /// The term as written holds a doubled consonant (`nigger`): the shape a reader still
    /// recognizes when `ck` is written for it.
    doubled: bool,
    /// Letters of the term as written.
    len: usize,
}

/// Which comparison [`Inner::near_in`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// The word against the terms, both as written (doubles once); `whole`: the whole word,
    /// not a stem.
    Plain { whole: bool },
    /// The word with `ck` read as `k` against the terms as written.
    WordSound,
    /// The word against the terms with `ck` read as `k`.
    TermSound,
}

/// The fuzzy matcher of a set of lists (built once at load time, shared between threads).
#[derive(Debug, Clone, Default)]
pub struct Fuzzy {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Entries bucketed by (first letter, key length).
    near: FastMap<(u8, usize), Vec<Entry>>,
    /// The entries whose key [`sound_key`] changes (`fuck` → `fuk`), by that key.
    sound: FastMap<(u8, usize), Vec<Entry>>,
    /// Per list, its allowlisted words (never matched).
    allow: Vec<HashSet<String>>,
    /// Longest key, to skip longer tokens early.
    max_key: usize,
    /// Every single-word term of three letters or more → its lists (stems of compounds).
    stems: FastMap<String, Vec<u32>>,
    /// Long terms cut short ([`truncations`]) → their lists.
    cut: FastMap<String, Vec<u32>>,
    /// The first four bytes ([`head4`]) of every stem of four letters or more: a split word
    /// whose pieces run together start otherwise is no term, and costs no dictionary lookup.
    heads: FastSet<u32>,
    /// For the lists with `fuzzy_first_letter`: a term of five letters or more without its first
    /// letter → (that letter, list) ([`Inner::first_letter_lists`]).
    first: FastMap<String, Vec<(u8, u32)>>,
    /// Single-word terms of four letters or more by (first letter, length), for the masked
    /// words ([`masked`]).
    by_len: FastMap<(u8, usize), Vec<String>>,
    /// Per list: whether a first letter split off by a space joins a word ([`split`]).
    split_letter: Vec<bool>,
    /// The first three letters of every stem written backwards, as a bit set ([`decorated`]).
    backward: Vec<u64>,
    /// Stems of four letters or more by [`decorated::shuffle_key`] (the first letter, the rest
    /// sorted), for the shuffled words.
    shuffled: FastMap<Vec<u8>, Vec<(String, Vec<u32>)>>,
    /// Terms by their spoken key ([`spoken`]: `kunt`, `felching`, `duchbag`).
    spoken: FastMap<Vec<u8>, Vec<(u32, String)>>,
}

/// The first four bytes of `w` as one number (None when it is shorter).
#[inline]
fn head4(w: &[u8]) -> Option<u32> {
    w.first_chunk::<4>().map(|c| u32::from_le_bytes(*c))
}

/// A long term cut short (`motherfu` for a term of twelve letters): one to four letters left off
/// its end, keeping eight or more. Only a term of eleven letters or more has prefixes that long;
/// the pass reads them only as whole words that are not English (`nymphomania`, `chickens`,
/// `doggiest` are prefixes of terms), so `motherfudger`, a minced oath, is not one either.
fn truncations(core: &str) -> impl Iterator<Item = &str> {
    let n = core.len();
    let from = if n >= 11 && core.bytes().all(|b| b.is_ascii_lowercase()) { n.saturating_sub(4).max(8) } else { n };
    (from..n).map(move |k| &core[..k])
}

impl Fuzzy {
    /// Compiles the single-word terms of `lists` (normalized like the text).
    pub fn build(lists: &[ListSpec], normalizer: &Normalizer) -> Fuzzy {
        Fuzzy::build_with(lists, normalizer, &[])
    }

    /// [`Fuzzy::build`], with `first_letter[i]` saying whether list `i` takes words whose first
    /// letter was changed (the rule's `fuzzy_first_letter`; missing entries are false).
    pub fn build_with(lists: &[ListSpec], normalizer: &Normalizer, first_letter: &[bool]) -> Fuzzy {
        Fuzzy::build_full(lists, normalizer, first_letter, &[])
    }

    /// [`Fuzzy::build_with`], with `min_letters[i]` the fewest letters of a term of list `i`
    /// the pass reads (the rule's `fuzzy_min_letters`; missing entries are 0, every term).
    pub fn build_full(
        lists: &[ListSpec],
        normalizer: &Normalizer,
        first_letter: &[bool],
        min_letters: &[usize],
    ) -> Fuzzy {
        let mut allow = Vec::with_capacity(lists.len());
        let mut cores: Vec<(u32, String)> = Vec::new();
        for (li, list) in lists.iter().enumerate() {
            allow.push(
                list.allow.iter().map(|w| normalizer.normalize(w).text.trim().to_string()).collect::<HashSet<String>>(),
            );
            if list.mode == WordMode::Substring || !list.fuzzy {
                continue;
            }
            let min = min_letters.get(li).copied().unwrap_or(0);
            for raw in &list.terms {
                let core = normalizer.normalize(raw.trim().trim_matches('*')).text.trim().to_string();
                // A term of several words is also compared run together (`fudge packer` →
                // `fudgepacker`) when it is long (`suck my` run together is near `sucky`).
                let joined: String = core.split(' ').collect();
                let several = joined.len() < core.len();
                if joined.len() >= min.max(3)
                    && (!several || joined.len() >= 8)
                    && joined.bytes().all(|b| b.is_ascii_lowercase())
                {
                    cores.push((li as u32, joined));
                }
            }
        }
        let all: HashSet<&str> = cores.iter().map(|(_, c)| c.as_str()).collect();
        let mut stems: FastMap<String, Vec<u32>> = FastMap::default();
        for (li, core) in &cores {
            let l = stems.entry(core.clone()).or_default();
            if !l.contains(li) {
                l.push(*li);
            }
        }
        // `cockface` = `cock` + `face`: its near spellings are English compounds of `cock`.
        let compound = |c: &str| (3..c.len().saturating_sub(2)).any(|i| all.contains(&c[..i]));
        let mut near: HashMap<(u8, usize), HashMap<Vec<u8>, Entry>> = HashMap::new();
        let mut key = Vec::new();
        for (li, core) in &cores {
            if allow[*li as usize].contains(core) {
                continue;
            }
            let look_only = compound(core);
            collapse(core.as_bytes(), &mut key);
            let b = budget(key.len());
            if b == 0 {
                continue;
            }
            let bucket = near.entry((key[0], key.len())).or_default();
            let e = bucket.entry(key.clone()).or_insert_with(|| Entry {
                key: key.clone(),
                budget: b,
                lists: Vec::new(),
                look_only,
                written: key.len(),
                len: core.len(),
                doubled: core.as_bytes().windows(2).any(|w| w[0] == w[1] && !b"aeiouy".contains(&w[0])),
            });
            // A term that is also a plain term of another list keeps its full budget there.
            e.look_only &= look_only;
            if !e.lists.contains(li) {
                e.lists.push(*li);
            }
        }
        let mut cut: FastMap<String, Vec<u32>> = FastMap::default();
        for (li, core) in &cores {
            for t in truncations(core) {
                if !allow[*li as usize].contains(t) {
                    let l = cut.entry(t.to_string()).or_default();
                    if !l.contains(li) {
                        l.push(*li);
                    }
                }
            }
        }
        // A changed first letter (`higger`): only whole single-word terms of five letters or
        // more, as written (doubles kept: `biger`, a typo of `bigger`, is not `niger`), whose
        // rest holds a doubled consonant, the shape a reader still recognizes the word by. Tails
        // without one are shared by too many rare words (`oons`: `toons`, `hoons`; `ykes`, `omos`).
        let mut first: FastMap<String, Vec<(u8, u32)>> = FastMap::default();
        let doubled =
            |t: &[u8]| t.windows(2).any(|w| w[0] == w[1] && !matches!(w[0], b'a' | b'e' | b'i' | b'o' | b'u'));
        for (li, core) in &cores {
            if first_letter.get(*li as usize).copied().unwrap_or(false)
                && core.len() >= 5
                && doubled(&core.as_bytes()[1..])
                && !allow[*li as usize].contains(core)
            {
                let e = first.entry(core[1..].to_string()).or_default();
                if !e.contains(&(core.as_bytes()[0], *li)) {
                    e.push((core.as_bytes()[0], *li));
                }
            }
        }
        let mut by_len: FastMap<(u8, usize), Vec<String>> = FastMap::default();
        for core in stems.keys().filter(|c| c.len() >= 4) {
            by_len.entry((core.as_bytes()[0], core.len())).or_default().push(core.clone());
        }
        for terms in by_len.values_mut() {
            terms.sort();
        }
        let max_key = near.keys().map(|k| k.1).max().unwrap_or(0);
        let near: FastMap<(u8, usize), Vec<Entry>> =
            near.into_iter().map(|(k, m)| (k, m.into_values().collect())).collect();
        let mut sound: FastMap<(u8, usize), Vec<Entry>> = FastMap::default();
        let mut heard = Vec::new();
        for e in near.values().flatten() {
            if !e.look_only && sound_key(&e.key, &mut heard) && heard.len() >= 3 {
                sound.entry((heard[0], heard.len())).or_default().push(Entry { key: heard.clone(), ..e.clone() });
            }
        }
        let heads = stems.keys().filter_map(|s| head4(s.as_bytes())).collect();
        let backward = decorated::backward_heads(stems.keys().map(String::as_str));
        let mut shuffled: FastMap<Vec<u8>, Vec<(String, Vec<u32>)>> = FastMap::default();
        for (stem, lists) in stems.iter().filter(|(s, _)| s.len() >= 4) {
            let mut k = Vec::new();
            decorated::shuffle_key(stem.as_bytes(), &mut k);
            shuffled.entry(k).or_default().push((stem.clone(), lists.clone()));
        }
        let spoken = spoken::spoken_terms(&cores, &allow);
        let inner = Inner {
            near,
            sound,
            allow,
            max_key,
            stems,
            cut,
            heads,
            first,
            by_len,
            split_letter: Vec::new(),
            backward,
            shuffled,
            spoken,
        };
        Fuzzy { inner: Arc::new(inner) }
    }

    /// Calls `hit(list, start, end)` for each word of the normalized `text` that is a near
    /// spelling of a term of `list`, skipping words that overlap a range of `explained` (the
    /// automaton's hits, sorted) and those `skip(start, end)` rules out ([`skip_original`]).
    pub fn find(
        &self,
        text: &str,
        explained: &[(usize, usize)],
        skip: impl Fn(usize, usize) -> bool,
        mut hit: impl FnMut(usize, usize, usize),
    ) {
        let inner = &*self.inner;
        if inner.near.is_empty() {
            inner.split_words(text, explained, &skip, &mut hit);
            inner.masked_words(text, explained, &skip, &mut hit);
            inner.decorated_words(text, explained, &skip, &mut hit);
            return;
        }
        let b = text.as_bytes();
        let mut seen = Explained::new(explained);
        let (mut key, mut heard) = (Vec::new(), Vec::new());
        let mut lists: Vec<u32> = Vec::new();
        for (start, end) in runs(b, u8::is_ascii_alphanumeric) {
            // A word glued to another script, a mask, an apostrophe or an underscore is not a
            // whole word. Under four bytes it has under four letters (below): most English words
            // stop here first (`seen` only moves forward, so skipping it for a run is harmless).
            if end - start < 4 || glued(b, start, end, b"*'_") || seen.overlaps(start, end) {
                continue;
            }
            let word = &text[start..end];
            let letters = word.trim_end_matches(|c: char| c.is_ascii_digit());
            if letters.len() < 4
                || letters.len() > MAX_TOKEN
                || word.len() - letters.len() > 4
                || !letters.as_bytes()[0].is_ascii_lowercase()
                || is_english(letters)
                || skip(start, end)
            {
                continue;
            }
            lists.clear();
            if let Some(l) = inner.cut.get(letters) {
                lists.extend(l);
            }
            // Two English words run together (`hellbred`) are a compound the dictionary lacks,
            // not a misspelling; they may still be an abusive compound (below).
            if !english_compound(letters) {
                inner.near_lists(letters.as_bytes(), true, &mut key, &mut heard, &mut lists);
                // The stem too: a near spelling of a mild word must not hide a strong one's.
                for end in STEM_ENDINGS {
                    if let Some(stem) = letters.strip_suffix(end).filter(|s| s.len() >= 4 && !is_english(s)) {
                        inner.near_lists(stem.as_bytes(), false, &mut key, &mut heard, &mut lists);
                    }
                }
                if lists.is_empty() && !inner.first.is_empty() {
                    inner.first_letter_lists(letters, &mut lists);
                    for end in STEM_ENDINGS {
                        if let Some(stem) = letters.strip_suffix(end).filter(|s| s.len() >= 5 && !is_english(s)) {
                            inner.first_letter_lists(stem, &mut lists);
                        }
                    }
                }
            }
            if lists.is_empty() {
                inner.compound_lists(letters, &mut lists);
            }
            if lists.is_empty() {
                inner.x_masked_lists(letters, &mut lists);
            }
            if lists.is_empty() {
                inner.reread_lists(letters, &mut key, &mut lists);
            }
            if lists.is_empty() {
                inner.spoken_lists(letters.as_bytes(), &mut key, &mut lists);
                for end in STEM_ENDINGS {
                    if let Some(stem) = letters.strip_suffix(end).filter(|s| s.len() >= 5 && !is_english(s)) {
                        inner.spoken_lists(stem.as_bytes(), &mut key, &mut lists);
                    }
                }
            }
            for &l in &lists {
                let allowed = &inner.allow[l as usize];
                if !allowed.contains(letters) && !allowed.contains(word) {
                    hit(l as usize, start, end);
                }
            }
        }
        inner.split_words(text, explained, &skip, &mut hit);
        inner.masked_words(text, explained, &skip, &mut hit);
        inner.decorated_words(text, explained, &skip, &mut hit);
    }

    /// Calls `hit(list, start, end)` for each word of the normalized `text` that is a term as
    /// it was typed ([`typed`]: a symbol hiding a letter, a run of masks counted in the
    /// original characters, a letter typed three times for two); `map` and `body` are the
    /// normalized text's offset map and the original. Same skipping as [`Fuzzy::find`].
    pub fn find_typed(
        &self,
        text: &str,
        map: &crate::normalize::offsets::OffsetMap,
        body: &str,
        explained: &[(usize, usize)],
        skip: impl Fn(usize, usize) -> bool,
        mut hit: impl FnMut(usize, usize, usize),
    ) {
        self.inner.typed_words(text, map, body, explained, &skip, &mut hit);
    }
}
