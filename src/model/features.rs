//! Features of a normalized text: hashed word unigrams and bigrams.
//!
//! A group's name ("jews", "muslims", "gay", "women": [`is_group_word`]) is replaced by one
//! placeholder word, [`GROUP`], and every feature touching it is a *group feature*, whose
//! weight training keeps at or below 0 and inference reads as at most 0: naming a group is never
//! evidence of an attack ("the war killed jews and muslims alike"); the words said about it are.
//!
//! Words are runs of letters and digits (an apostrophe inside a word stays: "don't") in the
//! normalizer's output, so `f.u.c.k` and `ｆｕｃｋ` are already the word `fuck` here. The shipped
//! model has no character n-grams, so "Scunthorpe" and "cocktail" are the words they are; a
//! model trained with them ([`grams`]) never learns an n-gram that spells a word. The hash is written out here (FNV-1a, then a mixer) so a model file
//! means the same on every platform and every build.

use std::ops::Range;

/// One word of the normalized text: its hash and its byte range in the normalized text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// [`word_hash`] of the word's text.
    pub hash: u64,
    /// Start in the normalized text.
    pub start: u32,
    /// End in the normalized text.
    pub end: u32,
    /// True for a group's name (its hash is then [`GROUP`]).
    pub group: bool,
    /// True for a function word ([`is_function_word`]): alone it is no evidence.
    pub function: bool,
}

