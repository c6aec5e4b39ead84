//! Measuring the rules on labeled data (the schema of `../shared/data`): per label, per
//! category and per rule precision / recall / F1, block precision, a verdict × label confusion
//! table, and the false alarms and misses a moderator should look at.
//!
//! Scoring follows the data's convention: a label key that is absent means "the dataset says
//! nothing", so a row counts for a label only if it carries that key. "deny" = flag or block;
//! an `error` verdict counts as deny (it is not published either).
//!
//! Each row is judged by the rules alone ([`Engine::judge_with`]): the author policy
//! (duplicates, floods, repeat offenders), which depends on a run's order and mix, is not
//! applied, so a file's figures are the same whichever other files the same `eval` reads
//! (`hostile_round14::a_files_eval_does_not_depend_on_the_other_files_and_run_says_it_does`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::comment::{Comment, CommentKind};
use crate::engine::{Engine, Scratch};
use crate::verdict::{Decision, Verdict};

/// The labels `moderate` scores (docs/design.md §6 categories plus `toxic`).
pub const LABELS: [&str; 6] = ["toxic", "profanity", "attack", "identity", "threat", "spam"];

/// One labeled row.
#[derive(Debug, Clone)]
pub struct LabeledRow {
    /// The comment.
    pub comment: Comment,
    /// Boolean labels present on the row.
    pub labels: BTreeMap<String, bool>,
    /// The row's `source` field, when the file has one (probe files say which kind of probe a
    /// row is: `lexicon:deny_words:clear`, `…:evasive-variant`, ...).
    pub source: Option<String>,
}

#[derive(Deserialize)]
struct RawRow {
    id: serde_json::Value,
    #[serde(default)]
    author: Option<String>,
    body: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    labels: UniqueKeys,
    #[serde(default)]
    source: Option<String>,
}

