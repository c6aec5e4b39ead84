//! Round 13 of evasion mechanisms (docs/hostile.md "round 13 (evasions)"): strokes mixed in one
//! token (`k1l1`, one stroke an `i`, one an `l`) and `/\` drawn for an `a`; two words joined by
//! a hyphen, slash or plus where one of them is loaded (`kill-yourself`, `f-off`); emoji
//! standing for a verb (`🔫`, `💣`, `🪓`) or a noun (`🐷`, `🐀`, `🐒`, `🦍`, `🤡`); upside-down
//! letters written in reading order (`ʞıll ʎonɹsǝlɟ`); a stutter (`k-k-kill`). Each evasive
//! spelling is checked against the plain one (the same grade, never more), with innocent text
//! of the same shape beside it. Fixtures are invented sentences.

mod common;

use common::{assert_all_allowed, assert_as_plain, builtin_engine, judge_checked};

/// Strokes mixed in one token (one `1` an `i`, the next an `l`): the mix that makes an English
/// word is read; `/\` before letters is an `a`. Serials, code, smileys and ASCII art stay
/// innocent.
#[test]
fn mixed_strokes_and_drawn_letters_are_read() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("k1l1 yourself", "kill yourself"),
            ("k!1l yourself", "kill yourself"),
            ("go k1l| yourself", "go kill yourself"),
            ("you /\\sshole", "you asshole"),
            ("what a /\\sshole", "what a asshole"),
            ("ki1l yourself", "kill yourself"),
            ("|<ill yourself", "kill yourself"),
            ("you are a s|u+", "you are a slut"),
        ],
    );
    assert_all_allowed(
        &e,
        &[
            "serial 1l1l1l and l1l1 on the label",
            "part no. 1l1 was printed wrong",
            "x = a|b || c; if (!ok) return",
            "smileys :-| :| \\o/ (-_-) and art /\\/\\/\\ \\/\\/",
            "/\\ is the wedge, \\/ the vee",
            "my h1ll walk, 1ll be there, w1ll you",
            "see the path a/b/c?x=1 and v1.2/3",
        ],
    );
}

/// Two words joined by one hyphen, slash or plus are read as the phrase when one of them is a
/// loaded word (a listed term, the second person, `off`); an ordinary compound is left alone.
#[test]
fn loaded_pairs_joined_by_a_hyphen_slash_or_plus_are_read() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("kill-yourself", "kill yourself"),
            ("go kill-yourself", "go kill yourself"),
            ("kill/yourself", "kill yourself"),
            ("kill+yourself", "kill yourself"),
            ("you stupid-idiot", "you stupid idiot"),
            ("fuck-off", "fuck off"),
            ("f-off", "f off"),
        ],
    );
    assert_all_allowed(
        &e,
        &[
            "a well-known kill-switch in the router",
            "the self-harm reporting tool is live",
            "the shop was shut-up all winter",
            "kill/restart the process, then check and/or log it",
            "salt+pepper and a sign-off from the kick-off",
            "thank-you notes for the show-off",
        ],
    );
}

/// Emoji for a verb before an object (`🔫 you` is `shoot you`, as `🔪` is `stab`) and for a noun
/// (`🐷` pig, `🐀` rat, `🐒` monkey, `🦍` ape, `🤡` clown): the sentence judges as the words
/// do. `💀` is laughter, `🍆` a vegetable, and the words named beside an article or a noun
/// (`the 🐒 at the zoo`, `🔫 laws`) stay innocent.
#[test]
fn emoji_for_verbs_and_nouns_are_read_as_the_words() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("i'll 🔫 you", "i'll shoot you"),
            ("i will 🔫 u", "i will shoot u"),
            ("🔫 ur family", "shoot ur family"),
            ("you 🐷", "you pig"),
            ("you are a 🐀", "you are a rat"),
            ("you 🤡", "you clown"),
            ("you are a 🤡", "you are a clown"),
            ("black people are 🐒", "black people are monkeys"),
            ("those people are 🦍", "those people are apes"),
            ("jews are 🐀", "jews are rats"),
        ],
    );
    // As the words grade: `i'll bomb you` blocks (a violence verb since the sixteenth session),
    // `i'll axe you` is allowed (`axe` is also "ask"), and the emoji with them.
    for (body, plain) in [("i'll 💣 you", "i'll bomb you"), ("i'll 🪓 you", "i'll axe you")] {
        assert_eq!(judge_checked(&e, body).verdict, judge_checked(&e, plain).verdict, "{body:?}");
    }
    assert_all_allowed(
        &e,
        &[
            "the 🐒 at the zoo stole a banana",
            "😂💀 i can't breathe",
            "i'm dead 💀 that was hilarious",
            "🔫 laws debate tonight",
            "we need better 🔫 laws",
            "pig roast 🐷 this weekend",
            "grilled 🍆 with feta",
            "the circus 🤡 was fun",
            "my pet 🐀 loves cheese",
        ],
    );
}

