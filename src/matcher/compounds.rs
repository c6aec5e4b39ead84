//! Run-together words: a token that is no English word but splits into known words.
//!
//! Abuse is often written without spaces, as a user name or to slip past a word filter: a strong
//! term glued to an ordinary word (`cum` + `tart`, `gay` + `ass`), or a whole phrase run
//! together (`kil` + `yourself`, `burn` + `jew`). The automaton matches terms as whole words and
//! the fuzzy pass ([`super::fuzzy`]) only the closed compound head/modifier lists, so these
//! pass. This module finds, for each such token, its segmentation into the fewest known parts and
//! hands the matcher the token **spelled with spaces** (`kil yourself`); the matcher scans that
//! short text with the same automaton and patterns as the comment, and every hit counts for the
//! whole token. So a run-together phrase meets exactly the rules the spaced phrase meets, and a
//! segmentation that reads as nothing abusive costs nothing.
//!
//! What keeps innocent words out:
//!
//! - only tokens that are **not English** (SCOWL-70 `english.txt`, and the names and places of
//!   the Scunthorpe lint, also with an informal ending dropped) are split; a capitalized word in
//!   the middle of a sentence, a handle or a hashtag is not split at all;
//! - a part is a word of `english.txt` of **three letters or more**, a term of a list, a
//!   two-letter word of a closed set (`my`, `up`, `ur`, ...), or an informal spelling the threat
//!   patterns read (`rules/threat/run-together.txt`): no single letters but the pronoun `i`
//!   starting the token (`i` + `hate` + ...), a second-person reflexive with two neighbouring
//!   letters swapped (`yourslef`, scanned as `yourself`), no two-letter fragments (`ass` + `ala` + `mo` is
//!   not a split), and a two-letter word only next to a term; a term written with digits is a
//!   code (`l4l`), never a part;
//! - a closed modifier or head glues to a term only where the token ends (`fat` + `ass`, not
//!   `micro` + `cono` + `don`); a stem of `rules/profanity/compound-stems.txt` before a closed
//!   head, or after a modifier or pronoun at the end, is written as the term it stands for
//!   (`butt` + `wipe` is scanned as `ass wipe`), and is an ordinary word anywhere else;
//! - a split has two to [`MAX_PARTS`] parts; the fewest parts win, then the most term parts
//!   (`your` + `ass`, not `you` + `rass`);
//! - a hit is dropped when the whole token is allowlisted for its list;
//! - a hashtag, and a token that splits only through one-letter words (`die` + `in` + `a` +
//!   `fire`, [`loose`]), count only as a whole phrase of a blocking or threat rule
//!   ([`Split::Whole`]): a tag or a loose split is a chance phrase too often for anything less.
//!
//! Time is linear in the text: a token is split only when it has [`MIN_TOKEN`] to
//! [`MAX_TOKEN`] letters, by a dynamic program of O(length × [`MAX_PART`]) set lookups.

use std::sync::{Arc, OnceLock};

use super::fasthash::{FastMap, FastSet};
// The fuzzy pass's dictionary (the same three files, the same flag): one copy per process.
use super::fuzzy::{dictionary, with_g};

mod loose;

use super::scan::{glued, runs, Explained};
use super::wordlist::ListSpec;
use crate::normalize::Normalizer;

/// Fewest letters of a token that is split (shorter ones are where English lives).
pub const MIN_TOKEN: usize = 5;
/// Most letters of a token that is split.
pub const MAX_TOKEN: usize = 30;
/// Longest part looked up.
const MAX_PART: usize = 16;
/// Fewest letters of a token of three parts or more that may hold a two-letter word of
/// [`PHRASE_TWO`] away from a term (`gokillyourself`, `youareanidiot`).
const LONG_PHRASE: usize = 12;

/// The two-letter words of a phrase run together that need no term beside them: a verb, an
/// article or a particle that opens or links the phrase's words (`go` + `kill` + `yourself`,
/// `you` + `are` + `an` + `idiot`). Not the pronouns and prepositions (`my`, `in`, `up`): those
/// glue a term into a compound (`my` + `zork` + `cheese` is no phrase).
const PHRASE_TWO: &[&str] = &["go", "an", "be", "to", "is", "im"];
/// Most parts of a split (more is a sentence with its spaces lost, or noise).
pub const MAX_PARTS: usize = 5;