impl Word {
    /// The byte range in the normalized text.
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Most words one comment contributes (the first ones): bounds the work on a huge body, and a
/// sentence-level model has seen its evidence long before.
pub const MAX_WORDS: usize = 4096;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The hash every group name is read as (a fixed constant: a real word's hash equals it with
/// chance 2^-64).
pub const GROUP: u64 = 0x6a09_e667_f3bc_c908;

/// The names of groups of people (ethnicity, nationality, religion, gender, sexuality, migration
/// status, political side), in the normalizer's lowercase form. Single words only: the words of
/// `rules/identity/groups.txt` and their singular / adjective forms.
pub const GROUP_WORDS: [&str; 153] = [
    "african",
    "africans",
    "american",
    "americans",
    "arab",
    "arabs",
    "arabic",
    "armenian",
    "armenians",
    "asian",
    "asians",
    "azeri",
    "azeris",
    "azerbaijani",
    "azerbaijanis",
    "black",
    "blacks",
    "brown",
    "browns",
    "white",
    "whites",
    "chinese",
    "european",
    "europeans",
    "hispanic",
    "hispanics",
    "indian",
    "indians",
    "iranian",
    "iranians",
    "iraqi",
    "iraqis",
    "irish",
    "israeli",
    "israelis",
    "italian",
    "italians",
    "japanese",
    "jew",
    "jews",
    "jewish",
    "kurd",
    "kurds",
    "kurdish",
    "latino",
    "latinos",
    "latina",
    "latinas",
    "mexican",
    "mexicans",
    "mongol",
    "mongols",
    "mongolian",
    "mongolians",
    "pakistani",
    "pakistanis",
    "palestinian",
    "palestinians",
    "persian",
    "persians",
    "poles",
    "roma",
    "russian",
    "russians",
    "somali",
    "somalis",
    "syrian",
    "syrians",
    "turk",
    "turks",
    "turkish",
    "ukrainian",
    "ukrainians",
    "afghan",
    "afghans",
    "nigerian",
    "nigerians",
    "haitian",
    "haitians",
    "korean",
    "koreans",
    "filipino",
    "filipinos",
    "filipina",
    "rican",
    "ricans",
    "muslim",
    "muslims",
    "moslem",
    "moslems",
    "islam",
    "islamic",
    "christian",
    "christians",
    "christianity",
    "catholic",
    "catholics",
    "hindu",
    "hindus",
    "sikh",
    "sikhs",
    "mormon",
    "mormons",
    "atheist",
    "atheists",
    "judaism",
    "buddhist",
    "buddhists",
    "immigrant",
    "immigrants",
    "migrant",
    "migrants",
    "refugee",
    "refugees",
    "foreigner",
    "foreigners",
    "asylum",
    "women",
    "woman",
    "female",
    "females",
    "men",
    "gay",
    "gays",
    "homosexual",
    "homosexuals",
    "lesbian",
    "lesbians",
    "transgender",
    "transgenders",
    "trans",
    "bisexual",
    "bisexuals",
    "lgbt",
    "lgbtq",
    // Political sides: a news site's readers name them in most comments on politics, and the
    // datasets' "group" targets include them (OLID), so their names alone were learned as
    // attacks ("Most Republicans support the new farm bill" was held for review).
    "democrat",
    "democrats",
    "dems",
    "republican",
    "republicans",
    "gop",
    "liberal",
    "liberals",
    "conservative",
    "conservatives",
    "progressive",
    "progressives",
    "leftist",
    "leftists",
    "libertarian",
    "libertarians",
    "tory",
    "tories",
];

/// True for the name of a group of people ([`GROUP_WORDS`]).
pub fn is_group_word(w: &str) -> bool {
    GROUP_WORDS.contains(&w)
}

/// Function words ("the", "they", "his", ...): a unigram of one weighs at most 0, like a group
/// feature, because a dataset's habits ("they" in hate speech, "the" in tweets) are not
/// evidence; pairs with it ("shut up") still are.
pub const FUNCTION_WORDS: [&str; 84] = [
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as", "is", "are",
    "was", "were", "be", "been", "am", "do", "does", "did", "have", "has", "had", "i", "me", "my", "we", "us", "our",
    "you", "your", "he", "him", "his", "she", "her", "it", "its", "they", "them", "their", "this", "that", "these",
    "those", "there", "here", "what", "who", "which", "when", "where", "why", "how", "all", "some", "any", "no", "not",
    "so", "if", "then", "than", "just", "like", "up", "down", "out", "about", "can", "will", "would", "should",
    "could", "im", "i'm", "it's", "don't",
];

/// True for a function word ([`FUNCTION_WORDS`]).
pub fn is_function_word(w: &str) -> bool {
    FUNCTION_WORDS.contains(&w)
}

/// True when the feature of words `i..=j` may only weigh at most 0: it touches a group's name,
/// or it is a function word alone.
#[inline]
pub fn capped(words: &[Word], i: usize, j: usize) -> bool {
    words[i].group || words[j].group || (i == j && words[i].function)
}

/// The stable 64-bit hash of one word.
pub fn word_hash(word: &str) -> u64 {
    let mut h = FNV_OFFSET;
    for b in word.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    mix(h)
}

/// The feature of a comment's hit by the rule `id` (its rule-hit feature, so the model learns
/// what the rules miss): a hash no word has (the id is salted with a byte no word holds).
pub fn rule_hash(id: &str) -> u64 {
    mix(word_hash(id) ^ 0x7275_6c65_0000_0001)
}

/// The hash of the bigram `a b` (order matters).
pub fn bigram_hash(a: u64, b: u64) -> u64 {
    mix(a.rotate_left(17) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5bd1_e995)
}

/// splitmix64's finalizer: spreads the bits so the top bits make a good bucket index.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The bucket of a feature hash in a table of `2^bits` entries.
#[inline]
pub fn bucket(hash: u64, bits: u8) -> usize {
    (hash >> (64 - u32::from(bits))) as usize
}

/// The fingerprint of a feature hash (1..=255, from bits the bucket does not use). A bucket
/// keeps the weight of its most frequent training feature and that feature's fingerprint; a
/// feature with another fingerprint (a word never seen, colliding with a known one) weighs 0,
/// so "Stirling" cannot inherit the weight of a slur that shares its bucket.
#[inline]
pub fn fingerprint(hash: u64) -> u8 {
    ((hash & 0xff) as u8).max(1)
}

/// What a word is, by its hash: a group's name, a function word, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Other,
    Group,
    Function,
}

/// The hashes of [`GROUP_WORDS`] and [`FUNCTION_WORDS`] in a small open-addressing table, so
/// that splitting a text classifies each word with one probe instead of comparing it with
/// every listed word (a different word with the same 64-bit hash: chance 2^-64 per word).
struct Kinds {
    keys: Vec<u64>,
    kinds: Vec<Kind>,
}

const KINDS_BITS: u32 = 10;

impl Kinds {
    fn build() -> Kinds {
        let mut t = Kinds { keys: vec![0; 1 << KINDS_BITS], kinds: vec![Kind::Other; 1 << KINDS_BITS] };
        let listed =
            GROUP_WORDS.iter().map(|w| (w, Kind::Group)).chain(FUNCTION_WORDS.iter().map(|w| (w, Kind::Function)));
        for (w, k) in listed {
            let h = word_hash(w);
            let mut s = (h >> (64 - KINDS_BITS)) as usize;
            while t.kinds[s] != Kind::Other && t.keys[s] != h {
                s = (s + 1) & ((1 << KINDS_BITS) - 1);
            }
            t.keys[s] = h;
            t.kinds[s] = k;
        }
        t
    }

