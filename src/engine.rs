//! The compiled engine: rules, matcher and thresholds, built once by [`crate::config::load`]
//! and shared across threads with cheap clones (an `Arc` inside).
//!
//! [`Engine::judge`] is a pure function of the comment: same comment, same verdict, on any
//! thread. State across comments (authors, duplicates, floods) is the job of
//! [`crate::decide::author::AuthorPolicy`], which the pipeline runs in input order.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::comment::Comment;
use crate::decide::author::{AuthorPolicy, AuthorRules};
use crate::decide::Thresholds;
use crate::matcher::profile::{RuleProfile, Stage};
use crate::matcher::{Hit, Hits, Matcher};
use crate::normalize::Normalized;
use crate::rule::RuleMeta;
use crate::verdict::Verdict;
use crate::verdict::{Action, Reason};

/// Reusable per-thread buffers for [`Engine::judge_with`].
#[derive(Debug, Default)]
pub struct Scratch {
    matcher: crate::matcher::Scratch,
    hits: Hits,
    model: crate::model::Scratch,
}

/// `[limits]`: bounds on the work one comment may cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Bodies longer than this (in bytes) are judged on their first `max_body_bytes` (cut at a
    /// character boundary) and flagged with the reason `input.too-long`, never allowed unseen.
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_body_bytes: 1 << 20 }
    }
}

/// The id of the reason a cut body gets.
pub const TOO_LONG_RULE: &str = "input.too-long";

#[derive(Debug, Clone)]
struct Inner {
    rules: Vec<RuleMeta>,
    matcher: Matcher,
    thresholds: Thresholds,
    limits: Limits,
    authors: AuthorRules,
    origin: String,
    /// Time per stage and rule, when `run --profile-rules` asked for it.
    profile: Option<Arc<RuleProfile>>,
    /// Model rules (`signal = { type = "model", ... }`), scored after the other rules.
    models: crate::model::ModelRules,
}

/// The compiled policy. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct Engine(Arc<Inner>);

/// Everything `explain` shows about one judgement.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The text the rules saw.
    pub normalized: String,
    /// Raw hits (rule index, original span), before grouping into reasons.
    pub hits: Vec<Hit>,
    /// The verdict.
    pub verdict: Verdict,
    /// Hits that did not count: after a rule's `unless_after` cue (reported speech) or inside
    /// one of its `unless_phrase` phrases.
    pub reported: Vec<Hit>,
}

impl Engine {
    /// Assembles an engine (used by the config loader).
    pub fn new(
        rules: Vec<RuleMeta>,
        matcher: Matcher,
        thresholds: Thresholds,
        limits: Limits,
        authors: AuthorRules,
        origin: String,
    ) -> Engine {
        Engine::with_parts(rules, matcher, thresholds, limits, authors, origin, crate::model::ModelRules::default())
    }

    /// [`new`](Self::new) with model rules: the loader builds the engine once with them, since
    /// [`with_models`](Self::with_models) on a fresh engine deep-copies the matcher (its term
    /// tables) and drops the original, 4 % of start-up (callgrind, docs/bench.md).
    pub fn with_parts(
        rules: Vec<RuleMeta>,
        matcher: Matcher,
        thresholds: Thresholds,
        limits: Limits,
        authors: AuthorRules,
        origin: String,
        models: crate::model::ModelRules,
    ) -> Engine {
        Engine(Arc::new(Inner { rules, matcher, thresholds, limits, authors, origin, profile: None, models }))
    }

    /// This engine with per-stage and per-rule timing on (`run --profile-rules`): the same
    /// verdicts, plus a [`RuleProfile`] that every clone of the returned engine adds into.
    pub fn profiled(&self) -> Engine {
        let mut inner = (*self.0).clone();
        inner.profile = Some(Arc::new(RuleProfile::new(inner.rules.len())));
        Engine(Arc::new(inner))
    }

    /// The timing of a [`profiled`](Self::profiled) engine so far.
    pub fn rule_profile(&self) -> Option<&RuleProfile> {
        self.0.profile.as_deref()
    }

    /// The same engine with these model rules (the config loader adds them; `learn` swaps them
    /// for the model of each cross-validation fold, or none).
    pub fn with_models(&self, models: crate::model::ModelRules) -> Engine {
        Engine(Arc::new(Inner { models, ..(*self.0).clone() }))
    }

