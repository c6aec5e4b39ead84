//! The loose split of a run-together token: the strict one ([`super::Inner::split`]) takes no
//! one-letter word but a leading `i` and a two-letter word only beside a term, because such
//! parts split rare words into chance phrases. A threat or a death wish run together goes
//! through exactly those words (`die`+`in`+`a`+`fire`, `i`+`will`+`kill`+`u`), so a token with
//! no strict split is split once more with them; what it spells counts only where a blocking
//! or threat pattern reads the whole of it ([`super::Split::Whole`]).

use super::{Inner, MAX_TOKEN, TWO_LETTER};

/// Fewest letters of a token split loosely: a shorter one is a typo or a word of another
/// language far more often than a phrase (`dieinafire` has ten, `ihopeudie` nine).
const MIN_LETTERS: usize = 8;

/// Most parts of a loose split (`go jump off a bridge`, `i hope you get cancer`).
const MAX_PARTS: usize = 7;

/// One-letter words of a phrase: the article, the pronoun, txt's `u` for `you`.
const ONE_LETTER: &[&str] = &["a", "i", "u"];

/// Two-letter words a loose split may hold beyond [`TWO_LETTER`]: the prepositions and
/// pronouns of the threat and death-wish phrases (`at`, `by`, `we`, `us`, `he`).
const MORE_TWO: &[&str] = &["at", "by", "we", "us", "he", "or", "if", "as", "do", "ur", "ya"];

/// One place of the loose split's table.
#[derive(Debug, Clone, Copy, Default)]
struct Step {
    /// Parts so far (0: unreachable, except at the start).
    parts: u8,
    /// Parts of two letters or more so far: a one-letter word costs nothing, so `a fire` is
    /// read where English also has `afire`, and `a head` where it has `ahead`.
    cost: u8,
    /// Where the last part starts.
    from: u8,
}

impl Inner {
    /// Writes the loose split of `token` into `out` (parts separated by a space): the fewest
    /// parts of two letters or more, then the most parts; false when it has fewer than two
    /// parts or more than [`MAX_PARTS`], or a part is no word.
    pub(super) fn split_loose(&self, token: &str, out: &mut String) -> bool {
        let n = token.len();
        if !(MIN_LETTERS..=MAX_TOKEN).contains(&n) {
            return false;
        }
        let mut best = [Step::default(); MAX_TOKEN + 1];
        for j in 1..=n {
            for i in j.saturating_sub(super::MAX_PART)..j {
                if i > 0 && best[i].parts == 0 {
                    continue;
                }
                let p = &token[i..j];
                let word = match p.len() {
                    1 => ONE_LETTER.contains(&p),
                    2 => TWO_LETTER.contains(&p) || MORE_TWO.contains(&p),
                    _ => self.part(p, false).is_some(),
                };
                if !word {
                    continue;
                }
                let cand = Step { parts: best[i].parts + 1, cost: best[i].cost + u8::from(p.len() > 1), from: i as u8 };
                let cur = best[j];
                if cur.parts == 0
                    || (cand.cost, std::cmp::Reverse(cand.parts)) < (cur.cost, std::cmp::Reverse(cur.parts))
                {
                    best[j] = cand;
                }
            }
        }
        let parts = best[n].parts as usize;
        if !(2..=MAX_PARTS).contains(&parts) {
            return false;
        }
        let cuts: [usize; MAX_PARTS + 1] = super::cut_points(n, parts, |j| best[j].from);
        out.clear();
        for k in 0..parts {
            if k > 0 {
                out.push(' ');
            }
            let p = &token[cuts[k]..cuts[k + 1]];
            out.push_str(super::shown_part(p));
        }
        true
    }
}
