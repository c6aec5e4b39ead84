//! Who wrote a comment, and blocking by *identity* rather than by display name.
//!
//! A display name is not an identity: "Anonymous" is thousands of people, "Bob" and "B\u{200B}ob"
//! look the same, and anyone can call themselves "victim@example.com". So a block names one
//! [`BlockKind`]: an e-mail address, an IP address or range, the domain of the author's URL, or a
//! name compared code point for code point. The block list file is one JSON object per line
//! (`{"kind":"email","value":"a@b.example"}`), which no name can break (a `#` or a line break in
//! a name is just a JSON string). [`visible`] renders names so that invisible and confusable
//! characters show (`B·ob [U+200B]`).

use std::fmt::Write as _;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// What a block is keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// The author's e-mail address (compared case-insensitively).
    Email,
    /// An IP address, or a CIDR range (`203.0.113.0/24`, `2001:db8::/32`).
    Ip,
    /// The host of the author's URL, and its subdomains (`spam.example`).
    Domain,
    /// The display name, exactly: same code points, same case.
    Name,
}

impl BlockKind {
    /// The lowercase name (`email`, `ip`, `domain`, `name`).
    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Email => "email",
            BlockKind::Ip => "ip",
            BlockKind::Domain => "domain",
            BlockKind::Name => "name",
        }
    }

    /// Parses [`BlockKind::as_str`].
    pub fn parse(s: &str) -> Option<BlockKind> {
        Some(match s {
            "email" => BlockKind::Email,
            "ip" => BlockKind::Ip,
            "domain" => BlockKind::Domain,
            "name" => BlockKind::Name,
            _ => return None,
        })
    }
}

/// One block: a kind and its value, normalized by [`Block::new`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Block {
    /// What the value is.
    pub kind: BlockKind,
    /// The e-mail (lowercased), IP or CIDR (canonical), domain (lowercased, no dot in front), or
    /// name (as given).
    pub value: String,
}

/// Longest accepted block value, in bytes.
pub const MAX_VALUE: usize = 1024;

impl Block {
    /// A validated, normalized block.
    ///
    /// # Errors
    /// An empty or over-long value, a value with a line break, an e-mail without `@`, an IP or
    /// range that does not parse, a domain with spaces or slashes.
    pub fn new(kind: BlockKind, value: &str) -> Result<Block, String> {
        if value.is_empty() || value.len() > MAX_VALUE || value.contains(['\n', '\r']) {
            return Err(format!("a {} block needs a one-line value of 1 to {MAX_VALUE} bytes", kind.as_str()));
        }
        let value = match kind {
            BlockKind::Name => value.to_string(),
            BlockKind::Email => {
                let v = value.trim().to_lowercase();
                if !v.contains('@') || v.chars().any(char::is_whitespace) {
                    return Err(format!("{value:?} is not an e-mail address"));
                }
                v
            }
            BlockKind::Ip => IpRange::parse(value.trim())
                .ok_or_else(|| format!("{value:?} is not an IP address or CIDR range"))?
                .to_string(),
            BlockKind::Domain => {
                let v = value.trim().trim_start_matches('.').trim_end_matches('.').to_ascii_lowercase();
                if v.is_empty() || v.chars().any(|c| c.is_whitespace() || matches!(c, '/' | ':' | '@' | '?' | '#')) {
                    return Err(format!("{value:?} is not a domain (give it without scheme or path)"));
                }
                v
            }
        };
        Ok(Block { kind, value })
    }

    /// The block-list file line for this block (one JSON object, no line break).
    pub fn to_line(&self) -> String {
        serde_json::json!({ "kind": self.kind.as_str(), "value": self.value }).to_string()
    }
}

/// An IPv4 or IPv6 address with a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    addr: IpAddr,
    prefix: u8,
}

impl IpRange {
    /// Parses `1.2.3.4`, `1.2.3.0/24`, `2001:db8::1` or `2001:db8::/32`.
    pub fn parse(s: &str) -> Option<IpRange> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|&p| p <= max)?,
        };
        Some(IpRange { addr: mask(addr, prefix), prefix })
    }

    /// Whether `ip` lies in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.addr.is_ipv4() && mask(ip, self.prefix) == self.addr
    }
}

impl std::fmt::Display for IpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let max = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.prefix == max {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let bits = u32::from(a);
            let m = if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) };
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(a) => {
            let bits = u128::from(a);
            let m = if prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(prefix)) };
            IpAddr::V6((bits & m).into())
        }
    }
}

/// The identity fields of one comment, as stored with a queued item.
#[derive(Debug, Clone, Copy, Default)]
pub struct Who<'a> {
    /// Display name.
    pub name: Option<&'a str>,
    /// E-mail address.
    pub email: Option<&'a str>,
    /// Author URL.
    pub url: Option<&'a str>,
    /// IP address.
    pub ip: Option<&'a str>,
}

