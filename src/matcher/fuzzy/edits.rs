//! What counts as one edit between a word and a term: the evaders' and typists' changes
//! (a vowel for a vowel, a look-alike, a sound-alike, a voiced/voiceless pair, a digit or `x`,
//! a vowel left out, a letter slipped in, two neighbours swapped), and the banded edit distance
//! that prices them. Split from the pass itself ([`super`]), which decides *which* words and
//! terms are compared.

/// Doubled letters written once (`nigger` → `niger`, `niiger` → `niger`).
pub(super) fn collapse(w: &[u8], out: &mut Vec<u8>) {
    out.clear();
    for &b in w {
        if out.last() != Some(&b) {
            out.push(b);
        }
    }
}

/// The edit budget of a key of `len` letters (doubles written once); a four-letter key only
/// takes a letter slipped inside ([`slipped_in`]).
pub(super) fn budget(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// True when `token` is `key` with one interior vowel left out (`fgot` for `fagot`).
pub(super) fn dropped_vowel(token: &[u8], key: &[u8]) -> bool {
    token.len() + 1 == key.len()
        && (1..key.len() - 1).any(|i| {
            matches!(key[i], b'a' | b'e' | b'i' | b'o' | b'u') && token[..i] == key[..i] && token[i..] == key[i + 1..]
        })
}

/// True when `token` is `key` with one letter slipped in after its first letter.
pub(super) fn slipped_in(token: &[u8], key: &[u8]) -> bool {
    token.len() == key.len() + 1 && (1..token.len() - 1).any(|i| token[..i] == key[..i] && token[i + 1..] == key[i..])
}

/// `a` written for the term's `b` because it is drawn alike: `q` for `g` (`niqqa`), `v` or `w`
/// for `u` (`fvck`, `qweer`: `w` is drawn as a doubled `u`), `i` for `l` (`s1ut`: the
/// normalizer reads that `1` as `i`), `j` for `i` (`njgger`: the same stroke with a tail).
pub(super) fn look_alike(a: u8, b: u8) -> bool {
    matches!((a, b), (b'q', b'g') | (b'v', b'u') | (b'w', b'u') | (b'i', b'l') | (b'j', b'i'))
}

/// Writes `key` as it sounds where English spells one sound two ways: `ck` is `k` (`nickker`
/// and `nikker`, `fuhk` and `fuck` are then one edit apart). Returns whether it changed.
pub(super) fn sound_key(key: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut changed = false;
    for (i, &b) in key.iter().enumerate() {
        if b == b'c' && key.get(i + 1) == Some(&b'k') {
            changed = true;
            continue;
        }
        if out.last() != Some(&b) {
            out.push(b);
        }
    }
    changed
}

/// True when `token` is `key` with an `h` slipped in after a vowel (`fuhk` for `fuk`): the
/// breathed spelling evaders write; after a consonant it makes a digraph (`ch`, `sh`, `th`),
/// which is how a different word is spelled (`chuk` is not `cuk`).
pub(super) fn breathed_h(token: &[u8], key: &[u8]) -> bool {
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    token.len() == key.len() + 1
        && (1..token.len() - 1)
            .any(|i| token[i] == b'h' && vowel(token[i - 1]) && token[..i] == key[..i] && token[i + 1..] == key[i..])
}

/// True when `token` is `key` with two of its vowels traded places, further apart than
/// neighbours (`neggir` for `nigger`: `negir` / `niger`): the consonants, which a reader reads
/// the word by, are all in place. One edit, like a swap of neighbours.
pub(super) fn vowels_crossed(token: &[u8], key: &[u8]) -> bool {
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    if token.len() != key.len() {
        return false;
    }
    let mut diff = (0..key.len()).filter(|&i| token[i] != key[i]);
    let (Some(i), Some(j), None) = (diff.next(), diff.next(), diff.next()) else { return false };
    j > i + 1 && vowel(key[i]) && vowel(key[j]) && token[i] == key[j] && token[j] == key[i]
}

/// True when `token` is `key` with exactly one letter written as a look-alike (`niqa`, `siut`).
pub(super) fn one_look_alike(token: &[u8], key: &[u8]) -> bool {
    token.len() == key.len() && {
        let mut diff = token.iter().zip(key).filter(|(a, b)| a != b);
        diff.next().is_some_and(|(&a, &b)| look_alike(a, b)) && diff.next().is_none()
    }
}

/// Letters that sound or look alike: a first or last letter may be written as the other
/// (`chinc`, `kunt`, `nigaz`).
pub(super) fn same_sound(a: u8, b: u8) -> bool {
    a == b
        || look_alike(a, b)
        || look_alike(b, a)
        || matches!((a.min(b), a.max(b)), (b'c', b'k') | (b'c', b'q') | (b'k', b'q') | (b's', b'z') | (b'i', b'y'))
}

/// A consonant and its voiced or voiceless partner (`niker`, `fuged`): one edit inside a word.
fn voiced_pair(a: u8, b: u8) -> bool {
    matches!((a.min(b), a.max(b)), (b'b', b'p') | (b'd', b't') | (b'g', b'k') | (b'f', b'v') | (b'c', b'g'))
}

/// The cost of writing `a` (in the word) where the term has `b`: one edit for what evaders and
/// typists do (a vowel for a vowel, a look-alike or sound-alike, a voiced/voiceless pair, a digit
/// or `x` for any letter); more than any budget for the rest, which is how a different word is
/// spelled (`nigth` is not `nigah`, `cockie` is not `cochie`).
fn change_cost(a: u8, b: u8) -> usize {
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    if a == b {
        0
    } else if (vowel(a) && vowel(b)) || same_sound(a, b) || voiced_pair(a, b) || a.is_ascii_digit() || a == b'x' {
        1
    } else {
        3
    }
}

/// True when the optimal-string-alignment distance of `a` (the word) and `b` (the term) is at
/// most `k`: a letter inserted or two neighbours swapped cost one edit, a letter changed costs
/// [`change_cost`], a letter of the term left out one edit for a vowel and two for a consonant.
/// A banded computation, O(len × k).
pub(super) fn within(a: &[u8], b: &[u8], k: usize) -> bool {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > k {
        return false;
    }
    const BIG: usize = usize::MAX / 4;
    const W: usize = 64;
    if m >= W || n >= W {
        return false;
    }
    // Three rows of the full table; only the band |i - j| <= k is computed.
    let (mut prev2, mut prev, mut cur) = ([BIG; W], [BIG; W], [BIG; W]);
    for (j, p) in prev.iter_mut().enumerate().take(m.min(k) + 1) {
        *p = j;
    }
    for i in 1..=n {
        cur[..=m].fill(BIG);
        if i <= k {
            cur[0] = i;
        }
        let (lo, hi) = (i.saturating_sub(k).max(1), (i + k).min(m));
        let mut row_min = cur[0];
        for j in lo..=hi {
            let cost = change_cost(a[i - 1], b[j - 1]);
            // A letter of the term left out: a vowel is one edit, a consonant two (evaders drop
            // vowels; `sandia` is not `sandniga` with two letters gone).
            let dropped = if matches!(b[j - 1], b'a' | b'e' | b'i' | b'o' | b'u') { 1 } else { 2 };
            let mut d = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + dropped);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > k {
            return false;
        }
        prev2 = prev;
        prev = cur;
    }
    prev[m] <= k
}
