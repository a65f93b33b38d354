//! `newsd eval dedup`: near-duplicate precision and recall on a corpus folder plus
//! perturbed copies of its articles.
//!
//! The stream is every article of the folder (sorted by name), then, for a fixed
//! sample of them, four rewritten copies each in a fixed shuffled order: a new
//! headline, paragraphs reordered, agency boilerplate added, and one word in ten
//! replaced by another word of the corpus. Two articles tell the same story when they
//! are in one group of the corpus's known byte-identical duplicates, or one is a
//! rewrite of the other. A verdict is right when it points at an earlier article of
//! the same story; precision is over all verdicts flagging a duplicate, recall over
//! all articles that had an earlier copy in the stream.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::dedup::{DedupIndex, Fingerprint, IndexSettings};
use crate::document::{Document, TokenKind};
use crate::input;
use crate::pipeline::{Pipeline, PipelineConfig, StageName};

/// Why the evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum DedupEvalError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file or folder.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The tokenizer could not be built.
    #[error("pipeline: {0}")]
    Pipeline(#[from] crate::pipeline::BuildError),
    /// The index failed.
    #[error("index: {0}")]
    Index(std::io::Error),
}

/// Counts for one kind of article in the stream.
#[derive(Debug, Default, Serialize)]
pub struct KindScores {
    /// Articles of this kind that had an earlier copy.
    pub should_flag: usize,
    /// Of those, flagged pointing at the right story.
    pub flagged_right: usize,
    /// Flagged pointing at a different story.
    pub flagged_wrong: usize,
    /// `flagged_right / should_flag`.
    pub recall: f64,
}

/// The evaluation result.
#[derive(Debug, Serialize)]
pub struct DedupReport {
    /// Articles in the stream (originals and copies).
    pub articles: usize,
    /// Originals read from the folder.
    pub originals: usize,
    /// Rewritten copies added.
    pub copies: usize,
    /// Similarity threshold used.
    pub threshold: f64,
    /// Right flags over all flags.
    pub precision: f64,
    /// Right flags over articles that had an earlier copy.
    pub recall: f64,
    /// Distinct originals wrongly flagged as copies of another story.
    pub false_positives: usize,
    /// Per kind: `exact` (corpus duplicates) and the four rewrites.
    pub kinds: BTreeMap<String, KindScores>,
    /// Every flag that pointed at a different story, for review.
    pub wrong_flags: Vec<WrongFlag>,
}

/// A verdict that pointed at a different story.
#[derive(Debug, Serialize)]
pub struct WrongFlag {
    /// The article flagged (`<name>~<rewrite>` for copies).
    pub article: String,
    /// The article it was said to copy.
    pub flagged_as_copy_of: String,
    /// Their estimated similarity.
    pub similarity: f64,
}

struct Item {
    doc: Document,
    id: String,
    name: String,
    story: usize,
    kind: &'static str,
}

/// Boilerplate a wire service or aggregator adds around a story.
const BOILERPLATE: [&str; 3] = [
    "This article was distributed by an agency feed and may have been edited for length.",
    "Copyright of the original publisher. All rights reserved. Redistribution prohibited.",
    "Follow our live coverage and get the latest headlines delivered to your inbox every morning.",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % below.max(1) as u64) as usize
    }
}

