//! Training: an averaged perceptron over the greedy decoder, with model selection on a
//! development set.
//!
//! Why a hand-written learner: the model is a few hundred lines of sparse linear
//! algebra tied to our own feature keys and decoder; the Rust crates for CRFs or
//! perceptrons either wrap C libraries (crfsuite), expect string features and their
//! own file formats, or are unmaintained, and none trains a greedy decoder with the
//! decoder's own predictions as history (which is what keeps training and tagging
//! consistent). The averaged perceptron (Collins 2002) is simple, deterministic and
//! trains a CoNLL-sized corpus in seconds.
//!
//! Determinism: documents are shuffled with a seeded SplitMix64, feature rows are
//! numbered in order of first appearance, and the model file is written sorted, so
//! the same inputs give a byte-identical model.

use std::time::Instant;

use super::NerError;
use super::conll::ConllDocument;
use super::eval::Scorer;
use super::features::{DocContext, History, SentenceLex, dynamic_features, static_features};
use super::gazetteer::Gazetteer;
use super::hash::{KeyMap, SplitMix};
use super::labels::{NUM_CLASSES, Tag, bilou_to_spans, spans_to_bilou};
use super::model::{Model, Weights};
use super::tagger::{Transitions, softmax_at, tag_prepared};

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Most passes over the training data.
    pub epochs: usize,
    /// Stop after this many epochs without a better dev F1.
    pub patience: usize,
    /// Seed of the document shuffle.
    pub seed: u64,
    /// Averaged weights with a smaller magnitude are dropped from the saved model.
    pub prune: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 20,
            patience: 4,
            seed: 20_030_601,
            prune: 0.0,
        }
    }
}

/// What training reached.
#[derive(Debug, Clone)]
pub struct TrainSummary {
    /// The epoch whose averaged weights were kept (1-based).
    pub best_epoch: usize,
    /// Dev F1 of the saved (pruned, quantised) model.
    pub dev_f1: f64,
    /// Feature rows in the saved model.
    pub features: usize,
    /// Wall time, seconds.
    pub seconds: f64,
}

struct TrainSentence {
    /// Static feature rows of each token: `rows[start[i]..start[i + 1]]`.
    rows: Vec<u32>,
    start: Vec<u32>,
    gold: Vec<Tag>,
    lex: SentenceLex,
}

/// Perceptron state: current weights and the running sums for averaging.
struct Perceptron {
    index: KeyMap<u32>,
    keys: Vec<u64>,
    w: Vec<[f32; NUM_CLASSES]>,
    acc: Vec<[f64; NUM_CLASSES]>,
    steps: u64,
}

impl Perceptron {
    fn row(&mut self, key: u64) -> u32 {
        if let Some(&r) = self.index.get(&key) {
            return r;
        }
        let r = self.w.len() as u32;
        self.index.insert(key, r);
        self.keys.push(key);
        self.w.push([0.0; NUM_CLASSES]);
        self.acc.push([0.0; NUM_CLASSES]);
        r
    }

    fn bump(&mut self, row: u32, class: usize, delta: f32) {
        let r = row as usize;
        self.w[r][class] += delta;
        self.acc[r][class] += self.steps as f64 * f64::from(delta);
    }

    /// The averaged weights, dropping entries below `prune`.
    fn averaged(&self, prune: f32) -> Weights {
        let t = self.steps.max(1) as f64;
        let rows = self.keys.iter().enumerate().filter_map(|(r, &k)| {
            let mut row = [0f32; NUM_CLASSES];
            let mut any = false;
            for c in 0..NUM_CLASSES {
                let v = (f64::from(self.w[r][c]) - self.acc[r][c] / t) as f32;
                if v.abs() > prune {
                    row[c] = v;
                    any = true;
                }
            }
            any.then_some((k, row))
        });
        Weights::from_rows(rows)
    }
}

