//! `moderate review ...`: the review queue from the command line.
//!
//! ```text
//! moderate review serve   [--db review.db] [--addr 127.0.0.1:8787] [--token T]
//! moderate review list    [--status pending|approved|rejected|all] [--json]
//! moderate review approve ID... [--reviewer NAME]
//! moderate review reject  ID... [--reviewer NAME] [--category CAT]...
//! moderate review block   --email E | --ip IP[/N] | --domain D | --name NAME   (and `unblock`)
//! moderate review blocks  (the current block list, one JSON object per line)
//! moderate review export  -o decisions.jsonl [--blocked-authors FILE]
//! ```
//!
//! `--db` must name an existing queue (`moderate run --queue` creates one; a mistyped path is an
//! error, not an empty queue). `list`, `blocks` and `export` open it read-only.
//!
//! IDs are the queue numbers `list` shows (`#12` or `12`); `--by-comment-id` takes the input's
//! comment ids instead. Every command works on the same database and the same append-only log
//! as the web page. Defaults come from the `[review]` section of `--config FILE` (else
//! `./config.toml` when present), then built-in defaults ([`ReviewConfig`]).
//!
//! A hidden `add --comments FILE.jsonl --verdicts FILE.jsonl` feeds comments and their verdict
//! records through [`QueueSink`], for fixtures and scripts that do not run the pipeline.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rand::distributions::{Alphanumeric, DistString};

use crate::comment::{Comment, CommentKind, SourcePos};
use crate::error::{CliError, CliResult};
use crate::review::export::{export_labeled, write_blocked_authors};
use crate::review::identity::{Block, BlockKind};
use crate::review::server::{loopback_hosts, AppState};
use crate::review::store::{Direction, Filter, NewDecision, ReviewAction, Status, Target};
use crate::review::{QueueSink, ReviewConfig, Store};
use crate::verdict::Verdict;
use crate::write::{Judged, Sink};

mod args;
pub use args::{AuthorArgs, DecideArgs, ReviewArgs, ReviewCommand, StatusArg};

/// Runs `moderate review`.
pub fn run(args: ReviewArgs) -> CliResult {
    let cfg = load_config(args.config.as_deref())?;
    let db = args.db.clone().unwrap_or_else(|| cfg.db.clone());
    let reviewer = |r: Option<String>| r.unwrap_or_else(|| cfg.reviewer.clone());
    match args.command {
        ReviewCommand::Serve { addr, token, reviewer: r } => {
            serve(&db, addr.unwrap_or_else(|| cfg.addr.clone()), token.or(cfg.token.clone()), reviewer(r))
        }
        ReviewCommand::List {
            status,
            sort,
            category,
            rule,
            author,
            email,
            ip,
            post,
            from,
            to,
            query,
            after,
            limit,
            json,
        } => {
            let status = match status {
                StatusArg::Pending => Some(Status::Pending),
                StatusArg::Approved => Some(Status::Approved),
                StatusArg::Rejected => Some(Status::Rejected),
                StatusArg::All => None,
            };
            let filter = Filter {
                status,
                category,
                rule,
                author,
                source: None,
                email,
                ip,
                post,
                from,
                to,
                q: query,
                sort,
                cursor: after.map(|id| (id, Direction::Next)),
                limit,
            };
            list(&db, &open_read_only(&db)?, &filter, json)
        }
        ReviewCommand::Approve(a) => decide(&db, ReviewAction::Approve, a, &cfg),
        ReviewCommand::Reject(a) => decide(&db, ReviewAction::Reject, a, &cfg),
        ReviewCommand::Block(a) => block(&db, &a, true, &reviewer(a.reviewer.clone())),
        ReviewCommand::Unblock(a) => block(&db, &a, false, &reviewer(a.reviewer.clone())),
        ReviewCommand::Blocks => blocks(&db),
        ReviewCommand::Export { output, blocked_authors } => export(&db, &output, blocked_authors.as_deref()),
        ReviewCommand::Add { comments, verdicts } => add(&db, &comments, &verdicts),
    }
}

