//! The `tokenize` stage: paragraphs, sentences and word tokens, as byte spans.
//!
//! - Paragraphs: one per non-blank line, or one per blank-line-separated block when the
//!   text is hard-wrapped (see `paragraphs.rs` for the test).
//! - Sentences: UAX #29 sentence boundaries inside each paragraph, with false breaks
//!   after abbreviations, initials and initialisms suppressed (see `sentences.rs`).
//! - Tokens: UAX #29 word segments of each sentence (with an ASCII fast path, see
//!   `words.rs`), whitespace dropped, each given a coarse [`TokenKind`] and the index
//!   of its sentence.
//!
//! Every span is a byte range of [`Document::text`] on character boundaries. The stage
//! does not rely on `clean` having run: CR and CRLF line breaks are understood too.

mod abbreviations;
mod candidates;
mod paragraphs;
mod sentences;
mod words;

pub(crate) use words::word_segments;

use serde::{Deserialize, Serialize};

use crate::document::{Document, Span, TextStats, Token, TokenKind};
use crate::pipeline::{BuildError, Stage, StageError};
use abbreviations::Abbreviations;

/// Settings of the tokenize stage (`[pipeline.tokenize]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenizeConfig {
    /// Extra abbreviations after which a full stop never ends a sentence, on top of the
    /// built-in list of titles, months, company suffixes and Latin forms. Write them
    /// with or without the final stop ("Calif." or "Calif"). An entry with a capital
    /// letter matches as written or in capitals; an all-lower-case one ignores case.
    pub abbreviations: Vec<String>,
}

/// The tokenize stage, holding the abbreviation table built from its config.
#[derive(Debug, Clone)]
pub struct Tokenize {
    abbreviations: Abbreviations,
}

impl Tokenize {
    /// Builds the stage; an extra abbreviation that is empty or holds whitespace is an
    /// error, since it could never match the single word before a full stop.
    pub fn build(cfg: &TokenizeConfig) -> Result<Self, BuildError> {
        for (i, entry) in cfg.abbreviations.iter().enumerate() {
            let word = entry.trim_end_matches('.');
            if word.is_empty() || word.chars().any(char::is_whitespace) {
                return Err(BuildError::new(
                    format!("pipeline.tokenize.abbreviations[{i}]"),
                    format!("{entry:?} is not a single word"),
                ));
            }
        }
        Ok(Self {
            abbreviations: Abbreviations::new(cfg.abbreviations.iter().map(String::as_str)),
        })
    }
}

/// Classifies one UAX #29 word segment; `None` for whitespace.
///
/// A segment holding any letter is a [`TokenKind::Word`] ("U.S", "Xi’s", "80th"); else
/// one holding a digit is a [`TokenKind::Number`] ("3.5", "1,000"); else one made of
/// punctuation only (general category P, for the Latin, general-punctuation, CJK and
/// full-width blocks) is [`TokenKind::Punct`]; anything else, such as `$`, `+` or
/// emoji, is a [`TokenKind::Symbol`]. Used by the stages that need to
/// segment text that is not the document body, such as the title.
pub fn token_kind(segment: &str) -> Option<TokenKind> {
    let mut blank = true;
    let mut digit = false;
    let mut punct = true;
    for c in segment.chars() {
        if c.is_alphabetic() {
            return Some(TokenKind::Word);
        }
        if c.is_whitespace() {
            continue;
        }
        blank = false;
        if c.is_numeric() {
            digit = true;
        } else if !is_punctuation(c) {
            punct = false;
        }
    }
    if blank {
        None
    } else if digit {
        Some(TokenKind::Number)
    } else if punct {
        Some(TokenKind::Punct)
    } else {
        Some(TokenKind::Symbol)
    }
}

/// Unicode punctuation (general category P*) in the blocks news text uses: ASCII,
/// Latin-1, Greek, Armenian, Hebrew, Arabic, Devanagari, Thai, general punctuation,
/// supplemental punctuation, CJK symbols, vertical and small forms, full-width forms.
fn is_punctuation(c: char) -> bool {
    matches!(
        c,
        '!' | '"'
            | '#'
            | '%'
            | '&'
            | '\''
            | '('
            | ')'
            | '*'
            | ','
            | '-'
            | '.'
            | '/'
            | ':'
            | ';'
            | '?'
            | '@'
            | '['
            | '\\'
            | ']'
            | '_'
            | '{'
            | '}'
            | '\u{a1}'
            | '\u{a7}'
            | '\u{ab}'
            | '\u{b6}'
            | '\u{b7}'
            | '\u{bb}'
            | '\u{bf}'
            | '\u{37e}'
            | '\u{387}'
            | '\u{55a}'..='\u{55f}'
            | '\u{589}'
            | '\u{5be}'
            | '\u{5c0}'
            | '\u{5c3}'
            | '\u{5c6}'
            | '\u{5f3}'
            | '\u{5f4}'
            | '\u{60c}'
            | '\u{60d}'
            | '\u{61b}'
            | '\u{61e}'
            | '\u{61f}'
            | '\u{66a}'..='\u{66d}'
            | '\u{6d4}'
            | '\u{964}'
            | '\u{965}'
            | '\u{970}'
            | '\u{e4f}'
            | '\u{e5a}'
            | '\u{e5b}'
            | '\u{2010}'..='\u{2027}'
            | '\u{2030}'..='\u{2043}'
            | '\u{2045}'..='\u{2051}'
            | '\u{2053}'..='\u{205e}'
            | '\u{2e00}'..='\u{2e4f}'
            | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301f}'
            | '\u{fe10}'..='\u{fe19}'
            | '\u{fe30}'..='\u{fe52}'
            | '\u{fe54}'..='\u{fe61}'
            | '\u{fe63}'
            | '\u{fe68}'
            | '\u{fe6a}'
            | '\u{fe6b}'
            | '\u{ff01}'..='\u{ff03}'
            | '\u{ff05}'..='\u{ff0a}'
            | '\u{ff0c}'..='\u{ff0f}'
            | '\u{ff1a}'
            | '\u{ff1b}'
            | '\u{ff1f}'
            | '\u{ff20}'
            | '\u{ff3b}'..='\u{ff3d}'
            | '\u{ff3f}'
            | '\u{ff5b}'
            | '\u{ff5d}'
            | '\u{ff5f}'..='\u{ff65}'
    )
}

