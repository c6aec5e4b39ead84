//! The model file (`rules/model.bin`): a small binary format, read defensively.
//!
//! ```text
//! magic      8 bytes  "MDRTMODL"
//! version    u16 LE   2
//! bits       u8       the lookup table has 2^bits slots (at least twice the features; 8..=23)
//! labels     u8       number of labels (1..=16)
//! meta_len   u32 LE   length of the JSON metadata (≤ 1 MiB)
//! features   u32 LE   number of features (≤ 2^22)
//! per label: name_len u8 (1..=32), name (ASCII a-z 0-9 _ -), slope f32 LE, bias f32 LE,
//!            scale f32 LE (p = sigmoid(slope × evidence + bias), weight = i8 × scale)
//! meta       meta_len bytes of UTF-8 JSON (what it was trained on, its cross-validated figures)
//! keys       features × u64 LE, strictly ascending: the hash of each feature the model knows
//! weights    features × labels i8, feature-major
//! checksum   32 bytes: SHA-256 of everything before
//! ```
//!
//! The model stores the exact 64-bit hash of every feature it knows, and only features seen in
//! enough training rows ([`super::train::Options::min_support`]): any other word or pair weighs
//! exactly 0 (no bucket sharing, so "Cockapoo" cannot inherit a slur's weight).
//!
//! A file is untrusted input: every length is checked against the bytes actually there before
//! anything is allocated, every float must be finite, the keys must ascend, and the checksum
//! must match, so a corrupt or hostile file is a located config error, never a panic or a huge
//! allocation.

use sha2::{Digest, Sha256};

/// The file's first bytes.
pub const MAGIC: &[u8; 8] = b"MDRTMODL";
/// The only version this build reads and writes.
pub const VERSION: u16 = 2;
/// Most features in one file.
pub const MAX_FEATURES: usize = 1 << 22;
/// Most labels in one file.
pub const MAX_LABELS: usize = 16;
/// Largest metadata block.
pub const MAX_META: usize = 1 << 20;
/// Largest file accepted (checked before reading it whole).
pub const MAX_FILE: u64 = 64 << 20;
/// Smallest lookup table.
const MIN_BITS: u8 = 8;

/// One label's head: its name, its calibration and its weights' quantization step.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// The label (`attack`, `identity`, `toxic`, ...).
    pub name: String,
    /// Calibration slope: p = sigmoid(slope × evidence + bias).
    pub slope: f32,
    /// Calibration intercept (logit units).
    pub bias: f32,
    /// Quantization step of this label's weights.
    pub scale: f32,
}

/// A loaded model: the weights of every known unigram and bigram feature, for each label.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Label heads, in file order.
    pub heads: Vec<Head>,
    /// The known features' hashes, ascending.
    pub keys: Vec<u64>,
    /// Quantized weights, feature-major: `weights[feature * heads.len() + label]`.
    pub weights: Vec<i8>,
    /// JSON metadata (training files, cross-validated figures).
    pub meta: String,
    /// Whether its features include character n-grams ([`super::features::grams`]): read from
    /// the metadata's `options.char_ngrams`.
    pub char_ngrams: bool,
    /// Whether its features include context features ([`super::features::context`]): read
    /// from the metadata's `options.context`.
    pub context: bool,
    /// The lookup table, built from `keys` and `weights` (see [`Table`]).
    table: Table,
    bits: u8,
}

/// Open-addressing table (linear probing, at least twice as many slots as features) of feature
/// hash → every label's weight, so one probe per feature gives all labels at once. A slot is
/// `stride` u64s: the key, then the labels' i8 weights packed 8 to a u64 (label `l` in byte
/// `l % 8` of word `1 + l / 8`). Key 0 marks an empty slot; a feature whose hash is 0 lives in
/// one extra slot after the table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    slots: Vec<u64>,
    stride: usize,
    bits: u8,
    has_zero: bool,
}

impl Table {
    fn new(keys: &[u64], weights: &[i8], labels: usize, bits: u8) -> Table {
        let stride = 1 + labels.div_ceil(8);
        let n = 1usize << bits;
        let mut t = Table { slots: vec![0; (n + 1) * stride], stride, bits, has_zero: false };
        for (f, &k) in keys.iter().enumerate() {
            let s = if k == 0 {
                t.has_zero = true;
                n
            } else {
                let mut s = super::features::bucket(k, bits);
                while t.slots[s * stride] != 0 {
                    s = (s + 1) & (n - 1);
                }
                t.slots[s * stride] = k;
                s
            };
            for (l, &w) in weights[f * labels..(f + 1) * labels].iter().enumerate() {
                t.slots[s * stride + 1 + l / 8] |= u64::from(w as u8) << (8 * (l % 8));
            }
        }
        t
    }

