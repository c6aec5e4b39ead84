//! eval (to be written)
