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
//! Two passes (Ratinov & Roth's non-local features): the first-pass model is trained
//! as above; the second pass also sees what the first pass said about each word across
//! the document. For the second pass to learn how far to trust first-pass tags, it is
//! trained on first-pass tags of the quality it will see at run time: each training
//! document is tagged by a first-pass model trained on the other folds (jackknifing).
//!
//! Determinism: documents are shuffled with a seeded SplitMix64, feature rows are
//! numbered in order of first appearance, and the model file is written sorted, so
//! the same inputs give a byte-identical model.

use std::time::Instant;

use super::NerError;
use super::conll::ConllDocument;
use super::eval::Scorer;
use super::features::{Aggregates, History, SentenceLex, aggregate_features, dynamic_features};
use super::gazetteer::Gazetteer;
use super::hash::{KeyMap, SplitMix};
use super::labels::{NUM_CLASSES, Tag, bilou_to_spans, spans_to_bilou};
use super::model::{Model, Weights};
use super::tagger::{Prepared, Transitions, decode, decode_second, softmax_at, tag_prepared};

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
    /// Folds for the jackknifed first-pass tags the second pass trains on; 0 trains a
    /// one-pass model.
    pub folds: usize,
    /// Runs with different shuffles whose weights are averaged, per pass.
    pub replicas: usize,
    /// Static features seen fewer times in the training text are not used.
    pub min_count: u32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 20,
            patience: 4,
            seed: 20_030_601,
            prune: 0.0,
            folds: 5,
            replicas: 1,
            min_count: 1,
        }
    }
}

/// What training reached.
#[derive(Debug, Clone)]
pub struct TrainSummary {
    /// The epoch whose averaged weights were kept for the last pass (1-based).
    pub best_epoch: usize,
    /// Dev F1 of the saved (quantised) model.
    pub dev_f1: f64,
    /// Feature rows in the saved model (both passes).
    pub features: usize,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// A training document: analysed sentences, static keys, interned rows, gold tags.
struct TrainDoc {
    prepared: Prepared,
    /// Interned static rows, in the layout of `prepared`'s keys.
    rows: Vec<u32>,
    start: Vec<u32>,
    gold: Vec<Vec<Tag>>,
}

/// Perceptron state: current weights and the running sums for averaging.
#[derive(Clone)]
struct Perceptron {
    index: KeyMap<u32>,
    keys: Vec<u64>,
    w: Vec<[f32; NUM_CLASSES]>,
    acc: Vec<[f64; NUM_CLASSES]>,
    steps: u64,
}

impl Perceptron {
    fn new() -> Self {
        Perceptron {
            index: KeyMap::default(),
            keys: Vec::new(),
            w: Vec::new(),
            acc: Vec::new(),
            steps: 0,
        }
    }

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

    /// The averaged weights, dropping entries not above `prune` in magnitude.
    fn averaged(&self, prune: f32) -> Weights {
        let t = self.steps.max(1) as f64;
        let rows = self.keys.iter().enumerate().filter_map(|(r, &k)| {
            let mut row = [0f32; NUM_CLASSES];
            let mut any = false;
            for ((slot, w), acc) in row.iter_mut().zip(&self.w[r]).zip(&self.acc[r]) {
                let v = (f64::from(*w) - acc / t) as f32;
                if v.abs() > prune {
                    *slot = v;
                    any = true;
                }
            }
            any.then_some((k, row))
        });
        Weights::from_rows(rows)
    }

