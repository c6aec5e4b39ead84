//! The fourth round of evasion mechanisms (issue 17, docs/breadth.md "sixth session"), all in
//! the fuzzy pass (src/matcher/fuzzy.rs, src/matcher/fuzzy/masked.rs): a changed first letter
//! for the lists that opt in (`fuzzy_first_letter`), letters hidden behind a run of one symbol
//! (`f---ing`), a `<` drawn for a `c` at a word's start, and a look-alike letter in a term made
//! of a shorter term. Invented terms pin the rules; a few spellings of the shipped pack's words
//! check the wiring, with innocent text beside them that must stay allowed.

mod common;

use common::pack_verdicts as verdicts;
use moderate::matcher::fuzzy::Fuzzy;
use moderate::matcher::wordlist::{ListSpec, WordMode};
use moderate::normalize::{NormalizeOptions, Normalizer};

fn spec(terms: &[&str]) -> ListSpec {
    ListSpec { terms: terms.iter().map(|t| t.to_string()).collect(), mode: WordMode::Word, allow: Vec::new(), fuzzy: true }
}

/// A fuzzy matcher over one invented list, with or without `fuzzy_first_letter`.
fn matcher(terms: &[&str], first_letter: bool) -> Fuzzy {
    Fuzzy::build_with(&[spec(terms)], &Normalizer::new(&NormalizeOptions::default()), &[first_letter])
}

/// The original-text spans the matcher reports in `text` (normalized first).
fn spans(f: &Fuzzy, text: &str) -> Vec<String> {
    let norm = Normalizer::new(&NormalizeOptions::default()).normalize(text);
    let t = norm.text;
    let mut out = Vec::new();
    f.find(&t, &[], |_, _| false, |_, s, e| out.push(t[s..e].to_string()));
    out.sort();
    out.dedup();
    out
}

#[test]
fn a_changed_first_letter_reads_as_the_term_only_where_the_list_opts_in() {
    let on = matcher(&["vadderok", "zibbo"], true);
    let off = matcher(&["vadderok", "zibbo"], false);
    for word in ["kadderok", "madderoks", "gibbo", "the tibbo here"] {
        assert_eq!(spans(&on, word).len(), 1, "{word}");
        assert!(spans(&off, word).is_empty(), "{word} without the option");
    }
    // A vowel for the first letter, a word the dictionary knows, a term of four letters, or a
    // second change: not the term.
    let short = matcher(&["zibb"], true);
    assert!(spans(&short, "kibb").is_empty());
    for word in ["addero", "eadderok", "kaddorok", "lumbo"] {
        assert!(spans(&on, word).is_empty(), "{word}");
    }
    let english = matcher(&["tadder", "vigger"], true);
    for word in ["ladder", "madder", "bigger", "digger", "jigger", "rigger"] {
        assert!(spans(&english, word).is_empty(), "{word} is English");
    }
}

#[test]
fn a_closed_modifier_before_a_first_letter_swap_is_a_compound() {
    // `limp` is one of rules/profanity/compound-modifiers.txt.
    let on = matcher(&["zibbo"], true);
    assert_eq!(spans(&on, "limpgibbo"), vec!["limpgibbo"]);
    assert!(spans(&matcher(&["zibbo"], false), "limpgibbo").is_empty());
}

#[test]
fn a_run_of_one_symbol_hides_one_letter_each() {
    let f = matcher(&["blorvak", "rockxroll"], false);
    for text in ["b---vak", "bl--vak", "blo_vak", "blorv**", "a bl''vak here", "b&orvak"] {
        let want = usize::from(!text.ends_with('*'));
        assert_eq!(spans(&f, text).len(), want, "{text}");
    }
    // Inflected: the ending follows the hidden letters.
    assert_eq!(spans(&f, "blorv--s"), vec!["blorv--s"]);
    assert_eq!(spans(&f, "bl---aking"), vec!["bl---aking"]);
    // The count must fit, and the symbols must be one kind.
    for text in ["b-vak", "b----vak", "bl-_vak", "bl--vakx", "xbl--vak", "bl--vak-ish"] {
        assert!(spans(&f, text).is_empty(), "{text}");
    }
    // A hyphen or an apostrophe between two English words joins them; an underscore does not.
    assert!(spans(&f, "rock-roll").is_empty());
    // A possessive or a contraction: `blorvak` is `blorva` + `'` + `k`, but `'s` is an ending.
    let g = matcher(&["blorvas", "blorvad"], false);
    assert!(spans(&g, "blorva's").is_empty());
    assert!(spans(&g, "blorva'd").is_empty());
    assert_eq!(spans(&g, "blo'vas").len(), 1);
    assert_eq!(spans(&f, "rock_roll").len(), 1);
}

#[test]
fn a_less_than_opening_a_word_draws_a_c() {
    let f = matcher(&["clorvak"], false);
    assert_eq!(spans(&f, "<lorvak"), vec!["<lorvak"]);
    assert_eq!(spans(&f, "oh <lorvaks!").len(), 1);
    // Markup shown as text, a letter glued before it, or a word that is no term.
    for text in ["<lorvak>", "<lorvak/", "<lorva", "a<<lorvak"] {
        assert!(spans(&f, text).is_empty(), "{text}");
    }
}

#[test]
fn a_compound_term_takes_one_look_alike_letter() {
    let f = matcher(&["blorv", "blorvhole"], false);
    assert_eq!(spans(&f, "blorvho1e"), vec!["blorvhoie"]);
    // Any other edit of a compound term is an English-like compound, not the term.
    assert!(spans(&f, "blorvhale").is_empty());
    assert!(spans(&f, "blorvhoke").is_empty());
}

#[test]
fn the_pack_denies_the_new_spellings_and_allows_their_neighbours() {
    let deny = ["so f--king tired of this", "what the f__k", "you absolute <unts", "what a f'cking mess", "a filthy higgers post"];
    let allow = [
        "e-mail me at work, don't wait",
        "a well-known rock-n-roll band",
        "I <3 you <b>so</b> much",
        "the bigger picture and a jigger of gin",
        "Digger and Tigger went higher",
        "a t-shirt and an x-ray",
        "we'll see, y'all",
    ];
    for (text, v) in deny.iter().zip(verdicts(&deny)) {
        assert_ne!(v, "allow", "{text}");
    }
    for (text, v) in allow.iter().zip(verdicts(&allow)) {
        assert_eq!(v, "allow", "{text}");
    }
}
