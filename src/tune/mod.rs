//! Tools that read labeled data and propose changes for a human to make: threshold suggestions
//! ([`suggest`]) and candidate terms from misses ([`mine`]). Nothing here edits a config; each
//! prints what to paste or to look at, with the counts behind it.

pub mod mine;
pub mod suggest;

use std::collections::BTreeMap;

/// Whether a labeled row should be denied: any of its labels true (`toxic`, or a category such
/// as `spam`, which is not toxic but is not published either); `None` for a row without labels.
/// `suggest` and `mine` fit and mine against this, so spam rows count as what they are.
pub fn should_deny(labels: &BTreeMap<String, bool>) -> Option<bool> {
    if labels.is_empty() {
        None
    } else {
        Some(labels.values().any(|&v| v))
    }
}
