//! Checks beyond validity: rule `examples`, and "did you mean" for unknown keys.

use std::collections::BTreeMap;

use super::files::Loader;
use crate::comment::Comment;
use crate::config::diag::did_you_mean;
use crate::config::RawConfig;
use crate::engine::Engine;

/// Runs every rule's `examples`: a `match` example the rule misses, or a `no_match` example it
/// hits, is a warning at the rule.
pub(super) fn check_examples(l: &mut Loader, raw: &RawConfig, engine: &Engine) {
    let index: BTreeMap<&str, usize> = engine.rules().iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    for (ri, rule) in raw.rules.iter().enumerate() {
        l.enter(l.merge.from_builtin.get(ri).copied().unwrap_or(false));
        let Some(&i) = index.get(rule.id.get_ref().trim()) else { continue };
        for (text, should) in
            rule.examples.matches.iter().map(|t| (t, true)).chain(rule.examples.no_match.iter().map(|t| (t, false)))
        {
            let ex = engine.explain(&Comment::new("example", text.as_str()));
            let hit = ex.hits.iter().any(|h| h.rule == i);
            if hit != should {
                let what = if should { "does not match" } else { "matches" };
                let not = if should { "match" } else { "no_match" };
                l.diags.warning(
                    l.config_file,
                    rule.id.span(),
                    format!("rule `{}` {what} its `{not}` example {text:?}", rule.id.get_ref()),
                );
            }
        }
    }
}

/// "unknown field `x`, expected one of `a`, `b`" → "did you mean `a`?".
pub(super) fn unknown_field_help(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let best = did_you_mean(field, expected.iter().copied())?;
    Some(format!("did you mean `{best}`?"))
}