    /// Where the packed weights of feature `hash` start (for [`Table::at`]), if the model
    /// knows it.
    #[inline]
    pub fn find(&self, hash: u64) -> Option<u32> {
        let mask = (1usize << self.bits) - 1;
        if hash == 0 {
            return self.has_zero.then_some(((mask + 1) * self.stride + 1) as u32);
        }
        let mut s = super::features::bucket(hash, self.bits);
        loop {
            let at = s * self.stride;
            let key = *self.slots.get(at)?;
            if key == hash {
                return Some(at as u32 + 1);
            }
            if key == 0 {
                return None;
            }
            s = (s + 1) & mask;
        }
    }

    /// The packed weights starting at `at` (from [`Table::find`]): read one label's with
    /// [`unpack`].
    #[inline]
    pub fn at(&self, at: u32) -> &[u64] {
        let at = at as usize;
        self.slots.get(at..at + self.stride - 1).unwrap_or_default()
    }
}

/// Label `label`'s weight in the packed weights `packed` (from [`Table::get`]).
#[inline]
pub fn unpack(packed: &[u64], label: usize) -> i8 {
    packed.get(label / 8).map_or(0, |w| (w >> (8 * (label % 8))) as u8 as i8)
}

/// Why a model file was refused: a message with the byte offset it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// Byte offset in the file.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "byte {}: {}", self.offset, self.message)
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, FormatError> {
        Err(FormatError { offset: self.at, message: message.into() })
    }
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], FormatError> {
        match self.b.get(self.at..self.at.saturating_add(n)) {
            Some(s) => {
                self.at += n;
                Ok(s)
            }
            None => self.err(format!("file ends inside the {what}")),
        }
    }
    fn u8(&mut self, what: &str) -> Result<u8, FormatError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16, FormatError> {
        let s = self.take(2, what)?;
        Ok(u16::from_le_bytes([s[0], s[1]]))
    }
    fn u32(&mut self, what: &str) -> Result<u32, FormatError> {
        let s = self.take(4, what)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn f32(&mut self, what: &str) -> Result<f32, FormatError> {
        let at = self.at;
        let v = f32::from_bits(self.u32(what)?);
        if !v.is_finite() {
            return Err(FormatError { offset: at, message: format!("the {what} is not a finite number") });
        }
        Ok(v)
    }
}