/// The host of a URL (`https://Spam.example:8080/x` → `spam.example`), if it has one.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.trim();
    let rest = rest.split_once("://").map_or(rest, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if host.starts_with('[') { host } else { host.split(':').next().unwrap_or(host) };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// A compiled block list: what the author policy and the review page match comments against.
#[derive(Debug, Clone, Default)]
pub struct BlockList {
    names: std::collections::HashSet<String>,
    emails: std::collections::HashSet<String>,
    domains: std::collections::HashSet<String>,
    ips: Vec<IpRange>,
}

impl BlockList {
    /// Builds the list from blocks (values as [`Block::new`] normalizes them).
    pub fn new<'a>(blocks: impl IntoIterator<Item = &'a Block>) -> BlockList {
        let mut list = BlockList::default();
        for b in blocks {
            list.add(b);
        }
        list
    }

    /// Adds one block.
    pub fn add(&mut self, b: &Block) {
        match b.kind {
            BlockKind::Name => {
                self.names.insert(b.value.clone());
            }
            BlockKind::Email => {
                self.emails.insert(b.value.to_lowercase());
            }
            BlockKind::Domain => {
                self.domains.insert(b.value.to_ascii_lowercase());
            }
            BlockKind::Ip => {
                if let Some(r) = IpRange::parse(&b.value) {
                    self.ips.push(r);
                }
            }
        }
    }

    /// Whether nothing is blocked.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.emails.is_empty() && self.domains.is_empty() && self.ips.is_empty()
    }

    /// The first block that matches `who`, as `kind` and the matched value.
    pub fn matches(&self, who: &Who<'_>) -> Option<(BlockKind, String)> {
        if let Some(n) = who.name.filter(|n| self.names.contains(*n)) {
            return Some((BlockKind::Name, n.to_string()));
        }
        if let Some(e) = who.email.map(|e| e.trim().to_lowercase()).filter(|e| self.emails.contains(e)) {
            return Some((BlockKind::Email, e));
        }
        if let Some(host) = who.url.and_then(url_host) {
            // The host and every parent domain: `a.spam.example` is blocked by `spam.example`.
            let mut h = host.as_str();
            loop {
                if self.domains.contains(h) {
                    return Some((BlockKind::Domain, h.to_string()));
                }
                match h.split_once('.') {
                    Some((_, rest)) if !rest.is_empty() => h = rest,
                    _ => break,
                }
            }
        }
        if let Some(ip) = who.ip.and_then(|ip| ip.trim().parse::<IpAddr>().ok()) {
            if let Some(r) = self.ips.iter().find(|r| r.contains(ip)) {
                return Some((BlockKind::Ip, r.to_string()));
            }
        }
        None
    }
}

/// One line of a block-list file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    kind: String,
    value: String,
}

/// Whether a block-list file is in the JSON-lines format (its first non-blank line is an object).
pub fn is_json_lines(text: &str) -> bool {
    text.lines().map(str::trim).find(|l| !l.is_empty()).is_some_and(|l| l.starts_with('{'))
}

/// Parses a JSON-lines block list: `(line number, block)` for each entry, or the first error as
/// `(line number, message)`. Blank lines are skipped.
///
/// # Errors
/// A line that is not `{"kind": ..., "value": ...}` with a known kind and a valid value.
pub fn parse_block_lines(text: &str) -> Result<Vec<(usize, Block)>, (usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(line).map_err(|e| (n + 1, format!("not a block entry: {e}")))?;
        let kind = BlockKind::parse(&l.kind)
            .ok_or_else(|| (n + 1, format!("unknown block kind {:?} (email, ip, domain or name)", l.kind)))?;
        out.push((n + 1, Block::new(kind, &l.value).map_err(|e| (n + 1, e))?));
    }
    Ok(out)
}

/// A name as a moderator should see it: invisible characters (zero-width, bidi controls, other
/// format and control characters) become `·` in place, and each is listed after the name as
/// `[U+200B]`; letters from another script than the name's first letter are listed too
/// (`Bоb [U+043E]`: a Cyrillic о in a Latin name). Plain names come back unchanged.
pub fn visible(s: &str) -> String {
    let mut shown = String::with_capacity(s.len());
    let mut notes: Vec<u32> = Vec::new();
    let first_script = s.chars().find(|c| c.is_alphabetic()).map(script_of);
    for c in s.chars() {
        if is_invisible(c) {
            shown.push('·');
            notes.push(c as u32);
        } else {
            shown.push(c);
            if c.is_alphabetic() && first_script.is_some_and(|f| f != script_of(c)) {
                notes.push(c as u32);
            }
        }
    }
    notes.dedup();
    if notes.len() > 8 {
        let more = notes.len() - 8;
        notes.truncate(8);
        let _ = write!(shown, " [{} +{more}]", fmt_points(&notes));
    } else if !notes.is_empty() {
        let _ = write!(shown, " [{}]", fmt_points(&notes));
    }
    shown
}

fn fmt_points(points: &[u32]) -> String {
    points.iter().map(|p| format!("U+{p:04X}")).collect::<Vec<_>>().join(" ")
}

/// Zero-width, bidi, other format (Cf) and control characters, and the other blank-looking
/// code points a name can hide behind.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

/// A coarse script class, enough to spot a Cyrillic or Greek letter in a Latin name.
fn script_of(c: char) -> u8 {
    match c as u32 {
        0..=0x024F | 0x1E00..=0x1EFF => 0,      // Latin
        0x0370..=0x03FF | 0x1F00..=0x1FFF => 1, // Greek
        0x0400..=0x052F => 2,                   // Cyrillic
        0x0530..=0x058F => 3,                   // Armenian
        0xFF00..=0xFFEF => 4,                   // full-width forms
        0x1D400..=0x1D7FF => 5,                 // mathematical letters
        _ => 6,
    }
}
