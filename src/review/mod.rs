//! The review queue: flagged comments stored for humans to decide (review helper).
