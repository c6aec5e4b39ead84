//! `extends = "builtin"`: a site's config adds to the built-in pack instead of replacing it.
//!
//! A `config.toml` in the working directory used to replace the whole pack silently, so one
//! holding only `[review]` allowed everything. Now a config says which it means:
//!
//! - `extends = "builtin"`: the pack's rules and lists come first; a rule with the same `id`
//!   replaces the pack's rule in place, other rules are added after it; a list of the same name
//!   replaces the pack's list (for the pack's patterns too). Each other section (`[thresholds]`,
//!   `[normalize]`, `[authors]`, ...) is the config's when it has one, else the pack's.
//! - `extends = "none"`: the config's rules are the only rules.
//! - no `extends`: the config's rules replace the pack's, as before, but a config with no
//!   `[[rule]]` at all is an error: it would allow every comment.
//!
//! The pack's files keep their names (`<built-in>/rules/...`): [`BUILTIN_PREFIX`] routes them
//! to the built-in file set whatever directory the site's config is in.

use std::collections::{HashMap, HashSet};

use super::{OneOrMany, RawConfig, Signal};

/// Path prefix of a built-in pack file inside a config that extends it.
pub const BUILTIN_PREFIX: &str = "<built-in>/";

/// What a config builds on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Extends {
    /// Add to (and override parts of) the built-in pack.
    Builtin,
    /// Replace the built-in pack: only this config's rules apply.
    None,
}

/// How a merged config was put together.
#[derive(Debug, Clone, Default)]
pub struct Merge {
    /// Per rule of the merged config: it comes from the built-in pack.
    pub from_builtin: Vec<bool>,
    /// Names of lists that come from the built-in pack.
    pub builtin_lists: HashSet<String>,
    /// Rules the config added.
    pub added: usize,
    /// Pack rules the config replaced (same id).
    pub overridden: usize,
}

/// Merges `user` (whose top-level keys are `present`) over the built-in config `base`.
pub fn merge(user: RawConfig, present: &toml::Table, mut base: RawConfig) -> (RawConfig, Merge) {
    let base_lists: HashSet<String> = base.lists.keys().cloned().collect();
    for path in base.lists.values_mut() {
        prefix(path.get_mut());
    }
    for rule in &mut base.rules {
        for files in [&mut rule.wordlist, &mut rule.allowlist].into_iter().flatten() {
            match files.get_mut() {
                OneOrMany::One(f) => prefix_file(f, &base_lists),
                OneOrMany::Many(v) => v.iter_mut().for_each(|f| prefix_file(f, &base_lists)),
            }
        }
        if let Some(Signal::LinkDomain { deny, .. }) = rule.signal.as_mut().map(|s| &mut s.signal) {
            prefix(deny);
        }
        if let Some(Signal::Model { path, .. }) = rule.signal.as_mut().map(|s| &mut s.signal) {
            prefix(path);
        }
    }
    for f in [&mut base.authors.blocked, &mut base.authors.trusted].into_iter().flatten() {
        prefix(f.get_mut());
    }
    let has = |k: &str| present.contains_key(k);
    let mut out = RawConfig {
        extends: Some(Extends::Builtin),
        thresholds: if has("thresholds") { user.thresholds } else { base.thresholds },
        normalize: if has("normalize") { user.normalize } else { base.normalize },
        input: if has("input") { user.input } else { base.input },
        authors: if has("authors") { user.authors } else { base.authors },
        review: if has("review") { user.review } else { base.review },
        limits: if has("limits") { user.limits } else { base.limits },
        lists: base.lists,
        rules: Vec::new(),
    };
    let mut m = Merge { builtin_lists: base_lists, ..Merge::default() };
    for (name, path) in user.lists {
        m.builtin_lists.remove(&name);
        out.lists.insert(name, path);
    }
    let mut slot: HashMap<String, usize> = HashMap::new();
    for rule in base.rules {
        slot.insert(rule.id.get_ref().trim().to_string(), out.rules.len());
        out.rules.push(rule);
        m.from_builtin.push(true);
    }
    for rule in user.rules {
        match slot.get(rule.id.get_ref().trim()) {
            // A second config rule with the same id is appended: the duplicate-id check names both.
            Some(&i) if m.from_builtin[i] => {
                out.rules[i] = rule;
                m.from_builtin[i] = false;
                m.overridden += 1;
            }
            _ => {
                out.rules.push(rule);
                m.from_builtin.push(false);
                m.added += 1;
            }
        }
    }
    (out, m)
}

fn prefix(path: &mut String) {
    if !path.starts_with(BUILTIN_PREFIX) {
        *path = format!("{BUILTIN_PREFIX}{}", path.trim_start_matches("./"));
    }
}

/// A rule's wordlist entry is a list name or a path: only paths are prefixed.
fn prefix_file(f: &mut String, names: &HashSet<String>) {
    if !names.contains(f.as_str()) {
        prefix(f);
    }
}
