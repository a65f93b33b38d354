//! The in-memory article that flows through the pipeline stages.
//!
//! A [`Document`] starts as decoded text (and maybe a title) and is enriched by each
//! stage in turn. Every span is a pair of byte offsets into [`Document::text`], so a
//! later stage (or a reader of the record) can always recover the exact source text.

use serde::Serialize;

/// A half-open byte range `[start, end)` into [`Document::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    /// First byte of the span.
    pub start: usize,
    /// One past the last byte of the span.
    pub end: usize,
}

impl Span {
    /// Builds a span; `start <= end` is the caller's invariant.
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end, "span start {start} after end {end}");
        Self { start, end }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// What a token is made of; stages use it to skip punctuation or numbers cheaply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Contains at least one letter (words, "U.S", "Xi’s", "COVID-19" parts).
    Word,
    /// Digits, possibly with inner separators ("3.5", "1,000").
    Number,
    /// Punctuation such as `.`, `,`, `“`.
    Punct,
    /// Anything else that is not whitespace (symbols, emoji).
    Symbol,
}

/// One token of the text, as found by Unicode word segmentation (UAX #29).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Where the token lies in the text.
    pub span: Span,
    /// Its coarse kind.
    pub kind: TokenKind,
    /// Index of the sentence holding it, in [`Document::sentences`].
    pub sentence: usize,
}

/// A line dropped before the stages because it matched a site-furniture pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedLine {
    /// The line as it was in the input (without its line break).
    pub text: String,
    /// The configured pattern that matched it.
    pub pattern: String,
}

/// A keyword or key phrase with its extractor score (higher is more important).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Keyword {
    /// The phrase, as it is written in its most frequent surface form.
    pub text: String,
    /// Score normalised to `0..=1`, the best keyword scoring 1.
    pub score: f64,
}

/// A named entity of the article: one real-world thing, with every mention of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// Canonical text: the fullest name the article uses for it.
    pub text: String,
    /// Entity type: `PER`, `ORG`, `LOC` or `MISC`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Number of mentions (equals `mentions.len()`).
    pub count: usize,
    /// Where it is mentioned, in text order.
    pub mentions: Vec<Span>,
    /// Surface forms merged into it ("Xi", "Xi Jinping"), sorted.
    pub aliases: Vec<String>,
    /// Importance in the article, 0..1 (see `pipeline::extract::entities`).
    pub salience: f64,
    /// Mean recogniser confidence over the mentions, 0..1.
    pub confidence: f64,
    /// Mean VADER compound of the sentences mentioning it (set by the score stage).
    pub tone: Option<f64>,
}

/// Summary of a length distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Distribution {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub median: f64,
    /// 90th percentile (nearest rank).
    pub p90: f64,
    /// Largest value.
    pub max: f64,
}

impl Distribution {
    /// Summarises `values` (sorted in place); all zeros when empty.
    pub fn of(values: &mut [usize]) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        values.sort_unstable();
        let n = values.len();
        let at = |q: f64| values[((q * n as f64).ceil() as usize).clamp(1, n) - 1] as f64;
        Self {
            mean: values.iter().sum::<usize>() as f64 / n as f64,
            median: at(0.5),
            p90: at(0.9),
            max: values[n - 1] as f64,
        }
    }
}

/// Readability figures computed by the score stage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Readability {
    /// Flesch reading ease (higher is easier; 60-70 is plain English); null for other
    /// languages, where the formula does not apply.
    pub flesch_reading_ease: Option<f64>,
    /// Flesch-Kincaid grade level (US school grade); null for other languages.
    pub flesch_kincaid_grade: Option<f64>,
    /// Syllables counted over the words used for the formulas.
    pub syllables: usize,
    /// Words per sentence.
    pub sentence_length: Distribution,
    /// Characters per word.
    pub word_length: Distribution,
}

/// Counts that describe the size and shape of the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TextStats {
    /// Unicode scalar values in the text.
    pub chars: usize,
    /// Word tokens (tokens holding a letter or a digit).
    pub words: usize,
    /// Sentences.
    pub sentences: usize,
    /// Paragraphs.
    pub paragraphs: usize,
}