    /// The model rules.
    pub fn models(&self) -> &crate::model::ModelRules {
        &self.0.models
    }

    /// Judges one comment.
    pub fn judge(&self, comment: &Comment) -> Verdict {
        self.judge_with(comment, &mut Scratch::default())
    }

    /// Judges one comment, reusing `scratch`'s buffers.
    ///
    /// Time is linear in the judged body (at most `[limits] max_body_bytes`), and memory a small
    /// multiple of it; a longer body is judged on its start and flagged.
    pub fn judge_with(&self, comment: &Comment, scratch: &mut Scratch) -> Verdict {
        scratch.hits.clear();
        let body = comment.body.as_str();
        let max = self.0.limits.max_body_bytes;
        let mut cut = body.len().min(max);
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        let judged = &body[..cut];
        let profile = self.0.profile.as_deref();
        self.0.matcher.scan_profiled(comment, judged, &mut scratch.matcher, &mut scratch.hits, profile);
        // A per-comment scorer over the normalized words (a model signal) plugs in here:
        // `scratch.matcher.norm.text` is this comment's normalized text, and what it finds goes
        // into `scratch.hits` as a `Hit` of its rule before decide.
        let t = &self.0.thresholds;
        let t0 = profile.map(|_| std::time::Instant::now());
        let mut v = crate::decide::decide(&comment.id, judged, &mut scratch.hits, &self.0.rules, t);
        if let (Some(p), Some(t0)) = (profile, t0) {
            p.stage(Stage::Decide, t0.elapsed());
            p.comment();
        }
        self.0.models.apply(&scratch.matcher.norm, judged, &self.0.rules, t, &mut v, &mut scratch.model);
        if cut < body.len() {
            v.reasons.push(Reason {
                rule: TOO_LONG_RULE.to_string(),
                category: "input".to_string(),
                action: Some(Action::Flag),
                score: 0.0,
                message: format!(
                    "the comment is {} bytes long, over the limit of {max} ([limits] max_body_bytes): \
                     only its first {cut} bytes were judged",
                    body.len()
                ),
                matches: Vec::new(),
                counted_by: None,
                match_count: None,
                shadow: None,
            });
            crate::decide::recompute(&mut v, t);
        } else {
            // A comment judged on its start only is held anyway: no masked text for it.
            let norm = &scratch.matcher.norm;
            let keep_on_block = self.0.authors.may_trust();
            crate::decide::censor::apply(&mut v, body, norm, &scratch.hits, &self.0.rules, t, keep_on_block);
        }
        v
    }

    /// Judges one comment and keeps what `explain` needs to show the work.
    pub fn explain(&self, comment: &Comment) -> Explanation {
        let mut scratch = Scratch::default();
        let verdict = self.judge_with(comment, &mut scratch);
        let reported = std::mem::take(&mut scratch.matcher.reported);
        let hits = std::mem::take(&mut scratch.hits.list);
        Explanation { normalized: scratch.matcher.norm.text.clone(), hits, verdict, reported }
    }

    /// The normalized form of `body`.
    pub fn normalize(&self, body: &str) -> Normalized {
        self.0.matcher.normalizer().normalize(body)
    }

    /// Compiles every regex pattern now (they are otherwise compiled on first use): the id of
    /// each rule with a pattern that does not compile, and why. `moderate check` calls it.
    pub fn compile_all(&self) -> Vec<(String, String)> {
        let failed = self.0.matcher.compile_all().into_iter();
        failed.map(|(rule, e)| (self.0.rules[rule].id.clone(), e)).collect()
    }

    /// The matcher (for measuring its parts).
    pub fn matcher(&self) -> &Matcher {
        &self.0.matcher
    }

    /// The rule table, in config order.
    pub fn rules(&self) -> &[RuleMeta] {
        &self.0.rules
    }

    /// The score thresholds.
    pub fn thresholds(&self) -> &Thresholds {
        &self.0.thresholds
    }

    /// The per-comment limits.
    pub fn limits(&self) -> &Limits {
        &self.0.limits
    }

    /// A fresh author-policy state for one run.
    pub fn author_policy(&self) -> AuthorPolicy {
        AuthorPolicy::new(self.0.authors.clone(), self.0.thresholds)
    }

    /// Where the config came from (a path, or `built-in`).
    pub fn origin(&self) -> &str {
        &self.0.origin
    }
}
