//! Hostile input, round 8: the surfaces earlier rounds touched least — dump dates and the author
//! policy, labeled files for `eval`/`learn`/`suggest`/`mine`, and the other attacks docs/hostile.md
//! lists for round 8. Every fixture is written here, in a temporary directory.

mod common;

use std::path::{Path, PathBuf};

use common::{moderate_in, records, root, stderr};

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile8-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Comments of one author, one line each, with the given dates.
fn dated(author: &str, dates: &[String]) -> String {
    dates
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                "{}\n",
                serde_json::json!({"id": format!("c{i}"), "author": author, "created_at": d,
                    "body": format!("Thanks for writing part {i} of the series, I learned something again.")})
            )
        })
        .collect()
}

/// The ids `run` (the shipped config: more than 10 comments within 10 minutes is a flood) flags
/// as `spam.flood`.
fn flooded(dir: &Path, file: &str) -> Vec<String> {
    let out = moderate_in(&root(), &["run", file], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let recs = records(&out);
    assert_eq!(recs.len(), std::fs::read_to_string(dir.join(file)).unwrap().lines().count());
    recs.iter()
        .filter(|r| r["reasons"].as_array().is_some_and(|rs| rs.iter().any(|x| x["rule"] == "spam.flood")))
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// A dump is not in time order (a WordPress export goes post by post, an API export newest
/// first). Before round 8 the window assumed it was: twelve comments a month apart, newest
/// first, made two `spam.flood` flags ("posted more than 10 comments within 10 minutes"), and
/// twelve comments dated WordPress's unset `0000-00-00 00:00:00` (or `2020-13-45`) were one
/// burst. A real burst is still found in either order.
#[test]
fn a_dump_out_of_time_order_is_no_flood() {
    let dir = tmp("flood");
    let monthly: Vec<String> = (0..12).rev().map(|m| format!("2020-{:02}-01 10:00:00", m + 1)).collect();
    let f = write(&dir, "monthly.jsonl", &dated("Ann", &monthly));
    assert_eq!(flooded(&dir, &f), Vec::<String>::new(), "a monthly commenter, newest first");
    let shuffled: Vec<String> = (0..12).map(|i| format!("2021-{:02}-15T08:30:00Z", (i * 5) % 12 + 1)).collect();
    let f = write(&dir, "shuffled.jsonl", &dated("Ann", &shuffled));
    assert_eq!(flooded(&dir, &f), Vec::<String>::new(), "a monthly commenter, post by post");
    for unset in ["0000-00-00 00:00:00", "2020-13-45 10:00:00", "2020-02-30"] {
        let f = write(&dir, "unset.jsonl", &dated("Bo", &vec![unset.to_string(); 12]));
        assert_eq!(flooded(&dir, &f), Vec::<String>::new(), "{unset} is no date");
    }
    // The same instant written with different offsets is one instant: twelve comments within
    // five minutes, half of them written in +02:00.
    let burst: Vec<String> = (0..12)
        .map(|i| if i % 2 == 0 { format!("2022-03-04T10:0{}:00Z", i / 3) } else { format!("2022-03-04T12:0{}:30+02:00", i / 3) })
        .collect();
    let f = write(&dir, "burst.jsonl", &dated("Cy", &burst));
    assert_eq!(flooded(&dir, &f), ["c10", "c11"]);
    let backwards: Vec<String> = burst.iter().rev().cloned().collect();
    let f = write(&dir, "backwards.jsonl", &dated("Cy", &backwards));
    assert_eq!(flooded(&dir, &f).len(), 2, "the same burst, newest first");
    // RFC 2822 dates (RSS, mail) are dates too.
    let rfc: Vec<String> = (0..12).map(|i| format!("Fri, 04 Mar 2022 10:{:02}:00 +0000", i / 3)).collect();
    let f = write(&dir, "rfc.jsonl", &dated("Di", &rfc));
    assert_eq!(flooded(&dir, &f), ["c10", "c11"]);
}

/// A message put on the input subject by hand under a run's name, with an index past the run's
/// end (someone who can publish there, or a replay of another run's messages renamed). Before
/// round 8 `collect` wrote its verdict as an extra output line (5 lines for a run of 3) and then
/// waited for a record that never comes: "incomplete: 5 of 3 records" after `--idle`, or forever
/// without it. Now such verdicts are dropped and counted, and the run completes.
#[cfg(feature = "nats")]
#[test]
fn collect_drops_verdicts_past_the_runs_end() {
    use super::nats::{bin, nats_server, run_ok, Server, Worker};
    let Some(server_bin) = nats_server() else { return };
    let dir = tmp("past-end");
    let server = Server::start(server_bin, &dir);
    let url = server.url();
    let input = write(
        &dir,
        "in.jsonl",
        "{\"id\":\"a\",\"body\":\"hello there\"}\n{\"id\":\"b\",\"body\":\"you idiot\"}\n{\"id\":\"c\",\"body\":\"fine\"}\n",
    );
    run_ok(&["publish", "-q", "--nats", &url, "--batch", "1", "--run", "r8", &input]);
    for index in ["3", "4", "18446744073709551615"] {
        let headers = [("Moderate-Run", "r8"), ("Moderate-Index", index)];
        server.publish_raw("comments.in", &headers, b"{\"id\":\"x\",\"body\":\"lovely\",\"line\":9}\n");
    }
    let worker = Worker::start(&url, &[]);
    let got = dir.join("got.jsonl");
    let out = bin()
        .args(["collect", "--nats", &url, "--idle", "15", "-o", got.to_str().unwrap()])
        .output()
        .unwrap();
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    let ids: Vec<String> = std::fs::read_to_string(&got)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["a", "b", "c"], "{log}");
    assert!(log.contains("3 of 3 records collected"), "{log}");
    assert!(log.contains("verdicts for records past the run's end dropped"), "{log}");
    worker.stop();
}

/// `[authors] flood` with `max = 0` flagged every dated comment ("posted more than 0
/// comments"), and `minutes = 0` never acted; `check` said ok to both. Now each is a config
/// error naming the file, line and column, and the run refuses to start.
#[test]
fn a_flood_rule_that_flags_everything_or_nothing_is_refused() {
    let dir = tmp("flood-config");
    let input = write(&dir, "in.jsonl", "{\"id\":\"1\",\"body\":\"hi\",\"author\":\"a\",\"created_at\":\"2020-01-01 10:00\"}\n");
    for (flood, key) in [("{ max = 0, minutes = 10 }", "max"), ("{ max = 10, minutes = 0 }", "minutes")] {
        let config = write(&dir, "c.toml", &format!("extends = \"builtin\"\n\n[authors]\nflood = {flood}\n"));
        let out = moderate_in(&dir, &["check", "-c", &config], "");
        assert_eq!(out.status.code(), Some(2), "{flood}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("c.toml:4:1: [authors] flood {key} is 0")), "{err}");
        let out = moderate_in(&dir, &["run", "-c", &config, &input], "");
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    let config = write(&dir, "t.toml", "extends = \"builtin\"\n\n[authors.flood]\nmax = 0\nminutes = 10\n");
    let err = stderr(&moderate_in(&dir, &["check", "-c", &config], ""));
    assert!(err.contains("t.toml:4:1: [authors] flood max is 0"), "{err}");
}

/// `diff` on labeled JSONL: a file with one label that is not a boolean lost every label of the
/// file silently (no fix, no regression counted, nothing said); an id labeled toxic on one row
/// and not on another took the last row's label for both; and an unreadable record vanished
/// from the count ("2 comments compared" for 3 lines). Now the file's labels are refused with
/// its line and field, the ambiguous id has no label, and unreadable records are counted.
#[test]
fn diff_says_what_it_could_not_read() {
    let dir = tmp("diff");
    let a = write(&dir, "a.toml", "extends = \"builtin\"\n");
    let b = write(&dir, "b.toml", "extends = \"builtin\"\n\n[thresholds]\nflag = 1\nblock = 1\n");
    let diff = |file: &str| {
        let out = moderate_in(&dir, &["diff", "-c", &a, "-c", &b, file], "");
        assert!(out.status.success(), "{}", stderr(&out));
        (common::stdout(&out), stderr(&out))
    };
    // "what a stupid person" is flagged under A and blocked under B (block = 1).
    let row = |id: &str, toxic: &str| {
        format!("{{\"id\":\"{id}\",\"body\":\"what a stupid person\",\"labels\":{{\"toxic\":{toxic}}}}}\n")
    };
    let good = write(&dir, "good.jsonl", &[row("1", "true"), row("2", "false")].concat());
    let (out, _) = diff(&good);
    assert!(out.contains("with labels: 1 fixes, 1 regressions"), "{out}");
    let bad = write(&dir, "bad.jsonl", &[row("1", "true"), row("2", "\"yes\"")].concat());
    let (out, err) = diff(&bad);
    assert!(err.contains("bad.jsonl:2: field \"labels.toxic\": expected true or false"), "{err}");
    assert!(!out.contains("with labels"), "{out}");
    let twice = write(&dir, "twice.jsonl", &[row("1", "true"), row("1", "false"), row("3", "true")].concat());
    let (out, err) = diff(&twice);
    assert!(out.contains("with labels: 1 fixes, 0 regressions"), "{out}");
    assert!(err.contains("1 id(s) labeled both toxic and not"), "{err}");
    let broken = write(&dir, "broken.jsonl", &[row("1", "true"), "{\"id\":\"9\",\"body\":\"x\",\"body\":\"y\"}\n".to_string()].concat());
    let (out, _) = diff(&broken);
    assert!(out.starts_with("1 comment compared, 1 changed verdict\n"), "{out}");
    assert!(out.contains("1 unreadable record(s) not compared"), "{out}");
    assert!(out.contains("broken.jsonl:2:"), "{out}");
}

/// `suggest` on labeled rows of one class: three insults, all labeled toxic, gave `block = 1`
/// (precision 1.000 on three rows), which blocks any comment with one contemptuous word; rows
/// all labeled clean moved `flag` above every score. With no negatives or no positives there is
/// nothing to fit: the current thresholds are kept, and the note says why.
#[test]
fn suggest_keeps_the_thresholds_when_the_labels_are_one_sided() {
    let dir = tmp("suggest");
    let config = write(&dir, "c.toml", "extends = \"builtin\"\n");
    let rows = |toxic: bool| -> String {
        ["that is stupid", "what a stupid plan", "a stupid, stupid idea", "the weather is nice", "see you at the meeting"]
            .iter()
            .enumerate()
            .map(|(i, b)| format!("{{\"id\":\"{i}\",\"body\":\"{b}\",\"labels\":{{\"toxic\":{toxic}}}}}\n"))
            .collect()
    };
    for (name, toxic, why) in [("pos.jsonl", true, "every labeled row is positive"), ("neg.jsonl", false, "no labeled row is positive")] {
        let f = write(&dir, name, &rows(toxic));
        let out = moderate_in(&dir, &["suggest", "-c", &config, "--json", &f], "");
        assert!(out.status.success(), "{}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let text = v.to_string();
        assert!(text.contains(why), "{text}");
        assert_eq!(v["suggested"]["flag"], 1.0, "{text}");
        assert_eq!(v["suggested"]["block"], 3.0, "{text}");
    }
}

/// `learn --folds 18446744073709551615` panicked (exit 101, allocating the folds), and
/// `--folds 100000000` on the 336 rows of `examples/labeled.jsonl` took 9.5 GB within a minute
/// (one model per fold). Now `--folds` is 2 to 100: a usage error naming the flag, exit 2.
#[test]
fn learn_refuses_a_fold_count_it_cannot_hold() {
    let dir = tmp("folds");
    let labeled = root().join("examples/labeled.jsonl");
    let model = dir.join("m.bin");
    for folds in ["18446744073709551615", "100000000", "101", "1"] {
        let out = moderate_in(
            &dir,
            &["learn", "--folds", folds, labeled.to_str().unwrap(), "-o", model.to_str().unwrap()],
            "",
        );
        assert_eq!(out.status.code(), Some(2), "--folds {folds}: {}", stderr(&out));
        assert!(stderr(&out).contains(&format!("--folds {folds}: must be 2 to 100")), "{}", stderr(&out));
        assert!(!model.exists());
    }
}

/// Numbers the NATS commands took without a bound: `publish --connect-timeout
/// 18446744073709551615` panicked (exit 101, a deadline past the clock's end); `collect --window
/// 18446744073709551615` wrapped `next + window`, passed over every verdict and ended
/// "incomplete: 1 of 3 records"; `worker --ack-wait` of 2^64 - 1 seconds was cut to a wrong
/// wait in nanoseconds; `--batch 0` and `--max-deliver 0` ran as something else. Each is now a
/// usage error naming the flag (exit 2), before any connection.
#[cfg(feature = "nats")]
#[test]
fn nats_numbers_out_of_range_are_usage_errors() {
    let dir = tmp("nats-numbers");
    let input = write(&dir, "in.jsonl", "{\"id\":\"1\",\"body\":\"hi\"}\n");
    let nats = ["--nats", "nats://127.0.0.1:9"];
    let max = "18446744073709551615";
    for (args, flag) in [
        (vec!["publish", &input, "--connect-timeout", max], "--connect-timeout"),
        (vec!["publish", &input, "--connect-timeout", "0"], "--connect-timeout"),
        (vec!["worker", "--ack-wait", max], "--ack-wait"),
        (vec!["worker", "--ack-wait", "0"], "--ack-wait"),
        (vec!["worker", "--batch", "0"], "--batch"),
        (vec!["worker", "--max-deliver", "0"], "--max-deliver"),
        (vec!["collect", "--window", max], "--window"),
        (vec!["collect", "--window", "0"], "--window"),
    ] {
        let out = moderate_in(&dir, &[args.as_slice(), &nats].concat(), "");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(flag), "{args:?}: {}", stderr(&out));
    }
}
