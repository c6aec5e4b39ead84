//! Threat frames the pack reads as a threat however the first person is written (`im going
//! to`, `imma`, `finna`), and compounds of a strong term with an abusive head or modifier
//! (rules/profanity/compound-*.txt). Examples are invented for the test.

mod common;

use common::pack_verdicts as verdicts;

#[test]
fn first_person_threats_block_however_written() {
    let threats = ["im going to kill you", "imma stab u", "we finna burn them", "i'm about to kill you", "go jump out a window"];
    for (b, v) in threats.iter().zip(verdicts(&threats)) {
        assert_eq!(v, "block", "{b:?}");
    }
    let fine = ["im going to kill this bug in the code", "imma shoot some hoops", "jump out of a plane with a parachute"];
    for (b, v) in fine.iter().zip(verdicts(&fine)) {
        assert_eq!(v, "allow", "{b:?}");
    }
}

#[test]
fn compounds_with_an_abusive_head_or_modifier_are_denied() {
    let bad = ["what an arsejockey", "cumjockeys, all of them", "a limpdick move", "arsebandits"];
    for (b, v) in bad.iter().zip(verdicts(&bad)) {
        assert_ne!(v, "allow", "{b:?}");
    }
    // English words made of the same parts, and parts with a head outside the closed list.
    let good = ["the cockpit and the cocktail", "a shitake risotto", "a pinhead of light", "the cockweed grew"];
    for (b, v) in good.iter().zip(verdicts(&good)) {
        assert_eq!(v, "allow", "{b:?}");
    }
}
