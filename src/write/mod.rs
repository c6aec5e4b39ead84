//! write (to be written)
