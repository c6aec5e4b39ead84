//! Round 15 of evasion mechanisms (docs/hostile.md "round 15 (evasions)"): marks typed inside a
//! word that a page or a reader does not see as letters (markdown emphasis `f**u**ck`, brackets
//! `c(u)nt`, letters joined by commas `f,u,c,k`), symbols for letters the normalizer kept
//! (`§hit`, `¢unt`), a `|` or a drawn bar beside an `l` (`k|ll`, `k│ll`), and words written
//! in a code: pig latin (`uckfay ouyay`), `unalive` for `kill`, `yourself` misspelled
//! (`kill yourslef`). Each evasive spelling is checked against the plain one (the same grade,
//! never more), with innocent text of the same shape beside it. Fixtures are invented sentences.

mod common;

use common::{assert_all_allowed, assert_as_plain, builtin_engine};

/// Markdown emphasis inside a word (a page shows the letters only), a bracket pair around
/// letters glued to a word, and single letters joined by commas or semicolons. Markup of whole
/// words, code, function calls, lists and plurals in brackets stay innocent.
#[test]
fn marks_inside_a_word_are_read_through() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("f**u**ck you", "fuck you"),
            ("**f**uck you", "fuck you"),
            ("f__u__ck you", "fuck you"),
            ("f~~u~~ck you", "fuck you"),
            ("you are a sh**i**thead", "you are a shithead"),
            ("f[u]ck you", "fuck you"),
            ("f(u)ck you", "fuck you"),
            ("you are a c{u}nt", "you are a cunt"),
            ("b(i)tch", "bitch"),
            ("kill your[self]", "kill yourself"),
            ("f,u,c,k you", "fuck you"),
            ("f;u;c;k you", "fuck you"),
            ("you are a c,u,n,t", "you are a cunt"),
        ],
    );
    assert_all_allowed(
        &e,
        &[
            "This is **really** important, not *maybe*.",
            "Use __init__ and snake_case_names in Python.",
            "The ~~old~~ new price is better.",
            "Call f(x) and g(y), then read arr[i] and map{k}.",
            "Dear friend(s), (s)he will bring the book(s).",
            "Pick a, b, c or d; x,y,z are the axes.",
            "The list was a,b,c,d and then e;f;g.",
            "2**10 is 1024 and a*b*c is a product.",
            "Wom(e)n and m(e)n are welcome [sic].",
            "Die Lehrer(innen) kommen morgen.",
            "**Attention**: la réunion est à 10h.",
            "Los niño(a)s juegan en el parque.",
            "Bold: **Shitake** mushrooms, ~~Scunthorpe~~ United.",
            "ass(ign) the value, class(es) of objects",
        ],
    );
}

/// Symbols the normalizer kept read as the letters drawn: `§` for `s`, `∑` for `e`, `¢` opening
/// a word for `c`; a `|` or a bar drawn with another character beside an `l`. A hashtag stays a tag (reading every tag as words judged
/// political tags as sentences, see docs/hostile.md; round 16 reads one that is wholly a forbidden phrase).
/// Prices, sections of a law, sums, Russian words and ordinary hashtags stay innocent.
#[test]
fn symbols_and_strokes_are_read() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("\u{A7}hit", "shit"),
            ("you are a \u{A2}unt", "you are a cunt"),
            ("you are a whor\u{2211}", "you are a whore"),
            ("k|ll yourself", "kill yourself"),
            ("k\u{2502}ll yourself", "kill yourself"),
            ("i will k\u{2223}ll you", "i will kill you"),
            ("i will k|ll you", "i will kill you"),
        ],
    );
    assert_all_allowed(
        &e,
        &[
            "The stamp cost 50\u{A2} in 1980.",
            "See \u{A7} 3 and \u{A7}12a of the act.",
            "\u{2211} of the series is 1.",
            "\u{42F} \u{43B}\u{44E}\u{431}\u{43B}\u{44E} \u{41C}\u{43E}\u{441}\u{43A}\u{432}\u{443}.",
            "\u{42F}\u{43D}\u{434}\u{435}\u{43A}\u{441} and Google",
            "#throwbackthursday #blessed #therapist",
            "#Scunthorpe #essex #Middlesex",
            "#SheIsALiar #GoHomeEarly #restingface",
            "Use C# and F#, item #1.",
            "w|ll you come? the h|ll is steep",
            "a|b || c and x | y",
            "\u{2502} label \u{2502} value \u{2502}\n\u{2502}hill\u{2502}all\u{2502}",
            "p \u{2223} q and a\u{2758}l\u{2758}b",
        ],
    );
}

