//! Hostile input, round 9 (inputs and surfaces): XML exports bounded like JSON Lines, and rule
//! files whose terms would generate more misspellings than the matcher can hold. Every fixture
//! is written here, in a temporary directory.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{moderate_in, records, stderr};

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile9-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `id=verdict` per record.
fn verdicts(o: &std::process::Output) -> Vec<String> {
    records(o).iter().map(|r| format!("{}={}", r["id"].as_str().unwrap_or("?"), r["verdict"].as_str().unwrap())).collect()
}

/// Writes a WordPress export, on one line as a minified one is, whose second comment's body
/// (or one of its attributes, or its whole element) is `fill` repeated past 64 MiB.
fn long_wxr(path: &Path, open: &str, fill: &[u8], close: &str) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let c = |id: &str, body: &str| {
        format!("<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_content>{body}</wp:comment_content></wp:comment>")
    };
    write!(f, "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item>{}", c("1", "a kind word")).unwrap();
    write!(f, "<wp:comment><wp:comment_id>2</wp:comment_id>{open}").unwrap();
    let block = fill.repeat((1 << 16) / fill.len());
    for _ in 0..(65 << 20) / block.len() + 1 {
        f.write_all(&block).unwrap();
    }
    write!(f, "{close}</wp:comment>{}</item></channel></rss>", c("3", "you are an idiot")).unwrap();
}

/// A comment body over 64 MiB (one text node, the whole export one line) is one error record
/// naming the file, line and comment, read past without being held, and the next comment is
/// judged; markup that long ends the file in one error record; a comment element that long made
/// of small elements is one error record and reading goes on.
#[test]
fn an_xml_node_too_long_to_hold_is_one_error_record() {
    let dir = tmp("xml");
    // (file, what opens the long part, what it repeats, what closes it, the records wanted)
    type Case<'a> = (&'a str, &'a str, &'a [u8], &'a str, &'a [&'a str]);
    let cases: [Case; 3] = [
        ("text.xml", "<wp:comment_content>", b"la ", "</wp:comment_content>", &["1=allow", "2=error", "3=block"]),
        ("tag.xml", "<wp:comment_content x=\"", b"la ", "\">hi</wp:comment_content>", &["1=allow", "tag#1=error"]),
        ("many.xml", "<wp:comment_content>hi</wp:comment_content>", b"<x>la</x>", "", &["1=allow", "2=error", "3=block"]),
    ];
    for (name, open, fill, close, want) in cases {
        let path = dir.join(name);
        long_wxr(&path, open, fill, close);
        let o = moderate_in(&dir, &["run", "-q", "--format", "wxr", name], "");
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(verdicts(&o), want, "{name}");
        let recs = records(&o);
        let err = recs[1]["error"].as_str().unwrap();
        assert!(err.contains("64 MiB") && err.contains("line 1"), "{name}: {err}");
        assert_eq!(recs[1]["source"].as_str(), Some(format!("{name}:1").as_str()), "{name}");
    }
}

/// A config whose one wordlist rule lists `terms`.
fn term_config(dir: &Path, terms: &str) -> String {
    std::fs::write(dir.join("words.txt"), terms).unwrap();
    let config = "[[rule]]\nid = \"x.words\"\ncategory = \"x\"\nscore = 1.0\nmessage = \"m\"\nwordlist = \"words.txt\"\n";
    std::fs::write(dir.join("config.toml"), config).unwrap();
    "config.toml".to_string()
}

/// One long word, or many long-ish ones, would have the matcher generate their misspellings
/// (a cube of the length each): refused at the term's `file:line:col` before anything is built,
/// where a 1,000-letter word took 4 GB and 2,000 words of 32 letters 2.4 GB. Long phrases (with
/// spaces) and a long list of short words are fine.
#[test]
fn terms_that_would_generate_too_many_misspellings_are_refused_where_they_are() {
    let dir = tmp("terms");
    // `n` letters, the first four spelling `seed` in base 26 (so words differ), then a pattern.
    let word = |n: usize, seed: usize| -> String {
        (0..n)
            .map(|i| if i < 4 { seed / 26usize.pow(i as u32) % 26 } else { (i * 7) % 26 })
            .map(|d| (b'a' + d as u8) as char)
            .collect()
    };
    let long = format!("fine\n{}\n", word(1000, 1));
    let many: String = (0..2000).map(|i| word(32, i) + "\n").collect();
    for (what, terms, line) in [("one long word", long, 2), ("many long words", many, 0)] {
        let config = term_config(&dir, &terms);
        let started = std::time::Instant::now();
        let o = moderate_in(&dir, &["check", "--config", &config], "");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains("words.txt:") && err.contains("misspellings"), "{what}: {err}");
        if line > 0 {
            assert!(err.contains(&format!("words.txt:{line}:1")), "{what}: {err}");
        }
        assert!(started.elapsed().as_secs() < 5, "{what}: {:?}", started.elapsed());
    }
    let phrase = format!("{}\n", vec!["long"; 300].join(" "));
    let short: String = (0..20000).map(|i| word(6, i) + "\n").collect();
    for (what, terms) in [("a long phrase", phrase), ("many short words", short)] {
        let config = term_config(&dir, &terms);
        let o = moderate_in(&dir, &["check", "--config", &config], "");
        assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(&o));
    }
}

/// A Disqus export whose posts are written `<d:post>` with `d` bound to the Disqus namespace is
/// read by a namespace-aware importer as posts; this reader matches names as written, so it
/// skipped them: two comments counted of three, the insult published unjudged. Now an error
/// record names the binding and says the rest is not judged (as for WordPress, round 5).
#[test]
fn a_disqus_export_with_a_prefixed_namespace_is_not_skipped_silently() {
    let dir = tmp("disqus");
    let post = |id: &str, p: &str, body: &str| {
        format!("<{p}post dsq:id=\"{id}\"><{p}message><![CDATA[{body}]]></{p}message></{p}post>\n")
    };
    let doc = format!(
        "<?xml version=\"1.0\"?>\n<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">\n{}<d:disqus xmlns:d=\"http://disqus.com\">\n{}</d:disqus>\n</disqus>\n",
        post("p1", "", "hello there"),
        post("p2", "d:", "you are an idiot"),
    );
    std::fs::write(dir.join("export.xml"), doc).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "export.xml"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(verdicts(&o), ["p1=allow", "export#4=error"]);
    let recs = records(&o);
    assert!(recs[1]["error"].as_str().unwrap().contains("xmlns:d"), "{}", recs[1]);
}
