//! Normalizer and wordlist tests: tables of inputs → normalized text, inputs → reported spans,
//! innocent sentences → no hit, the shipped evasion corpus (`tests/fixtures/evasions.jsonl`; the one in
//! `../shared` adds coverage when present), and property tests of the offset map.

mod common;

use moderate::matcher::wordlist::{parse_terms, ListSpec, WordHit, WordMode, WordlistSet};
use moderate::normalize::{NormalizeOptions, Normalized, Normalizer};
use proptest::prelude::*;

fn normalizer() -> Normalizer {
    Normalizer::new(&NormalizeOptions::default())
}

/// The shipped lists: 0 = strong, 1 = mild.
fn shipped() -> (Normalizer, WordlistSet) {
    let n = normalizer();
    let lists = [
        ListSpec {
            terms: parse_terms(include_str!("../rules/profanity/strong.txt")),
            mode: WordMode::Word,
            fuzzy: true,
            allow: parse_terms(include_str!("../rules/allow/strong.txt")),
        },
        ListSpec {
            terms: parse_terms(include_str!("../rules/profanity/mild.txt")),
            mode: WordMode::Word,
            fuzzy: true,
            allow: parse_terms(include_str!("../rules/allow/mild.txt")),
        },
        ListSpec {
            terms: parse_terms(include_str!("../rules/profanity/crude.txt")),
            mode: WordMode::Word,
            fuzzy: true,
            allow: parse_terms(include_str!("../rules/allow/mild.txt")),
        },
    ];
    let set = WordlistSet::build(&lists, &n).expect("shipped lists compile");
    (n, set)
}