    /// One epoch over `docs` in `order`; `first` holds each document's first-pass tags
    /// when training the second pass. Returns (token errors, tokens).
    fn epoch(
        &mut self,
        docs: &[TrainDoc],
        order: &[usize],
        first: Option<&[Vec<Vec<Tag>>]>,
    ) -> (usize, usize) {
        let trans = Transitions::new();
        let mut dynamic: Vec<(u64, f32)> = Vec::with_capacity(32);
        let mut dyn_rows: Vec<(u32, f32)> = Vec::with_capacity(32);
        let (mut errors, mut tokens) = (0, 0);
        for &di in order {
            let doc = &docs[di];
            let first_tags = first.and_then(|f| f.get(di));
            let agg = first_tags.map(|f| Aggregates::new(&doc.prepared.lex, f));
            let mut history = History::default();
            let mut t = 0usize;
            for (si, s) in doc.prepared.lex.iter().enumerate() {
                let gold = &doc.gold[si];
                let n = gold.len();
                let mut prev = [0u8; 2];
                for (i, &g) in gold.iter().enumerate() {
                    self.steps += 1;
                    tokens += 1;
                    let (a, b) = (doc.start[t] as usize, doc.start[t + 1] as usize);
                    t += 1;
                    let mut scores = [0f32; NUM_CLASSES];
                    for &r in &doc.rows[a..b] {
                        for (x, w) in scores.iter_mut().zip(&self.w[r as usize]) {
                            *x += w;
                        }
                    }
                    dynamic.clear();
                    dynamic_features(s, i, prev, &history, &mut dynamic);
                    if let (Some(ft), Some(agg)) = (first_tags, &agg)
                        && let Some(ts) = ft.get(si)
                    {
                        aggregate_features(s, i, ts, agg, &mut dynamic);
                    }
                    for &(k, v) in &dynamic {
                        if let Some(&r) = self.index.get(&k) {
                            for (x, w) in scores.iter_mut().zip(&self.w[r as usize]) {
                                *x += v * w;
                            }
                        }
                    }
                    let pred = trans.best(&scores, prev[1], i + 1 == n);
                    if pred != g.0 {
                        errors += 1;
                        dyn_rows.clear();
                        for &(k, v) in &dynamic {
                            let r = self.row(k);
                            dyn_rows.push((r, v));
                        }
                        for idx in a..b {
                            let r = doc.rows[idx];
                            self.bump(r, g.index(), 1.0);
                            self.bump(r, pred as usize, -1.0);
                        }
                        for &(r, v) in &dyn_rows {
                            self.bump(r, g.index(), v);
                            self.bump(r, pred as usize, -v);
                        }
                    }
                    let kind = Tag(pred).parts().map_or(4, |(l, _)| l.index());
                    history.record(&s.tokens[i], kind);
                    prev = [prev[1], pred];
                }
            }
        }
        (errors, tokens)
    }
}

/// Trains one pass [`TrainConfig::replicas`] times with different shuffles and averages
/// the replicas' weights: a linear model, so the average is one model of the same size,
/// and it is steadier than any single run (single runs differ by ±0.2 F1 by seed).
#[allow(clippy::too_many_arguments)]
fn fit(
    base: &Perceptron,
    docs: &[TrainDoc],
    subset: &[usize],
    first: Option<&[Vec<Vec<Tag>>]>,
    cfg: &TrainConfig,
    name: &str,
    mut dev_f1: impl FnMut(&Weights) -> f64,
    log: &mut impl FnMut(&str),
) -> (Weights, usize) {
    let replicas = cfg.replicas.max(1);
    if replicas == 1 {
        return fit_one(
            base,
            docs,
            subset,
            first,
            cfg,
            cfg.seed,
            name,
            &mut dev_f1,
            log,
        );
    }
    let mut sum: std::collections::BTreeMap<u64, [f32; NUM_CLASSES]> = Default::default();
    let mut epochs = 0;
    for r in 0..replicas {
        let seed = crate::ner::hash::mix(cfg.seed, r as u64);
        let label = format!("{name} replica {}", r + 1);
        let (w, e) = fit_one(
            base,
            docs,
            subset,
            first,
            cfg,
            seed,
            &label,
            &mut dev_f1,
            log,
        );
        epochs = epochs.max(e);
        for (k, row) in w.sorted() {
            let acc = sum.entry(k).or_insert([0.0; NUM_CLASSES]);
            for (a, x) in acc.iter_mut().zip(row) {
                *a += x / replicas as f32;
            }
        }
    }
    let weights = Weights::from_rows(sum);
    let f1 = dev_f1(&weights);
    log(&format!(
        "{name}: average of {replicas} replicas, dev F1 {f1:.4}"
    ));
    (weights, epochs)
}

/// Trains and evaluates one replica of a pass: epochs over `subset` of `docs` until
/// dev F1 (from `dev_f1`) stops improving; returns the best averaged weights and
/// their epoch.
#[allow(clippy::too_many_arguments)]
fn fit_one(
    base: &Perceptron,
    docs: &[TrainDoc],
    subset: &[usize],
    first: Option<&[Vec<Vec<Tag>>]>,
    cfg: &TrainConfig,
    seed: u64,
    name: &str,
    dev_f1: &mut impl FnMut(&Weights) -> f64,
    log: &mut impl FnMut(&str),
) -> (Weights, usize) {
    let mut p = base.clone();
    let mut rng = SplitMix::new(seed);
    let mut order = subset.to_vec();
    let mut best: Option<(f64, usize, Weights)> = None;
    for epoch in 1..=cfg.epochs.max(1) {
        let t0 = Instant::now();
        rng.shuffle(&mut order);
        let (errors, tokens) = p.epoch(docs, &order, first);
        let weights = p.averaged(cfg.prune);
        let f1 = dev_f1(&weights);
        log(&format!(
            "{name} epoch {epoch:2}: train token errors {:.2}%, dev F1 {f1:.4}, {:.1}s",
            100.0 * errors as f64 / tokens.max(1) as f64,
            t0.elapsed().as_secs_f64()
        ));
        if best.as_ref().is_none_or(|(bf, _, _)| f1 > *bf) {
            best = Some((f1, epoch, weights));
        } else if best
            .as_ref()
            .is_some_and(|(_, be, _)| epoch >= be + cfg.patience)
        {
            break;
        }
    }
    match best {
        Some((_, e, w)) => (w, e),
        None => (p.averaged(cfg.prune), 0),
    }
}

/// Scores decoded documents against gold.
fn score(docs: &[ConllDocument], tags: &[Vec<Vec<Tag>>]) -> Scorer {
    let mut scorer = Scorer::new();
    for (d, dt) in docs.iter().zip(tags) {
        for (s, t) in d.sentences.iter().zip(dt) {
            scorer.add(&s.entities, &bilou_to_spans(t));
        }
    }
    scorer
}

fn first_pass(weights: &Weights, docs: &[&Prepared]) -> Vec<Vec<Vec<Tag>>> {
    docs.iter()
        .map(|d| decode(weights, d, None, 1.0, |_, _, _, _| {}).tags)
        .collect()
}

/// Trains a model on `train`, selecting epochs by F1 on `dev`. `log` receives one line
/// per epoch.
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
    let analyse = |d: &ConllDocument| -> Prepared {
        Prepared::from_lex(
            d.sentences
                .iter()
                .map(|s| SentenceLex::new(&s.tokens, &gazetteer))
                .collect(),
        )
    };
    // Static features never change: intern them once, shared by every perceptron.
    // Features seen fewer than `min_count` times in the training text are left out:
    // a weight learned from one occurrence is mostly noise.
    let prepared_all: Vec<Prepared> = train.iter().map(analyse).collect();
    let mut counts: KeyMap<u32> = KeyMap::default();
    for (d, p) in train.iter().zip(&prepared_all) {
        for t in 0..d.token_count() {
            for &k in p.keys_of(t) {
                *counts.entry(k).or_default() += 1;
            }
        }
    }
    let mut base = Perceptron::new();
    let mut docs = Vec::with_capacity(train.len());
    for (d, prepared) in train.iter().zip(prepared_all) {
        let mut rows = Vec::new();
        let mut start = vec![0u32];
        let n = d.token_count();
        for t in 0..n {
            for &k in prepared.keys_of(t) {
                if counts.get(&k).copied().unwrap_or(0) >= cfg.min_count {
                    rows.push(base.row(k));
                }
            }
            start.push(rows.len() as u32);
        }
        let gold = d
            .sentences
            .iter()
            .map(|s| spans_to_bilou(s.tokens.len(), &s.entities))
            .collect();
        docs.push(TrainDoc {
            prepared,
            rows,
            start,
            gold,
        });
    }
    let dev_prepared: Vec<Prepared> = dev.iter().map(analyse).collect();
    let dev_refs: Vec<&Prepared> = dev_prepared.iter().collect();
    log(&format!(
        "prepared {} documents, {} static feature rows in {:.1}s",
        docs.len(),
        base.w.len(),
        started.elapsed().as_secs_f64()
    ));
    let one_pass_f1 = |w: &Weights| score(dev, &first_pass(w, &dev_refs)).overall().f1;
    let all: Vec<usize> = (0..docs.len()).collect();
    let (weights, mut best_epoch) = fit(
        &base,
        &docs,
        &all,
        None,
        cfg,
        "pass 1",
        one_pass_f1,
        &mut log,
    );
    let mut model = Model {
        weights,
        second: Weights::default(),
        gazetteer: gazetteer.clone(),
        temperature: 1.0,
    };
    if cfg.folds >= 2 && docs.len() >= cfg.folds {
        // Jackknifed first-pass tags for the training documents.
        let mut jack: Vec<Vec<Vec<Tag>>> = vec![Vec::new(); docs.len()];
        for fold in 0..cfg.folds {
            let held: Vec<usize> = all
                .iter()
                .copied()
                .filter(|i| i % cfg.folds == fold)
                .collect();
            let rest: Vec<usize> = all
                .iter()
                .copied()
                .filter(|i| i % cfg.folds != fold)
                .collect();
            let name = format!("fold {}/{}", fold + 1, cfg.folds);
            let (w, _) = fit(&base, &docs, &rest, None, cfg, &name, one_pass_f1, &mut log);
            for &i in &held {
                jack[i] = decode(&w, &docs[i].prepared, None, 1.0, |_, _, _, _| {}).tags;
            }
        }
        let jack_f1 = score(train, &jack).overall().f1;
        log(&format!("jackknifed first-pass F1 on train: {jack_f1:.4}"));
        let dev_first = first_pass(&model.weights, &dev_refs);
        let two_pass_f1 = |w: &Weights| {
            let tags: Vec<Vec<Vec<Tag>>> = dev_prepared
                .iter()
                .zip(&dev_first)
                .map(|(d, f)| decode_second(w, d, f, 1.0, |_, _, _, _| {}).tags)
                .collect();
            score(dev, &tags).overall().f1
        };
        let (second, e) = fit(
            &base,
            &docs,
            &all,
            Some(&jack),
            cfg,
            "pass 2",
            two_pass_f1,
            &mut log,
        );
        model.second = second;
        best_epoch = e;
    }
    // Calibrate on dev, then round-trip through the file format so the reported figure
    // is that of the bytes that ship.
    if !dev.is_empty() {
        model.temperature = calibrate(&model, dev, &dev_prepared);
    }
    let model = Model::from_bytes(&model.to_bytes())?;
    let dev_f1 = if dev.is_empty() {
        0.0
    } else {
        let tags: Vec<Vec<Vec<Tag>>> = dev_prepared
            .iter()
            .map(|d| tag_prepared(&model, d, |_, _, _, _| {}).tags)
            .collect();
        score(dev, &tags).overall().f1
    };
    let summary = TrainSummary {
        best_epoch,
        dev_f1,
        features: model.weights.len() + model.second.len(),
        seconds: started.elapsed().as_secs_f64(),
    };
    log(&format!(
        "dev F1 {dev_f1:.4} after quantisation, {} + {} rows, temperature {:.3}",
        model.weights.len(),
        model.second.len(),
        model.temperature
    ));
    Ok((model, summary))
}

