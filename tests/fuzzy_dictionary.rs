//! The fuzzy pass's dictionary (src/matcher/fuzzy/dict.rs), a table `build.rs` lays out, answers
//! as a map built from the same word lists of the built-in pack: every word found with its
//! English flag, and words not in the lists not found.

use std::collections::HashMap;

use moderate::config::source::FileSource;
use moderate::matcher::fuzzy::dictionary;

/// The lists as the fuzzy pass used to read them: one word a line, `#` comments, flagged when
/// `english.txt` has it.
fn expected() -> HashMap<&'static str, bool> {
    let mut map = HashMap::new();
    for (path, text) in FileSource::builtin_files() {
        if matches!(*path, "rules/lint/english.txt" | "rules/lint/names.txt" | "rules/lint/places.txt") {
            for line in text.lines() {
                let w = line.split('#').next().unwrap_or("").trim();
                if !w.is_empty() {
                    *map.entry(w).or_insert(false) |= *path == "rules/lint/english.txt";
                }
            }
        }
    }
    map
}

#[test]
fn the_table_answers_as_the_word_lists() {
    let want = expected();
    assert!(want.len() > 100_000, "the lists are read: {}", want.len());
    assert!(want.values().any(|&e| e) && want.values().any(|&e| !e), "both kinds of word");
    let d = dictionary();
    for (w, english) in &want {
        assert_eq!(d.get(w), Some(english), "{w}");
        // A slot holds its word's first eight bytes zero-padded: a NUL appended, or a last
        // byte changed past the eighth, must still be told apart by the length or the words.
        let last_changed = format!("{}{}", &w[..w.len() - 1], if w.ends_with('q') { 'z' } else { 'q' });
        let others =
            [format!("{w}q"), format!("q{w}"), w[..w.len() - 1].to_string(), w.to_uppercase(), format!("{w}\0"), last_changed];
        for other in others {
            assert_eq!(d.get(&other).copied(), want.get(other.as_str()).copied(), "{other}");
        }
    }
    for w in ["", "zzqxj", "ünïcödé", &"a".repeat(300)] {
        assert_eq!(d.contains_key(w), want.contains_key(w), "{w}");
    }
}
