//! The normalize stage: turns a comment body into the text the rules see, with a map back to
//! byte offsets of the original body.
//!
//! (normalize helper: essay to be written)

use std::ops::Range;

/// Options for the normalizer, from `[normalize]` in config.toml.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizeOptions {
    /// Fold leetspeak digits and symbols (`sh1t`, `@ss`) into letters.
    pub leet: bool,
    /// Decode HTML entities and drop tags.
    pub html: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions { leet: true, html: true }
    }
}

/// A normalized text and its offset map.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    /// The folded text the rules match on.
    pub text: String,
    map: Vec<usize>,
}

impl Normalized {
    /// The byte range of the original body that produced normalized bytes `start..end`.
    pub fn original_range(&self, start: usize, end: usize) -> Range<usize> {
        // TEMPORARY (identity map) until the normalize stage lands.
        self.map[start]..self.map[end]
    }
}

/// The compiled normalizer; cheap to share across threads.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    opts: NormalizeOptions,
}

impl Normalizer {
    /// A normalizer with these options.
    pub fn new(opts: &NormalizeOptions) -> Normalizer {
        Normalizer { opts: opts.clone() }
    }

    /// Normalizes `body` into `out`, reusing its buffers.
    pub fn normalize_into(&self, body: &str, out: &mut Normalized) {
        // TEMPORARY: ASCII lowercase only, until the normalize stage lands.
        let _ = &self.opts;
        out.text.clear();
        out.map.clear();
        out.text.push_str(&body.to_ascii_lowercase());
        out.map.extend(0..=body.len());
    }

    /// Normalizes `body` into a fresh [`Normalized`].
    pub fn normalize(&self, body: &str) -> Normalized {
        let mut out = Normalized::default();
        self.normalize_into(body, &mut out);
        out
    }
}
