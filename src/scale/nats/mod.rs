//! A small NATS client of our own: the protocol subset the scale-out uses (no TLS, no
//! clustering beyond a list of URLs to try), on tokio. Written instead of depending on
//! `async-nats`, whose ~40 crates (rustls, ring, url/idna, time, ...) cost more than 200 CPU
//! seconds of a first release build (docs/scale-out.md, "Build cost").
//!
//! - [`proto`]: parsing and encoding the text protocol, with hard limits.
//! - [`conn`]: a connection: buffered writes, subscriptions, request/reply, reconnects.
//! - [`jetstream`]: the `$JS.API` calls, publish acks and acks.
//! - [`pull`]: a pull consumer read in batches.

pub mod conn;
pub mod jetstream;
pub mod proto;
pub mod pull;

pub use conn::{Client, Pending, Subscription};
pub use jetstream::{Ack, ConsumerConfig, Js, JsError, JsMsg, PubAck, StoredMsg, StreamConfig};
pub use proto::{Headers, Msg};
pub use pull::Puller;
