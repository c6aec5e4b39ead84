//! Term variants: the spellings of one wordlist term the automaton is built with.
//!
//! The normalizer folds most evasions in the text; the few it leaves half done on purpose
//! (masks, spelled-out letters, look-alike and doubled letters; see the wordlist module docs)
//! are finished here by compiling each term into the variants that cover them. This lives apart
//! from the automaton and its match logic so the vocabulary side (which spellings a term has)
//! and the engine side (how hits are found) can change independently.

use std::collections::HashSet;

/// Pushes `(pattern, spaced)` for every variant of normalized term `core`.
pub(crate) fn term_variants(core: &str, allow: &HashSet<String>, out: &mut Vec<(String, bool)>) {
    out.push((core.to_string(), false));
    let simple = core.bytes().all(|b| b.is_ascii_lowercase());
    if !simple {
        return; // multi-word or non-Latin terms match as written
    }
    let b = core.as_bytes();
    // Look-alike letters: u → v, and doubled letters written once; all combinations.
    let us: Vec<usize> = (0..b.len()).filter(|&i| b[i] == b'u').take(3).collect();
    let doubles: Vec<usize> = (1..b.len()).filter(|&i| b[i] == b[i - 1]).take(3).collect();
    for umask in 0..(1u32 << us.len()) {
        for dmask in 0..(1u32 << doubles.len()) {
            if umask == 0 && dmask == 0 {
                continue;
            }
            let mut v = Vec::with_capacity(b.len());
            for (i, &c) in b.iter().enumerate() {
                if let Some(k) = doubles.iter().position(|&d| d == i) {
                    if dmask & (1 << k) != 0 {
                        continue;
                    }
                }
                let c = match us.iter().position(|&u| u == i) {
                    Some(k) if umask & (1 << k) != 0 => b'v',
                    _ => c,
                };
                v.push(c);
            }
            let v = String::from_utf8(v).unwrap_or_default();
            if dmask != 0 && (v.len() < 5 || allow.contains(&v)) {
                continue;
            }
            out.push((v, false));
        }
    }
    // A letter written twice (`fuuck`, `shiit`): stretching collapses only runs of three.
    for i in 0..b.len() {
        let single = (i == 0 || b[i - 1] != b[i]) && (i + 1 == b.len() || b[i + 1] != b[i]);
        if single && b.len() >= 3 {
            let mut v = core.to_string();
            v.insert(i, b[i] as char);
            if !allow.contains(&v) {
                out.push((v, false));
            }
        }
    }
    // Masks: one or two interior letters, keeping at least two letters.
    for start in 1..b.len() {
        for len in 1..=2 {
            if start + len >= b.len() || b.len() - len < 2 {
                continue;
            }
            let mut v = core.to_string();
            v.replace_range(start..start + len, &"*".repeat(len));
            out.push((v, false));
        }
    }
    // Spelled out (the boundary rules for spelled-out runs are in `accept`).
    if b.len() >= 3 {
        let mut v = String::with_capacity(b.len() * 2);
        for (i, &c) in b.iter().enumerate() {
            if i > 0 {
                v.push(' ');
            }
            v.push(c as char);
        }
        out.push((v, true));
    }
}
