//! The NDJSON output record: newsd's public, versioned contract.
//!
//! One [`Record`] per article, serialised as one JSON line. Fields are only ever added
//! (bumping the minor version in [`SCHEMA`]), never renamed or removed; the JSON Schema
//! in `config/schema/article.schema.json` describes the same shape and the tests
//! validate every record they see against it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::document::{Document, Entity, Keyword, Readability, RemovedLine, TextStats, Topics};
use crate::offsets::CharMap;
use crate::pipeline::score::tone::{Tone, WordTone};
use crate::pipeline::score::watchlist::WatchHit;

/// Schema name and version carried by every record.
pub const SCHEMA: &str = "newsd.article/1.2";

/// Where the article came from.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// File name as dropped (or `-` for standard input).
    pub name: String,
    /// Path as received (the inbox path, or the path given to `newsd process`).
    pub path: String,
    /// Size of the input in bytes.
    pub bytes: u64,
    /// Modification time of the input, RFC 3339 UTC, when known.
    pub mtime: Option<String>,
    /// Unique token of this claim: ties the record to the work file and to its archive copy,
    /// and lets a restart tell which claimed files already have a record. Items of a
    /// batch input add `.<item>`.
    pub claim: String,
    /// Line (NDJSON) or position (JSON array) of this article in a batch input, 1-based.
    pub item: Option<usize>,
    /// Format detected: `text`, `markdown`, `json` or `html`.
    pub format: crate::formats::Format,
    /// Character encoding read (WHATWG name, e.g. `UTF-8`, `windows-1252`).
    pub encoding: &'static str,
    /// True when the input was gzip-compressed.
    pub gzip: bool,
}

/// Metadata the input carried about the article.
#[derive(Debug, Clone, Serialize)]
pub struct MetaOut {
    /// Publication or site name.
    pub site_name: Option<String>,
    /// Section of the site.
    pub section: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// Last modification date as found.
    pub modified: Option<String>,
    /// Declared language, as found.
    pub declared_language: Option<String>,
}

/// A mention of an entity, in character offsets into `text`.
#[derive(Debug, Clone, Serialize)]
pub struct MentionOut {
    /// First character (Unicode scalar value) of the mention.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// The mention as written.
    pub text: String,
}

/// An entity as the record shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EntityOut {
    /// Canonical text: the fullest name the article uses.
    pub text: String,
    /// `PER`, `ORG`, `LOC` or `MISC`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Number of mentions.
    pub count: usize,
    /// Every mention, in text order.
    pub mentions: Vec<MentionOut>,
    /// Surface forms merged into this entity.
    pub aliases: Vec<String>,
    /// Importance in the article, 0..1.
    pub salience: f64,
    /// Mean recogniser confidence, 0..1.
    pub confidence: f64,
    /// Mean VADER compound of the sentences that mention it.
    pub tone: Option<f64>,
}

/// A sentence's VADER compound, in character offsets.
#[derive(Debug, Clone, Serialize)]
pub struct SentenceToneOut {
    /// First character of the sentence.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// VADER compound, -1..1.
    pub compound: f64,
}

/// The record's tone section (see `pipeline::score::tone`).
#[derive(Debug, Clone, Serialize)]
pub struct ToneOut {
    /// Document compound: mean of the sentences' VADER compounds, -1..1.
    pub compound: f64,
    /// Mean VADER positive share.
    pub positive: f64,
    /// Mean VADER negative share.
    pub negative: f64,
    /// Mean VADER neutral share.
    pub neutral: f64,
    /// VADER compound of the title.
    pub title: Option<f64>,
    /// Mean compound of the lead paragraph.
    pub lead: Option<f64>,
    /// GDELT V2Tone-style word shares.
    pub words: WordTone,
    /// Each sentence's compound.
    pub sentences: Vec<SentenceToneOut>,
}

/// A piece of taxonomy evidence, in character offsets.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceOut {
    /// The configured term, phrase or entity.
    pub term: String,
    /// First character of the match.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// The evidence's weight.
    pub weight: f64,
}

/// A taxonomy topic with its score and evidence.
#[derive(Debug, Clone, Serialize)]
pub struct TaxonomyTopicOut {
    /// Topic name.
    pub name: String,
    /// Score, 0..1.
    pub score: f64,
    /// What matched.
    pub evidence: Vec<EvidenceOut>,
}