/// Words written in a code: pig latin, `unalive` for `kill`, and `yourself` misspelled. Words of
/// other languages ending in `ay`, names, `yourself` spelled right or as another word, and talk
/// about the word `unalive` stay innocent.
#[test]
fn coded_words_are_read() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("uckfay ouyay", "fuck you"),
            ("you are an itchbay", "you are an bitch"),
            ("itshay", "shit"),
            ("untcay", "cunt"),
            ("i will unalive you", "i will kill you"),
            ("i'll unalive you", "i'll kill you"),
            ("im going to unalive you", "im going to kill you"),
            ("kill yourslef", "kill yourself"),
            ("kill youself", "kill yourself"),
            ("go kill yurself", "go kill yourself"),
            ("kill urslf", "kill yourself"),
            ("kill yrslf", "kill yourself"),
        ],
    );
    assert_all_allowed(
        &e,
        &[
            "Today we play okay, and Murray stays away.",
            "Mackay and Ramsay went to Bombay on Sunday.",
            "Ang bahay ay malaki at ang tinapay ay masarap.",
            "Bu iş kolay, ay ışığında yürüdük.",
            "The essay on the assay office was long.",
            "Pig latin is fun: ellohay orldway!",
            "People say unalive instead of kill on some apps.",
            "The video was flagged for the word unalive.",
            "Take care of yourself and your selfie.",
            "Yousef and Yusuf did it themselves, yourselves too.",
            "You're yours truly, urself is slang.",
            "Kill the process yourself: kill -9 1234.",
        ],
    );
}

/// Ordinary sentences in several languages, code and URLs, with the shapes each new reading
/// looks at.
#[test]
fn innocent_look_alikes_stay_allowed() {
    let e = builtin_engine();
    assert_all_allowed(
        &e,
        &[
            "let x = a[i] * (b + c); // sum",
            "fn main() { println!(\"{}\", v[0]); }",
            "path = a_b__c/d?e=f,g;h",
            "King Cnut_(king) ruled England.",
            "Prices: $5, 50\u{A2}, \u{20AC}3.",
            "The ratio was 3:2;1, then a,b.",
            "Tag us: #MondayMotivation #Caturday",
            "Je t'aime, mon ami; à bientôt.",
            "Ich wünsche dir einen schönen Tag.",
            "Mañana vamos a la playa, ¿vale?",
            "Vamos à praia amanhã, está bem?",
            "Domani andiamo al mare, va bene?",
            "Morgen gaan we naar het strand.",
            "\u{41F}\u{440}\u{438}\u{432}\u{435}\u{442}, \u{43A}\u{430}\u{43A} \u{434}\u{435}\u{43B}\u{430}?",
            "\u{4F60}\u{597D}\u{FF0C}\u{4E16}\u{754C}",
            "\u{645}\u{631}\u{62D}\u{628}\u{627} \u{628}\u{627}\u{644}\u{639}\u{627}\u{644}\u{645}",
            "Hay que ir; hay mucho que hacer.",
            "Halay çektik, kolay değil.",
            "Ang bata ay masaya.",
            "Ikaw ay mabait at ang iyong nanay ay masaya.",
            "Saya suka makan sate ayam di pantai, hay!",
            "Sunday, Monday, holiday, birthday!",
            "He went away to Paraguay and Uruguay.",
            "Murray, Kay and Fay stay at the bay.",
        ],
    );
}

/// The new readings stay linear: 1 MB and 2 MB of each judged in about twice the time.
#[test]
fn new_readings_stay_linear() {
    common::assert_linear(&[
        "f**u**ck ",
        "c(u)nt ",
        "f,u,c,k ",
        "\u{A7}hit ",
        "k|ll ",
        "uckfay ouyay ",
        "unalive ",
        "yourslef ",
        "a,b,c,d,e,f,g,",
        "**",
    ]);
}
