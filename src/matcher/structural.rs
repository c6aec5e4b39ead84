//! Structural signals: facts about a comment rather than words in it — its kind (pingback,
//! trackback), how many links it holds and where they point, shouting in capitals, long runs of
//! one character. Each compiled signal reads the parsed [`Comment`] and reports the evidence's
//! span in the body where there is one.

use std::collections::HashSet;
use std::ops::Range;

use regex::Regex;

use crate::comment::{Comment, CommentKind};

/// A signal ready to run.
#[derive(Debug, Clone)]
pub enum CompiledSignal {
    /// Entry kind in `kinds`, unless its source is one of the site's own domains.
    Kind {
        /// Kinds that hit.
        kinds: Vec<CommentKind>,
        /// The site's own domains.
        own_domains: Vec<String>,
    },
    /// At least `min` links.
    Links {
        /// Minimum count.
        min: usize,
        /// URL finder: [`url_regex`] (the scan skips it where [`may_hold_url`] is false).
        url: Regex,
    },
    /// A link to a denied domain.
    LinkDomain {
        /// Denied domains (lowercase, no leading dot).
        deny: HashSet<String>,
        /// Also check the author URL.
        author_url: bool,
        /// URL finder: [`url_regex`] (the scan skips it where [`may_hold_url`] is false).
        url: Regex,
    },
    /// Mostly capitals.
    Caps {
        /// Minimum share of capitals among letters.
        min_ratio: f64,
        /// Minimum number of letters.
        min_letters: usize,
    },
    /// One character repeated `min_run` times or more.
    RepeatedChars {
        /// Run length.
        min_run: usize,
    },
}

/// The URL pattern links are counted with: scheme or `www.`, or a bare `domain.tld/...`.
pub fn url_regex() -> Regex {
    Regex::new(r"(?i)\b(?:https?://|www\.)[^\s<>\x22']+").expect("static regex")
}

/// False only when [`url_regex`] surely finds nothing in `body`: a match holds `://` or a `www.`
/// (`w` has no other case form), so most comments skip the regex search, which cost ~1 k
/// instructions per signal and comment (docs/bench.md). tests/speed.rs checks the promise.
pub fn may_hold_url(body: &str) -> bool {
    let b = body.as_bytes();
    memchr::memchr2_iter(b':', b'.', b).any(|i| {
        if b[i] == b':' {
            b[i + 1..].starts_with(b"//")
        } else {
            i >= 3 && b[i - 3..i].eq_ignore_ascii_case(b"www")
        }
    })
}

/// The lowercase host of a URL-ish string (`https://Www.Example.com/x` → `www.example.com`).
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#', ':']).next()?.trim_end_matches('.');
    let host = host.rsplit('@').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Whether `host` is `domain` or a subdomain of it.
pub fn host_in(host: &str, domain: &str) -> bool {
    host == domain || host.strip_suffix(domain).is_some_and(|p| p.ends_with('.'))
}

impl CompiledSignal {
    /// Calls `hit(span)` once per piece of evidence; `body` is the judged part of `c.body`.
    pub fn scan(&self, c: &Comment, body: &str, mut hit: impl FnMut(Option<Range<usize>>)) {
        match self {
            CompiledSignal::Kind { kinds, own_domains } => {
                if !kinds.contains(&c.kind) {
                    return;
                }
                let own = c
                    .author_url
                    .as_deref()
                    .and_then(host_of)
                    .is_some_and(|h| own_domains.iter().any(|d| host_in(&h, d)));
                if !own {
                    let end = body.len().min(body.find('\n').unwrap_or(body.len()));
                    hit((end > 0).then_some(0..end));
                }
            }
            CompiledSignal::Links { min, url } => {
                // Count first, then report: no list of every link of a huge body.
                if may_hold_url(body) && url.find_iter(body).take(*min).count() >= *min {
                    for m in url.find_iter(body) {
                        hit(Some(m.range()));
                    }
                }
            }
            CompiledSignal::LinkDomain { deny, author_url, url } => {
                let denied = |u: &str| {
                    host_of(u).is_some_and(|h| {
                        let mut d = h.as_str();
                        loop {
                            if deny.contains(d) {
                                return true;
                            }
                            match d.split_once('.') {
                                Some((_, rest)) if rest.contains('.') => d = rest,
                                _ => return false,
                            }
                        }
                    })
                };
                if may_hold_url(body) {
                    for m in url.find_iter(body) {
                        if denied(m.as_str()) {
                            hit(Some(m.range()));
                        }
                    }
                }
                if *author_url && c.author_url.as_deref().is_some_and(denied) {
                    hit(None);
                }
            }
            CompiledSignal::Caps { min_ratio, min_letters } => {
                let (mut letters, mut upper) = (0usize, 0usize);
                for ch in body.chars().filter(|ch| ch.is_alphabetic()) {
                    letters += 1;
                    upper += usize::from(ch.is_uppercase());
                }
                if letters >= *min_letters && upper as f64 >= min_ratio * letters as f64 {
                    hit(None);
                }
            }
            CompiledSignal::RepeatedChars { min_run } => {
                let mut run_start = 0;
                let mut prev: Option<char> = None;
                let mut run = 0;
                for (i, ch) in body.char_indices().chain(std::iter::once((body.len(), '\0'))) {
                    if Some(ch) == prev && !ch.is_whitespace() {
                        run += 1;
                    } else {
                        if run >= *min_run {
                            hit(Some(run_start..i));
                            return;
                        }
                        run = 1;
                        run_start = i;
                        prev = Some(ch);
                    }
                }
            }
        }
    }
}