/// The record's topics section.
#[derive(Debug, Clone, Serialize)]
pub struct TopicsOut {
    /// The trained classifier's label.
    pub label: String,
    /// Its probability.
    pub confidence: f64,
    /// Every label's probability.
    pub probabilities: BTreeMap<String, f64>,
    /// Taxonomy topics at or above the configured minimum, best first.
    pub taxonomy: Vec<TaxonomyTopicOut>,
}

/// The record's near-duplicate section.
#[derive(Debug, Clone, Serialize)]
pub struct DedupOut {
    /// 64-bit SimHash of the body's word 3-shingles, hex.
    pub fingerprint: String,
    /// Id of the earliest copy when this article nearly duplicates an earlier one.
    pub duplicate_of: Option<String>,
    /// Estimated Jaccard similarity to the closest earlier article in the window.
    pub similarity: f64,
    /// Id of the earliest article of its group (its own id when new).
    pub cluster: String,
}

impl DedupOut {
    /// The section for a fingerprint and the index's verdict.
    pub fn new(fp: &crate::dedup::Fingerprint, v: crate::dedup::Verdict) -> Self {
        Self {
            fingerprint: fp.hex(),
            duplicate_of: v.duplicate_of,
            similarity: v.similarity,
            cluster: v.cluster,
        }
    }
}

/// A watchlist entry's matches, in character offsets.
#[derive(Debug, Clone, Serialize)]
pub struct WatchOut {
    /// The entry as configured.
    pub text: String,
    /// Its weight.
    pub weight: f64,
    /// Number of matches.
    pub count: usize,
    /// The matches.
    pub mentions: Vec<MentionOut>,
}

/// A date in the text, resolved.
#[derive(Debug, Clone, Serialize)]
pub struct DateOut {
    /// First character of the mention.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// The mention as written.
    pub text: String,
    /// ISO 8601 value: `2025-05-09`, `2025-05`, `2025`, `2025-W19`, or `199` for a decade.
    pub value: String,
    /// `day`, `week`, `month`, `year` or `decade`.
    pub granularity: crate::pipeline::extract::facts::Granularity,
    /// True when resolved against the publication date ("on Friday", "last week").
    pub relative: bool,
    /// For anniversaries: the year of the event commemorated.
    pub event_year: Option<i32>,
}

/// Who a quotation is attributed to.
#[derive(Debug, Clone, Serialize)]
pub struct SpeakerOut {
    /// First character of the speaker phrase.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// The speaker as written ("she", "Maria Zakharova", "a spokesperson for ...").
    pub text: String,
    /// How the attribution was found (`after`, `before`, `according_to`, ...).
    pub cue: crate::pipeline::extract::facts::SpeakerCue,
    /// The name a pronoun speaker stands for.
    pub resolved: Option<MentionOut>,
    /// The recognised entity the speaker is, when one matches.
    pub entity: Option<String>,
}

/// A quotation.
#[derive(Debug, Clone, Serialize)]
pub struct QuoteOut {
    /// First character of the quoted text (inside the marks).
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// The quoted text.
    pub text: String,
    /// Its speaker, when the text names one.
    pub speaker: Option<SpeakerOut>,
}

/// An amount of money, a percentage or a counted quantity.
#[derive(Debug, Clone, Serialize)]
pub struct AmountOut {
    /// First character of the mention.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// The mention as written.
    pub text: String,
    /// `money`, `percent` or `quantity`.
    pub kind: crate::pipeline::extract::facts::AmountKind,
    /// Normalised value (1.13e9 for "$1.13bn").
    pub value: f64,
    /// ISO 4217 code for money, `%` or `pp` for percentages, the counted noun otherwise.
    pub unit: String,
}

/// Readability section of [`Scores`].
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    /// Readability figures (zeros when there are no words).
    pub readability: Readability,
}

/// The producer of the record.
#[derive(Debug, Clone, Serialize)]
pub struct Producer {
    /// Always `newsd`.
    pub name: &'static str,
    /// The newsd version that wrote the record.
    pub version: &'static str,
}

