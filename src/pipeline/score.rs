//! Placeholder until the real stage lands.
use super::{BuildError, Stage, StageError};
use crate::document::Document;
use serde::{Deserialize, Serialize};
/// Settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreConfig {}
/// Stage.
pub struct Score;
impl Score {
    /// Build.
    pub fn build(_c: &ScoreConfig) -> Result<Self, BuildError> {
        Ok(Self)
    }
}
impl Stage for Score {
    fn name(&self) -> &'static str {
        "score"
    }
    fn apply(&self, _doc: &mut Document) -> Result<(), StageError> {
        Ok(())
    }
}
