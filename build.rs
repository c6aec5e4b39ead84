//! Compiles the shipped pack (`config.toml` + `rules/**`) into the binary, so `moderate run`
//! works anywhere with the default policy.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

#[path = "src/matcher/fuzzy/dict_hash.rs"]
mod dict_hash;

/// The lint's word lists that make the fuzzy pass's dictionary (`src/matcher/fuzzy/dict.rs`
/// reads the table this lays out); the value says the file is the English words.
const DICTIONARY: &[(&str, bool)] =
    &[("rules/lint/english.txt", true), ("rules/lint/names.txt", false), ("rules/lint/places.txt", false)];

/// Writes `dict_words.bin` and `dict_table.bin` into `out` (layout: `src/matcher/fuzzy/dict.rs`):
/// each word of the lists once, flagged when any English list has it.
fn dictionary(root: &Path, out: &Path) {
    let mut words: BTreeMap<String, bool> = BTreeMap::new();
    for (path, english) in DICTIONARY {
        let text = fs::read_to_string(root.join(path)).unwrap();
        for line in text.lines() {
            let w = line.split('#').next().unwrap_or("").trim();
            if !w.is_empty() {
                *words.entry(w.to_string()).or_insert(false) |= *english;
            }
        }
    }
    let slots = (2 * words.len()).next_power_of_two().max(2);
    // Two u64 per slot: the entry, then the word's first eight bytes (zero-padded).
    let mut table = vec![0u64; 2 * slots];
    let mut blob = Vec::new();
    for (w, english) in &words {
        assert!(w.len() < 256 && blob.len() + w.len() < (1 << 32), "dictionary word or lists too long");
        assert!(!w.as_bytes().contains(&0), "dictionary word with a NUL byte");
        let mut i = dict_hash::dict_slot(dict_hash::dict_hash(w.as_bytes()), slots);
        while table[2 * i] != 0 {
            i = (i + 1) & (slots - 1);
        }
        table[2 * i] = 1 << 63 | u64::from(*english) << 40 | (w.len() as u64) << 32 | blob.len() as u64;
        table[2 * i + 1] = dict_hash::head8(w.as_bytes());
        blob.extend_from_slice(w.as_bytes());
    }
    let bytes: Vec<u8> = table.iter().flat_map(|e| e.to_le_bytes()).collect();
    fs::write(out.join("dict_table.bin"), bytes).unwrap();
    fs::write(out.join("dict_words.bin"), blob).unwrap();
    // The two letters English words open with (26 × 26 bytes, 1 for an opening): the words of
    // `english.txt` of four letters or more with a vowel, so that abbreviations (`btu`, `tnpk`)
    // do not make an opening of their letters.
    let mut openings = vec![0u8; 26 * 26];
    for (w, english) in &words {
        let b = w.as_bytes();
        if *english
            && b.len() >= 4
            && b.iter().any(|c| b"aeiou".contains(c))
            && b[..2].iter().all(u8::is_ascii_lowercase)
        {
            openings[usize::from(b[0] - b'a') * 26 + usize::from(b[1] - b'a')] = 1;
        }
    }
    fs::write(out.join("dict_openings.bin"), openings).unwrap();
}

fn collect(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, root, out);
        } else if p.extension().is_some_and(|e| e == "txt" || e == "toml") {
            out.push(p.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}

fn collect_bin(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_bin(&p, root, out);
        } else if p.extension().is_some_and(|e| e == "bin") {
            out.push(p.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut files = vec![PathBuf::from("config.toml")];
    collect(&root.join("rules"), &root, &mut files);
    let mut src = String::from("/// Files of the built-in pack: (path relative to config.toml, contents).\npub static FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        let rel = f.to_string_lossy().replace('\\', "/");
        src.push_str(&format!("    ({rel:?}, include_str!({:?})),\n", root.join(f).to_string_lossy()));
    }
    src.push_str("];\n");
    // Binary files of the pack (the learned model, `rules/*.bin`), as bytes.
    let mut bins = Vec::new();
    collect_bin(&root.join("rules"), &root, &mut bins);
    src.push_str(
        "/// Binary files of the built-in pack (the learned model).\npub static BINARY: &[(&str, &[u8])] = &[\n",
    );
    for f in &bins {
        let rel = f.to_string_lossy().replace('\\', "/");
        src.push_str(&format!("    ({rel:?}, include_bytes!({:?})),\n", root.join(f).to_string_lossy()));
    }
    src.push_str("];\n");
    files.extend(bins);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    fs::write(out_dir.join("builtin_pack.rs"), src).unwrap();
    dictionary(&root, &out_dir);
    println!("cargo:rerun-if-changed=src/matcher/fuzzy/dict_hash.rs");
    println!("cargo:rerun-if-changed=config.toml");
    println!("cargo:rerun-if-changed=rules");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
}
