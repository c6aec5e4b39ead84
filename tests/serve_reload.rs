//! Hot reload keeps memory bounded: every replaced config is freed once no request holds it.
//! The config thread drops it (src/serve/reload.rs), and `/v1/status` says how many replaced
//! configs are still held (`last_reload.retired_in_use`): after reloads on a quiet server, none.
//! Anything that kept an old engine alive (a metrics table, the author policy, the ledger's
//! hook) would show here as a count that never returns to 0.

use super::serve_harness::{eventually, tiny_config, tmp, Server};

#[test]
fn replaced_configs_are_freed_once_no_request_holds_them() {
    let dir = tmp("reload-free");
    tiny_config(&dir, "zorblax\n");
    let srv = Server::start(&dir, &["--config", "config.toml", "--ledger", "ledger.jsonl", "--watch-interval", "100"]);
    let mut hashes = vec![srv.status()["config"]["hash"].as_str().unwrap().to_string()];
    for i in 1..=5 {
        // Traffic between reloads, so each config has been used by requests.
        for _ in 0..5 {
            assert_eq!(srv.post_json(&format!(r#"{{"body": "word{i} zorblax"}}"#)).status, 200);
        }
        std::fs::write(dir.join("words.txt"), format!("zorblax\nword{i}\n")).unwrap();
        eventually("the reload", || srv.status()["last_reload"]["reloads"] == i);
        let st = srv.status();
        assert_eq!(st["last_reload"]["ok"], true, "{st}");
        hashes.push(st["config"]["hash"].as_str().unwrap().to_string());
        // The new word is judged by the new config.
        let r = srv.post_json(&format!(r#"{{"body": "say word{i}"}}"#));
        assert_eq!(r.json()["verdict"], "flag", "{}", r.text());
    }
    hashes.dedup();
    assert_eq!(hashes.len(), 6, "{hashes:?}");
    eventually("every replaced config freed", || srv.status()["last_reload"]["retired_in_use"] == 0);
    // The ledger stored every config (before any line named it).
    for h in &hashes {
        let stored = dir.join("ledger.jsonl.configs").join(h.trim_start_matches("sha256:")).join("MANIFEST");
        assert!(stored.is_file(), "{stored:?}");
    }
}

/// A ledger that spans an edit of a config with model rules replays in full: the model file
/// (`rules/model.bin`, which the loader does not list among the files it read) is stored with
/// each config copy (before: every config but the first and the last was "not available").
#[test]
fn replay_rebuilds_every_config_of_a_ledger_including_its_model() {
    let dir = tmp("reload-model");
    super::serve_harness::copy_dir(&super::serve_harness::root().join("rules"), &dir.join("rules"));
    let good = std::fs::read_to_string(super::serve_harness::root().join("config.toml")).unwrap();
    assert!(good.contains("type = \"model\""), "the shipped pack has model rules");
    std::fs::write(dir.join("config.toml"), &good).unwrap();
    let mut srv = Server::start(&dir, &["--config", "config.toml", "--ledger", "ledger.jsonl", "--watch-interval", "100"]);
    for edit in 1..=2 {
        assert_eq!(srv.post_json(&format!(r#"{{"body": "before edit {edit}"}}"#)).status, 200);
        let changed = good.replacen("message = \"", &format!("message = \"(edit {edit}) "), 1);
        std::fs::write(dir.join("config.toml"), changed).unwrap();
        // The whole pack compiles in a debug build on a loaded machine: allow it time.
        let start = std::time::Instant::now();
        while srv.status()["last_reload"]["reloads"] != edit {
            assert!(start.elapsed().as_secs() < 180, "no reload after edit {edit}: {}", srv.status());
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
    assert_eq!(srv.post_json(r#"{"body": "after the edits"}"#).status, 200);
    assert!(srv.stop().success());
    // Replay from elsewhere, with the config edited again: only the stored copies can help.
    std::fs::write(dir.join("config.toml"), good.replacen("message = \"", "message = \"(later) ", 1)).unwrap();
    let elsewhere = tmp("reload-model-replay");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(["replay", dir.join("ledger.jsonl").to_str().unwrap()])
        .current_dir(&elsewhere)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("3 entries, 3 judged again: 3 same, 0 differ"), "{err}");
}
