//! Tone of an article: VADER per sentence and for the document, plus GDELT-style
//! word-share figures, the tone of the title and the lead, and per-entity tone.
//!
//! VADER is a sentence-level model, so the document scores are the means of its
//! sentences' scores (what most news analyses of VADER report), and an entity's tone
//! is the mean compound of the sentences that mention it. The GDELT V2Tone-style
//! figures count words instead: the share of words with positive or negative valence
//! in the VADER lexicon, of "activity" words (`config/lexicons/activity-en.txt`) and of
//! first-person self/group pronouns.

use rustc_hash::FxHashSet as HashSet;

use serde::Serialize;

use super::vader::{Polarity, Vader};
use crate::document::{Document, Span, TokenKind};

const ACTIVITY: &str = include_str!("../../../config/lexicons/activity-en.txt");

/// First-person pronouns counted as self/group references.
const SELF_GROUP: [&str; 10] = [
    "i",
    "me",
    "my",
    "mine",
    "myself",
    "we",
    "us",
    "our",
    "ours",
    "ourselves",
];

/// VADER compound of one sentence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SentenceTone {
    /// The sentence, as a byte span (the record gives characters).
    pub span: Span,
    /// Its VADER compound score, -1..1.
    pub compound: f64,
}

/// GDELT V2Tone-style word shares, in percent of word tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WordTone {
    /// `positive − negative`, -100..100.
    pub tone: f64,
    /// Share of words with positive lexicon valence.
    pub positive: f64,
    /// Share of words with negative lexicon valence.
    pub negative: f64,
    /// `positive + negative`: how emotionally charged the wording is.
    pub polarity: f64,
    /// Share of activity words.
    pub activity_density: f64,
    /// Share of first-person self/group pronouns.
    pub self_group_density: f64,
    /// Word tokens counted.
    pub word_count: usize,
}

/// The tone of an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tone {
    /// Mean VADER scores over the sentences (document level).
    pub vader: Polarity,
    /// Word-share figures.
    pub words: WordTone,
    /// VADER compound of the title, when there is one.
    pub title: Option<f64>,
    /// Mean compound of the lead (first paragraph's sentences).
    pub lead: Option<f64>,
    /// Each sentence's compound.
    pub sentences: Vec<SentenceTone>,
}

/// Computes tone figures; holds the lexicons.
#[derive(Debug)]
pub struct ToneScorer {
    vader: Vader,
    activity: HashSet<&'static str>,
}

impl Default for ToneScorer {
    fn default() -> Self {
        Self::new()
    }
}

impl ToneScorer {
    /// A scorer over the shipped lexicons.
    pub fn new() -> Self {
        let activity = ACTIVITY
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        Self {
            vader: Vader::builtin(),
            activity,
        }
    }

    /// The VADER analyzer in use.
    pub fn vader(&self) -> &Vader {
        &self.vader
    }

    /// Scores a tokenized document.
    pub fn score(&self, doc: &Document) -> Tone {
        let sentences: Vec<(Span, Polarity)> = doc
            .sentences
            .iter()
            .map(|s| (*s, self.vader.polarity(doc.slice(*s))))
            .collect();
        let vader = mean_polarity(sentences.iter().map(|(_, p)| *p));
        let lead_end = doc.paragraphs.first().map_or(0, |p| p.end);
        let lead: Vec<f64> = sentences
            .iter()
            .filter(|(s, _)| s.end <= lead_end)
            .map(|(_, p)| p.compound)
            .collect();
        Tone {
            vader,
            words: self.word_tone(doc),
            title: doc
                .title
                .as_deref()
                .map(|t| self.vader.polarity(t).compound),
            lead: (!lead.is_empty()).then(|| lead.iter().sum::<f64>() / lead.len() as f64),
            sentences: sentences
                .into_iter()
                .map(|(span, p)| SentenceTone {
                    span,
                    compound: p.compound,
                })
                .collect(),
        }
    }

    fn word_tone(&self, doc: &Document) -> WordTone {
        let (mut words, mut pos, mut neg, mut act, mut me) =
            (0usize, 0usize, 0usize, 0usize, 0usize);
        // One buffer for every word's lower-case form, one for the activity check's
        // candidate lemmas: an article has hundreds of words.
        let (mut w, mut scratch) = (String::new(), String::new());
        for t in doc.tokens.iter().filter(|t| t.kind == TokenKind::Word) {
            words += 1;
            lower_word(doc.slice(t.span), &mut w);
            match self.vader.valence(&w) {
                Some(v) if v > 0.0 => pos += 1,
                Some(v) if v < 0.0 => neg += 1,
                _ => {}
            }
            if self.is_activity(&w, &mut scratch) {
                act += 1;
            }
            if SELF_GROUP.contains(&w.as_str()) {
                me += 1;
            }
        }
        let pct = |n: usize| {
            if words == 0 {
                0.0
            } else {
                100.0 * n as f64 / words as f64
            }
        };
        WordTone {
            tone: pct(pos) - pct(neg),
            positive: pct(pos),
            negative: pct(neg),
            polarity: pct(pos) + pct(neg),
            activity_density: pct(act),
            self_group_density: pct(me),
            word_count: words,
        }
    }