/// The `labels` object, refusing a key given twice: serde's derive already refuses a record's
/// own fields twice (`body`, `labels`), but a map keeps the last value silently, and Python or
/// Node would keep it too while this file's writer may have meant the first.
#[derive(Default)]
struct UniqueKeys(BTreeMap<String, serde_json::Value>);

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = UniqueKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of labels")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<UniqueKeys, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v = map.next_value::<serde_json::Value>()?;
                    if out.contains_key(&k) {
                        return Err(serde::de::Error::custom(format!(
                            "field \"labels.{k}\" appears twice; which value is meant is not known"
                        )));
                    }
                    out.insert(k, v);
                }
                Ok(UniqueKeys(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Reads a labeled JSONL file.
///
/// # Errors
/// The file cannot be read, or a line is not a labeled record (message names file:line).
pub fn read_labeled(path: &Path) -> Result<Vec<LabeledRow>, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // Lines as `moderate run` reads them: UTF-16/32 decoded, and LF, CRLF or a lone CR ends a
    // line (a CR-only file was one line here, refused as "trailing characters").
    let (bytes, _, _) = crate::read::read_utf8(f, false).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut rows = Vec::new();
    let mut at = 0;
    let mut n = 0;
    while at < bytes.len() {
        let len = crate::read::line_len(&bytes[at..]);
        let line = &bytes[at..at + len];
        at += len;
        n += 1;
        let here = |e: &dyn std::fmt::Display| format!("{}:{n}: {e}", path.display());
        let line = std::str::from_utf8(line)
            .map_err(|e| here(&format_args!("invalid UTF-8 at byte {}", e.valid_up_to() + 1)))?;
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        // Say what was expected: the usual mistakes are a CSV or `run`'s verdict records.
        let raw: RawRow = serde_json::from_str(line).map_err(|e| {
            here(&format_args!(
                "{e}; labeled JSONL is one object per line: {{\"id\", \"body\", \"labels\": {{\"toxic\": true, ...}}}}"
            ))
        })?;
        let id = match raw.id {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        // A scored label that is not true/false (`"yes"`, `1`) was dropped silently, so the row
        // counted as saying nothing about it; `null` still says nothing, other keys (a dataset's
        // raw annotations) are kept out of scoring as before.
        if let Some((k, v)) =
            raw.labels.0.iter().find(|(k, v)| LABELS.contains(&k.as_str()) && !v.is_boolean() && !v.is_null())
        {
            return Err(here(&format_args!("field \"labels.{k}\": expected true or false, found {v}")));
        }
        let labels = raw.labels.0.into_iter().filter_map(|(k, v)| v.as_bool().map(|b| (k, b))).collect();
        let mut comment = Comment::new(id, raw.body);
        comment.author = raw.author.filter(|a| !a.is_empty());
        comment.kind = raw.kind.as_deref().map_or(CommentKind::Comment, CommentKind::parse);
        let source = raw.source.filter(|s| !s.is_empty());
        rows.push(LabeledRow { comment, labels, source });
    }
    Ok(rows)
}

/// A 2×2 count.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    /// Predicted and labeled positive.
    pub tp: u64,
    /// Predicted positive, labeled negative.
    pub fp: u64,
    /// Predicted negative, labeled positive.
    pub fn_: u64,
    /// Predicted and labeled negative.
    pub tn: u64,
}

impl Counts {
    /// Counts one row: predicted positive or not, labeled positive or not.
    pub fn add(&mut self, predicted: bool, label: bool) {
        match (predicted, label) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }
    fn merge(&mut self, o: &Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.tn += o.tn;
    }
    /// Rows counted.
    pub fn n(&self) -> u64 {
        self.tp + self.fp + self.fn_ + self.tn
    }
    /// Labeled positives.
    pub fn positives(&self) -> u64 {
        self.tp + self.fn_
    }
    /// tp / (tp + fp); 0 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// tp / (tp + fn); 0 without positives.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// How one rule did.
///
/// Every count is taken against **the label the rule's category maps to in that file**
/// ([`LabelMap`]): the label named like the category (`profanity`, `attack`, ...) when the file
/// carries it, else `toxic`. Rows without that label are unlabeled for the rule (a lexicon probe
/// of a slur says nothing about profanity). Hits and positives use the same label, so
/// `tp <= positives` and recall is the share of its positives the rule catches (never above 1).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleStats {
    /// The rule's category.
    pub category: String,
    /// Rows the rule hit.
    pub hits: u64,
    /// Hits on rows whose mapped label is positive.
    pub tp: u64,
    /// Hits on rows whose mapped label is negative.
    pub fp: u64,
    /// Hits on rows without a usable label.
    pub unlabeled: u64,
    /// Rows whose mapped label is positive (for recall).
    pub positives: u64,
    /// `mode = "shadow"`: reported, never enforced.
    pub shadow: bool,
    /// Hits on rows where a higher-scoring rule with at least as strong an action also hit:
    /// when this equals `hits`, the rule is redundant on this data.
    pub covered: u64,
    /// Which rules covered it, and how often.
    pub covered_by: BTreeMap<String, u64>,
}

/// Which label each category is scored against in one file: its own label when any row of the
/// file carries it, else `toxic`.
#[derive(Debug, Clone, Default)]
pub struct LabelMap {
    present: std::collections::BTreeSet<String>,
}

impl LabelMap {
    /// The labels present in `rows`.
    pub fn new(rows: &[LabeledRow]) -> LabelMap {
        LabelMap { present: rows.iter().flat_map(|r| r.labels.keys().cloned()).collect() }
    }

    /// The label name a rule of `category` is scored against.
    pub fn key<'a>(&self, category: &'a str) -> &'a str {
        if self.present.contains(category) {
            category
        } else {
            "toxic"
        }
    }

    /// That label's value on a row; `None` when the row does not carry it.
    pub fn label(&self, labels: &BTreeMap<String, bool>, category: &str) -> Option<bool> {
        labels.get(self.key(category)).copied()
    }
}

impl RuleStats {
    /// No hit on the data.
    pub fn dead(&self) -> bool {
        self.hits == 0
    }
    /// Every hit was also a hit of a higher-scoring rule with at least as strong an action:
    /// the rule adds little on this data. Returns the rule that covered it most often.
    pub fn redundant(&self) -> Option<&str> {
        if self.hits == 0 || self.covered < self.hits {
            return None;
        }
        self.covered_by.iter().max_by_key(|(_, n)| **n).map(|(k, _)| k.as_str())
    }
    /// tp / (tp + fp).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// tp / positives of its category.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.positives)
    }
}

/// An example for a moderator: a row, its verdict, and why it is interesting.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// Row id.
    pub id: String,
    /// Body (truncated to 300 chars).
    pub body: String,
    /// The verdict record (reasons with spans).
    pub verdict: Verdict,
}