/// The `[review]` section of the config file: `explicit`, else `./config.toml` if present.
fn load_config(explicit: Option<&Path>) -> CliResult<ReviewConfig> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None if Path::new("config.toml").is_file() => PathBuf::from("config.toml"),
        None => return Ok(ReviewConfig::default()),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
    match table.get("review") {
        None => Ok(ReviewConfig::default()),
        Some(v) => v
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| CliError::usage(format!("{}: [review]: {}", path.display(), e.message()))),
    }
}

/// Opens an existing queue for writing (a missing file is a usage error: no silent empty queue).
fn open(db: &Path) -> CliResult<Store> {
    Store::open(db).map_err(|e| {
        if e.is_not_found() {
            CliError::usage(e.to_string())
        } else if e.is_busy() {
            locked(db)
        } else {
            CliError::failure(format!("{}: {e}", db.display()))
        }
    })
}

/// Opens an existing queue read-only (works on a read-only file).
fn open_read_only(db: &Path) -> CliResult<Store> {
    Store::open_read_only(db).map_err(|e| {
        if e.is_not_found() {
            CliError::usage(e.to_string())
        } else if e.is_busy() {
            locked(db)
        } else {
            CliError::failure(format!("{}: {e}", db.display()))
        }
    })
}

/// The error of a command on the queue at `db`: a lock held past the busy timeout names the
/// file and says nothing was changed.
fn fail(db: &Path) -> impl Fn(crate::review::Error) -> CliError + '_ {
    move |e| {
        if e.is_not_found() || e.is_invalid() {
            CliError::usage(e.to_string())
        } else if e.is_busy() {
            locked(db)
        } else {
            CliError::failure(format!("{}: {e}", db.display()))
        }
    }
}

/// Another process held `db` for longer than the busy timeout.
fn locked(db: &Path) -> CliError {
    CliError::failure(format!(
        "{}: the queue database is locked by another process (a `moderate review serve`, `review` or `run --queue` \
         writing, or a program holding a transaction); waited {} s; nothing was changed; try again once it is done",
        db.display(),
        crate::review::store::BUSY_TIMEOUT.as_secs()
    ))
}

fn serve(db: &Path, addr: String, token: Option<String>, reviewer: String) -> CliResult {
    let addr: SocketAddr = addr
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| CliError::usage(format!("--addr {addr:?}: not a HOST:PORT address")))?;
    let token = match token.filter(|t| !t.trim().is_empty()) {
        Some(t) => t.trim().to_string(),
        None => Alphanumeric.sample_string(&mut rand::thread_rng(), 32),
    };
    let store = open(db)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::failure(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| CliError::failure(format!("cannot listen on {addr}: {e}")))?;
        let local = listener.local_addr()?;
        let hosts = loopback_hosts(local);
        if hosts.is_empty() {
            eprintln!(
                "moderate review: warning: {local} is not a loopback address; anyone who can reach it can read the queue"
            );
        }
        let state = AppState::new(store, token.clone(), reviewer).with_allowed_hosts(hosts);
        let mut out = io::stdout().lock();
        writeln!(out, "Review queue {} at http://{local}/", db.display())?;
        writeln!(out, "Open: http://{local}/#token={token}")?;
        writeln!(out, "Write token: {token}")?;
        writeln!(out, "Ctrl-C to stop.")?;
        out.flush()?;
        drop(out);
        crate::review::server::serve(listener, state).await?;
        Ok(())
    })
}

