//! Placeholder until the real stage lands.
use super::{BuildError, Stage, StageError};
use crate::document::Document;
use serde::{Deserialize, Serialize};
/// Settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractConfig {}
/// Stage.
pub struct Extract;
impl Extract {
    /// Build.
    pub fn build(_c: &ExtractConfig) -> Result<Self, BuildError> {
        Ok(Self)
    }
}
impl Stage for Extract {
    fn name(&self) -> &'static str {
        "extract"
    }
    fn apply(&self, _doc: &mut Document) -> Result<(), StageError> {
        Ok(())
    }
}