/// Results for one file, or pooled over several.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// File name, or `pooled`.
    pub name: String,
    /// Rows read.
    pub rows: u64,
    /// deny (flag or block) vs each label.
    pub deny: BTreeMap<String, Counts>,
    /// "denied with a reason of this category" vs the label of the same name.
    pub category: BTreeMap<String, Counts>,
    /// block vs `toxic` (block precision is what matters).
    pub block: Counts,
    /// verdict → [toxic true, toxic false, no toxic label].
    pub confusion: BTreeMap<String, [u64; 3]>,
    /// Per rule.
    pub rules: BTreeMap<String, RuleStats>,
    /// Per rule: denied rows labeled negative.
    pub false_alarms: BTreeMap<String, Vec<Example>>,
    /// Allowed rows labeled toxic.
    pub misses: Vec<Example>,
    /// Per `source` of the rows (when the file has one): deny vs `toxic`.
    pub sources: BTreeMap<String, Counts>,
    /// Per shadow rule (`mode = "shadow"`): the counts now and if it were enforced.
    pub shadow: BTreeMap<String, ShadowEval>,
}

/// What enforcing one shadow rule would change, on the same rows. "Enforced" means this rule
/// enforced and the other shadow rules still watching (the verdict its reasons carry).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ShadowEval {
    /// The rule's category.
    pub category: String,
    /// Rows it hit.
    pub hits: u64,
    /// Rows whose verdict it would have made stronger.
    pub would_change: u64,
    /// deny vs `toxic`, now and enforced.
    pub toxic: [Counts; 2],
    /// deny vs the label its category maps to ([`LabelMap`]), now and enforced.
    pub label: [Counts; 2],
    /// block vs `toxic`, now and enforced.
    pub block: [Counts; 2],
}

fn truncate(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Judges rows on all cores, keeping their order.
pub fn judge_all(engine: &Engine, rows: &[LabeledRow]) -> Vec<Verdict> {
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get()).max(1);
    let chunk = rows.len().div_ceil(jobs).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|part| {
                let engine = engine.clone();
                s.spawn(move || {
                    let mut scratch = Scratch::default();
                    part.iter().map(|r| engine.judge_with(&r.comment, &mut scratch)).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("judge thread")).collect()
    })
}

/// Scores `verdicts` against `rows`, keeping up to `examples` examples per rule and misses.
pub fn score(name: &str, rows: &[LabeledRow], verdicts: &[Verdict], engine: &Engine, examples: usize) -> Report {
    let mut rep = Report { name: name.to_string(), ..Report::default() };
    let labels = LabelMap::new(rows);
    let cat_of: BTreeMap<&str, &str> = engine.rules().iter().map(|r| (r.id.as_str(), r.category.as_str())).collect();
    let meta: BTreeMap<&str, (f64, Option<crate::verdict::Action>)> =
        engine.rules().iter().map(|r| (r.id.as_str(), (r.score, r.action))).collect();
    for r in engine.rules() {
        rep.rules.entry(r.id.clone()).or_insert_with(|| RuleStats {
            category: r.category.clone(),
            shadow: r.shadow,
            ..RuleStats::default()
        });
        if r.shadow {
            rep.shadow.insert(r.id.clone(), ShadowEval { category: r.category.clone(), ..ShadowEval::default() });
        }
    }
    for (row, v) in rows.iter().zip(verdicts) {
        rep.rows += 1;
        let deny = v.verdict.is_deny() || v.verdict == Decision::Error;
        for label in LABELS {
            if let Some(&l) = row.labels.get(label) {
                rep.deny.entry(label.to_string()).or_default().add(deny, l);
                if label != "toxic" {
                    let by_cat = deny && v.reasons.iter().any(|r| r.category == label);
                    rep.category.entry(label.to_string()).or_default().add(by_cat, l);
                }
            }
        }
        for stats in rep.rules.values_mut() {
            if let Some(l) = labels.label(&row.labels, &stats.category) {
                stats.positives += u64::from(l);
            }
        }
        for (id, se) in rep.shadow.iter_mut() {
            let enforced = v
                .reasons
                .iter()
                .find(|r| &r.rule == id)
                .and_then(|r| r.shadow.as_ref())
                .map_or(v.verdict, |sh| sh.verdict.max(v.verdict));
            let hit = v.reasons.iter().any(|r| &r.rule == id);
            se.hits += u64::from(hit);
            se.would_change += u64::from(enforced != v.verdict);
            let deny_enforced = deny || enforced.is_deny();
            if let Some(&t) = row.labels.get("toxic") {
                se.toxic[0].add(deny, t);
                se.toxic[1].add(deny_enforced, t);
                se.block[0].add(v.verdict == Decision::Block, t);
                se.block[1].add(enforced == Decision::Block, t);
            }
            if let Some(l) = labels.label(&row.labels, &se.category) {
                se.label[0].add(deny, l);
                se.label[1].add(deny_enforced, l);
            }
        }
        if let (Some(src), Some(&t)) = (&row.source, row.labels.get("toxic")) {
            rep.sources.entry(src.clone()).or_default().add(deny, t);
        }
        let toxic = row.labels.get("toxic").copied();
        if let Some(t) = toxic {
            rep.block.add(v.verdict == Decision::Block, t);
        }
        let col = match toxic {
            Some(true) => 0,
            Some(false) => 1,
            None => 2,
        };
        rep.confusion.entry(v.verdict.as_str().to_string()).or_insert([0; 3])[col] += 1;
        for reason in v.reasons.iter().filter(|r| r.shadow.is_none()) {
            let Some(&(score, action)) = meta.get(reason.rule.as_str()) else { continue };
            let by = v
                .reasons
                .iter()
                .filter(|o| o.shadow.is_none() && o.rule != reason.rule)
                .filter_map(|o| meta.get(o.rule.as_str()).map(|m| (o, m)))
                .filter(|(_, &(s, a))| s > score && a >= action)
                .max_by(|x, y| x.1 .0.total_cmp(&y.1 .0))
                .map(|(o, _)| o.rule.clone());
            if let Some(by) = by {
                if let Some(stats) = rep.rules.get_mut(&reason.rule) {
                    stats.covered += 1;
                    *stats.covered_by.entry(by).or_default() += 1;
                }
            }
        }
        for reason in &v.reasons {
            let cat = cat_of.get(reason.rule.as_str()).copied().unwrap_or(reason.category.as_str());
            let label = labels.label(&row.labels, cat);
            let stats = rep
                .rules
                .entry(reason.rule.clone())
                .or_insert_with(|| RuleStats { category: cat.to_string(), ..RuleStats::default() });
            stats.hits += 1;
            match label {
                Some(true) => stats.tp += 1,
                Some(false) => {
                    stats.fp += 1;
                    let list = rep.false_alarms.entry(reason.rule.clone()).or_default();
                    if list.len() < examples && deny {
                        list.push(Example {
                            id: row.comment.id.clone(),
                            body: truncate(&row.comment.body, 300),
                            verdict: v.clone(),
                        });
                    }
                }
                None => stats.unlabeled += 1,
            }
        }
        if toxic == Some(true) && !deny && rep.misses.len() < examples * 4 {
            rep.misses.push(Example {
                id: row.comment.id.clone(),
                body: truncate(&row.comment.body, 300),
                verdict: v.clone(),
            });
        }
    }
    rep
}