    /// True for listed activity lemmas and their regular inflections; `scratch`
    /// holds the "stem + e" candidates.
    fn is_activity(&self, w: &str, scratch: &mut String) -> bool {
        if self.activity.contains(w) {
            return true;
        }
        let stems = [
            w.strip_suffix("ing"),
            w.strip_suffix("ed"),
            w.strip_suffix("es"),
            w.strip_suffix('s'),
            w.strip_suffix('d'),
        ];
        stems.into_iter().flatten().any(|stem| {
            scratch.clear();
            scratch.push_str(stem);
            scratch.push('e');
            self.activity.contains(stem)
                || self.activity.contains(scratch.as_str())
                || undouble(stem).is_some_and(|s| self.activity.contains(s))
        })
    }

    /// Mean compound of the sentences that contain any of `mentions`.
    pub fn entity_tone(tone: &Tone, mentions: &[Span]) -> Option<f64> {
        let hits: Vec<f64> = tone
            .sentences
            .iter()
            .filter(|s| {
                mentions
                    .iter()
                    .any(|m| m.start >= s.span.start && m.start < s.span.end)
            })
            .map(|s| s.compound)
            .collect();
        (!hits.is_empty()).then(|| hits.iter().sum::<f64>() / hits.len() as f64)
    }
}

/// `word` lower-cased (as `str::to_lowercase`) with curly apostrophes made
/// straight, into `out`.
fn lower_word(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
    } else {
        // Whole-string lowering, for its context rules (a word-final capital sigma).
        out.push_str(&word.to_lowercase().replace('’', "'"));
    }
}

/// "stopp" → "stop": a doubled final consonant before -ed/-ing.
fn undouble(stem: &str) -> Option<&str> {
    let b = stem.as_bytes();
    let n = b.len();
    (n >= 3 && b[n - 1] == b[n - 2] && !b"aeiou".contains(&b[n - 1])).then(|| &stem[..n - 1])
}

fn mean_polarity(scores: impl Iterator<Item = Polarity>) -> Polarity {
    let mut sum = Polarity {
        neg: 0.0,
        neu: 0.0,
        pos: 0.0,
        compound: 0.0,
    };
    let mut n = 0usize;
    for p in scores {
        sum.neg += p.neg;
        sum.neu += p.neu;
        sum.pos += p.pos;
        sum.compound += p.compound;
        n += 1;
    }
    if n > 0 {
        let k = n as f64;
        sum.neg /= k;
        sum.neu /= k;
        sum.pos /= k;
        sum.compound /= k;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Stage;
    use crate::pipeline::tokenize::{Tokenize, TokenizeConfig};

    fn doc(title: Option<&str>, text: &str) -> Document {
        let mut d = Document::new(title.map(String::from), text.into());
        Tokenize::build(&TokenizeConfig::default())
            .expect("builds")
            .apply(&mut d)
            .expect("tokenizes");
        d
    }

    #[test]
    fn document_tone_is_the_mean_of_sentences() {
        let d = doc(
            Some("Great win"),
            "The team won a great victory.\nThe coach was furious and sad.",
        );
        let scorer = ToneScorer::new();
        let t = scorer.score(&d);
        assert_eq!(t.sentences.len(), 2);
        let mean = (t.sentences[0].compound + t.sentences[1].compound) / 2.0;
        assert!((t.vader.compound - mean).abs() < 1e-12);
        assert!(t.sentences[0].compound > 0.5);
        assert!(t.sentences[1].compound < -0.5);
        assert!(t.title.is_some_and(|c| c > 0.0));
        assert_eq!(t.lead, Some(t.sentences[0].compound));
    }

    #[test]
    fn word_shares_count_lexicon_activity_and_pronouns() {
        let d = doc(None, "We won. They attacked us and killed two.");
        let t = ToneScorer::new().score(&d);
        assert_eq!(t.words.word_count, 8);
        // "won" (positive), "killed" (negative); activity: won, attacked, killed.
        assert!(t.words.positive > 0.0 && t.words.negative > 0.0);
        assert!(
            (t.words.activity_density - 300.0 / 8.0).abs() < 1e-9,
            "{:?}",
            t.words
        );
        assert!((t.words.self_group_density - 200.0 / 8.0).abs() < 1e-9);
        assert!((t.words.tone - (t.words.positive - t.words.negative)).abs() < 1e-12);
    }

    #[test]
    fn inflections_of_activity_words_count() {
        let s = ToneScorer::new();
        for w in [
            "attacks",
            "attacked",
            "attacking",
            "stopped",
            "stopping",
            "raised",
            "raises",
            "fight",
        ] {
            assert!(s.is_activity(w, &mut String::new()), "{w}");
        }
        for w in ["table", "president", "the"] {
            assert!(!s.is_activity(w, &mut String::new()), "{w}");
        }
    }

    #[test]
    fn entity_tone_averages_its_sentences() {
        let d = doc(None, "Alice won a great prize. Bob was sad. Alice smiled.");
        let t = ToneScorer::new().score(&d);
        let alice: Vec<Span> = d
            .text
            .match_indices("Alice")
            .map(|(i, m)| Span::new(i, i + m.len()))
            .collect();
        let got = ToneScorer::entity_tone(&t, &alice).expect("mentioned");
        let want = (t.sentences[0].compound + t.sentences[2].compound) / 2.0;
        assert!((got - want).abs() < 1e-12);
    }
}
