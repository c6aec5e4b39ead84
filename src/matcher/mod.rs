//! The match stage (to be written).
pub mod wordlist;
