//! Gazetteers: named lists of phrases (cities, countries, people's names, companies,
//! dictionary words) matched against each sentence, giving the tagger features such
//! as "this token is the last of a two-token city name".
//!
//! The lists are plain text files (`config/gazetteers/*.txt`, one phrase a line, `#`
//! comments) built from freely licensed packages by `scripts/build-gazetteers.sh`.
//! Training reads them and compiles them into the model file, so a model is
//! self-contained and a runtime never needs the text files. Compiled, a gazetteer is one
//! hash table from the hash of a lower-cased token sequence to a bit set of the lists
//! that hold that phrase, plus a bit saying a longer phrase continues it, so matching
//! walks forward from each token only while some entry can still match.

use std::path::Path;

use super::NerError;
use super::hash::{KeyMap, hash_str, mix};

/// Bit set in a table value when some longer phrase starts with this one.
const PREFIX: u32 = 1 << 31;
/// Lists beyond this many cannot be told apart in the table's bit set.
pub const MAX_LISTS: usize = 31;
/// Longest phrase, in tokens, that is stored.
pub const MAX_PHRASE: usize = 8;
const SEED: u64 = 0x5851_F42D_4C95_7F2D;

/// Compiled phrase lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gazetteer {
    names: Vec<String>,
    table: KeyMap<u32>,
}

/// One gazetteer match: which list, and the token's position in the matched phrase
/// (0 Begin, 1 Inside, 2 Last, 3 Unit).
pub type MatchCode = u16;

impl Gazetteer {
    /// An empty gazetteer (no lists).
    pub fn empty() -> Self {
        Self::default()
    }

    /// Reads every `*.txt` file of `dir` (sorted by name, for a deterministic model);
    /// the list name is the file stem.
    pub fn from_dir(dir: &Path) -> Result<Self, NerError> {
        let io = |source| NerError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        let mut lists = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|source| NerError::Io {
                path: path.clone(),
                source,
            })?;
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("list")
                .to_string();
            lists.push((name, text));
        }
        Self::from_lists(lists.iter().map(|(n, t)| (n.as_str(), t.as_str())))
    }

    /// Compiles lists given as `(name, text)`, text holding one phrase a line.
    pub fn from_lists<'a>(
        lists: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, NerError> {
        let mut g = Gazetteer::default();
        for (name, text) in lists {
            let id = g.names.len();
            if id >= MAX_LISTS {
                return Err(NerError::Model(format!(
                    "more than {MAX_LISTS} gazetteer lists"
                )));
            }
            g.names.push(name.to_string());
            for line in text.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let tokens = phrase_tokens(line);
                if tokens.is_empty() || tokens.len() > MAX_PHRASE {
                    continue;
                }
                let mut h = SEED;
                for (k, t) in tokens.iter().enumerate() {
                    h = mix(h, hash_str(t));
                    let v = g.table.entry(h).or_insert(0);
                    if k + 1 == tokens.len() {
                        *v |= 1 << id;
                    } else {
                        *v |= PREFIX;
                    }
                }
            }
        }
        Ok(g)
    }

    /// List names, in id order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of table entries (phrases and phrase prefixes).
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when no phrase is stored.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Bit set of the lists holding the single token whose lower-case hash is `lower`.
    pub fn word_lists(&self, lower: u64) -> u32 {
        self.table.get(&mix(SEED, lower)).map_or(0, |v| v & !PREFIX)
    }

    /// Bit set of the lists with these names (missing names are ignored).
    pub fn list_bits(&self, names: &[&str]) -> u32 {
        self.names
            .iter()
            .enumerate()
            .filter(|(_, n)| names.contains(&n.as_str()))
            .fold(0, |m, (i, _)| m | 1 << i)
    }

    /// Finds every listed phrase in a sentence given as lower-case token hashes (see
    /// [`lower_key`]), calling `hit(token, code)` for each token of each match.
    pub fn matches(&self, lower: &[u64], mut hit: impl FnMut(usize, MatchCode)) {
        if self.table.is_empty() {
            return;
        }
        for i in 0..lower.len() {
            let mut h = SEED;
            for (j, &key) in lower.iter().enumerate().skip(i).take(MAX_PHRASE) {
                h = mix(h, key);
                let Some(&v) = self.table.get(&h) else {
                    break;
                };
                let mut lists = v & !PREFIX;
                while lists != 0 {
                    let id = lists.trailing_zeros() as u16;
                    lists &= lists - 1;
                    if i == j {
                        hit(i, id * 4 + 3);
                    } else {
                        hit(i, id * 4);
                        for k in i + 1..j {
                            hit(k, id * 4 + 1);
                        }
                        hit(j, id * 4 + 2);
                    }
                }
                if v & PREFIX == 0 {
                    break;
                }
            }
        }
    }

    /// Entries sorted by key, for a deterministic model file.
    pub(crate) fn entries(&self) -> Vec<(u64, u32)> {
        let mut v: Vec<(u64, u32)> = self.table.iter().map(|(k, v)| (*k, *v)).collect();
        v.sort_unstable();
        v
    }

    /// Rebuilds a gazetteer from [`Gazetteer::entries`] and its list names.
    pub(crate) fn from_entries(names: Vec<String>, entries: &[(u64, u32)]) -> Self {
        let mut table = KeyMap::default();
        table.reserve(entries.len());
        for &(k, v) in entries {
            table.insert(k, v);
        }
        Self { names, table }
    }
}

/// The hash a token is matched by: of its lower-case form, digits kept.
pub fn lower_key(lower: &str) -> u64 {
    hash_str(lower)
}

/// Splits a list entry into CoNLL-like lower-case tokens: at whitespace, with commas,
/// parentheses and quotes as tokens of their own.
fn phrase_tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in line.split_whitespace() {
        let mut cur = String::new();
        for c in piece.chars() {
            if matches!(c, ',' | '(' | ')' | '"' | ';') {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                out.push(c.to_string());
            } else {
                cur.extend(super::features::normalize_char(c).to_lowercase());
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(words: &[&str]) -> Vec<u64> {
        words.iter().map(|w| lower_key(&w.to_lowercase())).collect()
    }

    #[test]
    fn finds_single_and_multi_token_phrases_in_every_list() {
        let g = Gazetteer::from_lists([
            ("cities", "# comment\nNew York\nYork\nSt. Petersburg\n"),
            ("countries", "Russia\n"),
        ])
        .unwrap();
        let mut hits = Vec::new();
        g.matches(
            &keys(&["From", "new", "York", "to", "Russia", "St.", "Petersburg"]),
            |t, c| hits.push((t, c)),
        );
        hits.sort_unstable();
        assert_eq!(
            hits,
            vec![(1, 0), (2, 2), (2, 3), (4, 4 + 3), (5, 0), (6, 2)]
        );
        assert_eq!(g.word_lists(lower_key("russia")), 0b10);
        assert_eq!(g.word_lists(lower_key("new")), 0);
    }

    #[test]
    fn entries_round_trip() {
        let g = Gazetteer::from_lists([("a", "x y\nz\n")]).unwrap();
        let back = Gazetteer::from_entries(g.names().to_vec(), &g.entries());
        assert_eq!(back, g);
    }
}
