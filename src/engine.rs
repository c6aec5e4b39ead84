//! engine (to be written)
/// placeholder
#[derive(Debug)]
pub struct Engine;
