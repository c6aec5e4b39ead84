//! diff (to be written)