/// The original-text spans of every hit, as the engine reports them.
fn spans(n: &Normalizer, set: &WordlistSet, body: &str) -> Vec<String> {
    let norm = n.normalize(body);
    let mut hits = Vec::new();
    set.find(&norm.text, &mut hits);
    hits.iter()
        .map(|h| {
            let r = norm.original_range(h.start, h.end);
            assert!(body.is_char_boundary(r.start) && body.is_char_boundary(r.end));
            body[r].to_string()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Normalized text.

macro_rules! t {
    ($name:ident, $input:expr, $expected:expr) => {
        #[test]
        fn $name() {
            assert_eq!(normalizer().normalize($input).text, $expected, "input: {:?}", $input);
        }
    };
}

t!(plain_lowercase, "Hello World", "hello world");
t!(keeps_punctuation, "Wait, what?! No.", "wait, what?! no.");
t!(curly_quotes, "\u{201C}It\u{2019}s fine\u{201D}", "\"it's fine\"");
t!(collapses_whitespace, "a  lot\n\tof   space", "a lot of space");
t!(numbers_intact, "In 2010 it was 100% done, $5 each", "in 2010 it was 100% done, $5 each");
t!(ordinals_intact, "the 1st and 3rd of the 1970s at 5am", "the 1st and 3rd of the 1970s at 5am");
t!(url_intact, "see http://x.com/a1b2 now", "see http://x.com/a1b2 now");
t!(www_intact, "www.example.com/sh1t", "www.example.com/sh1t");
t!(email_intact, "mail b0b@example.com", "mail b0b@example.com");
t!(mixed_digits_not_leet, "a1b2 covid19 h2o", "a1b2 covid19 h2o");
t!(leet_word, "sh1t b0llocks 4ss", "shit bollocks ass");
t!(leet_symbols, "$hit @ss p15$", "shit ass piss");
t!(leet_symbols_only, "kiss my @$$ for $$$", "kiss my ass for $$$");
t!(leet_bang_inside, "d1psh!7 but not shit!", "dipshit but not shit!");
t!(mask_inside, "f*ck sh%t b@tch c#nt", "f*ck sh*t b*tch c*nt");
t!(mask_edges_are_punctuation, "*bold* #tag f***", "*bold* #tag f***");
t!(stretch, "fuuuuck shiiiit sooooo", "fuck shit so");
t!(stretch_keeps_doubles, "ass class piss", "ass class piss");
t!(stretch_leet_run, "b111111tch j@@@@ck", "bitch j*ck");
t!(all_same_letters_kept, "zzz www iii", "zzz www iii");
t!(spelled_dots, "f.u.c.k this", "fuck this");
t!(spelled_underscores, "a_s_s_h_o_l_e", "asshole");
t!(spelled_dashes, "s-h-i-t-h-e-a-d", "shithead");
t!(spelled_spaces_kept, "P I S S off", "p i s s off");
t!(spelled_leet_digit, "s.h.1.t", "shit");
t!(two_letters_not_joined, "a s soon as", "a s soon as");
t!(commas_not_joiners, "plans a, b, c", "plans a, b, c");
t!(initials_are_joined_harmlessly, "J. R. R. Tolkien", "jrr. tolkien");
t!(zero_width, "f\u{200D}u\u{200B}c\u{2060}k s\u{00AD}hit", "fuck shit");
t!(fullwidth, "ｆｕｃｋ", "fuck");
t!(math_bold, "𝐟𝐮𝐜𝐤 𝓈𝒽𝒾𝓉", "fuck shit");
t!(cyrillic_greek, "аss dυmbаѕѕ ѕһіt", "ass dumbass shit");
t!(diacritics, "fück döüçhébäg", "fuck douchebag");
t!(combining_marks, "f\u{0301}u\u{0308}ck", "fuck");
t!(entities_numeric, "f&#117;ck sh&#x69;t", "fuck shit");
t!(entities_named, "fish &amp; chips &eacute;t&eacute;", "fish & chips ete");
t!(not_an_entity, "AT&T & co &bogus;", "at&t & co &bogus;");
t!(inline_tags_vanish, "<b>fu</b>ck <i>this</i>", "fuck this");
t!(block_tags_are_spaces, "one<br />two<p>three</p>", "one two three ");
t!(not_a_tag, "a < b and <3", "a < b and <3");
t!(html_comments_vanish_as_a_browser_shows_them, "f<!-- x -->uck<!---->you", "fuckyou");
t!(fake_one_letter_tag_vanishes, "fu<v>cked FUC<M>KERS", "fucked fuckers");
t!(cjk_emoji_kept, "日本語 😀 ok", "日本語 😀 ok");
t!(ligature, "ﬁne", "fine");
t!(eszett, "Straße", "strasse");
t!(backtick_apostrophe, "You`re ´right´", "you're 'right'");

#[test]
fn options_off() {
    let n = Normalizer::new(&NormalizeOptions { leet: false, html: false });
    assert_eq!(n.normalize("sh1t &amp; <b>x</b>").text, "sh1t &amp; <b>x</b>");
}

// ---------------------------------------------------------------------------------------------
// Hits, reported as the original text the user wrote.

macro_rules! hit {
    ($name:ident, $input:expr, [$($span:expr),*]) => {
        #[test]
        fn $name() {
            let (n, set) = shipped();
            let expected: Vec<&str> = vec![$($span),*];
            assert_eq!(spans(&n, &set, $input), expected, "input: {:?}", $input);
        }
    };
}

hit!(span_plain, "well fuck that", ["fuck"]);
hit!(span_dotted, "so f.u.c.k. you", ["f.u.c.k"]);
hit!(span_spaced, "you are a b i t c h, ok", ["b i t c h"]);
hit!(span_spaced_long, "an a s s h o l e here", ["a s s h o l e"]);
hit!(span_entity, "fu&#99;k off", ["fu&#99;k"]);
hit!(span_entity_first, "&#102;uck", ["&#102;uck"]);
hit!(span_tags, "<b>fu</b>ck!", ["fu</b>ck"]);
hit!(span_zero_width, "x f\u{200D}u\u{200D}c\u{200D}k y", ["f\u{200D}u\u{200D}c\u{200D}k"]);
hit!(span_stretch, "shiiiiit man", ["shiiiiit"]);
hit!(span_fullwidth, "(ｃｕｎｔ)", ["ｃｕｎｔ"]);
hit!(span_prefix_word, "Fucking hell", ["Fucking", "hell"]);
hit!(span_inside_word, "total clusterfuck.", ["clusterfuck"]);
hit!(span_masked, "what a tw@t", ["tw@t"]);
hit!(span_mask_hash, "sh#tty day", ["sh#tty"]);
hit!(span_uv, "fvcking hell", ["fvcking", "hell"]);
hit!(span_stretched_double, "asssshole", ["asssshole"]);
hit!(span_leet_combo, "5h17h34d", ["5h17h34d"]);
hit!(span_cyrillic, "ѕlυt", ["ѕlυt"]);
hit!(span_math_italic, "𝑤𝑎𝑛𝑘𝑒𝑟!", ["𝑤𝑎𝑛𝑘𝑒𝑟"]);
hit!(span_mild_damn, "Damn it", ["Damn"]);
hit!(span_whore_suffix, "attention-whore", ["whore"]);
// Two lists hit: the crude dismissal and the mild word inside it (decide counts the words once).
hit!(span_multiword, "oh go to hell", ["go to hell", "hell"]);
hit!(span_twat_dashes, "t-w-a-t", ["t-w-a-t"]);
hit!(span_bollocks_spaced_upper, "B O L L O C K S", ["B O L L O C K S"]);
hit!(span_pissed, "I am p1ssed off", ["p1ssed off"]);
hit!(span_wanker_diacritic, "wänkér", ["wänkér"]);
hit!(span_doubled_once, "fuuck this shiit", ["fuuck", "shiit"]);
hit!(span_spaced_suffix, "F U C K I N G hell", ["F U C K I N G", "hell"]);
hit!(span_bastard_entity, "b&#97;stard", ["b&#97;stard"]);

// ---------------------------------------------------------------------------------------------
// Innocent text: no hit at all (Scunthorpe safety).

macro_rules! clean {
    ($name:ident, $input:expr) => {
        #[test]
        fn $name() {
            let (n, set) = shipped();
            assert_eq!(spans(&n, &set, $input), Vec::<String>::new(), "input: {:?}", $input);
        }
    };
}

clean!(clean_as_soon_as, "Call me as soon as you can, a s soon as.");
clean!(clean_i_s_hit, "I s hit the ball hard.");
clean!(clean_assassin, "The assassin passed through the class of bass players.");
clean!(clean_dickens, "Dickens and Dickinson wrote in Middlesex.");
clean!(clean_cocktail, "A cocktail, a peacock and a cockpit.");
clean!(clean_therapist, "The therapist from Penistone studied analysis.");
clean!(clean_scunthorpe, "Scunthorpe United beat Cassie's team.");
clean!(clean_shiitake, "Shiitake, not Shitake, mushrooms.");
clean!(clean_buttercups, "Buttercups and a document at night.");
clean!(clean_hello, "Hello from the shell; Michelle sells seashells.");
clean!(clean_scrap, "Put the scrapbook in the scrapyard.");
clean!(clean_titles, "The constitution, altitude and titanic attitudes.");
clean!(clean_pissarro, "Pissarro painted Pontoise.");
clean!(clean_wankel, "A Wankel engine is a rotary engine.");
clean!(clean_numbers, "In 2010, 100% of 5 votes at 7am; call 555-1234.");
clean!(clean_stretch_words, "Sooo goooood, I looove it, zzz.");
clean!(clean_abbreviations, "U.S.A. and e.g. i.e. the A-B-C of it.");
clean!(clean_spaced_innocent, "Grade: A B C D");
clean!(clean_mask_emphasis, "This is *really* #great, f*** it I said politely.");
clean!(clean_compass, "The compass, the embassy and the harassment case.");
clean!(clean_hitchcock, "Hitchcock filmed in Hancock Park.");
clean!(clean_cumulus, "Cumulus clouds over Tecumseh, summa cum laude.");
clean!(clean_grass, "Grass, glass, brass and a mass of molasses.");
clean!(clean_feckless, "A feckless government and damnation in Dante.");
clean!(clean_url, "see https://example.com/a55/b00ks?x=1 and www.c0ck.example");
clean!(clean_numbers_leetish, "Room 101, route 66 and 1337 people.");
clean!(clean_bobs, "Bob's bobs and no ifs or buts.");
clean!(clean_shiitake_doubled, "Shiitake and shiitakes for dinner.");
clean!(clean_mention, "@cassie thanks for the assist");

// ---------------------------------------------------------------------------------------------
// Evasion corpora: the shipped one always runs; the shared one adds coverage when present.

#[test]
fn evasions_corpus_shipped() {
    let path = common::root().join("tests/fixtures/evasions.jsonl");
    let data = std::fs::read_to_string(&path).expect("the shipped evasion corpus");
    let (positives, innocents) = evasions_corpus(&data);
    assert_eq!((positives, innocents), (98, 40), "rows of tests/fixtures/evasions.jsonl");
}

#[test]
fn evasions_corpus_shared() {
    let Some(path) = common::shared("data/evasions.dev.jsonl") else { return };
    evasions_corpus(&std::fs::read_to_string(path).expect("readable"));
}

/// Every evasive row of the corpus hits the shipped lists (≥ 99 %), no innocent row does, and
/// every hit maps back to a valid slice. Returns (positive rows, innocent rows).
fn evasions_corpus(data: &str) -> (usize, usize) {
    let (n, set) = shipped();
    let mut norm = Normalized::default();
    let mut hits: Vec<WordHit> = Vec::new();
    let (mut pos, mut pos_hit, mut neg_hit, mut innocent) = (0usize, 0usize, Vec::new(), 0usize);
    let mut missed = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line).expect("valid JSON row");
        let body = row["body"].as_str().expect("body");
        let positive = row["labels"]["profanity"].as_bool().expect("label");
        n.normalize_into(body, &mut norm);
        hits.clear();
        set.find(&norm.text, &mut hits);
        for h in &hits {
            let r = norm.original_range(h.start, h.end);
            assert!(r.start <= r.end && r.end <= body.len(), "{body:?}: {r:?}");
            assert!(body.is_char_boundary(r.start) && body.is_char_boundary(r.end), "{body:?}");
        }
        innocent += usize::from(!positive);
        if positive {
            pos += 1;
            if hits.is_empty() {
                missed.push(format!("{} {body:?} -> {:?}", row["source"], norm.text));
            } else {
                pos_hit += 1;
            }
        } else if !hits.is_empty() {
            neg_hit.push(format!("{body:?} -> {:?}", norm.text));
        }
    }
    let rate = pos_hit as f64 / pos.max(1) as f64;
    eprintln!("evasions: {pos_hit}/{pos} positives hit ({:.1}%), {} innocent hits", rate * 100.0, neg_hit.len());
    assert!(pos > 0, "no positive rows");
    assert!(rate >= 0.99, "caught {pos_hit}/{pos}; missed: {missed:#?}");
    assert!(neg_hit.is_empty(), "innocent rows hit: {neg_hit:#?}");
    (pos, innocent)
}

/// Development aid, not a gate: every dictionary word that hits a list, for review
/// (`cargo test --test all normalize::dictionary -- --ignored --nocapture`; needs a words file).
#[test]
#[ignore]
fn dictionary_hits() {
    let Ok(words) = std::fs::read_to_string("/usr/share/dict/words") else {
        eprintln!("skipping: /usr/share/dict/words not found");
        return;
    };
    let (n, set) = shipped();
    for w in words.lines().filter(|w| !w.contains('\'')) {
        let s = spans(&n, &set, w);
        if !s.is_empty() {
            eprintln!("{w}");
        }
    }
}

/// Found by the property test below: the run of spaced single letters ("x y") used to swallow
/// the first letter of a dotted evasion, which was then not joined ("x y b.ollocks"). A letter
/// followed by a marked separator now starts its own run.
#[test]
fn single_letters_before_a_dotted_word() {
    let (n, set) = shipped();
    assert_eq!(spans(&n, &set, "x y b.o.l.l.o.c.k.s"), ["b.o.l.l.o.c.k.s"]);
}

// ---------------------------------------------------------------------------------------------
// Properties of the offset map on arbitrary input.

/// Strings built from pieces evaders and real comments use.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z]{1,6}",
        Just(" ".to_string()),
        Just(".".to_string()),
        Just("_".to_string()),
        Just("-".to_string()),
        Just("\u{200D}".to_string()),
        Just("\u{00AD}".to_string()),
        Just("\u{0301}".to_string()),
        Just("&#117;".to_string()),
        Just("&amp;".to_string()),
        Just("&#x1F600;".to_string()),
        Just("&#0;".to_string()),
        Just("<b>".to_string()),
        Just("</p>".to_string()),
        Just("<!-- x -->".to_string()),
        Just("😀".to_string()),
        Just("👨\u{200D}👩".to_string()),
        Just("日本".to_string()),
        Just("𝐟𝐮".to_string()),
        Just("ｆ".to_string()),
        Just("ﬁ".to_string()),
        Just("ß".to_string()),
        Just("İ".to_string()),
        Just("а".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{202c}".to_string()),
        "[0-9@$!*#%]{1,3}",
        Just("http://x.y/z".to_string()),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn check_map(body: &str) {
    let n = normalizer();
    let norm = n.normalize(body);
    let map = norm.offsets();
    assert_eq!(map.len(), norm.text.len());
    let mut prev = (0, 0);
    for i in 0..map.len() {
        let r = map.source_of(i);
        assert!(r.start <= r.end && r.end <= body.len(), "{body:?} byte {i}: {r:?}");
        assert!(body.is_char_boundary(r.start) && body.is_char_boundary(r.end));
        assert!(r.start >= prev.0 && r.end >= prev.1, "not monotone at {i} in {body:?}");
        prev = (r.start, r.end);
    }
    let t = &norm.text;
    let bounds: Vec<usize> = (0..=t.len()).filter(|&i| t.is_char_boundary(i)).collect();
    for (k, &s) in bounds.iter().enumerate() {
        for &e in bounds[k..].iter().take(6) {
            let r = norm.original_range(s, e);
            assert!(r.start <= r.end && r.end <= body.len(), "{body:?} {s}..{e}: {r:?}");
            let _ = &body[r];
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn offsets_hostile(body in hostile()) {
        check_map(&body);
    }

    #[test]
    fn offsets_any_unicode(body in any::<String>()) {
        check_map(&body);
    }

    /// A listed word set off by commas is found in any hostile context, and reported as exactly
    /// the bytes written; every other hit is a non-empty slice of the body. (With spaces only,
    /// two single letters before a dotted word break it up: see
    /// `known_gap_single_letters_before_a_dotted_word`.)
    #[test]
    fn a_listed_word_is_found_in_any_context(before in hostile(), after in hostile(), word in prop_oneof![
        Just("shit"), Just("Fuck"), Just("b.o.l.l.o.c.k.s"), Just("ａｓｓｈｏｌｅ"), Just("tw@t"), Just("wanker")
    ]) {
        let (n, set) = shipped();
        // Bidi controls opened in `before` end before the word (a paragraph separator ends them
        // all), or the word would be shown, and read, reordered; a `>` closes a tag `before` may
        // have left open (`<` + `http://x.y/z`), or the word would be an attribute a browser
        // does not show, which the normalizer rightly does not read.
        let body = format!("{before}>\u{2029}, {word} ,{after}");
        let found = spans(&n, &set, &body);
        prop_assert!(found.iter().any(|s| s == word), "{word:?} not reported in {body:?}: {found:?}");
        prop_assert!(found.iter().all(|s| !s.is_empty()), "{body:?}: {found:?}");
    }
}

/// Symbols standing for letters inside a word, letters kept apart by one repeated symbol, and
/// one letter split off a word: each folds to the word, and ordinary text stays as written.
#[test]
fn symbols_inside_words_fold() {
    let n = Normalizer::new(&NormalizeOptions::default());
    for (body, want) in [
        ("f*u*c*k", "fuck"),
        ("f!u!c!k", "fuck"),
        ("s^h^i^t", "shit"),
        ("bi+ch", "bitch"),
        ("h()rny", "horny"),
        ("fu<ker", "fucker"),
        ("f>>k", "f**k"),
        ("f^ck", "f*ck"),
        ("p\u{a7}\u{a7}y", "pssy"),
        ("w.ank", "wank"),
        ("a_rse", "arse"),
        // left alone
        ("e.g. this", "e.g. this"),
        ("U.S. troops", "u.s. troops"),
        ("J.K. Rowling", "j.k. rowling"),
        ("c++ code", "c++ code"),
        ("1+1=2", "1+1=2"),
        ("i <3 you", "i <3 you"),
        ("rock & roll", "rock & roll"),
        ("smile :)", "smile :)"),
        ("the (big) dog", "the (big) dog"),
        ("h()", "h()"),
    ] {
        assert_eq!(n.normalize(body).text, want, "{body:?}");
    }
}

/// A right-to-left override shows the letters after it reversed, up to its end: what the reader
/// sees is what is matched, and the span is the whole override.
#[test]
fn a_right_to_left_override_is_read_in_the_order_shown() {
    let (n, set) = shipped();
    assert_eq!(spans(&n, &set, "you are a \u{202e}kcuf\u{202c} idiot"), ["\u{202e}kcuf\u{202c}"]);
    assert_eq!(n.normalize("ab \u{202e}dc ba\u{202c} x").text.split_whitespace().collect::<Vec<_>>(), ["ab", "ab", "cd", "x"]);
    // Ended by the paragraph, not running over the next line; unterminated at the end.
    assert_eq!(n.normalize("\u{202e}olleh\nworld").text, "hello world");
    assert_eq!(n.normalize("x \u{202e}kcuf").text, "x fuck");
    // Reversed text never points outside the body.
    for body in ["\u{202e}", "\u{202c}\u{202e}", "a\u{202e}&amp;<b>x</b>\u{202c}b", "\u{202e}\u{202e}ab\u{2069}"] {
        let norm = n.normalize(body);
        let r = norm.original_range(0, norm.text.len());
        assert!(r.start <= r.end && r.end <= body.len(), "{body:?}: {r:?}");
    }
}

/// Regional indicator symbols (what flags are made of) read as their letters.
#[test]
fn regional_indicators_read_as_letters() {
    let (n, set) = shipped();
    assert_eq!(spans(&n, &set, "\u{1F1EB}\u{1F1FA}\u{1F1E8}\u{1F1F0} you"), ["\u{1F1EB}\u{1F1FA}\u{1F1E8}\u{1F1F0}"]);
    assert!(spans(&n, &set, "I love \u{1F1FA}\u{1F1F8} and \u{1F1EB}\u{1F1F7}").is_empty());
}
