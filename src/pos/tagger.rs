//! Greedy left-to-right decoding: each token gets the best-scoring tag given its
//! static features and the two tags already chosen to its left.
//!
//! Frequent words that (nearly) always carry one tag in the training text are looked
//! up in the model's dictionary and skip the scoring, as in Honnibal's tagger: about
//! half the tokens of news text are such words ("the", "said", ","), which both
//! speeds tagging up and removes a class of silly errors.

use std::path::Path;

use super::PosError;
use super::features::{STATIC_PER_TOKEN, TokenLex, dynamic_features, static_features};
use super::model::{MAX_TAGS, PosModel};
use super::table::RowTable;

/// Marks "no tag" (positions left of the sentence) in the tag history.
pub const NO_TAG: u8 = u8::MAX;

/// A loaded part-of-speech model, ready to tag sentences. Cheap to share across
/// threads.
#[derive(Debug, Clone)]
pub struct Tagger {
    /// Tags and dictionary; the weights live in `table` only.
    model: PosModel,
    /// The model's rows laid out for fast lookup.
    table: RowTable,
}

/// Adds the weights of every key in `keys` into `scores`, through `row`.
#[inline]
pub(crate) fn add_rows<'a, F>(keys: &[u64], row: F, scores: &mut [f32])
where
    F: Fn(u64) -> &'a [(u8, f32)],
{
    for &k in keys {
        for &(c, w) in row(k) {
            if let Some(s) = scores.get_mut(usize::from(c)) {
                *s += w;
            }
        }
    }
}

/// The index of the largest score (the first on a tie; 0 when empty).
#[inline]
pub(crate) fn argmax(scores: &[f32]) -> u8 {
    let mut best = 0usize;
    for (i, s) in scores.iter().enumerate() {
        if *s > scores[best] {
            best = i;
        }
    }
    u8::try_from(best).unwrap_or(0)
}

impl Tagger {
    /// Loads a model file (`config/models/pos-en.bin`).
    pub fn load(path: &Path) -> Result<Tagger, PosError> {
        let bytes = std::fs::read(path).map_err(PosError::io(path))?;
        Self::from_bytes(&bytes)
    }