    #[inline]
    fn get(&self, h: u64) -> Kind {
        let mut s = (h >> (64 - KINDS_BITS)) as usize;
        loop {
            let k = self.kinds[s];
            if k == Kind::Other || self.keys[s] == h {
                return k;
            }
            s = (s + 1) & ((1 << KINDS_BITS) - 1);
        }
    }
}

fn kinds() -> &'static Kinds {
    static KINDS: std::sync::OnceLock<Kinds> = std::sync::OnceLock::new();
    KINDS.get_or_init(Kinds::build)
}

/// ASCII letters and digits, by byte (the splitter's fast path).
const ASCII_WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 128 {
        t[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    t
};

/// The byte length of the word character starting at byte `i` of `text` (a letter or digit,
/// or an apostrophe followed by one when `inner`), or 0. The general case: [`words`] handles
/// ASCII letters and digits inline.
fn word_char(text: &str, i: usize, inner: bool) -> usize {
    let b = text.as_bytes();
    let Some(&c) = b.get(i) else { return 0 };
    if ASCII_WORD[usize::from(c)] {
        return 1;
    }
    if c < 0x80 {
        return usize::from(inner && c == b'\'' && word_char(text, i + 1, false) > 0);
    }
    let Some(ch) = text.get(i..).and_then(|t| t.chars().next()) else { return 0 };
    let len = ch.len_utf8();
    if ch.is_alphanumeric() || (inner && ch == '\u{2019}' && word_char(text, i + len, false) > 0) {
        len
    } else {
        0
    }
}

/// Splits `text` into words (into `out`, cleared first), at most [`MAX_WORDS`]: runs of
/// letters and digits, an apostrophe (' or ’) inside a word staying ("don't"). One pass over
/// the bytes that hashes each word as it goes; runs of ASCII letters and digits take a tight
/// inline loop, anything else goes through [`word_char`].
pub fn words(text: &str, out: &mut Vec<Word>) {
    out.clear();
    let kinds = kinds();
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n && out.len() < MAX_WORDS {
        let c = b[i];
        if !ASCII_WORD[usize::from(c)] && (c < 0x80 || word_char(text, i, false) == 0) {
            // Not a word's start: skip the character (`i` stays on character boundaries).
            i += utf8_len(c);
            continue;
        }
        let start = i;
        let mut h = FNV_OFFSET;
        loop {
            while i < n && ASCII_WORD[usize::from(b[i])] {
                h = (h ^ u64::from(b[i])).wrapping_mul(FNV_PRIME);
                i += 1;
            }
            // Most words end at an ASCII byte that is not an apostrophe: no call.
            let len = match b.get(i) {
                None => 0,
                Some(&c) if c < 0x80 && c != b'\'' => 0,
                Some(_) => word_char(text, i, true),
            };
            if len == 0 {
                break;
            }
            for &c in &b[i..i + len] {
                h = (h ^ u64::from(c)).wrapping_mul(FNV_PRIME);
            }
            i += len;
        }
        push(start, i, mix(h), kinds, out);
    }
}

/// The length of the UTF-8 sequence a leading byte starts.
#[inline]
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

fn push(s: usize, e: usize, hash: u64, kinds: &Kinds, out: &mut Vec<Word>) {
    // The normalizer's text is bounded by [limits] max_body_bytes, far below u32::MAX; a text
    // beyond it simply ends the word list.
    let (Ok(start), Ok(end)) = (u32::try_from(s), u32::try_from(e)) else { return };
    let kind = kinds.get(hash);
    let group = kind == Kind::Group;
    out.push(Word { hash: if group { GROUP } else { hash }, start, end, group, function: kind == Kind::Function });
}

/// Calls `f(feature_hash, first_word, last_word)` for every unigram and bigram of `words`, in
/// order: word i, then the bigram (i-1, i).
#[inline]
pub fn for_each_feature(words: &[Word], f: impl FnMut(u64, usize, usize)) {
    for_each_feature_with(words, &[], f);
}

/// [`for_each_feature`], then every character n-gram of `grams` (word `g.word` both first and
/// last word).
#[inline]
pub fn for_each_feature_with(words: &[Word], grams: &[Gram], mut f: impl FnMut(u64, usize, usize)) {
    for (i, w) in words.iter().enumerate() {
        f(w.hash, i, i);
        if i > 0 {
            f(bigram_hash(words[i - 1].hash, w.hash), i - 1, i);
        }
    }
    for g in grams {
        f(g.hash, g.word as usize, g.word as usize);
    }
}

/// A model's extra features of `text` (into `out`, cleared first): character n-grams
/// ([`grams`]) when `chars`, context features ([`context`]) when `context`.
pub fn extras(text: &str, words: &[Word], chars: bool, context_words: bool, out: &mut Vec<Gram>) {
    out.clear();
    if chars {
        grams(text, words, out);
    }
    if context_words {
        context(words, out);
    }
}

/// Calls `f(first_word, last_word)` for every feature of [`for_each_feature_with`], in the
/// same order, without hashing (for per-word shares of features already looked up).
#[inline]
pub fn for_each_place(words: &[Word], grams: &[Gram], mut f: impl FnMut(usize, usize)) {
    for i in 0..words.len() {
        f(i, i);
        if i > 0 {
            f(i - 1, i);
        }
    }
    for g in grams {
        f(g.word as usize, g.word as usize);
    }
}

/// One extra feature of a word: a character n-gram ([`grams`]) or a context feature
/// ([`context`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gram {
    /// The feature's hash (its letters and which boundary marks it holds).
    pub hash: u64,
    /// [`word_hash`] of its letters alone, without the marks: training drops every n-gram whose
    /// letters spell a word (see [`grams`]).
    pub letters: u64,
    /// Index of its word.
    pub word: u32,
}

