//! term (to be written)
