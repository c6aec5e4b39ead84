//! decide (to be written)