/// Runs the evaluation over `texts` (a folder of `.txt` articles) with the known
/// duplicate groups in `duplicates` (CSV `group,id`) and reviewed same-story pairs in
/// `reviewed` (CSV `id,same_story_as`); both may be absent.
pub fn evaluate(
    texts: &Path,
    duplicates: Option<&Path>,
    reviewed: Option<&Path>,
    threshold: f64,
) -> Result<DedupReport, DedupEvalError> {
    let read_err = |p: &Path| {
        let path = p.display().to_string();
        move |source| DedupEvalError::Read { path, source }
    };
    let mut names: Vec<String> = std::fs::read_dir(texts)
        .map_err(read_err(texts))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    let mut group_of: HashMap<String, String> = HashMap::new();
    if let Some(csv) = duplicates {
        let text = std::fs::read_to_string(csv).map_err(read_err(csv))?;
        for line in text.lines().skip(1) {
            if let Some((g, id)) = line.split_once(',') {
                group_of.insert(id.trim().to_string(), g.trim().to_string());
            }
        }
    }
    if let Some(csv) = reviewed {
        let text = std::fs::read_to_string(csv).map_err(read_err(csv))?;
        for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
            if let Some((id, other)) = line.split_once(',') {
                // Join the two stories: both take the group of whichever has one.
                let (id, other) = (id.trim().to_string(), other.trim().to_string());
                let group = group_of
                    .get(&other)
                    .or_else(|| group_of.get(&id))
                    .cloned()
                    .unwrap_or_else(|| format!("reviewed:{other}"));
                group_of.insert(id, group.clone());
                group_of.insert(other, group);
            }
        }
    }
    let cfg = PipelineConfig {
        stages: vec![StageName::Clean, StageName::Tokenize],
        ..PipelineConfig::default()
    };
    let pipeline = Pipeline::build(&cfg)?;
    let prepare = |raw: &str| -> Option<Document> {
        let (title, body) = input::split_title(raw);
        let mut doc = Document::new(title, body.to_string());
        pipeline.run(&mut doc).ok()?;
        Some(doc)
    };

    let mut stories: HashMap<String, usize> = HashMap::new();
    let mut originals: Vec<(String, usize, String, String)> = Vec::new(); // (text, story, id, name)
    for name in &names {
        let path = texts.join(name);
        let bytes = std::fs::read(&path).map_err(read_err(&path))?;
        let Ok(text) = input::decode(&bytes) else {
            continue;
        };
        let stem = name.trim_end_matches(".txt").to_string();
        let key = group_of.get(&stem).cloned().unwrap_or_else(|| stem.clone());
        let next = stories.len();
        let story = *stories.entry(key).or_insert(next);
        originals.push((text, story, crate::article::content_id(&bytes), stem));
    }
    let mut items: Vec<Item> = Vec::new();
    for (text, story, id, name) in &originals {
        if let Some(doc) = prepare(text) {
            items.push(Item {
                doc,
                id: id.clone(),
                name: name.clone(),
                story: *story,
                kind: "exact",
            });
        }
    }
    let vocabulary: Vec<String> = items
        .iter()
        .take(200)
        .flat_map(|it| {
            it.doc
                .tokens
                .iter()
                .filter(|t| t.kind == TokenKind::Word)
                .map(|t| it.doc.slice(t.span).to_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut rng = Rng(0x0064_6564_7570);
    let mut copies: Vec<Item> = Vec::new();
    for (n, (text, story, _, name)) in originals.iter().enumerate().filter(|(n, _)| n % 5 == 0) {
        let (title, body) = input::split_title(text);
        let paragraphs: Vec<&str> = body.split('\n').filter(|p| !p.trim().is_empty()).collect();
        let mut variants: Vec<(&'static str, String)> = Vec::new();
        variants.push((
            "new_headline",
            format!(
                "Update {n}: what we know so far\n\n{}",
                paragraphs.join("\n\n")
            ),
        ));
        let mut shuffled = paragraphs.clone();
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.next(i + 1));
        }
        variants.push((
            "reordered",
            format!(
                "{}\n\n{}",
                title.clone().unwrap_or_default(),
                shuffled.join("\n\n")
            ),
        ));
        variants.push((
            "boilerplate",
            format!(
                "{}\n\n{}\n\n{}\n\n{}\n\n{}",
                title.clone().unwrap_or_default(),
                BOILERPLATE[0],
                paragraphs.join("\n\n"),
                BOILERPLATE[1],
                BOILERPLATE[2]
            ),
        ));
        let changed: Vec<String> = paragraphs
            .iter()
            .map(|p| {
                p.split(' ')
                    .map(|w| {
                        if rng.next(10) == 0 && !vocabulary.is_empty() {
                            vocabulary[rng.next(vocabulary.len())].clone()
                        } else {
                            w.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        variants.push((
            "words_changed",
            format!(
                "{}\n\n{}",
                title.clone().unwrap_or_default(),
                changed.join("\n\n")
            ),
        ));
        for (kind, v) in variants {
            if let Some(doc) = prepare(&v) {
                copies.push(Item {
                    doc,
                    id: crate::article::content_id(v.as_bytes()),
                    name: format!("{name}~{kind}"),
                    story: *story,
                    kind,
                });
            }
        }
    }
    for i in (1..copies.len()).rev() {
        copies.swap(i, rng.next(i + 1));
    }
    let n_copies = copies.len();
    items.extend(copies);

    let mut index = DedupIndex::in_memory(IndexSettings {
        threshold,
        window_articles: usize::MAX,
        window_days: 0,
    });
    let mut story_of_id: HashMap<String, usize> = HashMap::new();
    let mut name_of_id: HashMap<String, String> = HashMap::new();
    let mut wrong = Vec::new();
    let mut seen_story: HashMap<usize, usize> = HashMap::new();
    let mut kinds: BTreeMap<String, KindScores> = BTreeMap::new();
    let (mut flags, mut right, mut should, mut false_positives) = (0usize, 0usize, 0usize, 0usize);
    for (n, item) in items.iter().enumerate() {
        let fp = Fingerprint::of(&item.doc);
        let verdict = index
            .check_and_add(&item.id, &format!("eval-{n}"), &fp, 0)
            .map_err(DedupEvalError::Index)?;
        let had_earlier = seen_story.get(&item.story).copied().unwrap_or(0) > 0;
        let k = kinds.entry(item.kind.to_string()).or_default();
        if had_earlier {
            should += 1;
            k.should_flag += 1;
        }
        if let Some(dup) = &verdict.duplicate_of {
            flags += 1;
            if story_of_id.get(dup) == Some(&item.story) {
                right += 1;
                if had_earlier {
                    k.flagged_right += 1;
                }
            } else {
                k.flagged_wrong += 1;
                wrong.push(WrongFlag {
                    article: item.name.clone(),
                    flagged_as_copy_of: name_of_id.get(dup).cloned().unwrap_or_default(),
                    similarity: verdict.similarity,
                });
                if item.kind == "exact" {
                    false_positives += 1;
                }
            }
        }
        story_of_id.entry(item.id.clone()).or_insert(item.story);
        name_of_id
            .entry(item.id.clone())
            .or_insert_with(|| item.name.clone());
        *seen_story.entry(item.story).or_insert(0) += 1;
    }
    for k in kinds.values_mut() {
        k.recall = k.flagged_right as f64 / k.should_flag.max(1) as f64;
    }
    Ok(DedupReport {
        articles: items.len(),
        originals: items.len() - n_copies,
        copies: n_copies,
        threshold,
        precision: right as f64 / flags.max(1) as f64,
        recall: right as f64 / should.max(1) as f64,
        false_positives,
        kinds,
        wrong_flags: wrong,
    })
}