/// Two-letter words that may be a part: pronouns, prepositions and particles of abusive
/// phrases (`my`+`ass`, `up`+`the`+`butt`, `ur`+`mom`); they only count next to a term. Other two-letter entries of the
/// dictionary (`mo`, `ax`) are fragments, not words anyone runs into a phrase.
const TWO_LETTER: &[&str] =
    &["my", "up", "ur", "to", "in", "on", "of", "me", "go", "no", "so", "ya", "im", "is", "it", "an", "be"];

/// The pronouns, determiners and particles that make a run-together token a phrase rather
/// than a compound when they stand before a term at the end: `my`+`ass`, `up`+`the`+`butt`.
const GLUE: &[&str] = &["my", "mah", "ma", "your", "ur", "yo", "you", "ya", "the", "da", "yourself", "urself"];

/// The second-person reflexives of the threat patterns, which a run-together part may also be
/// with two neighbouring letters swapped (`kil` + `yourslef`): a typo no English word makes,
/// read as the word so the pattern sees it.
const REFLEXIVES: &[&str] = &["yourself", "urself", "yaself", "yoself", "yourselves", "urselves"];

/// The reflexive `p` is, with two neighbouring letters swapped (`yourslef` → `yourself`).
fn swapped_reflexive(p: &str) -> Option<&'static str> {
    let b = p.as_bytes();
    REFLEXIVES.iter().copied().find(|r| {
        let r = r.as_bytes();
        r.len() == b.len() && {
            let mut diff = (0..b.len()).filter(|&i| b[i] != r[i]);
            matches!((diff.next(), diff.next(), diff.next()), (Some(i), Some(j), None)
                if j == i + 1 && b[i] == r[j] && b[j] == r[i])
        }
    })
}

/// The object pronouns a term may be followed by at the end of a token (`screw` + `you`).
const AFTER: &[&str] = &["you", "ya", "yourself", "urself"];

/// How a split may count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Two terms run together (`gay`+`ass`), or a term at the end after a pronoun or
    /// particle (`your`+`ass`) or before one (`screw`+`you`): its parts count as the terms.
    Terms,
    /// Anything else: only what a pattern reads in the spaced phrase counts (`kil yourself`,
    /// `burn jew`); a term next to an ordinary word is how English makes compounds
    /// (`cock`+`sparrow`, `prick`+`timber`, `arse`+`smart`), not abuse.
    Phrase,
    /// A hashtag, or a token that splits only through one-letter words and any two-letter word
    /// ([`Inner::split_loose`]: `die in a fire`, `i will kill u`): it counts only where a
    /// pattern of a rule that blocks or threatens reads the **whole** spaced text, so the token
    /// is that forbidden phrase and nothing else. Such splits are chance phrases too often
    /// (`#SheIsALiar`, `for my lal`) to count any other way.
    Whole,
}

/// The entries of a built-in pack file.
fn pack_set(path: &str) -> FastSet<&'static str> {
    crate::config::source::FileSource::builtin_files()
        .iter()
        .filter(|(p, _)| *p == path)
        .flat_map(|(_, text)| entries(text))
        .collect()
}

/// The informal spellings of `rules/threat/run-together.txt`.
fn informal() -> &'static FastSet<&'static str> {
    static SET: OnceLock<FastSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| pack_set("rules/threat/run-together.txt"))
}

/// Ordinary words that stand for a term when a closed head follows them (`butt` + `wipe` is
/// `ass` + `wipe`): `rules/profanity/compound-stems.txt`, one `stem term` pair a line.
fn stems() -> &'static FastMap<&'static str, &'static str> {
    static MAP: OnceLock<FastMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        pack_set("rules/profanity/compound-stems.txt")
            .into_iter()
            .filter_map(|line| {
                let mut it = line.split_whitespace();
                let (stem, term) = (it.next()?, it.next()?);
                it.next().is_none().then_some((stem, term))
            })
            .collect()
    })
}

/// The closed heads and modifiers of abusive compounds (`rules/profanity/compound-*.txt`,
/// shared with the fuzzy pass): `shit`+`stain`, `fat`+`ass`.
fn heads_modifiers() -> &'static (FastSet<&'static str>, FastSet<&'static str>) {
    static SETS: OnceLock<(FastSet<&'static str>, FastSet<&'static str>)> = OnceLock::new();
    SETS.get_or_init(|| {
        (pack_set("rules/profanity/compound-heads.txt"), pack_set("rules/profanity/compound-modifiers.txt"))
    })
}

