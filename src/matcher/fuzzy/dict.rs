//! The English words, names and places of the built-in pack's Scunthorpe lint lists, as a
//! hash table laid out by `build.rs` and compiled into the binary: nothing is built at run
//! time (building a hash map of the ~132,000 words on first use was 51 M instructions of every
//! run's start, docs/bench.md), and its pages are read from the executable only as lookups touch
//! them.
//!
//! Layout: `dict_words.bin` is the words end to end; `dict_table.bin` is a power-of-two number
//! of 16-byte slots, open addressing with linear probing at most half full. A slot is two
//! little-endian `u64`: the entry, 0 when empty, else bit 63 set, bit 40 the word is from
//! `english.txt`, bits 32..40 its length and bits 0..32 its offset in the words; then the word's
//! first eight bytes ([`head8`]). Most words looked up are eight bytes or shorter, so one slot
//! read decides them, and a longer one reads the words only when its first eight bytes match:
//! the words are read from memory far less (lookups were 9.6 % of wall samples with the key
//! compared in the words, 7.1 % with it inline; docs/bench.md, eighth and ninth sessions).

use super::dict_hash::{dict_hash, dict_slot, head8};

static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/dict_table.bin"));
static WORDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/dict_words.bin"));
/// 26 × 26 bytes: 1 where an English word (of `english.txt`, four letters or more, with a vowel)
/// opens with those two letters.
static OPENINGS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/dict_openings.bin"));

/// Whether an English word opens with the letters `a` and `b` (ASCII lowercase; anything else
/// counts as an opening, so the answer never makes an unknown shape look rare).
pub fn english_opening(a: u8, b: u8) -> bool {
    if !(a.is_ascii_lowercase() && b.is_ascii_lowercase()) {
        return true;
    }
    OPENINGS.get(usize::from(a - b'a') * 26 + usize::from(b - b'a')).map_or(true, |&o| o == 1)
}

/// The built-in dictionary ([`dictionary`]).
#[derive(Debug, Clone, Copy)]
pub struct Dictionary {
    table: &'static [u8],
    words: &'static [u8],
}

/// The dictionary compiled into the binary.
pub fn dictionary() -> Dictionary {
    Dictionary { table: TABLE, words: WORDS }
}

impl Dictionary {
    /// Whether `w` is in the dictionary, and then whether it is from `english.txt` (not only a
    /// name or a place). Always inlined: it is the fuzzy pass's and the run-together splitter's
    /// inner loop, and with round 15's call sites the compiler stopped inlining it there (+3.6 M
    /// instructions a 3,000-comment run).
    #[inline(always)]
    pub fn get(&self, w: &str) -> Option<&'static bool> {
        let slots = self.table.len() / 16;
        if slots == 0 || !slots.is_power_of_two() {
            return None;
        }
        let w = w.as_bytes();
        let head = head8(w);
        let mut i = dict_slot(dict_hash(w), slots);
        // At most half the slots are full, so a probe meets an empty one; bounded all the same.
        for _ in 0..slots {
            let (e, h) = self.table.get(16 * i..16 * i + 16).and_then(|b| b.split_first_chunk::<8>())?;
            let e = u64::from_le_bytes(*e);
            if e == 0 {
                return None;
            }
            let (off, len) = ((e & 0xffff_ffff) as usize, ((e >> 32) & 0xff) as usize);
            if len == w.len()
                && h.first_chunk::<8>().map(|h| u64::from_le_bytes(*h)) == Some(head)
                && (len <= 8 || self.words.get(off + 8..off + len) == w.get(8..))
            {
                return Some(if e >> 40 & 1 == 1 { &true } else { &false });
            }
            i = (i + 1) & (slots - 1);
        }
        None
    }

    /// Whether `w` is in the dictionary.
    #[inline]
    pub fn contains_key(&self, w: &str) -> bool {
        self.get(w).is_some()
    }
}
