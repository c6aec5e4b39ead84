//! The arguments of `moderate review`: what a moderator types, separate from what each command
//! does (the parent module).

use std::path::PathBuf;

use crate::review::store::Sort;

/// Arguments of `moderate review`.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// Config file whose `[review]` section gives the defaults (else ./config.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The queue database [default: review.db, or `[review] db`].
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: ReviewCommand,
}

/// The `moderate review` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ReviewCommand {
    /// Serve the review page and its API (prints the URL with the write token).
    Serve {
        /// Address to listen on [default: 127.0.0.1:8787, or `[review] addr`].
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<String>,
        /// Fixed write token [default: `[review] token`, else random per start].
        #[arg(long, env = "MODERATE_REVIEW_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Reviewer name the page suggests [default: `[review] reviewer`].
        #[arg(long, env = "MODERATE_REVIEWER", hide_env_values = true)]
        reviewer: Option<String>,
    },
    /// List queue items.
    List {
        /// Which items.
        #[arg(long, value_enum, default_value = "pending")]
        status: StatusArg,
        /// Order.
        #[arg(long, value_enum, default_value = "score")]
        sort: Sort,
        /// Only items with this category.
        #[arg(long)]
        category: Option<String>,
        /// Only items from this rule.
        #[arg(long)]
        rule: Option<String>,
        /// Only this author's items (exact name).
        #[arg(long)]
        author: Option<String>,
        /// Only this e-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Only this IP address.
        #[arg(long)]
        ip: Option<String>,
        /// Only this post.
        #[arg(long)]
        post: Option<String>,
        /// Posted on or after this date (`2024-05-01`).
        #[arg(long)]
        from: Option<String>,
        /// Posted on or before this date (the whole day).
        #[arg(long)]
        to: Option<String>,
        /// Search the body, author, e-mail and IP.
        #[arg(long, short)]
        query: Option<String>,
        /// The page after this item (the last line says what to pass).
        #[arg(long, value_name = "ID")]
        after: Option<i64>,
        /// Items per page (at most 200).
        #[arg(long)]
        limit: Option<usize>,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Approve items (publish them).
    Approve(DecideArgs),
    /// Reject items.
    Reject(DecideArgs),
    /// Block an identity: e-mail, IP or range, URL domain, or an exact name.
    Block(AuthorArgs),
    /// Lift a block.
    Unblock(AuthorArgs),
    /// Print the current block list, one JSON object per line (the `[authors] blocked` format).
    Blocks,
    /// Write decided items as labeled JSONL for `moderate eval`.
    Export {
        /// Output file (`-` for stdout).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Also write the block list (one JSON object per line, for `[authors] blocked`).
        #[arg(long, value_name = "FILE")]
        blocked_authors: Option<PathBuf>,
    },
    /// Queue comments from JSONL with their verdict records (fixtures, scripts).
    #[command(hide = true)]
    Add {
        /// Comments, one JSON object per line (id, body, author, kind, post_id, created_at).
        #[arg(long, value_name = "FILE")]
        comments: PathBuf,
        /// Verdict records, one per line, matched to comments by id.
        #[arg(long, value_name = "FILE")]
        verdicts: PathBuf,
    },
}

/// `--status` of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusArg {
    /// Not decided yet.
    Pending,
    /// Approved.
    Approved,
    /// Rejected or blocked.
    Rejected,
    /// Everything.
    All,
}

/// Arguments of `approve` / `reject`.
#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    /// Queue numbers (`12` or `#12`), or comment ids with `--by-comment-id`.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Who decides [default: `[review] reviewer`].
    #[arg(long, env = "MODERATE_REVIEWER", hide_env_values = true)]
    pub reviewer: Option<String>,
    /// For reject: the categories you confirm (repeatable) [default: the item's].
    #[arg(long = "category", value_name = "CAT")]
    pub categories: Vec<String>,
    /// Treat IDs as the input's comment ids.
    #[arg(long)]
    pub by_comment_id: bool,
    /// A note kept with the decision.
    #[arg(long)]
    pub note: Option<String>,
}

/// Arguments of `block` / `unblock`: exactly one identity.
#[derive(Debug, clap::Args)]
pub struct AuthorArgs {
    /// A display name, exactly (same code points; `--name` says the same).
    #[arg(conflicts_with_all = ["name", "email", "ip", "domain"])]
    pub author: Option<String>,
    /// A display name, exactly.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["email", "ip", "domain"])]
    pub name: Option<String>,
    /// An e-mail address (any case).
    #[arg(long, value_name = "ADDRESS", conflicts_with_all = ["ip", "domain"])]
    pub email: Option<String>,
    /// An IP address or CIDR range (`203.0.113.0/24`).
    #[arg(long, value_name = "IP", conflicts_with = "domain")]
    pub ip: Option<String>,
    /// The domain of author URLs (and its subdomains).
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// Who decides [default: `[review] reviewer`].
    #[arg(long, env = "MODERATE_REVIEWER", hide_env_values = true)]
    pub reviewer: Option<String>,
}