/// True for a label name a file may hold.
pub fn valid_label(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// log2 of the lookup table for `n` features: at least twice as many slots as features.
fn table_bits(n: usize) -> u8 {
    let mut bits = MIN_BITS;
    while (1usize << bits) < 2 * n {
        bits += 1;
    }
    bits
}

impl Model {
    /// A model from its parts (`keys` strictly ascending, `weights` feature-major).
    ///
    /// # Panics
    /// If `weights` does not hold one weight per feature and label, or there are more than
    /// [`MAX_FEATURES`] features (both are the trainer's bugs, never a file's: files go
    /// through [`Model::decode`]).
    pub fn new(heads: Vec<Head>, keys: Vec<u64>, weights: Vec<i8>, meta: String) -> Model {
        assert_eq!(weights.len(), keys.len() * heads.len(), "one weight per feature and label");
        assert!(keys.len() <= MAX_FEATURES, "too many features");
        let bits = table_bits(keys.len());
        let table = Table::new(&keys, &weights, heads.len(), bits);
        let options = serde_json::from_str::<serde_json::Value>(&meta).ok().and_then(|v| v.get("options").cloned());
        let flag = |k: &str| options.as_ref().and_then(|o| o.get(k)?.as_bool()).unwrap_or(false);
        let (char_ngrams, context) = (flag("char_ngrams"), flag("context"));
        Model { heads, keys, weights, meta, char_ngrams, context, table, bits }
    }

    /// Reads a model from its bytes.
    ///
    /// # Errors
    /// Anything that is not exactly a version-2 model file, with the offset where it goes wrong.
    pub fn decode(bytes: &[u8]) -> Result<Model, FormatError> {
        let mut r = Reader { b: bytes, at: 0 };
        if r.take(8, "magic").ok() != Some(MAGIC.as_slice()) {
            return Err(FormatError { offset: 0, message: "not a moderate model file (bad magic)".into() });
        }
        let version = r.u16("version")?;
        if version != VERSION {
            return Err(FormatError {
                offset: 8,
                message: format!(
                    "model format version {version}, this build reads version {VERSION} (retrain it with `moderate learn`)"
                ),
            });
        }
        let bits = r.u8("header")?;
        let n = usize::from(r.u8("header")?);
        if n == 0 || n > MAX_LABELS {
            return r.err(format!("{n} labels (allowed: 1 to {MAX_LABELS})"));
        }
        let meta_len = r.u32("header")? as usize;
        if meta_len > MAX_META {
            return r.err(format!("metadata of {meta_len} bytes (at most {MAX_META})"));
        }
        let features = r.u32("header")? as usize;
        if features > MAX_FEATURES {
            return r.err(format!("{features} features (at most {MAX_FEATURES})"));
        }
        if bits != table_bits(features) {
            return Err(FormatError {
                offset: 10,
                message: format!(
                    "a table of 2^{bits} slots for {features} features (expected 2^{})",
                    table_bits(features)
                ),
            });
        }
        let mut heads = Vec::with_capacity(n);
        for _ in 0..n {
            let len = usize::from(r.u8("label name")?);
            let at = r.at;
            let name = std::str::from_utf8(r.take(len, "label name")?).unwrap_or("");
            if !valid_label(name) || heads.iter().any(|h: &Head| h.name == name) {
                return Err(FormatError { offset: at, message: "bad or repeated label name".into() });
            }
            let name = name.to_string();
            let slope = r.f32("label slope")?;
            let bias = r.f32("label bias")?;
            let scale = r.f32("label scale")?;
            heads.push(Head { name, slope, bias, scale });
        }
        let at = r.at;
        let meta = std::str::from_utf8(r.take(meta_len, "metadata")?)
            .map_err(|_| FormatError { offset: at, message: "metadata is not UTF-8".into() })?
            .to_string();
        let expected = r.at + features * (8 + n) + 32;
        if bytes.len() != expected {
            return r.err(format!(
                "the header promises {expected} bytes in all ({features} features × {n} labels), the file has {}",
                bytes.len()
            ));
        }
        let body_end = bytes.len() - 32;
        let digest = Sha256::digest(&bytes[..body_end]);
        if digest.as_slice() != &bytes[body_end..] {
            return Err(FormatError { offset: body_end, message: "checksum mismatch: the file is corrupt".into() });
        }
        let keys_at = r.at;
        let weights_at = keys_at + features * 8;
        let mut keys = Vec::with_capacity(features);
        for (i, c) in bytes[keys_at..weights_at].chunks_exact(8).enumerate() {
            let k = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            if keys.last().is_some_and(|&last| last >= k) {
                return Err(FormatError { offset: keys_at + i * 8, message: "feature keys do not ascend".into() });
            }
            keys.push(k);
        }
        let weights = bytes[weights_at..body_end].iter().map(|&b| b as i8).collect();
        Ok(Model::new(heads, keys, weights, meta))
    }

    /// The file bytes of this model (the inverse of [`Model::decode`]).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.keys.len() * (8 + self.heads.len()) + 256 + self.meta.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.push(self.bits);
        out.push(self.heads.len() as u8);
        out.extend_from_slice(&(self.meta.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for h in &self.heads {
            out.push(h.name.len() as u8);
            out.extend_from_slice(h.name.as_bytes());
            out.extend_from_slice(&h.slope.to_le_bytes());
            out.extend_from_slice(&h.bias.to_le_bytes());
            out.extend_from_slice(&h.scale.to_le_bytes());
        }
        out.extend_from_slice(self.meta.as_bytes());
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        out.extend(self.weights.iter().map(|&w| w as u8));
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        out
    }

    /// Whether the model reads extra features ([`super::features::extras`]) beside the words'
    /// unigrams and bigrams.
    pub fn extras(&self) -> bool {
        self.char_ngrams || self.context
    }

    /// The index of label `name`.
    pub fn label(&self, name: &str) -> Option<usize> {
        self.heads.iter().position(|h| h.name == name)
    }

    /// The index of the feature with hash `hash`, if the model knows it (a binary search:
    /// inference uses [`Model::packed`]).
    pub fn find(&self, hash: u64) -> Option<usize> {
        self.keys.binary_search(&hash).ok()
    }

    /// The lookup table: one probe per feature gives every label's weight.
    #[inline]
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The weight of the feature with hash `hash` for label `label` (logit units): 0 unless
    /// the model knows that exact feature.
    #[inline]
    pub fn weight(&self, hash: u64, label: usize) -> f32 {
        f32::from(self.raw_weight(hash, label)) * self.heads[label].scale
    }

    /// The quantized weight of feature `hash` for `label` (0 for an unknown feature).
    #[inline]
    pub fn raw_weight(&self, hash: u64, label: usize) -> i8 {
        self.table.find(hash).map_or(0, |at| unpack(self.table.at(at), label))
    }
}
