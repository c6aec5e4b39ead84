//! The hash of the built-in dictionary's table ([`super::dict`]). This file is compiled into
//! both `build.rs`, which lays the table out, and the program, which looks words up in it, so
//! the two agree by construction.

/// FxHash's multiply-rotate step (as `matcher::fasthash`) over the word's 8-byte words, seeded
/// with its length.
pub fn dict_hash(w: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, x: u64| (h.rotate_left(5) ^ x).wrapping_mul(K);
    let mut h = (w.len() as u64).wrapping_mul(K);
    let mut chunks = w.chunks_exact(8);
    for c in &mut chunks {
        h = step(h, u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut tail = [0u8; 8];
        tail[..rest.len()].copy_from_slice(rest);
        h = step(h, u64::from_le_bytes(tail));
    }
    h
}

/// The table slot a hash starts probing at, in a table of `slots` (a power of two) entries:
/// the hash's high half (the multiply leaves its low bits weak).
pub fn dict_slot(h: u64, slots: usize) -> usize {
    (h >> 32) as usize & (slots - 1)
}

/// The first eight bytes of `w` as one little-endian number, zero-padded: a table slot holds its
/// word's, so a word of up to eight bytes is decided without reading the words (no word holds a
/// NUL byte, and the lengths are compared too, so the padding cannot make two words equal).
#[inline]
pub fn head8(w: &[u8]) -> u64 {
    let mut head = [0u8; 8];
    let n = w.len().min(8);
    head[..n].copy_from_slice(&w[..n]);
    u64::from_le_bytes(head)
}
