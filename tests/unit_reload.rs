//! The config watcher's decision (`serve` and `worker` hot reload): a changed file is loaded
//! only once it held still for one look, so a file caught mid-write is never swapped in.

use std::time::{Duration, SystemTime};

use moderate::serve::reload::{settled_change, Stamp};


fn at(ms: u64, len: u64) -> Stamp {
    Some((SystemTime::UNIX_EPOCH + Duration::from_millis(ms), len))
}

#[test]
fn a_change_is_loaded_once_it_holds_still_for_one_look() {
    let loaded = vec![at(0, 10)];
    let mut seen = None;
    assert!(!settled_change(&loaded, vec![at(0, 10)], &mut seen), "nothing changed");
    // Mid-write: truncated, then half written, then whole; each look sees it move.
    assert!(!settled_change(&loaded, vec![at(5, 0)], &mut seen));
    assert!(!settled_change(&loaded, vec![at(6, 7)], &mut seen));
    assert!(!settled_change(&loaded, vec![at(7, 14)], &mut seen));
    assert!(settled_change(&loaded, vec![at(7, 14)], &mut seen), "held still: load it");
    assert_eq!(seen, None, "a load starts the next change afresh");
    // A file that disappears and comes back as it was is no change.
    assert!(!settled_change(&loaded, vec![None], &mut seen));
    assert!(!settled_change(&loaded, vec![at(0, 10)], &mut seen));
    assert_eq!(seen, None);
}