/// Upside-down letters written in reading order (not reversed as flip-text generators write
/// them) are read upright in place; the reversed form was read already.
#[test]
fn turned_letters_in_reading_order_are_read_upright() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("ʞıll ʎonɹsǝlɟ", "kill yourself"),
            ("ɟnɔʞ ʎon", "fuck you"),
            ("ʎon ɐɹǝ ɐu ıpıoʇ", "you are an idiot"),
            ("ɟlǝsɹnoʎ llıʞ", "kill yourself"),
        ],
    );
    assert_all_allowed(&e, &["the IPA for cup is kʌp and for thought θɔːt", "ɐ ɹǝpun ʎɐp pooƃ"]);
}

/// A stutter before a word (`k-k-kill`, `k k kill`, `st-st-stupid`) is the word.
#[test]
fn a_stutter_is_read_as_the_word() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("k-k-kill yourself", "kill yourself"),
            ("k k kill yourself", "kill yourself"),
            ("you i-i-idiot", "you idiot"),
            ("you are a b-b-bitch", "you are a bitch"),
            ("you st-st-stupid bitch", "you stupid bitch"),
        ],
    );
    assert_all_allowed(&e, &["b-b-but I wanted it", "I-I-I don't know", "w-w-what was that", "a a apple, t-test results"]);
}

/// Ordinary text with look-alike words: names, places, foreign sentences, code, chemistry,
/// scores. None is denied.
#[test]
fn innocent_look_alikes_stay_allowed() {
    let e = builtin_engine();
    assert_all_allowed(
        &e,
        &[
            "Dick Van Dyke was wonderful in Mary Poppins.",
            "We drove from Scunthorpe to Penistone and on to Clitheroe.",
            "The village of Shitterton in Dorset has a stone sign.",
            "The assassin's creed games sold well.",
            "The pilot climbed into the cockpit before dawn.",
            "My therapist suggested a journal.",
            "Our analytics dashboard shows the bounce rate.",
            "She grew up in Sussex near the coast.",
            "Matt Hancock gave a briefing today.",
            "Benedict Cumberbatch plays Sherlock.",
            "Middlesex won the cricket by 40 runs.",
            "Arsenal beat Spurs 3-1 at the Emirates.",
            "The final score was 21-14 after overtime.",
            "Je suis allé à la fac hier.",
            "El perro come en la cocina con mucha salsa.",
            "Mi hermano tiene un coche nuevo.",
            "Das ist ein Kunstwerk aus Dortmund.",
            "Die Schlacht bei Hastings war 1066.",
            "Het is een mooie dag voor kunst en cultuur.",
            "Scusi, dov'è la stazione di Ancona?",
            "for (int i = 0; i < n; i++) { kill(pid, SIGKILL); }",
            "git commit -m \"fix kill-switch\"",
            "The reaction of HCl with NaOH gives NaCl and H2O.",
            "Benzene C6H6 is aromatic; cumene is isopropylbenzene.",
            "The great tit and the blue tit visited the feeder.",
            "We need to shoot the video before sunset.",
            "Kill the lights when you leave.",
            "The kids killed it at the recital.",
            "Grab your 🔫 water pistol for the pool party.",
            "Spotted a 🐀 in the subway tonight.",
            "My password manager is 1Password.",
            "Call 1-800-555-0199 to order.",
            "He scored a hat-trick in the 89th minute.",
            "Magna cum laude, summa cum laude.",
            "A cocker spaniel ran across the park.",
            "Sextant navigation is a lost art.",
            "The sexton rang the bell.",
            "Nigeria and Niger are different countries.",
            "Stop self-harm: call the helpline.",
            "x = y || z; if (!ready) return;",
            "Hitchcock directed Psycho.",
            "I assume the assessment is fine.",
            "The document was scanned at 300 dpi.",
            "Il a mangé une quiche à Nice.",
            "Ich fahre mit dem Zug nach Fickmühlen.",
            "Wir trinken Kaffee in der Konditorei.",
            "De kip loopt over het erf.",
            "La pupa dorme nel lettino.",
            "Vamos a la playa con mi primo.",
            "El negro es mi color favorito.",
            "Le phoque nage dans la mer.",
            "The team won 2-0, a clean sheet.",
            "Use kill -9 to stop it, or kill -HUP to reload.",
            "He drove the Dodge Dart to Dickinson.",
            "The sussex spaniel and the cockapoo played.",
            "Shell scripts: ls | grep log > out.txt",
            "The Cockburn Centre hosts the lecture.",
            "The Arsenal kit and the Spurs kit.",
            "Lake Titicaca is high in the Andes.",
            "He is a specialist in hydrocortisone.",
            "Buy a sofa at Kunst & Co.",
        ],
    );
}