fn list(db: &Path, store: &Store, filter: &Filter, json: bool) -> CliResult {
    let page = store.items(filter).map_err(fail(db))?;
    let items = &page.items;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = (|| -> io::Result<()> {
        for item in items {
            if json {
                let line = serde_json::json!({
                    "item": item.id,
                    "comment_id": item.comment_id,
                    "status": item.status(),
                    "author": item.author,
                    "author_email": item.author_email,
                    "author_url": item.author_url,
                    "ip": item.ip,
                    "post_id": item.post_id,
                    "parent": item.parent,
                    "created_at": item.created_at,
                    "author_blocked": item.author_blocked,
                    "blocked_as": item.blocked_as,
                    "score": item.score,
                    "verdict": item.record.verdict,
                    "categories": item.categories,
                    "rules": item.rules,
                    "source": item.source,
                    "version": item.version,
                    "last": item.last,
                    "body": item.body,
                    "body_chars": item.body_chars,
                    "body_truncated": item.body_truncated,
                });
                serde_json::to_writer(&mut out, &line)?;
                writeln!(out)?;
            } else {
                // One line per item: the body's line breaks and indentation read as one space
                // (before, each showed as a `\u{a}` escape).
                let mut excerpt = String::new();
                for word in item.body.split_whitespace() {
                    if excerpt.len() > 4 * 61 {
                        break;
                    }
                    if !excerpt.is_empty() {
                        excerpt.push(' ');
                    }
                    excerpt.push_str(word);
                }
                let excerpt: String = excerpt.chars().take(61).collect();
                writeln!(
                    out,
                    "#{:<5} {:<8} {:>5} {:<20} {:<24} {}",
                    item.id,
                    item.status().as_str(),
                    format!("{:.1}", item.score),
                    sanitize(item.author.as_deref().unwrap_or("-"), 20),
                    sanitize(&item.rules.join(","), 24),
                    sanitize(&excerpt, 60),
                )?;
            }
        }
        if !json {
            match page.total {
                Some(t) => write!(out, "{} of {} item(s)", items.len(), t)?,
                None => write!(out, "{} item(s)", items.len())?,
            }
            // An empty default listing after a review session is not an empty queue.
            if items.is_empty() && filter.cursor.is_none() && filter.status == Some(Status::Pending) {
                write!(out, " pending (`--status all` lists the decided ones too)")?;
            }
            match page.next_after {
                Some(id) => writeln!(out, "; next page: --after {id}")?,
                None => writeln!(out)?,
            }
        }
        out.flush()
    })();
    result.map_err(super::common::write_error)
}