/// Shortest and longest character n-gram, boundary marks included.
pub const GRAM_MIN: usize = 3;
/// See [`GRAM_MIN`].
pub const GRAM_MAX: usize = 5;
/// Only the first bytes of a long word give n-grams (bounds the work on a hostile word).
pub const GRAM_WORD_BYTES: usize = 24;

/// Words that address the reader: the words after one (within [`CONTEXT_WINDOW`]) also give a
/// "said to you" feature ([`context`]).
pub const SECOND_PERSON: [&str; 12] =
    ["you", "your", "you're", "youre", "u", "ur", "yourself", "yours", "ya", "ye", "y'all", "yall"];
/// Negations: the words after one (within [`CONTEXT_WINDOW`]) also give a "negated" feature.
pub const NEGATIONS: [&str; 22] = [
    "not", "no", "never", "don't", "dont", "isn't", "isnt", "ain't", "aint", "can't", "cant", "cannot", "won't",
    "nobody", "nothing", "neither", "nor", "without", "didn't", "doesn't", "wasn't", "aren't",
];
/// How many words after a cue its context reaches.
pub const CONTEXT_WINDOW: usize = 3;

/// Context features (into `out`, appended): every word that is not a function word or a
/// group's name, within [`CONTEXT_WINDOW`] words after a second-person word ("you are a
/// *clown*") or a negation ("not *stupid*"), gives a feature of the word in that context, a
/// hash no plain word has. Its weight is the word's own (spans, spread rule); its `letters` are
/// 0, so training never drops it.
pub fn context(words: &[Word], out: &mut Vec<Gram>) {
    let cues = cues();
    let (mut you, mut not) = (usize::MAX, usize::MAX);
    for (i, w) in words.iter().enumerate() {
        if !(w.group || w.function) {
            if you != usize::MAX && i - you <= CONTEXT_WINDOW {
                out.push(Gram { hash: mix(w.hash ^ 0x796f_7500_0000_0001), letters: 0, word: i as u32 });
            }
            if not != usize::MAX && i - not <= CONTEXT_WINDOW {
                out.push(Gram { hash: mix(w.hash ^ 0x6e6f_7400_0000_0001), letters: 0, word: i as u32 });
            }
        }
        match cues.iter().find(|c| c.0 == w.hash) {
            Some((_, true)) => you = i,
            Some((_, false)) => not = i,
            None => {}
        }
    }
}