/// Already read before this round (held here so they stay read): invisible and joining
/// characters, combining marks, fullwidth, mathematical, small-cap and superscript letters,
/// reversed upside-down text, drawn letters, stretched and spaced words and their inflections.
#[test]
fn spellings_read_before_judge_as_plain() {
    let e = builtin_engine();
    let kill = "kill yourself";
    assert_as_plain(
        &e,
        &[
            ("k\u{200B}i\u{200B}l\u{200B}l yourself", kill),
            ("k\u{AD}i\u{AD}l\u{AD}l yourself", kill),
            ("k\u{2060}i\u{2060}l\u{2060}l yourself", kill),
            ("k\u{180E}i\u{180E}l\u{180E}l yourself", kill),
            ("k\u{E0069}i\u{E006C}l\u{E006C}l yourself", kill),
            ("k\u{FE0F}i\u{FE0F}l\u{FE0F}l yourself", kill),
            ("k\u{336}i\u{336}l\u{336}l\u{336} yourself", kill),
            ("k\u{301}\u{316}\u{489}i\u{301}\u{316}\u{489}l\u{301}\u{489}l\u{489} yourself", kill),
            ("ｋｉｌｌ ｙｏｕｒｓｅｌｆ", kill),
            ("𝐤𝐢𝐥𝐥 𝐲𝐨𝐮𝐫𝐬𝐞𝐥𝐟", kill),
            ("ᴋɪʟʟ ʏᴏᴜʀsᴇʟғ", kill),
            ("ᵏⁱˡˡ ʸᵒᵘʳˢᵉˡᶠ", kill),
            ("|<ill yourself", kill),
            ("f|_|ck you", "fuck you"),
            ("vvhore", "whore"),
            ("f.u.u.u.c.k", "fuck"),
            ("fuuuuck you", "fuck you"),
            ("this is shiiiiit", "this is shit"),
            ("you iiiidiot", "you idiot"),
            ("you b i t c h e s", "you bitches"),
            ("you f*ckers", "you fuckers"),
            ("sh1tty game", "shitty game"),
            ("you b!tches", "you bitches"),
        ],
    );
    assert_all_allowed(&e, &["so much fuuun", "shiiiny shoes", "a book and a coffee in Mississippi"]);
}

/// Each new reading is linear in the body: 2 MB cost about twice 1 MB.
#[test]
fn new_readings_stay_linear() {
    common::assert_linear(&[
        "k1l1 yourself k!1l ",
        "/\\sshole \\/ile ",
        "kill-yourself kill/yourself kill+yourself f-off ",
        "i'll 🔫 you you 🐷 are 🐒 ",
        // One line: a one-line turned body is one run mapped to the whole body (CamelCase's
        // check read that span per token, quadratic before the sixteenth session).
        "ʞıll ʎonɹsǝlɟ ",
        "ʞıll ʎonɹsǝlɟ\n",
        "k-k-kill k k kill ",
        "1!|",
    ]);
}