impl Stage for Tokenize {
    fn name(&self) -> &'static str {
        "tokenize"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        doc.paragraphs.clear();
        doc.sentences.clear();
        doc.tokens.clear();
        let text = doc.text.as_str();

        paragraphs::paragraphs(text, &mut doc.paragraphs);
        for para in &doc.paragraphs {
            sentences::split_paragraph(text, *para, &self.abbreviations, &mut doc.sentences);
        }

        // About one token per five bytes of English news text.
        doc.tokens.reserve(text.len() / 5);
        let mut words = 0usize;
        for (index, sentence) in doc.sentences.iter().enumerate() {
            let Some(body) = text.get(sentence.start..sentence.end) else {
                continue;
            };
            word_segments(body, |offset, segment| {
                let Some(kind) = token_kind(segment) else {
                    return;
                };
                if matches!(kind, TokenKind::Word | TokenKind::Number) {
                    words += 1;
                }
                let start = sentence.start + offset;
                doc.tokens.push(Token {
                    span: Span::new(start, start + segment.len()),
                    kind,
                    sentence: index,
                });
            });
        }

        doc.stats = TextStats {
            chars: text.chars().count(),
            words,
            sentences: doc.sentences.len(),
            paragraphs: doc.paragraphs.len(),
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::clean::{Clean, CleanConfig};

    fn tokenize(text: &str) -> Document {
        let stage = Tokenize::build(&TokenizeConfig::default()).expect("default builds");
        let mut doc = Document::new(None, text.to_string());
        stage.apply(&mut doc).expect("tokenize never fails");
        doc
    }

    fn sentence_texts(doc: &Document) -> Vec<&str> {
        doc.sentences.iter().map(|s| doc.slice(*s)).collect()
    }

    fn token_texts(doc: &Document) -> Vec<&str> {
        doc.tokens.iter().map(|t| doc.slice(t.span)).collect()
    }

    #[test]
    fn token_kinds() {
        assert_eq!(token_kind("Xi’s"), Some(TokenKind::Word));
        assert_eq!(token_kind("U.S"), Some(TokenKind::Word));
        assert_eq!(token_kind("3.5"), Some(TokenKind::Number));
        assert_eq!(token_kind("1,000"), Some(TokenKind::Number));
        assert_eq!(token_kind("“"), Some(TokenKind::Punct));
        assert_eq!(token_kind("…"), Some(TokenKind::Punct));
        assert_eq!(token_kind("$"), Some(TokenKind::Symbol));
        assert_eq!(token_kind("🙂"), Some(TokenKind::Symbol));
        assert_eq!(token_kind("习近平"), Some(TokenKind::Word));
        assert_eq!(token_kind(" \n"), None);
        assert_eq!(token_kind(""), None);
    }

    #[test]
    fn tokens_spans_sentences_and_stats() {
        let doc = tokenize("It rose 3.5% to $1.13bn. Shares fell.");
        assert_eq!(
            sentence_texts(&doc),
            ["It rose 3.5% to $1.13bn.", "Shares fell."]
        );
        assert_eq!(
            token_texts(&doc),
            [
                "It", "rose", "3.5", "%", "to", "$", "1.13bn", ".", "Shares", "fell", "."
            ]
        );
        let kinds: Vec<TokenKind> = doc.tokens.iter().map(|t| t.kind).collect();
        use TokenKind::*;
        assert_eq!(
            kinds,
            [
                Word, Word, Number, Punct, Word, Symbol, Word, Punct, Word, Word, Punct
            ]
        );
        let sentence_of: Vec<usize> = doc.tokens.iter().map(|t| t.sentence).collect();
        assert_eq!(sentence_of, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
        assert_eq!(
            doc.stats,
            TextStats {
                chars: 37,
                words: 7,
                sentences: 2,
                paragraphs: 1
            }
        );
    }

    #[test]
    fn curly_quotes_crlf_and_no_final_newline() {
        let doc = tokenize("“Quoted sentence.” He said.\r\nNext “line” here");
        assert_eq!(
            sentence_texts(&doc),
            ["“Quoted sentence.”", "He said.", "Next “line” here"]
        );
        assert_eq!(doc.stats.paragraphs, 2);
        assert!(doc.tokens.iter().all(|t| !doc.slice(t.span).contains('\r')));
    }

    #[test]
    fn sentences_never_cross_paragraphs() {
        let doc = tokenize("Ends without stop\nMr.\nSmith arrived.");
        assert_eq!(
            sentence_texts(&doc),
            ["Ends without stop", "Mr.", "Smith arrived."]
        );
        let para_of_sentence = |s: &Span| {
            doc.paragraphs
                .iter()
                .position(|p| p.start <= s.start && s.end <= p.end)
        };
        assert!(doc.sentences.iter().all(|s| para_of_sentence(s).is_some()));
    }

    #[test]
    fn extra_abbreviations_apply_and_bad_ones_are_refused() {
        let cfg = TokenizeConfig {
            abbreviations: vec!["Calif.".into()],
        };
        let stage = Tokenize::build(&cfg).expect("valid");
        let mut doc = Document::new(None, "He lives in Calif. Los Angeles is big.".into());
        stage.apply(&mut doc).expect("runs");
        assert_eq!(doc.sentences.len(), 1);

        let bad = TokenizeConfig {
            abbreviations: vec!["ok".into(), "two words".into()],
        };
        let key = Tokenize::build(&bad).err().map(|e| e.key);
        assert_eq!(key.as_deref(), Some("pipeline.tokenize.abbreviations[1]"));
    }

    #[test]
    fn chinese_and_japanese_tokenise_per_character_and_split_on_full_width_stops() {
        // Han has no spaces between words: every ideograph is a token of its own, and
        // the full-width 。！？ end sentences with no space after them.
        let doc = tokenize("今天下雨。我们去吗？不去！明天见");
        assert_eq!(
            sentence_texts(&doc),
            ["今天下雨。", "我们去吗？", "不去！", "明天见"]
        );
        assert_eq!(
            token_texts(&doc),
            [
                "今", "天", "下", "雨", "。", "我", "们", "去", "吗", "？", "不", "去", "！", "明",
                "天", "见"
            ]
        );
        assert!(
            doc.tokens
                .iter()
                .filter(|t| doc.slice(t.span) == "。")
                .all(|t| t.kind == TokenKind::Punct)
        );
        // Japanese: kanji and hiragana one character each; a katakana word stays whole.
        let doc = tokenize("東京でニュースを読んだ。楽しい！");
        assert_eq!(
            sentence_texts(&doc),
            ["東京でニュースを読んだ。", "楽しい！"]
        );
        assert_eq!(
            token_texts(&doc),
            [
                "東",
                "京",
                "で",
                "ニュース",
                "を",
                "読",
                "ん",
                "だ",
                "。",
                "楽",
                "し",
                "い",
                "！"
            ]
        );
    }

    #[test]
    fn empty_text_gives_nothing() {
        let doc = tokenize("");
        assert!(doc.paragraphs.is_empty() && doc.sentences.is_empty() && doc.tokens.is_empty());
        assert_eq!(doc.stats, TextStats::default());
    }

    #[test]
    fn rerun_replaces_previous_output() {
        let stage = Tokenize::build(&TokenizeConfig::default()).expect("builds");
        let mut doc = Document::new(None, "One. Two.".into());
        stage.apply(&mut doc).expect("runs");
        stage.apply(&mut doc).expect("runs");
        assert_eq!(doc.sentences.len(), 2);
        assert_eq!(doc.tokens.len(), 4);
    }

    #[test]
    fn seed_article() {
        let seed = include_str!("../../../seeds/xi-jinping-russia-visit.txt");
        // Raw: 14 non-blank lines, each a paragraph.
        let raw = tokenize(seed);
        assert_eq!(raw.stats.paragraphs, 14);

        let clean = Clean::build(&CleanConfig::default()).expect("defaults compile");
        let mut doc = Document::new(None, seed.to_string());
        clean.apply(&mut doc).expect("text left");
        let stage = Tokenize::build(&TokenizeConfig::default()).expect("builds");
        stage.apply(&mut doc).expect("runs");
        // The "READ ALSO" line is gone: 13 paragraphs, one sentence each.
        assert_eq!(doc.stats.paragraphs, 13);
        assert_eq!(doc.stats.sentences, 13);
        assert!(sentence_texts(&doc)[6].starts_with("With the U.S. continuing"));
        assert!(sentence_texts(&doc)[6].ends_with("“exceptionalism.”"));
        assert!(token_texts(&doc).contains(&"Xi’s"));
        // Every span lies on character boundaries and inside its sentence.
        for t in &doc.tokens {
            let s = doc.sentences[t.sentence];
            assert!(s.start <= t.span.start && t.span.end <= s.end);
            assert!(doc.text.get(t.span.start..t.span.end).is_some());
        }
        assert_eq!(doc.stats.chars, doc.text.chars().count());
    }
}
