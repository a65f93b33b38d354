//! VADER's word lists, embedded from `config/lexicons/vader/` (MIT, see its SOURCE.md).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

const LEXICON: &str = include_str!("../../../../config/lexicons/vader/vader_lexicon.txt");
const EMOJIS: &str = include_str!("../../../../config/lexicons/vader/emoji_utf8_lexicon.txt");
const BOOSTERS: &str = include_str!("../../../../config/lexicons/vader/boosters.tsv");
const NEGATIONS: &str = include_str!("../../../../config/lexicons/vader/negations.txt");
const SPECIAL: &str = include_str!("../../../../config/lexicons/vader/special_cases.tsv");

/// The sentiment lexicon, emoji descriptions, boosters, negations and special cases.
#[derive(Debug)]
pub struct Lexicons {
    valence: HashMap<String, f64>,
    emojis: HashMap<char, String>,
    boosters: HashMap<String, f64>,
    negations: HashSet<String>,
    special: HashMap<String, f64>,
    /// Every word of a special case or of a multi-word booster: a word sequence with none
    /// of them cannot match either table, which saves building the phrases.
    phrase_words: HashSet<String>,
}

/// Lines of a data file, skipping blank and `#` comment lines.
fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

/// `word<TAB>number...` lines into a map; the shipped files are checked by tests, so a
/// malformed line is skipped rather than failing the daemon.
fn number_map(text: &str) -> HashMap<String, f64> {
    data_lines(text)
        .filter_map(|line| {
            let mut parts = line.trim().split('\t');
            let key = parts.next()?;
            let value = parts.next()?.trim().parse().ok()?;
            Some((key.to_string(), value))
        })
        .collect()
}

impl Lexicons {
    /// The shipped lists.
    pub fn builtin() -> Self {
        // The valence lexicon has no comment lines, and "#" alone... never starts an
        // entry that matters; still, parse it like the reference: every non-empty line.
        let valence = LEXICON
            .lines()
            .filter(|l| !l.is_empty())
            .filter_map(|line| {
                let mut parts = line.trim().split('\t');
                let word = parts.next()?;
                let value = parts.next()?.parse().ok()?;
                Some((word.to_string(), value))
            })
            .collect();
        let emojis = EMOJIS
            .lines()
            .filter_map(|line| {
                let mut parts = line.trim().split('\t');
                let emoji = parts.next()?;
                let description = parts.next()?;
                let mut chars = emoji.chars();
                // Only single characters can match, as the reference scans char by char.
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some((c, description.to_string())),
                    _ => None,
                }
            })
            .collect();
        let boosters = number_map(BOOSTERS);
        let special = number_map(SPECIAL);
        let phrase_words = special
            .keys()
            .chain(boosters.keys().filter(|k| k.contains(' ')))
            .flat_map(|k| k.split(' ').map(str::to_string))
            .collect();
        Self {
            valence,
            emojis,
            boosters,
            negations: data_lines(NEGATIONS)
                .map(|l| l.trim().to_string())
                .collect(),
            special,
            phrase_words,
        }
    }

    /// Valence of a lowercase word or emoticon.
    pub fn valence(&self, word: &str) -> Option<f64> {
        self.valence.get(word).copied()
    }

    /// Booster scalar of a lowercase word or phrase.
    pub fn booster(&self, word: &str) -> Option<f64> {
        self.boosters.get(word).copied()
    }

    /// True for negation words ("not", "never", "without", ...).
    pub fn is_negation(&self, word: &str) -> bool {
        self.negations.contains(word)
    }

    /// Valence of a special-case phrase ("the bomb", "kiss of death").
    pub fn special(&self, phrase: &str) -> Option<f64> {
        self.special.get(phrase).copied()
    }

    /// True when `word` occurs in some special-case phrase or multi-word booster.
    pub fn in_phrases(&self, word: &str) -> bool {
        self.phrase_words.contains(word)
    }

    /// Text that replaces an emoji.
    pub fn emoji(&self, c: char) -> Option<&str> {
        self.emojis.get(&c).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lists_are_complete() {
        let lex = Lexicons::builtin();
        assert_eq!(
            lex.valence.len(),
            7506,
            "distinct lexicon entries, as the reference loads them"
        );
        assert!(lex.emojis.len() > 1000);
        assert_eq!(lex.boosters.len(), 84);
        assert_eq!(lex.negations.len(), 59);
        assert_eq!(lex.special.len(), 9);
        assert_eq!(lex.valence("good"), Some(1.9));
        assert_eq!(lex.booster("kind of"), Some(-0.293));
        assert!(lex.is_negation("without"));
        assert_eq!(lex.emoji('😀').map(|d| d.contains("grinning")), Some(true));
    }
}
