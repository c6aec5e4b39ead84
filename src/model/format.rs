//! The model file (`rules/model.bin`): a small binary format, read defensively.
//!
//! ```text
//! magic      8 bytes  "MDRTMODL"
//! version    u16 LE   1
//! bits       u8       hash table size is 2^bits buckets (8..=22)
//! labels     u8       number of labels (1..=16)
//! meta_len   u32 LE   length of the JSON metadata (≤ 1 MiB)
//! per label: name_len u8 (1..=32), name (ASCII a-z 0-9 _ -), bias f32 LE, scale f32 LE
//! meta       meta_len bytes of UTF-8 JSON (what it was trained on, its cross-validated figures)
//! weights    2^bits × labels i16 LE, bucket-major (weight = i16 × the label's scale)
//! prints     2^bits bytes: the fingerprint of the feature each bucket holds (0 = none)
//! checksum   32 bytes: SHA-256 of everything before
//! ```
//!
//! A file is untrusted input: every length is checked against the bytes actually there before
//! anything is allocated, every float must be finite, and the checksum must match, so a corrupt
//! or hostile file is a located config error, never a panic or a huge allocation.

use sha2::{Digest, Sha256};

/// The file's first bytes.
pub const MAGIC: &[u8; 8] = b"MDRTMODL";
/// The only version this build reads and writes.
pub const VERSION: u16 = 1;
/// Largest table (2^22 buckets).
pub const MAX_BITS: u8 = 22;
/// Smallest table.
pub const MIN_BITS: u8 = 8;
/// Most labels in one file.
pub const MAX_LABELS: usize = 16;
/// Largest metadata block.
pub const MAX_META: usize = 1 << 20;
/// Largest file accepted (checked before reading it whole).
pub const MAX_FILE: u64 = 64 << 20;

/// One label's head: its name and the affine part of its logistic regression.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// The label (`attack`, `identity`, `toxic`, ...).
    pub name: String,
    /// Intercept (logit units).
    pub bias: f32,
    /// Quantization step of this label's weights.
    pub scale: f32,
}

/// A loaded model: hashed unigram + bigram weights for each label.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// log2 of the number of buckets.
    pub bits: u8,
    /// Label heads, in file order.
    pub heads: Vec<Head>,
    /// Quantized weights, bucket-major: `weights[bucket * heads.len() + label]`.
    pub weights: Vec<i16>,
    /// Per bucket, the fingerprint of the feature whose weight it holds (0: none).
    pub prints: Vec<u8>,
    /// JSON metadata (training files, cross-validated figures).
    pub meta: String,
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

impl Model {
    /// Reads a model from its bytes.
    ///
    /// # Errors
    /// Anything that is not exactly a version-1 model file, with the offset where it goes wrong.
    pub fn decode(bytes: &[u8]) -> Result<Model, FormatError> {
        let mut r = Reader { b: bytes, at: 0 };
        if r.take(8, "magic").ok() != Some(MAGIC.as_slice()) {
            return Err(FormatError { offset: 0, message: "not a moderate model file (bad magic)".into() });
        }
        let version = r.u16("version")?;
        if version != VERSION {
            return Err(FormatError {
                offset: 8,
                message: format!("model format version {version}, this build reads version {VERSION}"),
            });
        }
        let bits = r.u8("header")?;
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return r.err(format!("table of 2^{bits} buckets (allowed: 2^{MIN_BITS} to 2^{MAX_BITS})"));
        }
        let n = usize::from(r.u8("header")?);
        if n == 0 || n > MAX_LABELS {
            return r.err(format!("{n} labels (allowed: 1 to {MAX_LABELS})"));
        }
        let meta_len = r.u32("header")? as usize;
        if meta_len > MAX_META {
            return r.err(format!("metadata of {meta_len} bytes (at most {MAX_META})"));
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
            let bias = r.f32("label bias")?;
            let scale = r.f32("label scale")?;
            heads.push(Head { name, bias, scale });
        }
        let at = r.at;
        let meta = std::str::from_utf8(r.take(meta_len, "metadata")?)
            .map_err(|_| FormatError { offset: at, message: "metadata is not UTF-8".into() })?
            .to_string();
        let count = (1usize << bits) * n;
        let expected = r.at + count * 2 + (1usize << bits) + 32;
        if bytes.len() != expected {
            return r.err(format!(
                "the header promises {expected} bytes in all (2^{bits} buckets × {n} labels), the file has {}",
                bytes.len()
            ));
        }
        let body_end = bytes.len() - 32;
        let digest = Sha256::digest(&bytes[..body_end]);
        if digest.as_slice() != &bytes[body_end..] {
            return Err(FormatError { offset: body_end, message: "checksum mismatch: the file is corrupt".into() });
        }
        let prints_at = r.at + count * 2;
        let weights =
            bytes[r.at..prints_at].chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect::<Vec<_>>();
        let prints = bytes[prints_at..body_end].to_vec();
        Ok(Model { bits, heads, weights, prints, meta })
    }

    /// The file bytes of this model (the inverse of [`Model::decode`]).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.weights.len() * 2 + 256 + self.meta.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.push(self.bits);
        out.push(self.heads.len() as u8);
        out.extend_from_slice(&(self.meta.len() as u32).to_le_bytes());
        for h in &self.heads {
            out.push(h.name.len() as u8);
            out.extend_from_slice(h.name.as_bytes());
            out.extend_from_slice(&h.bias.to_le_bytes());
            out.extend_from_slice(&h.scale.to_le_bytes());
        }
        out.extend_from_slice(self.meta.as_bytes());
        for w in &self.weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.extend_from_slice(&self.prints);
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        out
    }

    /// The index of label `name`.
    pub fn label(&self, name: &str) -> Option<usize> {
        self.heads.iter().position(|h| h.name == name)
    }

    /// The weight of the feature with hash `hash` for label `label` (logit units): 0 unless
    /// its bucket holds that feature (same fingerprint).
    #[inline]
    pub fn weight(&self, hash: u64, label: usize) -> f32 {
        f32::from(self.raw_weight(hash, label)) * self.heads[label].scale
    }

    /// The quantized weight of feature `hash` for `label` (0 when its bucket holds another).
    #[inline]
    pub fn raw_weight(&self, hash: u64, label: usize) -> i16 {
        let b = super::features::bucket(hash, self.bits);
        if self.prints.get(b) != Some(&super::features::fingerprint(hash)) {
            return 0;
        }
        self.weights.get(b * self.heads.len() + label).copied().unwrap_or(0)
    }
}
