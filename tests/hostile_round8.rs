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

