//! Placeholder until the real stage lands.
use super::{BuildError, Stage, StageError};
use crate::document::Document;
use serde::{Deserialize, Serialize};
/// Settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct CleanConfig {}
/// Stage.
pub struct Clean;
impl Clean {
    /// Build.
    pub fn build(_c: &CleanConfig) -> Result<Self, BuildError> {
        Ok(Self)
    }
}
impl Stage for Clean {
    fn name(&self) -> &'static str {
        "clean"
    }
    fn apply(&self, _doc: &mut Document) -> Result<(), StageError> {
        Ok(())
    }
}