/// Makes hostile text safe for a terminal: control, bidi and zero-width characters become
/// `\u{..}` escapes, and the result is cut to `max` characters.
fn sanitize(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n >= max {
            out.push('…');
            break;
        }
        let bad = c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}');
        if bad {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn decide(db: &Path, action: ReviewAction, a: DecideArgs, cfg: &ReviewConfig) -> CliResult {
    let mut store = open(db)?;
    let mut targets = Vec::new();
    for raw in &a.ids {
        if a.by_comment_id {
            let ids = store.items_by_comment_id(raw).map_err(fail(db))?;
            if ids.is_empty() {
                return Err(CliError::usage(format!("no queued comment with id {raw:?}")));
            }
            targets.extend(ids.into_iter().map(Target::new));
        } else {
            let n: i64 = raw.trim_start_matches('#').parse().map_err(|_| {
                CliError::usage(format!(
                    "{raw:?} is not a queue number (see `moderate review list`; use --by-comment-id for comment ids)"
                ))
            })?;
            targets.push(Target::new(n));
        }
    }
    let categories = if a.categories.is_empty() { None } else { Some(a.categories) };
    if categories.is_some() && action == ReviewAction::Approve {
        return Err(CliError::usage("--category applies to reject only"));
    }
    let d = NewDecision {
        categories,
        note: a.note.filter(|n| !n.trim().is_empty()),
        ..NewDecision::new(action, a.reviewer.unwrap_or_else(|| cfg.reviewer.clone()), "cli")
    };
    let rows = store.decide_many(&targets, &d).map_err(fail(db))?;
    let ids: Vec<String> = rows.iter().filter_map(|r| r.item).map(|i| format!("#{i}")).collect();
    eprintln!("{}: {} (by {})", action.as_str(), ids.join(" "), d.reviewer);
    Ok(())
}

fn block(db: &Path, a: &AuthorArgs, blocked: bool, reviewer: &str) -> CliResult {
    let (kind, value) = match (&a.author, &a.name, &a.email, &a.ip, &a.domain) {
        (Some(n), ..) | (_, Some(n), ..) => (BlockKind::Name, n),
        (_, _, Some(e), ..) => (BlockKind::Email, e),
        (_, _, _, Some(ip), _) => (BlockKind::Ip, ip),
        (_, _, _, _, Some(d)) => (BlockKind::Domain, d),
        _ => return Err(CliError::usage("name an identity: NAME, --email, --ip or --domain")),
    };
    let block = Block::new(kind, value).map_err(CliError::usage)?;
    let mut store = open(db)?;
    store.set_blocked(&block, blocked, reviewer, "cli").map_err(fail(db))?;
    eprintln!(
        "{} {} {} (by {reviewer})",
        if blocked { "blocked" } else { "unblocked" },
        kind.as_str(),
        sanitize(&crate::review::identity::visible(&block.value), 120)
    );
    Ok(())
}

fn blocks(db: &Path) -> CliResult {
    let store = open_read_only(db)?;
    let stdout = io::stdout();
    write_blocked_authors(&store, BufWriter::new(stdout.lock())).map_err(|e| CliError::failure(e.to_string()))?;
    Ok(())
}

fn export(db: &Path, output: &Path, blocked_authors: Option<&Path>) -> CliResult {
    let store = open_read_only(db)?;
    let create = |p: &Path| File::create(p).map_err(|e| CliError::failure(format!("{}: {e}", p.display())));
    let mut out = super::common::Output::new(if output == Path::new("-") {
        Box::new(io::stdout().lock()) as Box<dyn Write>
    } else {
        Box::new(create(output)?)
    });
    // A failed write names the output; a row the database cannot give (a body stored as a
    // BLOB by another program) names the database, not the file being written.
    let summary = export_labeled(&store, BufWriter::new(&mut out)).map_err(|e| {
        if e.is_io() {
            out.error(e, &output.display())
        } else {
            CliError::failure(format!("{}: {e}", db.display()))
        }
    })?;
    eprintln!(
        "exported {} labeled item(s) to {} ({} approved, {} rejected; {} pending skipped)",
        summary.approved + summary.rejected,
        output.display(),
        summary.approved,
        summary.rejected,
        summary.pending
    );
    if let Some(p) = blocked_authors {
        let n = write_blocked_authors(&store, BufWriter::new(create(p)?))
            .map_err(|e| CliError::failure(format!("{}: {e}", p.display())))?;
        eprintln!("wrote {n} block(s) to {}", p.display());
    }
    Ok(())
}

fn add(db: &Path, comments: &Path, verdicts: &Path) -> CliResult {
    let read = |p: &Path| -> CliResult<BufReader<File>> {
        Ok(BufReader::new(File::open(p).map_err(|e| CliError::usage(format!("{}: {e}", p.display())))?))
    };
    let mut by_id: HashMap<String, Verdict> = HashMap::new();
    for (n, line) in read(verdicts)?.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Verdict = serde_json::from_str(&line)
            .map_err(|e| CliError::usage(format!("{}:{}: {e}", verdicts.display(), n + 1)))?;
        by_id.insert(v.id.clone(), v);
    }
    let mut sink = QueueSink::open(db).map_err(|e| CliError::failure(format!("{}: {e}", db.display())))?;
    let file: Arc<str> = Arc::from(comments.display().to_string());
    let mut missing = 0;
    for (n, line) in read(comments)?.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let at = |e: &dyn std::fmt::Display| CliError::usage(format!("{}:{}: {e}", comments.display(), n + 1));
        let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| at(&e))?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let id = s("id").ok_or_else(|| at(&"field \"id\": missing"))?;
        let body = s("body").ok_or_else(|| at(&"field \"body\": missing"))?;
        let comment = Comment {
            id: id.clone(),
            body,
            author: s("author").filter(|a| !a.is_empty()),
            kind: s("kind").map(|k| CommentKind::parse(&k)).unwrap_or_default(),
            created_at: s("created_at"),
            post_id: s("post_id"),
            parent: s("parent"),
            author_email: s("author_email"),
            author_url: s("author_url"),
            ip: s("ip"),
            source: Some(SourcePos { file: file.clone(), line: n as u64 + 1 }),
            ..Comment::default()
        };
        let Some(verdict) = by_id.get(&id) else {
            missing += 1;
            continue;
        };
        sink.write(&Judged { record: Ok(comment), verdict: verdict.clone() })?;
    }
    sink.finish()?;
    eprintln!(
        "queued {} new item(s), {} already queued; {} comment(s) without a verdict skipped",
        sink.queued(),
        sink.duplicates(),
        missing
    );
    Ok(())
}
