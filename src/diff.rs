//! What a rule change would do before it ships: judge the same comments with two configs and
//! group the comments whose verdict changes by the rules that cause the change. With labels
//! (`labels.toxic` in labeled JSONL), each change is a fix or a regression.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::verdict::{Decision, Verdict};

/// One comment whose verdict changed.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Comment id.
    pub id: String,
    /// Verdict under config A.
    pub before: Decision,
    /// Verdict under config B.
    pub after: Decision,
    /// Rules that hit under only one of the configs (`+rule` only in B, `-rule` only in A).
    pub rules: Vec<String>,
    /// `fix`, `regression`, or absent without a label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<&'static str>,
    /// The body (truncated).
    pub body: String,
}

/// Changes grouped by (before → after, rules).
#[derive(Debug, Clone, Default, Serialize)]
pub struct DiffReport {
    /// Comments compared.
    pub compared: u64,
    /// Comments whose verdict changed.
    pub changed: u64,
    /// Records that could not be read (`run`'s `error` records): not compared, but counted, so
    /// `compared + unreadable` is every record of the inputs.
    #[serde(skip_serializing_if = "is_zero")]
    pub unreadable: u64,
    /// Changes judged fixes (needs labels).
    pub fixes: u64,
    /// Changes judged regressions (needs labels).
    pub regressions: u64,
    /// Groups: key "before→after by rules", value the changes.
    pub groups: BTreeMap<String, Vec<Change>>,
    /// Per shadow rule (`mode = "shadow"` in either config): comments it hit under A and B, and
    /// comments whose verdict it would have changed under A and B.
    pub shadow: BTreeMap<String, ShadowDiff>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A shadow rule's counts under both configs.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ShadowDiff {
    /// Comments hit under config A and B.
    pub hits: [u64; 2],
    /// Comments whose verdict it would have made stronger, under A and B.
    pub would_change: [u64; 2],
}

/// How a reason is named in a change: a shadow rule's reason is `rule (shadow)`, so promoting
/// it reads `+rule -rule (shadow)`.
fn name(r: &crate::verdict::Reason) -> String {
    match r.shadow {
        Some(_) => format!("{} (shadow)", r.rule),
        None => r.rule.clone(),
    }
}

/// Whether a change from `before` to `after` on a comment labeled `toxic` fixes or breaks it.
pub fn effect(before: Decision, after: Decision, toxic: Option<bool>) -> Option<&'static str> {
    let t = toxic?;
    let (b, a) = (before.is_deny(), after.is_deny());
    if b == a {
        // flag ↔ block: better when a toxic comment is blocked, or an innocent one only flagged.
        let stronger = after > before;
        return Some(if stronger == t { "fix" } else { "regression" });
    }
    Some(if a == t { "fix" } else { "regression" })
}

impl DiffReport {
    /// Compares one comment's two verdicts.
    pub fn add(&mut self, a: &Verdict, b: &Verdict, toxic: Option<bool>, body: &str) {
        self.compared += 1;
        for (i, v) in [a, b].into_iter().enumerate() {
            for r in &v.reasons {
                let Some(sh) = &r.shadow else { continue };
                let c = self.shadow.entry(r.rule.clone()).or_default();
                c.hits[i] += 1;
                c.would_change[i] += u64::from(sh.verdict > v.verdict);
            }
        }
        if a.verdict == b.verdict {
            return;
        }
        self.changed += 1;
        let ra: Vec<String> = a.reasons.iter().map(name).collect();
        let rb: Vec<String> = b.reasons.iter().map(name).collect();
        let mut rules: Vec<String> = rb.iter().filter(|r| !ra.contains(r)).map(|r| format!("+{r}")).collect();
        rules.extend(ra.iter().filter(|r| !rb.contains(r)).map(|r| format!("-{r}")));
        if rules.is_empty() {
            rules.push("(score or thresholds)".into());
        }
        let eff = effect(a.verdict, b.verdict, toxic);
        match eff {
            Some("fix") => self.fixes += 1,
            Some(_) => self.regressions += 1,
            None => {}
        }
        let key = format!("{} → {} by {}", a.verdict.as_str(), b.verdict.as_str(), rules.join(" "));
        let body: String = body.chars().take(200).collect();
        self.groups.entry(key).or_default().push(Change {
            id: a.id.clone(),
            before: a.verdict,
            after: b.verdict,
            rules,
            effect: eff,
            body,
        });
    }
}