fn cues() -> &'static [(u64, bool)] {
    static CUES: std::sync::OnceLock<Vec<(u64, bool)>> = std::sync::OnceLock::new();
    CUES.get_or_init(|| {
        SECOND_PERSON
            .iter()
            .map(|w| (word_hash(w), true))
            .chain(NEGATIONS.iter().map(|w| (word_hash(w), false)))
            .collect()
    })
}

/// Salts of an n-gram's hash by its boundary marks: none, start only, end only.
const GRAM_SALT: [u64; 3] = [0x6772_616d_0000_0001, 0x6772_616d_0000_0002, 0x6772_616d_0000_0003];

/// Character n-grams inside each word (into `out`, cleared first): the word padded with a start
/// and an end mark (`^cocktail$`), every run of [`GRAM_MIN`] to [`GRAM_MAX`] bytes of it except
/// the whole padded word (that is the unigram); appended to `out`. An n-gram never spans two words, and group
/// names and function words give none. What keeps "Scunthorpe" and "cocktail" from carrying a
/// listed word's evidence: an n-gram's feature is its letters *and* its marks (`^cock` inside
/// `cocktail` is a different feature from the word `cock`), and training keeps no n-gram whose
/// letters spell a word of the training text ([`Gram::letters`]), so `cunt` inside
/// "Scunthorpe", or `^cock` at the start of "cocktail", weighs exactly 0.
pub fn grams(text: &str, words: &[Word], out: &mut Vec<Gram>) {
    let b = text.as_bytes();
    for (i, w) in words.iter().enumerate() {
        if w.group || w.function {
            continue;
        }
        let Some(word) = b.get(w.start as usize..(w.end as usize).min(w.start as usize + GRAM_WORD_BYTES)) else {
            continue;
        };
        let cut = (w.end - w.start) as usize > word.len();
        let padded = word.len() + 2;
        for n in GRAM_MIN..=GRAM_MAX {
            for s in 0..(padded + 1).saturating_sub(n) {
                let (start, end) = (s == 0, s + n == padded);
                if end && (start || cut) {
                    continue;
                }
                let letters = &word[s.saturating_sub(1)..(s + n - 1).min(word.len())];
                let mut h = FNV_OFFSET;
                for &c in letters {
                    h = (h ^ u64::from(c)).wrapping_mul(FNV_PRIME);
                }
                let letters = mix(h);
                let salt = GRAM_SALT[usize::from(start) + 2 * usize::from(end)];
                out.push(Gram { hash: mix(letters ^ salt), letters, word: i as u32 });
            }
        }
    }
}

/// Every feature of `words` as (hash, [`capped`]), into `out` (cleared first).
pub fn features(words: &[Word], out: &mut Vec<(u64, bool)>) {
    out.clear();
    for_each_feature(words, |h, i, j| out.push((h, capped(words, i, j))));
}

/// How many features [`for_each_feature`] yields for `n` words.
pub fn feature_count(n: usize) -> usize {
    (2 * n).saturating_sub(1)
}