/// Entries of a word file: one per line, `#` starts a comment.
fn entries(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|w| !w.is_empty())
}

/// True when `w` is a word, a name or a place, also written informally: `-in` for `-ing`, or
/// an apostrophe left out (`thats`, `youre`, `dont`).
fn is_known(w: &str) -> bool {
    let d = dictionary();
    if d.contains_key(w) || (w.ends_with("in") && with_g(w, |wg| d.contains_key(wg))) {
        return true;
    }
    ["s", "nt", "re", "ll", "ve", "d", "m"]
        .iter()
        .any(|end| w.strip_suffix(end).is_some_and(|stem| stem.len() >= 3 && d.contains_key(stem)))
}

/// The cut points of a best split found by dynamic programming: `from(j)` is where the part
/// ending at `j` begins; `cuts[k]..cuts[k + 1]` is part `k` of `parts` (below `N`), the last
/// ending at `n`.
fn cut_points<const N: usize>(n: usize, parts: usize, from: impl Fn(usize) -> u8) -> [usize; N] {
    let mut cuts = [0usize; N];
    let mut j = n;
    for k in (1..=parts).rev() {
        cuts[k] = j;
        j = from(j) as usize;
    }
    cuts
}

/// A part as the split shows it: a long part the dictionary lacks may be a misspelled
/// reflexive (`yourslef`), read as the reflexive.
fn shown_part(p: &str) -> &str {
    if p.len() >= 6 && !dictionary().contains_key(p) {
        swapped_reflexive(p).unwrap_or(p)
    } else {
        p
    }
}

/// True when the word at byte `at` of `body` is a hashtag: a `#` typed just before it opens a
/// word (not `C#`, `page#top` or `&#35;`).
pub fn hashtag_at(body: &str, at: usize) -> bool {
    let before = body.as_bytes()[..at].strip_suffix(b"#");
    before.is_some_and(|b| !matches!(b.last(), Some(c) if c.is_ascii_alphanumeric() || *c == b'&'))
}

/// The splitter of a set of lists (built once at load time, shared between threads).
#[derive(Debug, Clone, Default)]
pub struct Compounds {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Every single-word term of three letters or more, normalized.
    terms: FastSet<String>,
}

/// One part of a split: where it ends and whether it is a term.
#[derive(Debug, Clone, Copy, Default)]
struct Best {
    /// Parts so far (0: unreachable, except at the start).
    parts: u8,
    /// Term parts so far.
    terms: u8,
    /// Where the last part starts.
    from: u8,
}

impl Compounds {
    /// Collects the single-word terms of `lists` (normalized like the text).
    pub fn build(lists: &[ListSpec], normalizer: &Normalizer) -> Compounds {
        let mut terms = FastSet::default();
        for list in lists {
            for raw in &list.terms {
                let raw = raw.trim().trim_matches('*');
                let core = normalizer.normalize(raw).text.trim().to_string();
                // A term written with digits is a code (`l4l`, `sub4sub`), not a word anyone
                // runs into a phrase: as `lal` it split `for` + `my` + `lal`.
                if core.len() >= 3
                    && core.bytes().all(|b| b.is_ascii_lowercase())
                    && !raw.bytes().any(|b| b.is_ascii_digit())
                {
                    terms.insert(core);
                }
            }
        }
        Compounds { inner: Arc::new(Inner { terms }) }
    }

    /// Calls `split(start, end, spaced, how)` for each token of the normalized `text` that is a
    /// run-together of known words, with the token's parts joined by single spaces in `spaced`;
    /// tokens overlapping a range of `explained` (sorted) or ruled out by `skip` are left alone.
    /// Only the strict splits ([`Split::Terms`], [`Split::Phrase`]): no hashtag is read, and a
    /// token that splits only loosely is not reported.
    pub fn find(
        &self,
        text: &str,
        explained: &[(usize, usize)],
        skip: impl Fn(usize, usize) -> bool,
        mut split: impl FnMut(usize, usize, &str, Split),
    ) {
        let strict = |s, e, spaced: &str, how| {
            if how != Split::Whole {
                split(s, e, spaced, how)
            }
        };
        self.find_typed(text, explained, skip, |_, _| false, |s, e| e - s, strict);
    }