/// One output record.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Hex hash of the input bytes (first 128 bits of SHA-256): equal inputs, equal ids.
    pub id: String,
    /// Where it came from.
    pub source: Source,
    /// When newsd claimed the input, RFC 3339 UTC.
    pub received_at: String,
    /// When the record was built, RFC 3339 UTC.
    pub processed_at: String,
    /// When the article was published, as best known (RFC 3339 UTC); relative dates
    /// in the text are resolved against it.
    pub published_at: Option<String>,
    /// Which clue gave `published_at`: `mtime` (the input file) or `received`.
    pub published_source: crate::document::PublishedSource,
    /// Title, when the input has one.
    pub title: Option<String>,
    /// The article's URL, when the input gives one.
    pub url: Option<String>,
    /// Authors, when the input names them.
    pub authors: Vec<String>,
    /// Detected language (ISO 639-1) and confidence; null for text without letters.
    pub language: Option<crate::lang::Language>,
    /// Further metadata from the input.
    pub meta: MetaOut,
    /// The cleaned body text that offsets refer to (absent when `outbox.include_text` is off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Size counts.
    pub text_stats: TextStats,
    /// Named entities, most salient first.
    pub entities: Vec<EntityOut>,
    /// Keywords, best first.
    pub keywords: Vec<Keyword>,
    /// Dates mentioned, resolved against `published_at`.
    pub dates: Vec<DateOut>,
    /// Quotations and their speakers.
    pub quotes: Vec<QuoteOut>,
    /// Money, percentages and quantities.
    pub amounts: Vec<AmountOut>,
    /// Scores.
    pub scores: Scores,
    /// Tone: VADER per sentence and document, title, lead, word shares (null when the
    /// score stage did not run).
    pub tone: Option<ToneOut>,
    /// Topics: classifier label and taxonomy scores (null when the score stage did not run).
    pub topics: Option<TopicsOut>,
    /// Near-duplicate verdict (null when `[dedup]` is off).
    pub dedup: Option<DedupOut>,
    /// Watchlist matches.
    pub watchlist: Vec<WatchOut>,
    /// Priority and alert flag (set last, once the duplicate verdict is known).
    pub priority: Option<crate::priority::Priority>,
    /// Site-furniture lines dropped before the stages.
    pub removed_lines: Vec<RemovedLine>,
    /// Microseconds per stage (`read` covers reading and decoding the input).
    pub timings_us: BTreeMap<&'static str, u64>,
    /// Non-fatal problems.
    pub warnings: Vec<String>,
    /// Who wrote the record.
    pub producer: Producer,
}

impl Record {
    /// Assembles the record from a processed document and what is known of its source.
    pub fn from_document(
        mut doc: Document,
        id: String,
        source: Source,
        meta: crate::formats::ArticleMeta,
        received_at: String,
        read_us: u64,
        include_text: bool,
    ) -> Self {
        let chars = CharMap::new(&doc.text);
        let (dates, quotes, amounts) = facts_out(&doc, &chars);
        let mut timings_us: BTreeMap<&'static str, u64> =
            std::mem::take(&mut doc.timings_us).into_iter().collect();
        timings_us.insert("read", read_us);
        let readability = doc.readability.unwrap_or(Readability {
            flesch_reading_ease: None,
            flesch_kincaid_grade: None,
            syllables: 0,
            sentence_length: Default::default(),
            word_length: Default::default(),
        });
        let entities = entities_out(&doc.text, &doc.entities, &chars);
        let watchlist = watch_out(&doc.text, &doc.watchlist, &chars);

        Self {
            schema: SCHEMA,
            id,
            source,
            received_at,
            processed_at: crate::clock::now_rfc3339(),
            published_at: doc.published.map(|t| crate::clock::rfc3339(t.into())),
            published_source: doc.published_source,
            title: doc.title,
            url: meta.url.or_else(|| meta.canonical_url.clone()),
            authors: meta.authors,
            language: doc.language.take(),
            meta: MetaOut {
                site_name: meta.site_name,
                section: meta.section,
                canonical_url: meta.canonical_url,
                modified: meta.modified,
                declared_language: meta.language,
            },
            text: include_text.then_some(doc.text),
            text_stats: doc.stats,
            entities,
            keywords: doc.keywords,
            dates,
            quotes,
            amounts,
            scores: Scores { readability },
            tone: doc.tone.as_ref().map(|t| tone_out(t, &chars)),
            topics: doc.topics.as_ref().map(|t| topics_out(t, &chars)),
            dedup: None,
            watchlist,
            priority: None,
            removed_lines: doc.removed_lines,
            timings_us,
            warnings: doc.warnings,
            producer: Producer {
                name: "newsd",
                version: env!("CARGO_PKG_VERSION"),
            },
        }
    }

    /// The record as one JSON line ending in `\n`.
    pub fn to_line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).expect(
            "a record holds only strings, numbers and string-keyed maps, which always serialise",
        );
        line.push(b'\n');
        line
    }
}

