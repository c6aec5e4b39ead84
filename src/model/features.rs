//! Features of a normalized text: hashed word unigrams and bigrams.
//!
//! A group's name ("jews", "muslims", "gay", "women": [`is_group_word`]) is replaced by one
//! placeholder word, [`GROUP`], and every feature touching it is a *group feature*, whose
//! weight training keeps at or below 0 and inference reads as at most 0: naming a group is never
//! evidence of an attack ("the war killed jews and muslims alike"); the words said about it are.
//!
//! Words are runs of letters and digits (an apostrophe inside a word stays: "don't") in the
//! normalizer's output, so `f.u.c.k` and `ｆｕｃｋ` are already the word `fuck` here. There are
//! no character n-grams: a piece of a word is never evidence, so "Scunthorpe" and "cocktail"
//! are the words they are. The hash is written out here (FNV-1a, then a mixer) so a model file
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

/// True for the name of a group of people (ethnicity, nationality, religion, gender,
/// sexuality, migration status), in the normalizer's lowercase form. Single words only: the
/// words of `rules/identity/groups.txt` and their singular / adjective forms.
pub fn is_group_word(w: &str) -> bool {
    matches!(
        w,
        "african"
            | "africans"
            | "american"
            | "americans"
            | "arab"
            | "arabs"
            | "arabic"
            | "armenian"
            | "armenians"
            | "asian"
            | "asians"
            | "azeri"
            | "azeris"
            | "azerbaijani"
            | "azerbaijanis"
            | "black"
            | "blacks"
            | "brown"
            | "browns"
            | "white"
            | "whites"
            | "chinese"
            | "european"
            | "europeans"
            | "hispanic"
            | "hispanics"
            | "indian"
            | "indians"
            | "iranian"
            | "iranians"
            | "iraqi"
            | "iraqis"
            | "irish"
            | "israeli"
            | "israelis"
            | "italian"
            | "italians"
            | "japanese"
            | "jew"
            | "jews"
            | "jewish"
            | "kurd"
            | "kurds"
            | "kurdish"
            | "latino"
            | "latinos"
            | "latina"
            | "latinas"
            | "mexican"
            | "mexicans"
            | "mongol"
            | "mongols"
            | "mongolian"
            | "mongolians"
            | "pakistani"
            | "pakistanis"
            | "palestinian"
            | "palestinians"
            | "persian"
            | "persians"
            | "poles"
            | "roma"
            | "russian"
            | "russians"
            | "somali"
            | "somalis"
            | "syrian"
            | "syrians"
            | "turk"
            | "turks"
            | "turkish"
            | "ukrainian"
            | "ukrainians"
            | "afghan"
            | "afghans"
            | "nigerian"
            | "nigerians"
            | "haitian"
            | "haitians"
            | "korean"
            | "koreans"
            | "filipino"
            | "filipinos"
            | "filipina"
            | "rican"
            | "ricans"
            | "muslim"
            | "muslims"
            | "moslem"
            | "moslems"
            | "islam"
            | "islamic"
            | "christian"
            | "christians"
            | "christianity"
            | "catholic"
            | "catholics"
            | "hindu"
            | "hindus"
            | "sikh"
            | "sikhs"
            | "mormon"
            | "mormons"
            | "atheist"
            | "atheists"
            | "judaism"
            | "buddhist"
            | "buddhists"
            | "immigrant"
            | "immigrants"
            | "migrant"
            | "migrants"
            | "refugee"
            | "refugees"
            | "foreigner"
            | "foreigners"
            | "asylum"
            | "women"
            | "woman"
            | "female"
            | "females"
            | "men"
            | "gay"
            | "gays"
            | "homosexual"
            | "homosexuals"
            | "lesbian"
            | "lesbians"
            | "transgender"
            | "transgenders"
            | "trans"
            | "bisexual"
            | "bisexuals"
            | "lgbt"
            | "lgbtq"
    )
}

/// True for a function word ("the", "they", "his", ...): its unigram weighs at most 0, like a
/// group feature, because a dataset's habits ("they" in hate speech, "the" in tweets) are not
/// evidence; pairs with it ("shut up") still are.
pub fn is_function_word(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "and"
            | "or"
            | "but"
            | "of"
            | "to"
            | "in"
            | "on"
            | "at"
            | "for"
            | "with"
            | "by"
            | "from"
            | "as"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "am"
            | "do"
            | "does"
            | "did"
            | "have"
            | "has"
            | "had"
            | "i"
            | "me"
            | "my"
            | "we"
            | "us"
            | "our"
            | "you"
            | "your"
            | "he"
            | "him"
            | "his"
            | "she"
            | "her"
            | "it"
            | "its"
            | "they"
            | "them"
            | "their"
            | "this"
            | "that"
            | "these"
            | "those"
            | "there"
            | "here"
            | "what"
            | "who"
            | "which"
            | "when"
            | "where"
            | "why"
            | "how"
            | "all"
            | "some"
            | "any"
            | "no"
            | "not"
            | "so"
            | "if"
            | "then"
            | "than"
            | "just"
            | "like"
            | "up"
            | "down"
            | "out"
            | "about"
            | "can"
            | "will"
            | "would"
            | "should"
            | "could"
            | "im"
            | "i'm"
            | "it's"
            | "don't"
    )
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

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Splits `text` into words (into `out`, cleared first), at most [`MAX_WORDS`].
pub fn words(text: &str, out: &mut Vec<Word>) {
    out.clear();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let inner_apostrophe =
            (c == '\'' || c == '’') && start.is_some() && chars.peek().is_some_and(|&(_, n)| is_word_char(n));
        if is_word_char(c) || inner_apostrophe {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            push(text, s, i, out);
            if out.len() >= MAX_WORDS {
                return;
            }
        }
    }
    if let Some(s) = start {
        push(text, s, text.len(), out);
    }
}

fn push(text: &str, s: usize, e: usize, out: &mut Vec<Word>) {
    // The normalizer's text is bounded by [limits] max_body_bytes, far below u32::MAX; a text
    // beyond it simply ends the word list.
    let (Ok(start), Ok(end)) = (u32::try_from(s), u32::try_from(e)) else { return };
    let w = &text[s..e];
    let group = is_group_word(w);
    let hash = if group { GROUP } else { word_hash(w) };
    out.push(Word { hash, start, end, group, function: !group && is_function_word(w) });
}

/// Calls `f(feature_hash, first_word, last_word)` for every unigram and bigram of `words`, in
/// order: word i, then the bigram (i-1, i).
#[inline]
pub fn for_each_feature(words: &[Word], mut f: impl FnMut(u64, usize, usize)) {
    for (i, w) in words.iter().enumerate() {
        f(w.hash, i, i);
        if i > 0 {
            f(bigram_hash(words[i - 1].hash, w.hash), i - 1, i);
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
