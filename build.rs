//! Compiles the shipped pack (`config.toml` + `rules/**`) into the binary, so `moderate run`
//! works anywhere with the default policy.

use std::fs;
use std::path::{Path, PathBuf};

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
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin_pack.rs");
    fs::write(out, src).unwrap();
    println!("cargo:rerun-if-changed=config.toml");
    println!("cargo:rerun-if-changed=rules");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
}
