//! The re-ranker: a logistic regression over the candidate features of `signals.rs`.
//!
//! A weights file (TOML) lists the feature names, the mean and scale used to
//! standardise each feature, the weights and the bias. The built-in file is
//! `config/models/keyphrase-ranker.toml`, whose header says how it was trained and
//! how to rebuild it. [`Ranker::fit`] trains one: L2-regularised logistic regression
//! solved by Newton's method, deterministic for given samples.

use serde::{Deserialize, Serialize};

use super::signals::{N, NAMES};

/// The built-in weights.
const BUILTIN: &str = include_str!("../../../../config/models/keyphrase-ranker.toml");

/// A trained re-ranker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ranker {
    /// Feature names, in vector order; must equal the extractor's.
    pub features: Vec<String>,
    /// Mean of each feature over the training samples.
    pub mean: Vec<f64>,
    /// Standard deviation of each feature (1 where it was 0).
    pub scale: Vec<f64>,
    /// Weight of each standardised feature.
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
}

impl Ranker {
    /// The built-in weights.
    pub fn builtin() -> Result<Self, String> {
        Self::from_toml(BUILTIN)
    }

    /// All-zero weights: every candidate scores the same. Training starts here.
    pub fn untrained() -> Self {
        Self {
            features: NAMES.iter().map(|s| s.to_string()).collect(),
            mean: vec![0.0; N],
            scale: vec![1.0; N],
            weights: vec![0.0; N],
            bias: 0.0,
        }
    }

    /// Parses a weights file and checks that it fits this extractor's features.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let ranker: Ranker = toml::from_str(text).map_err(|e| e.to_string())?;
        if ranker
            .features
            .iter()
            .map(String::as_str)
            .ne(NAMES.iter().copied())
        {
            return Err(format!(
                "the features listed are not this extractor's {N} features ({})",
                NAMES.join(", ")
            ));
        }
        let lengths = [ranker.mean.len(), ranker.scale.len(), ranker.weights.len()];
        if lengths.iter().any(|&l| l != N) {
            return Err(format!("mean, scale and weights must have {N} values each"));
        }
        let values = ranker
            .mean
            .iter()
            .chain(&ranker.scale)
            .chain(&ranker.weights);
        if !values.chain([&ranker.bias]).all(|v| v.is_finite())
            || ranker.scale.iter().any(|s| *s <= 0.0)
        {
            return Err("values must be finite and scales positive".into());
        }
        Ok(ranker)
    }

    /// The log-odds that a candidate with features `x` is a keyphrase.
    pub(crate) fn logit(&self, x: &[f64; N]) -> f64 {
        let mut z = self.bias;
        for (((v, m), s), w) in x.iter().zip(&self.mean).zip(&self.scale).zip(&self.weights) {
            z += w * (v - m) / s;
        }
        z
    }

    /// Trains on `(features, is_keyphrase, sample_weight)` samples with L2 penalty
    /// `l2` on the weights (not the bias): Newton's method on the weighted log-loss,
    /// at most 25 steps.
    // Index loops mirror the matrix formulas; iterator chains would hide them.
    #[allow(clippy::needless_range_loop)]
    pub(crate) fn fit(samples: &[([f64; N], bool, f64)], l2: f64) -> Self {
        let count = samples.len().max(1) as f64;
        let mut mean = [0.0; N];
        for (x, _, _) in samples {
            for (m, v) in mean.iter_mut().zip(x) {
                *m += v / count;
            }
        }
        let mut scale = [0.0; N];
        for (x, _, _) in samples {
            for ((s, v), m) in scale.iter_mut().zip(x).zip(&mean) {
                *s += (v - m).powi(2) / count;
            }
        }
        for s in &mut scale {
            *s = if *s > 1e-12 { s.sqrt() } else { 1.0 };
        }
        // Standardised design rows with a trailing 1 for the bias.
        const D: usize = N + 1;
        let rows: Vec<[f64; D]> = samples
            .iter()
            .map(|(x, _, _)| {
                let mut r = [1.0; D];
                for i in 0..N {
                    r[i] = (x[i] - mean[i]) / scale[i];
                }
                r
            })
            .collect();
        let mut w = [0.0; D];
        for _ in 0..25 {
            let mut grad = [0.0; D];
            let mut hess = vec![[0.0; D]; D];
            for (r, (_, y, sw)) in rows.iter().zip(samples) {
                let z: f64 = r.iter().zip(&w).map(|(a, b)| a * b).sum();
                let p = 1.0 / (1.0 + (-z).exp());
                let g = sw * (p - if *y { 1.0 } else { 0.0 });
                let h = sw * p * (1.0 - p);
                for i in 0..D {
                    grad[i] += g * r[i];
                    for j in 0..=i {
                        hess[i][j] += h * r[i] * r[j];
                    }
                }
            }
            for i in 0..N {
                grad[i] += l2 * w[i];
                hess[i][i] += l2;
            }
            for i in 0..D {
                for j in 0..i {
                    hess[j][i] = hess[i][j];
                }
                hess[i][i] += 1e-9;
            }
            let Some(step) = solve(hess, grad) else { break };
            let mut size = 0.0;
            for (wi, si) in w.iter_mut().zip(&step) {
                *wi -= si;
                size += si * si;
            }
            if size < 1e-16 {
                break;
            }
        }
        Self {
            features: NAMES.iter().map(|s| s.to_string()).collect(),
            mean: mean.to_vec(),
            scale: scale.to_vec(),
            weights: w[..N].to_vec(),
            bias: w[N],
        }
    }

    /// The weights file text: `header` (comment lines) then the values.
    pub fn to_toml(&self, header: &str) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        let list = |v: &[f64]| {
            let items: Vec<String> = v.iter().map(|x| format!("{x:.6}")).collect();
            format!("[\n    {},\n]\n", items.join(",\n    "))
        };
        let names: Vec<String> = self.features.iter().map(|f| format!("{f:?}")).collect();
        out.push_str(&format!(
            "features = [\n    {},\n]\n",
            names.join(",\n    ")
        ));
        out.push_str(&format!("mean = {}", list(&self.mean)));
        out.push_str(&format!("scale = {}", list(&self.scale)));
        out.push_str(&format!("weights = {}", list(&self.weights)));
        out.push_str(&format!("bias = {:.6}\n", self.bias));
        out
    }
}