    /// Loads a model from its bytes (for a model embedded with `include_bytes!`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger, PosError> {
        Ok(Self::from_model(PosModel::from_bytes(bytes)?))
    }

    /// Wraps a model built in memory (by training).
    pub fn from_model(model: PosModel) -> Tagger {
        let table = RowTable::new(&model);
        // The table holds every weight; keeping the model's rows as well would hold
        // them twice.
        Tagger {
            model: model.without_rows(),
            table,
        }
    }

    /// The underlying model: tags and dictionary (its weights live in the tagger's
    /// table and are left empty here).
    pub fn model(&self) -> &PosModel {
        &self.model
    }

    /// Number of feature rows the tagger scores with.
    pub fn feature_rows(&self) -> usize {
        self.table.len()
    }

    /// Tag names, indexed by tag id.
    pub fn tag_names(&self) -> &[String] {
        &self.model.tags
    }

    /// The id of the tag called `name`.
    pub fn tag_id(&self, name: &str) -> Option<u8> {
        self.model
            .tags
            .iter()
            .position(|t| t == name)
            .and_then(|i| u8::try_from(i).ok())
    }

    /// Tags one sentence of CoNLL-style tokens; returns one tag id per token.
    pub fn tag<S: AsRef<str>>(&self, tokens: &[S]) -> Vec<u8> {
        let lex: Vec<TokenLex> = tokens.iter().map(|t| TokenLex::new(t.as_ref())).collect();
        let mut out = Vec::with_capacity(lex.len());
        self.tag_lex(&lex, &mut out);
        out
    }

    /// Tags one sentence already analysed into [`TokenLex`]es, appending to `out`
    /// (cleared first): the allocation-free path for callers that tag many sentences.
    pub fn tag_lex(&self, lex: &[TokenLex], out: &mut Vec<u8>) {
        out.clear();
        let n = self.model.tags.len().min(MAX_TAGS);
        // The static scores of the tokens the dictionary does not settle, summed
        // before decoding so that their rows are fetched from memory together.
        let known: Vec<Option<u8>> = lex
            .iter()
            .map(|t| self.model.dict.get(&t.exact).copied())
            .collect();
        let mut keys: Vec<u64> = Vec::with_capacity(STATIC_PER_TOKEN * lex.len());
        let mut start: Vec<usize> = vec![0];
        for (i, k) in known.iter().enumerate() {
            if k.is_none() {
                static_features(lex, i, &mut keys);
                start.push(keys.len());
            }
        }
        let mut sums = vec![[0f32; MAX_TAGS]; start.len() - 1];
        self.table.sum_groups(&keys, &start, &mut sums);
        let mut sums = sums.into_iter();
        let mut dynamic = [0u64; 4];
        let mut prev = [NO_TAG; 2];
        for (i, k) in known.iter().enumerate() {
            let tag = match k {
                Some(t) => *t,
                None => {
                    let mut scores = sums.next().unwrap_or([0f32; MAX_TAGS]);
                    dynamic_features(lex, i, prev, &mut dynamic);
                    self.table.add_keys(&dynamic, &mut scores[..n]);
                    argmax(&scores[..n])
                }
            };
            out.push(tag);
            prev = [prev[1], tag];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::hash::KeyMap;

    #[test]
    fn argmax_takes_the_first_best() {
        assert_eq!(argmax(&[0.0, 2.0, 2.0, -1.0]), 1);
        assert_eq!(argmax(&[]), 0);
    }

    /// The plain decoder over the model's own rows, which the table must match.
    fn reference(model: &PosModel, lex: &[TokenLex]) -> Vec<u8> {
        let n = model.tags.len();
        let (mut out, mut prev) = (Vec::new(), [NO_TAG; 2]);
        for i in 0..lex.len() {
            let tag = match model.dict.get(&lex[i].exact) {
                Some(&t) => t,
                None => {
                    let (mut keys, mut dynamic) = (Vec::new(), [0u64; 4]);
                    static_features(lex, i, &mut keys);
                    dynamic_features(lex, i, prev, &mut dynamic);
                    let mut scores = vec![0f32; n];
                    add_rows(&keys, |k| model.row(k), &mut scores);
                    add_rows(&dynamic, |k| model.row(k), &mut scores);
                    argmax(&scores)
                }
            };
            out.push(tag);
            prev = [prev[1], tag];
        }
        out
    }

    #[test]
    fn the_shipped_tagger_matches_the_plain_decoder() {
        let tagger = crate::pos::builtin().expect("shipped model");
        let text = "Chinese President Xi Jinping arrived in Moscow on Wednesday for talks . \
            The largest tanker spill in a decade cost BP $ 4.5 bn , analysts said . \
            Gazprom 's Power of Siberia 2 pipeline would carry 50 bcm a year to China . \
            \"We are not worried,\" Ms Zakharova told reporters in a briefing on Friday .";
        let words: Vec<&str> = text.split_whitespace().collect();
        let lex: Vec<TokenLex> = words.iter().map(|w| TokenLex::new(w)).collect();
        let mut out = Vec::new();
        tagger.tag_lex(&lex, &mut out);
        let model = PosModel::from_bytes(super::super::BUILTIN).expect("shipped model");
        assert_eq!(tagger.feature_rows(), model.rows());
        assert_eq!(out, reference(&model, &lex));
        assert_eq!(out.len(), words.len());
        let nnp = tagger.tag_id("NNP").expect("NNP");
        assert_eq!(out[2], nnp, "Xi is a proper noun");
    }

    #[test]
    fn dictionary_words_skip_the_scoring() {
        let the = TokenLex::new("the").exact;
        let mut dict = KeyMap::default();
        dict.insert(the, 1);
        // With no weights every scored token gets tag 0; "the" gets its entry.
        let model = PosModel::new(vec!["NN".into(), "DT".into()], dict, [], 0.0);
        let tagger = Tagger::from_model(model);
        assert_eq!(tagger.tag(&["the", "bank"]), [1, 0]);
        assert_eq!(tagger.tag_id("DT"), Some(1));
        assert!(tagger.tag::<&str>(&[]).is_empty());
    }
}
