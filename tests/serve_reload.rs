//! Hot reload keeps memory bounded: every replaced config is freed once no request holds it.
//! The config thread drops it (src/serve/reload.rs), and `/v1/status` says how many replaced
//! configs are still held (`last_reload.retired_in_use`): after reloads on a quiet server, none.
//! Anything that kept an old engine alive (a metrics table, the author policy, the ledger's
//! hook) would show here as a count that never returns to 0.

use super::serve::{eventually, tiny_config, tmp, Server};

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