/// Trains a model on `train`, selecting the epoch by F1 on `dev`. `log` receives one
/// line per epoch.
pub fn train(
    train: &[ConllDocument],
    dev: &[ConllDocument],
    gazetteer: Gazetteer,
    cfg: &TrainConfig,
    mut log: impl FnMut(&str),
) -> Result<(Model, TrainSummary), NerError> {
    let started = Instant::now();
    if train.is_empty() {
        return Err(NerError::Model("no training documents".to_string()));
    }
    let mut p = Perceptron {
        index: KeyMap::default(),
        keys: Vec::new(),
        w: Vec::new(),
        acc: Vec::new(),
        steps: 0,
    };
    // Static features never change: intern them once.
    let mut docs: Vec<Vec<TrainSentence>> = Vec::with_capacity(train.len());
    let mut keys = Vec::with_capacity(128);
    for d in train {
        let lex: Vec<SentenceLex> = d
            .sentences
            .iter()
            .map(|s| SentenceLex::new(&s.tokens, &gazetteer))
            .collect();
        let ctx = DocContext::new(&lex);
        let mut sents = Vec::with_capacity(lex.len());
        for (s, l) in d.sentences.iter().zip(lex) {
            let mut rows = Vec::new();
            let mut start = vec![0u32];
            for i in 0..l.tokens.len() {
                keys.clear();
                static_features(&l, &ctx, i, &mut keys);
                for &k in &keys {
                    rows.push(p.row(k));
                }
                start.push(rows.len() as u32);
            }
            sents.push(TrainSentence {
                rows,
                start,
                gold: spans_to_bilou(s.tokens.len(), &s.entities),
                lex: l,
            });
        }
        docs.push(sents);
    }
    let dev_lex: Vec<Vec<SentenceLex>> = dev
        .iter()
        .map(|d| {
            d.sentences
                .iter()
                .map(|s| SentenceLex::new(&s.tokens, &gazetteer))
                .collect()
        })
        .collect();
    log(&format!(
        "prepared {} documents, {} static feature rows in {:.1}s",
        docs.len(),
        p.w.len(),
        started.elapsed().as_secs_f64()
    ));

    let trans = Transitions::new();
    let mut rng = SplitMix::new(cfg.seed);
    let mut order: Vec<usize> = (0..docs.len()).collect();
    let mut best: Option<(f64, usize, Weights)> = None;
    let mut dynamic: Vec<(u64, f32)> = Vec::with_capacity(16);
    let mut dyn_rows: Vec<(u32, f32)> = Vec::with_capacity(16);
    for epoch in 1..=cfg.epochs.max(1) {
        let t0 = Instant::now();
        rng.shuffle(&mut order);
        let mut errors = 0usize;
        let mut tokens = 0usize;
        for &di in &order {
            let mut history = History::default();
            for s in &docs[di] {
                let n = s.gold.len();
                let mut prev = [0u8; 2];
                for i in 0..n {
                    p.steps += 1;
                    tokens += 1;
                    let (a, b) = (s.start[i] as usize, s.start[i + 1] as usize);
                    let mut scores = [0f32; NUM_CLASSES];
                    for &r in &s.rows[a..b] {
                        for (x, w) in scores.iter_mut().zip(&p.w[r as usize]) {
                            *x += w;
                        }
                    }
                    dynamic.clear();
                    dynamic_features(&s.lex, i, prev, &history, &mut dynamic);
                    dyn_rows.clear();
                    for &(k, v) in &dynamic {
                        if let Some(&r) = p.index.get(&k) {
                            for (x, w) in scores.iter_mut().zip(&p.w[r as usize]) {
                                *x += v * w;
                            }
                        }
                    }
                    let pred = trans.best(&scores, prev[1], i + 1 == n);
                    let gold = s.gold[i];
                    if pred != gold.0 {
                        errors += 1;
                        for &(k, v) in &dynamic {
                            dyn_rows.push((p.row(k), v));
                        }
                        for idx in a..b {
                            let r = s.rows[idx];
                            p.bump(r, gold.index(), 1.0);
                            p.bump(r, pred as usize, -1.0);
                        }
                        for &(r, v) in &dyn_rows {
                            p.bump(r, gold.index(), v);
                            p.bump(r, pred as usize, -v);
                        }
                    }
                    let kind = Tag(pred).parts().map_or(4, |(l, _)| l.index());
                    history.record(&s.lex.tokens[i], kind);
                    prev = [prev[1], pred];
                }
            }
        }
        let weights = p.averaged(cfg.prune);
        let model = Model {
            weights,
            gazetteer: gazetteer.clone(),
            temperature: 1.0,
        };
        let f1 = if dev.is_empty() {
            0.0
        } else {
            evaluate_prepared(&model, dev, &dev_lex).overall().f1
        };
        log(&format!(
            "epoch {epoch:2}: train token errors {:.2}%, dev F1 {:.4}, {} rows, {:.1}s",
            100.0 * errors as f64 / tokens.max(1) as f64,
            f1,
            p.w.len(),
            t0.elapsed().as_secs_f64()
        ));
        let improved = best.as_ref().is_none_or(|(bf, _, _)| f1 > *bf);
        if improved {
            best = Some((f1, epoch, model.weights));
        } else if best
            .as_ref()
            .is_some_and(|(_, be, _)| epoch >= be + cfg.patience)
        {
            log("no dev improvement: stopping");
            break;
        }
    }
    let Some((_, best_epoch, weights)) = best else {
        return Err(NerError::Model("no epoch ran".to_string()));
    };
    let mut model = Model {
        weights,
        gazetteer,
        temperature: 1.0,
    };
    // Calibrate on dev (or train when there is no dev), then round-trip through the
    // file format so the reported figure is that of the bytes that ship.
    model.temperature = if dev.is_empty() {
        1.0
    } else {
        calibrate(&model, dev, &dev_lex)
    };
    let model = Model::from_bytes(&model.to_bytes())?;
    let dev_f1 = if dev.is_empty() {
        0.0
    } else {
        evaluate_prepared(&model, dev, &dev_lex).overall().f1
    };
    let summary = TrainSummary {
        best_epoch,
        dev_f1,
        features: model.weights.len(),
        seconds: started.elapsed().as_secs_f64(),
    };
    log(&format!(
        "kept epoch {best_epoch}: dev F1 {dev_f1:.4} after quantisation, {} rows, temperature {:.3}",
        summary.features, model.temperature
    ));
    Ok((model, summary))
}

