//! Placeholder until the real stage lands.
use super::{BuildError, Stage, StageError};
use crate::document::Document;
use serde::{Deserialize, Serialize};
/// Settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct TokenizeConfig {}
/// Stage.
pub struct Tokenize;
impl Tokenize {
    /// Build.
    pub fn build(_c: &TokenizeConfig) -> Result<Self, BuildError> {
        Ok(Self)
    }
}
impl Stage for Tokenize {
    fn name(&self) -> &'static str {
        "tokenize"
    }
    fn apply(&self, _doc: &mut Document) -> Result<(), StageError> {
        Ok(())
    }
}