/// The softmax temperature minimising the log loss of the gold tags on `docs`.
fn calibrate(model: &Model, docs: &[ConllDocument], prepared: &[Prepared]) -> f32 {
    let mut samples: Vec<([f32; NUM_CLASSES], [bool; NUM_CLASSES], usize)> = Vec::new();
    for (d, p) in docs.iter().zip(prepared) {
        let gold: Vec<Vec<Tag>> = d
            .sentences
            .iter()
            .map(|s| spans_to_bilou(s.tokens.len(), &s.entities))
            .collect();
        tag_prepared(model, p, |si, i, scores, mask| {
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
    while t < 500.0 {
        let l = loss(t);
        if l < best.0 {
            best = (l, t);
        }
        t *= 1.15;
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::conll::read_file;

    fn tiny() -> (Vec<ConllDocument>, Gazetteer) {
        let docs = read_file(std::path::Path::new("tests/fixtures/ner-tiny.conll"))
            .expect("fixture corpus");
        let gazetteer = Gazetteer::from_lists([
            ("cities", "Moscow\nBeijing\nParis\n"),
            ("people", "Maria\nJohn\n"),
        ])
        .expect("lists");
        (docs, gazetteer)
    }

    #[test]
    fn training_is_deterministic() {
        let (docs, gazetteer) = tiny();
        assert_eq!(docs.len(), 4);
        let cfg = TrainConfig {
            epochs: 4,
            folds: 2,
            ..TrainConfig::default()
        };
        let (a, _) = train(&docs, &docs[..1], gazetteer.clone(), &cfg, |_| {}).unwrap();
        let (b, summary) = train(&docs, &docs[..1], gazetteer, &cfg, |_| {}).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        assert!(!a.second.is_empty(), "two passes were trained");
        assert!(
            summary.dev_f1 > 0.5,
            "it learns the tiny corpus: {summary:?}"
        );
    }

    #[test]
    fn a_trained_model_recognises_and_round_trips() {
        let (docs, gazetteer) = tiny();
        let cfg = TrainConfig {
            epochs: 6,
            folds: 0,
            ..TrainConfig::default()
        };
        let (model, _) = train(&docs, &docs, gazetteer, &cfg, |_| {}).unwrap();
        let r = crate::ner::Recognizer::from_bytes(&model.to_bytes()).unwrap();
        let found = r.recognize(&[vec!["Maria", "Smith", "flew", "to", "Moscow", "."]]);
        let labels: Vec<(usize, usize, &str)> = found
            .iter()
            .map(|m| (m.start, m.end, m.label.as_str()))
            .collect();
        assert_eq!(labels, [(0, 2, "PER"), (4, 5, "LOC")]);
        assert!(found.iter().all(|m| (0.0..=1.0).contains(&m.confidence)));
    }

    #[test]
    fn empty_training_set_is_an_error() {
        let r = train(
            &[],
            &[],
            Gazetteer::empty(),
            &TrainConfig::default(),
            |_| {},
        );
        assert!(r.is_err());
    }
}