fn entities_out(text: &str, entities: &[Entity], chars: &CharMap) -> Vec<EntityOut> {
    entities
        .iter()
        .map(|e| EntityOut {
            text: e.text.clone(),
            kind: e.kind.clone(),
            count: e.count,
            mentions: e
                .mentions
                .iter()
                .map(|m| MentionOut {
                    start: chars.char_at(m.start),
                    end: chars.char_at(m.end),
                    text: text.get(m.start..m.end).unwrap_or("").to_string(),
                })
                .collect(),
            aliases: e.aliases.clone(),
            salience: e.salience,
            confidence: e.confidence,
            tone: e.tone,
        })
        .collect()
}

fn tone_out(t: &Tone, chars: &CharMap) -> ToneOut {
    ToneOut {
        compound: t.vader.compound,
        positive: t.vader.pos,
        negative: t.vader.neg,
        neutral: t.vader.neu,
        title: t.title,
        lead: t.lead,
        words: t.words,
        sentences: t
            .sentences
            .iter()
            .map(|s| SentenceToneOut {
                start: chars.char_at(s.span.start),
                end: chars.char_at(s.span.end),
                compound: s.compound,
            })
            .collect(),
    }
}

fn topics_out(t: &Topics, chars: &CharMap) -> TopicsOut {
    TopicsOut {
        label: t.classifier.label.clone(),
        confidence: t.classifier.confidence,
        probabilities: t.classifier.probabilities.iter().cloned().collect(),
        taxonomy: t
            .taxonomy
            .iter()
            .map(|ts| TaxonomyTopicOut {
                name: ts.name.clone(),
                score: ts.score,
                evidence: ts
                    .evidence
                    .iter()
                    .map(|e| EvidenceOut {
                        term: e.term.clone(),
                        start: chars.char_at(e.span.start),
                        end: chars.char_at(e.span.end),
                        weight: e.weight,
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn watch_out(text: &str, hits: &[WatchHit], chars: &CharMap) -> Vec<WatchOut> {
    hits.iter()
        .map(|h| WatchOut {
            text: h.text.clone(),
            weight: h.weight,
            count: h.mentions.len(),
            mentions: h
                .mentions
                .iter()
                .map(|m| MentionOut {
                    start: chars.char_at(m.start),
                    end: chars.char_at(m.end),
                    text: text.get(m.start..m.end).unwrap_or("").to_string(),
                })
                .collect(),
        })
        .collect()
}

/// The entity whose mention overlaps a speaker span, if any.
fn speaker_entity(entities: &[Entity], span: crate::document::Span) -> Option<String> {
    entities
        .iter()
        .find(|e| {
            e.kind == "PER" || e.kind == "ORG"
        } && e.mentions.iter().any(|m| m.start < span.end && span.start < m.end))
        .map(|e| e.text.clone())
}

fn facts_out(doc: &Document, chars: &CharMap) -> (Vec<DateOut>, Vec<QuoteOut>, Vec<AmountOut>) {
    let dates = doc
        .dates
        .iter()
        .map(|d| DateOut {
            start: chars.char_at(d.span.start),
            end: chars.char_at(d.span.end),
            text: d.text.clone(),
            value: d.value.clone(),
            granularity: d.granularity,
            relative: d.relative,
            event_year: d.event_year,
        })
        .collect();
    let quotes = doc
        .quotes
        .iter()
        .map(|q| QuoteOut {
            start: chars.char_at(q.span.start),
            end: chars.char_at(q.span.end),
            text: q.text.clone(),
            speaker: q.speaker.as_ref().map(|s| {
                let who = s.resolved.as_ref().map_or(s.span, |r| r.span);
                SpeakerOut {
                    start: chars.char_at(s.span.start),
                    end: chars.char_at(s.span.end),
                    text: s.text.clone(),
                    cue: s.cue,
                    resolved: s.resolved.as_ref().map(|r| MentionOut {
                        start: chars.char_at(r.span.start),
                        end: chars.char_at(r.span.end),
                        text: r.text.clone(),
                    }),
                    entity: speaker_entity(&doc.entities, who),
                }
            }),
        })
        .collect();
    let amounts = doc
        .amounts
        .iter()
        .map(|a| AmountOut {
            start: chars.char_at(a.span.start),
            end: chars.char_at(a.span.end),
            text: a.text.clone(),
            kind: a.kind,
            value: a.value,
            unit: a.unit.clone(),
        })
        .collect();
    (dates, quotes, amounts)
}