/// Solves the symmetric positive definite system `a · x = b` (Cholesky).
#[allow(clippy::needless_range_loop)] // index loops mirror the textbook algorithm
fn solve<const D: usize>(mut a: Vec<[f64; D]>, b: [f64; D]) -> Option<[f64; D]> {
    for j in 0..D {
        let mut d = a[j][j];
        for k in 0..j {
            d -= a[j][k] * a[j][k];
        }
        if d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        a[j][j] = d;
        for i in j + 1..D {
            let mut s = a[i][j];
            for k in 0..j {
                s -= a[i][k] * a[j][k];
            }
            a[i][j] = s / d;
        }
    }
    let mut y = [0.0; D];
    for i in 0..D {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i][k] * y[k];
        }
        y[i] = s / a[i][i];
    }
    let mut x = [0.0; D];
    for i in (0..D).rev() {
        let mut s = y[i];
        for k in i + 1..D {
            s -= a[k][i] * x[k];
        }
        x[i] = s / a[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_weights_load() {
        let r = Ranker::builtin().expect("built-in weights parse");
        assert_eq!(r.weights.len(), N);
        assert_eq!(Ranker::from_toml(&r.to_toml("x")), Ok(r));
        assert!(Ranker::from_toml("features = []").is_err());
    }

    #[test]
    fn fit_learns_a_separable_feature() {
        // Feature 5 decides the label; the others are noise-free constants.
        let samples: Vec<([f64; N], bool, f64)> = (0..200)
            .map(|i| {
                let mut x = [0.5; N];
                let positive = i % 4 == 0;
                x[5] = if positive { 2.0 } else { 0.0 } + (i % 7) as f64 * 0.1;
                (x, positive, 1.0)
            })
            .collect();
        let r = Ranker::fit(&samples, 1.0);
        assert!(r.weights[5] > 1.0, "{:?}", r.weights);
        let mut pos = [0.5; N];
        pos[5] = 2.1;
        let mut neg = [0.5; N];
        neg[5] = 0.1;
        assert!(r.logit(&pos) > 0.0 && r.logit(&neg) < 0.0);
    }

    #[test]
    fn cholesky_solves() {
        let a = vec![[4.0, 2.0], [2.0, 3.0]];
        let x = solve(a, [2.0, 1.0]).expect("positive definite");
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12, "{x:?}");
        assert!(solve(vec![[0.0, 0.0], [0.0, 0.0]], [1.0, 1.0]).is_none());
    }
}
