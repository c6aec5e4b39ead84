//! pipeline (to be written)
