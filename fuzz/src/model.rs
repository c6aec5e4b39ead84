//! The `model` target: the model file loader ([`Model::decode`]) on arbitrary bytes.
//!
//! A model file is untrusted input (`signal = { type = "model", path = ... }` names any file
//! inside the config's directory): decoding must never panic, and never allocate more than the
//! bytes justify (a header's counts are checked against the bytes there before anything is
//! allocated by them). Byte 0 holds flags, the rest is the payload:
//!
//! * bit 0 clear (**raw**): the payload is the file;
//! * bit 0 set (**edits**): the payload edits the shipped `rules/model.bin` (built into this
//!   binary): its first 4 bytes (LE) cut the file at that length modulo its size plus one, then
//!   each 5 bytes are an offset (u32 LE, modulo the length) and a byte to XOR there; so small
//!   inputs reach a real model's every field;
//! * bit 1 set: the last 32 bytes are replaced by the SHA-256 of the rest (the file's checksum),
//!   so a mutated file gets past the checksum to the checks behind it.
//!
//! Checked: no panic; at most [`ALLOC_PER_BYTE`] bytes allocated at once per input byte (plus
//! [`ALLOC_SLACK`]); a file that decodes encodes back to the same bytes, and the model scores a
//! text for each of its labels with a probability in [0, 1].

use moderate::model::format::Model;
use sha2::{Digest, Sha256};

use crate::alloc;

/// The shipped model, the base of the edit mode.
const SHIPPED: &[u8] = include_bytes!("../../rules/model.bin");

/// Most bytes held at once per byte of the file. The lookup table has at least twice as many
/// slots as features (16 bytes each for up to 8 labels, 24 for up to 16) against 9 to 24 bytes
/// a feature in the file, and the metadata is parsed as JSON once (a `serde_json::Value` of
/// many small numbers is several times its text); anything allocated by a header's claim
/// instead of the bytes there is far past this.
pub const ALLOC_PER_BYTE: usize = 48;
/// Fixed allowance: the smallest table (256 slots), the heads, the reader's buffers.
pub const ALLOC_SLACK: usize = 256 * 1024;

/// The file a fuzz input stands for.
pub fn file_of(data: &[u8]) -> Vec<u8> {
    let (flags, payload) = data.split_first().map_or((0, data), |(f, p)| (*f, p));
    let mut file = if flags & 1 == 0 {
        payload.to_vec()
    } else {
        let (cut, edits) = if payload.len() >= 4 {
            let c = u32::from_le_bytes([payload[0], payload[1], payload[2], payload[3]]) as usize;
            (c % (SHIPPED.len() + 1), &payload[4..])
        } else {
            (SHIPPED.len(), payload)
        };
        let mut f = SHIPPED[..cut].to_vec();
        for e in edits.chunks_exact(5) {
            if f.is_empty() {
                break;
            }
            let at = u32::from_le_bytes([e[0], e[1], e[2], e[3]]) as usize % f.len();
            f[at] ^= e[4];
        }
        f
    };
    if flags & 2 != 0 && file.len() >= 32 {
        let end = file.len() - 32;
        let digest = Sha256::digest(&file[..end]);
        file[end..].copy_from_slice(&digest);
    }
    file
}

/// The `model` target.
pub fn model(data: &[u8]) {
    let file = file_of(data);
    let (decoded, peak) = alloc::peak_during(|| Model::decode(&file));
    let budget = file.len().saturating_mul(ALLOC_PER_BYTE).saturating_add(ALLOC_SLACK);
    assert!(peak <= budget, "decoding a {}-byte file held {peak} bytes at once (budget {budget})", file.len());
    let Ok(model) = decoded else { return };
    assert_eq!(model.encode(), file, "a decoded model does not encode back to its file");
    let mut scratch = moderate::model::Scratch::default();
    for label in 0..model.heads.len() {
        let s = model.score("you are an idiot, fuck off. nice article about the weather", label, &mut scratch);
        assert!((0.0..=1.0).contains(&s.p), "label {label}: probability {}", s.p);
    }
}
