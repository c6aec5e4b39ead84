//! The verdict record: the wire format every output speaks (docs/design.md §3).
//!
//! One JSON object per input comment, in input order:
//!
//! ```json
//! {"id": "c-17", "verdict": "flag", "score": 2.0,
//!  "reasons": [{"rule": "attack.second-person-insult", "category": "attack", "action": "flag",
//!               "message": "insult aimed at the reader",
//!               "matches": [{"start": 41, "end": 61, "text": "You are a disgrace"}]}]}
//! ```
//!
//! `start`/`end` are byte offsets into the **original** body and `text == body[start..end]`.
//! A record that could not be read still gets a line, with `"verdict": "error"`, an `error`
//! message and its `source` (`file:line`). Fields may be added; none may change meaning.

use serde::{Deserialize, Serialize};

/// What should happen to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Publish.
    Allow,
    /// Hold for a human.
    Flag,
    /// Reject.
    Block,
    /// The record could not be read; no judgement was made.
    Error,
}

impl Decision {
    /// The lowercase name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Flag => "flag",
            Decision::Block => "block",
            Decision::Error => "error",
        }
    }

    /// `flag` or `block`: the comment is not published as is.
    pub fn is_deny(self) -> bool {
        matches!(self, Decision::Flag | Decision::Block)
    }
}

/// A rule's direct action, independent of the score. Ordered weakest first: the strongest
/// action among a comment's reasons decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Publish with the matched words masked (`censored` in the record); only for wordlist and
    /// pattern rules, whose matches can be masked.
    Censor,
    /// Hold for review.
    Flag,
    /// Reject.
    Block,
}

impl Action {
    /// The decision this action forces.
    pub fn decision(self) -> Decision {
        match self {
            Action::Censor => Decision::Allow,
            Action::Flag => Decision::Flag,
            Action::Block => Decision::Block,
        }
    }

    /// The lowercase name used in configs and records.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Censor => "censor",
            Action::Flag => "flag",
            Action::Block => "block",
        }
    }
}

/// One matched piece of the original body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Byte offset into the original body where the match starts.
    pub start: usize,
    /// Byte offset into the original body where the match ends (exclusive).
    pub end: usize,
    /// `body[start..end]`, the evasive form exactly as the user wrote it.
    pub text: String,
}

/// Why a comment was judged as it was: one rule that hit, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The rule's stable id, e.g. `profanity.strong`.
    pub rule: String,
    /// The rule's category (`profanity`, `attack`, `identity`, `threat`, `spam`, ...).
    pub category: String,
    /// The rule's direct action, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// What this reason added to the score.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub score: f64,
    /// The rule's message for moderators and commenters.
    pub message: String,
    /// Where in the original body the evidence is; empty for structural rules about metadata.
    #[serde(default)]
    pub matches: Vec<Span>,
    /// Set when every match of this rule lies on words another rule already scored: the same
    /// words count once, so this reason added nothing (its `score` is 0). Names that rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted_by: Option<String>,
    /// Set when the rule matched more often than `matches` lists (only the first 32 are listed,
    /// so one comment's record stays small whatever it holds): how many matches there were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_count: Option<usize>,
    /// Set for a rule in `mode = "shadow"`: it hit, but is only watched, so this reason adds no
    /// score and no action (`score` is 0, `action` absent); this says what it would have done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shadow: Option<Shadow>,
}

/// What a shadow rule would have done, had it been enforced on this comment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Shadow {
    /// The rule's action, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// The rule's score.
    pub score: f64,
    /// The verdict the rules would have given with this rule enforced (the other shadow rules
    /// still watching), before the author policy.
    pub verdict: Decision,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// The judgement of one comment: the record written for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The comment's id (or the best id the reader could recover for an error record).
    pub id: String,
    /// allow / flag / block / error.
    pub verdict: Decision,
    /// The sum of the score of every reason.
    #[serde(default)]
    pub score: f64,
    /// Every rule that hit, in rule order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    /// The body with every censored match masked (`f*** off`), for a site to publish instead of
    /// the body; only on `allow` and `flag` records ([`crate::decide::censor`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub censored: Option<String>,
    /// For error records: what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For error records: `file:line` of the bad record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Verdict {
    /// An `error` record for input that could not be read.
    pub fn error(id: impl Into<String>, error: impl Into<String>, source: impl Into<String>) -> Verdict {
        Verdict {
            id: id.into(),
            verdict: Decision::Error,
            score: 0.0,
            reasons: Vec::new(),
            censored: None,
            error: Some(error.into()),
            source: Some(source.into()),
        }
    }

    /// The categories of all reasons, deduplicated, in first-seen order.
    pub fn categories(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.reasons {
            if !out.contains(&r.category.as_str()) {
                out.push(&r.category);
            }
        }
        out
    }
}