    /// [`Self::find`], told by `typed(s, e)` how many bytes were typed for `s..e` of `text`
    /// when each is one letter typed over and over (else `e - s`; the normalizer writes a run
    /// of three or more once): a token that does not split as written may split with such a
    /// run read at two or three letters ([`Inner::split_run`]). A token typed as it reads
    /// (`typed` of it is its length) is not looked at again. A token that `tag(s, e)` says is
    /// a hashtag (`#killyourself`), though `skip` rules it out, and a token with no strict
    /// split but a loose one, are reported as [`Split::Whole`].
    pub fn find_typed(
        &self,
        text: &str,
        explained: &[(usize, usize)],
        skip: impl Fn(usize, usize) -> bool,
        tag: impl Fn(usize, usize) -> bool,
        typed: impl Fn(usize, usize) -> usize,
        mut split: impl FnMut(usize, usize, &str, Split),
    ) {
        if self.inner.terms.is_empty() {
            return;
        }
        let b = text.as_bytes();
        let mut seen = Explained::new(explained);
        let mut spaced = String::new();
        for (start, end) in runs(b, u8::is_ascii_lowercase) {
            if end - start < MIN_TOKEN || end - start > MAX_TOKEN {
                continue;
            }
            // A token glued to another script, a mask or an apostrophe is part of a longer word.
            if glued(b, start, end, b"*'") || seen.overlaps(start, end) {
                continue;
            }
            let token = &text[start..end];
            if is_known(token) {
                continue;
            }
            // A hashtag is a tag, not a sentence (political and joke tags name people and
            // groups): it counts only as a whole forbidden phrase.
            if skip(start, end) {
                if tag(start, end)
                    && (self.inner.split(token, &mut spaced).is_some() || self.inner.split_loose(token, &mut spaced))
                {
                    split(start, end, &spaced, Split::Whole);
                }
                continue;
            }
            let how = self.inner.split(token, &mut spaced).or_else(|| {
                let runs = typed(start, end) >= end - start + 2;
                runs.then(|| self.inner.split_run(token, |k| typed(start + k, start + k + 1), &mut spaced))?
            });
            if let Some(how) = how {
                split(start, end, &spaced, how);
            }
            // A phrase's strict split may have taken a word that is `a` + a word (`go` + `jump`
            // + `off` + `abridge`): the loose split is read as well when it differs.
            if matches!(how, None | Some(Split::Phrase)) {
                let strict = std::mem::take(&mut spaced);
                if self.inner.split_loose(token, &mut spaced) && (how.is_none() || spaced != strict) {
                    split(start, end, &spaced, Split::Whole);
                }
            }
        }
    }
}

impl Compounds {
    /// Writes `letters` (a word spelled out letter by letter, run together) split into its
    /// words into `out`, parts separated by a space; false when it is an English word or does
    /// not split ([`super::phrases`]).
    pub fn split_phrase(&self, letters: &str, out: &mut String) -> bool {
        (MIN_TOKEN..=MAX_TOKEN).contains(&letters.len())
            && !self.inner.terms.is_empty()
            && !is_known(letters)
            && self.inner.split(letters, out).is_some()
    }
}

impl Inner {
    /// Is `p` a part a token may be split into; is it a term? `first`: it starts the token,
    /// where the pronoun `i` is a part (`i` + `hate` + ..., `i` + `will` + `kill` + `you`).
    fn part(&self, p: &str, first: bool) -> Option<bool> {
        if self.terms.contains(p) {
            return Some(true);
        }
        let known = match p.len() {
            0 => false,
            1 => first && p == "i",
            2 => TWO_LETTER.contains(&p),
            _ => dictionary().get(p).copied().unwrap_or(false),
        };
        (known || informal().contains(p) || (p.len() >= 6 && swapped_reflexive(p).is_some())).then_some(false)
    }

    /// The split of `token` with a letter typed three times or more (`typed_run(k)` for its
    /// byte `k`) read twice, then three times: a run at the joint of two parts (`ass` +
    /// `sucker` typed `asssucker`, written `asucker`). None when a run read twice makes an
    /// English word (`passsword`, `classsic`: stretched words); two runs at most are tried.
    fn split_run(&self, token: &str, typed_run: impl Fn(usize) -> usize, out: &mut String) -> Option<Split> {
        let mut longer = String::with_capacity(token.len() + 2);
        let runs = (0..token.len()).filter(|&k| typed_run(k) >= 3).take(2);
        for k in runs {
            for times in [2, 3] {
                longer.clear();
                longer.push_str(&token[..k]);
                (1..times).for_each(|_| longer.push(char::from(token.as_bytes()[k])));
                longer.push_str(&token[k..]);
                if longer.len() > MAX_TOKEN || is_known(&longer) {
                    return None;
                }
                if let Some(how) = self.split(&longer, out) {
                    return Some(how);
                }
            }
        }
        None
    }