/// Scores a model on documents already analysed with its gazetteer.
fn evaluate_prepared(model: &Model, docs: &[ConllDocument], lex: &[Vec<SentenceLex>]) -> Scorer {
    let mut scorer = Scorer::new();
    for (d, l) in docs.iter().zip(lex) {
        let decoded = tag_prepared(model, l, |_, _, _, _| {});
        for (s, tags) in d.sentences.iter().zip(&decoded.tags) {
            scorer.add(&s.entities, &bilou_to_spans(tags));
        }
    }
    scorer
}

/// The softmax temperature minimising the log loss of the gold tags on `docs`.
fn calibrate(model: &Model, docs: &[ConllDocument], lex: &[Vec<SentenceLex>]) -> f32 {
    let mut samples: Vec<([f32; NUM_CLASSES], [bool; NUM_CLASSES], usize)> = Vec::new();
    for (d, l) in docs.iter().zip(lex) {
        let gold: Vec<Vec<Tag>> = d
            .sentences
            .iter()
            .map(|s| spans_to_bilou(s.tokens.len(), &s.entities))
            .collect();
        tag_prepared(model, l, |si, i, scores, mask| {
            if let Some(&g) = gold.get(si).and_then(|g| g.get(i))
                && mask[g.index()]
            {
                samples.push((*scores, *mask, g.index()));
            }
        });
    }
    let loss = |t: f32| -> f64 {
        samples
            .iter()
            .map(|(s, m, g)| -f64::from(softmax_at(s, m, *g, t).max(1e-9)).ln())
            .sum()
    };
    let mut best = (f64::INFINITY, 1.0f32);
    let mut t = 0.05f32;
    while t < 200.0 {
        let l = loss(t);
        if l < best.0 {
            best = (l, t);
        }
        t *= 1.15;
    }
    best.1
}
