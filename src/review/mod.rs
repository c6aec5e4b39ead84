//! The review queue: flagged comments stored for humans to decide (review helper).

/// `[review]` config section (placeholder until the review queue lands).
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {}