    /// Writes the best split of `token` (fewest parts, then most terms) into `out`, parts
    /// separated by a space; None when there is none of two to [`MAX_PARTS`] parts, else
    /// whether the split may count as terms ([`Split::Terms`]) or only as a phrase.
    fn split(&self, token: &str, out: &mut String) -> Option<Split> {
        let n = token.len();
        let mut best = [Best::default(); MAX_TOKEN + 1];
        for j in 1..=n {
            // One-letter parts only at the start (the pronoun `i`).
            for i in j.saturating_sub(MAX_PART)..if j == 1 { 1 } else { j - 1 } {
                if i > 0 && best[i].parts == 0 {
                    continue;
                }
                let Some(term) = self.part(&token[i..j], i == 0) else { continue };
                let cand = Best { parts: best[i].parts + 1, terms: best[i].terms + u8::from(term), from: i as u8 };
                let cur = best[j];
                if cur.parts == 0
                    || (cand.parts, std::cmp::Reverse(cand.terms)) < (cur.parts, std::cmp::Reverse(cur.terms))
                {
                    best[j] = cand;
                }
            }
        }
        let parts = best[n].parts as usize;
        if !(2..=MAX_PARTS).contains(&parts) {
            return None;
        }
        let cuts: [usize; MAX_PARTS + 1] = cut_points(n, parts, |j| best[j].from);
        out.clear();
        let (heads, modifiers) = heads_modifiers();
        let (mut glued, mut two, mut phrase_two) = (false, false, true);
        let mut shown = [""; MAX_PARTS];
        for k in 0..parts {
            let p = &token[cuts[k]..cuts[k + 1]];
            shown[k] = shown_part(p);
            two |= p.len() == 2;
            phrase_two &= p.len() != 2 || PHRASE_TWO.contains(&p);
            if k == 0 {
                continue;
            }
            let q = &token[cuts[k - 1]..cuts[k]];
            let last = k + 1 == parts;
            // `my` + `ass` or `up the` + `butt` at the end, `screw` + `you`; a closed
            // modifier before a term (`fat` + `ass`) or head after one (`arse` + `wipe`).
            let (pt, qt) = (self.terms.contains(p), self.terms.contains(q));
            // The compound's head ends the token: `micro` + `cono` + `don` is a chemistry or
            // biology word of prefixes and roots (`microconodon`), not `micro` + a term.
            glued |= last
                && ((GLUE.contains(&q) && pt)
                    || (AFTER.contains(&p) && qt)
                    || (modifiers.contains(q) && pt)
                    || (qt && heads.contains(p)));
            // A stem before a closed head (`butt` + `wipe`), after a closed modifier (`big` +
            // `knob`) or after a pronoun or particle (`up the` + `butt`) is read as the term it
            // stands for, when the compound ends the token.
            let head = heads.contains(p) || p.strip_suffix('s').is_some_and(|h| heads.contains(h));
            if let Some(term) = stems().get(q).filter(|_| last && head) {
                shown[k - 1] = term;
                glued = true;
            }
            if let Some(term) = stems().get(p).filter(|_| last && (modifiers.contains(q) || GLUE.contains(&q))) {
                shown[k] = term;
                glued = true;
            }
        }
        for (k, p) in shown[..parts].iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            out.push_str(p);
        }
        if best[n].terms >= 2 || glued {
            Some(Split::Terms)
        } else if two && (parts < 3 || n < LONG_PHRASE || !phrase_two) {
            // A two-letter word is a part only next to a term: elsewhere it splits
            // rare words into chance phrases (`for` + `my` + `lal`). A long token of three
            // parts or more whose two-letter words are of [`PHRASE_TWO`] is a phrase run
            // together (`go` + `kill` + `yourself`), which counts only where a pattern reads it.
            None
        } else {
            Some(Split::Phrase)
        }
    }
}