/// Adds `other` into `self` (for the pooled report; examples are concatenated and capped).
pub fn merge(into: &mut Report, other: &Report, examples: usize) {
    into.rows += other.rows;
    for (k, c) in &other.deny {
        into.deny.entry(k.clone()).or_default().merge(c);
    }
    for (k, c) in &other.category {
        into.category.entry(k.clone()).or_default().merge(c);
    }
    into.block.merge(&other.block);
    for (k, c) in &other.sources {
        into.sources.entry(k.clone()).or_default().merge(c);
    }
    for (k, c) in &other.confusion {
        let e = into.confusion.entry(k.clone()).or_insert([0; 3]);
        for i in 0..3 {
            e[i] += c[i];
        }
    }
    for (k, s) in &other.rules {
        let e = into
            .rules
            .entry(k.clone())
            .or_insert_with(|| RuleStats { category: s.category.clone(), ..RuleStats::default() });
        e.hits += s.hits;
        e.tp += s.tp;
        e.fp += s.fp;
        e.unlabeled += s.unlabeled;
        e.positives += s.positives;
        e.shadow |= s.shadow;
        e.covered += s.covered;
        for (k, n) in &s.covered_by {
            *e.covered_by.entry(k.clone()).or_default() += n;
        }
    }
    for (k, s) in &other.shadow {
        let e = into
            .shadow
            .entry(k.clone())
            .or_insert_with(|| ShadowEval { category: s.category.clone(), ..ShadowEval::default() });
        e.hits += s.hits;
        e.would_change += s.would_change;
        for i in 0..2 {
            e.toxic[i].merge(&s.toxic[i]);
            e.label[i].merge(&s.label[i]);
            e.block[i].merge(&s.block[i]);
        }
    }
    for (k, ex) in &other.false_alarms {
        let e = into.false_alarms.entry(k.clone()).or_default();
        e.extend(ex.iter().take(examples.saturating_sub(e.len())).cloned());
    }
    into.misses.extend(other.misses.iter().take((examples * 4).saturating_sub(into.misses.len())).cloned());
}