/// Topics of an article: the trained classifier's label and the taxonomy's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Topics {
    /// The classifier's prediction.
    pub classifier: crate::topics::classifier::Prediction,
    /// Taxonomy topics at or above the configured minimum, best first.
    pub taxonomy: Vec<crate::topics::taxonomy::TopicScore>,
}

/// Where the publication time of an article came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishedSource {
    /// The input's own metadata (JSON-LD, meta tags, front matter, JSON fields).
    Metadata,
    /// A date in the article's URL.
    Url,
    /// A written date near the top of the text.
    Text,
    /// The input file's modification time.
    Mtime,
    /// No better clue: the time newsd received it.
    #[default]
    Received,
}

/// An article on its way through the pipeline.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The title, when the input has one.
    pub title: Option<String>,
    /// When the article was published, as best known; relative dates resolve against it.
    pub published: Option<time::OffsetDateTime>,
    /// Which clue gave `published`.
    pub published_source: PublishedSource,
    /// The detected language (stages that only know English check it).
    pub language: Option<crate::lang::Language>,
    /// The body text; all spans index into it. Stages before `tokenize` may rewrite it.
    pub text: String,
    /// Furniture lines the clean stage dropped.
    pub removed_lines: Vec<RemovedLine>,
    /// Paragraph spans, in order.
    pub paragraphs: Vec<Span>,
    /// Sentence spans, in order; each lies inside one paragraph.
    pub sentences: Vec<Span>,
    /// Non-whitespace tokens, in order.
    pub tokens: Vec<Token>,
    /// Keywords, best first.
    pub keywords: Vec<Keyword>,
    /// Named entities.
    pub entities: Vec<Entity>,
    /// Dates, explicit and resolved relative ones.
    pub dates: Vec<crate::pipeline::extract::facts::DateMention>,
    /// Quotations, with their speakers where named.
    pub quotes: Vec<crate::pipeline::extract::facts::Quote>,
    /// Money, percentages and counted quantities.
    pub amounts: Vec<crate::pipeline::extract::facts::Amount>,
    /// Readability figures, once scored.
    pub readability: Option<Readability>,
    /// Tone figures, once scored.
    pub tone: Option<crate::pipeline::score::tone::Tone>,
    /// Topics, once scored.
    pub topics: Option<Topics>,
    /// Watchlist matches, once scored.
    pub watchlist: Vec<crate::pipeline::score::watchlist::WatchHit>,
    /// Size counts, once tokenized.
    pub stats: TextStats,
    /// Microseconds spent in each stage, in stage order.
    pub timings_us: Vec<(&'static str, u64)>,
    /// Non-fatal problems worth telling the reader of the record about.
    pub warnings: Vec<String>,
}

impl Document {
    /// Starts a document from a decoded body and an optional title.
    pub fn new(title: Option<String>, text: String) -> Self {
        Self {
            title,
            text,
            ..Self::default()
        }
    }

    /// True unless the article was detected to be in another language than English:
    /// the shipped lexicons and models are English, and on other languages they would
    /// give wrong numbers rather than none. Text with no letters counts as English.
    pub fn is_english(&self) -> bool {
        self.language
            .as_ref()
            .is_none_or(crate::lang::Language::is_english)
    }

    /// Adds a warning once.
    pub fn warn(&mut self, warning: impl Into<String>) {
        let w = warning.into();
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    /// The text a span covers.
    ///
    /// Spans come from the stages themselves and always lie on character boundaries;
    /// an out-of-range span yields an empty string rather than a panic.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_of_known_values() {
        let d = Distribution::of(&mut [5, 1, 3, 2, 4, 10, 6, 7, 8, 9]);
        assert_eq!(d.mean, 5.5);
        assert_eq!(d.median, 5.0);
        assert_eq!(d.p90, 9.0);
        assert_eq!(d.max, 10.0);
        assert_eq!(Distribution::of(&mut []), Distribution::default());
    }
}
