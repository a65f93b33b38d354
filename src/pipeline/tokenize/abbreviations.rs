//! Abbreviations and sentence starters that decide whether a full stop ends a sentence.
//!
//! Unicode sentence segmentation (UAX #29) breaks after every `.` followed by a space
//! and a capital letter, which is wrong after "Mr.", "Jan." or "Inc.". This module
//! knows those words and, for the ambiguous ones, the closed class of words that
//! typically open an English sentence.

use std::collections::HashMap;

/// How a full stop after an abbreviation is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AbbrevKind {
    /// A title or fixed Latin form that is always followed by more of the sentence
    /// ("Mr.", "Dr.", "Gen.", "e.g."): never a sentence end.
    Continues,
    /// Often closes a sentence as well ("Inc.", "Jr.", "etc.", "Jan."): a sentence end
    /// only when the next word is a common sentence starter (see [`is_sentence_starter`]).
    MaybeEnds,
    /// Only an abbreviation before a number ("No. 10", "Vol. 3"); otherwise a word.
    BeforeNumber,
}

/// Titles and other abbreviations that are always followed by more of the sentence.
const CONTINUES: &[&str] = &[
    "Mr", "Mrs", "Ms", "Messrs", "Mmes", "Dr", "Drs", "Prof", "Profs", "Sen", "Sens", "Rep",
    "Reps", "Gov", "Govs", "Gen", "Col", "Lt", "Sgt", "Capt", "Cmdr", "Maj", "Adm", "Brig", "Cpl",
    "Pvt", "Supt", "Insp", "Det", "Atty", "Pres", "Amb", "Sec", "Treas", "Rt", "St", "Ste", "Rev",
    "Hon", "Fr", "Mt", "Ft", "Pt", "Mme", "Mlle", "vs", "v", "e.g", "i.e", "cf", "viz", "approx",
    "ca", "incl", "esp",
];

/// Abbreviations that also commonly end a sentence.
const MAYBE_ENDS: &[&str] = &[
    "Jr", "Sr", "Inc", "Corp", "Co", "Cos", "Ltd", "Plc", "Bros", "LLC", "etc", "Jan", "Feb",
    "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Ave", "Blvd", "Rd",
    "Hwy", "est", "dept", "Univ", "al",
];

/// Abbreviations that only count as such in front of a number.
const BEFORE_NUMBER: &[&str] = &[
    "No", "Nos", "Vol", "Vols", "Fig", "Figs", "Art", "Ch", "pp", "p",
];

/// Lookup table of abbreviations (written without their final full stop).
///
/// Case rule, applied to the built-in list and to configured extras alike: an entry
/// containing an upper-case letter matches as written and in all capitals ("Mr", "MR",
/// but not "mr", which avoids reading "gen." or "col." in lower case as titles); an
/// all-lower-case entry matches whatever the case ("etc", "Etc", "ETC"; other casings
/// only for entries of at most 16 bytes, which covers every real abbreviation).
#[derive(Debug, Clone, Default)]
pub(crate) struct Abbreviations {
    exact: HashMap<Box<str>, AbbrevKind>,
    folded: HashMap<Box<str>, AbbrevKind>,
}

impl Abbreviations {
    /// The built-in list plus `extra` entries, which behave like titles ("never ends").
    pub(crate) fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Self {
        let mut table = Self::default();
        for (list, kind) in [
            (CONTINUES, AbbrevKind::Continues),
            (MAYBE_ENDS, AbbrevKind::MaybeEnds),
            (BEFORE_NUMBER, AbbrevKind::BeforeNumber),
        ] {
            for word in list {
                table.insert(word, kind);
            }
        }
        for word in extra {
            table.insert(word.trim().trim_end_matches('.'), AbbrevKind::Continues);
        }
        table
    }

    fn insert(&mut self, word: &str, kind: AbbrevKind) {
        if word.is_empty() {
            return;
        }
        self.exact.insert(word.into(), kind);
        if word.chars().any(char::is_uppercase) {
            self.exact.insert(word.to_uppercase().into(), kind);
        } else {
            self.folded.insert(word.into(), kind);
        }
    }

    /// The kind of `word` (the text before a full stop, without it), if it is listed.
    pub(crate) fn lookup(&self, word: &str) -> Option<AbbrevKind> {
        if let Some(kind) = self.exact.get(word) {
            return Some(*kind);
        }
        if self.folded.is_empty() {
            return None;
        }
        // Lower-case into a small stack buffer: abbreviations are short and ASCII.
        let mut buf = [0u8; 16];
        let bytes = word.as_bytes();
        let folded = buf.get_mut(..bytes.len())?;
        for (dst, src) in folded.iter_mut().zip(bytes) {
            *dst = src.to_ascii_lowercase();
        }
        let folded = std::str::from_utf8(folded).ok()?;
        self.folded.get(folded).copied()
    }
}

/// Whether `word` is a word that commonly opens an English sentence: a closed class of
/// capitalised function words, pronouns and discourse adverbs. After an ambiguous
/// abbreviation ("U.S.", "Inc.") a sentence is split only when one of these follows,
/// so "the U.S. Congress" stays whole while "in the U.S. The president" splits.
pub(crate) fn is_sentence_starter(word: &str) -> bool {
    matches!(
        word,
        "The"
            | "A"
            | "An"
            | "He"
            | "She"
            | "It"
            | "They"
            | "We"
            | "I"
            | "You"
            | "But"
            | "And"
            | "Or"
            | "So"
            | "Yet"
            | "In"
            | "On"
            | "At"
            | "For"
            | "From"
            | "With"
            | "By"
            | "As"
            | "If"
            | "When"
            | "While"
            | "After"
            | "Before"
            | "Since"
            | "Although"
            | "Though"
            | "Because"
            | "This"
            | "That"
            | "These"
            | "Those"
            | "There"
            | "Here"
            | "His"
            | "Her"
            | "Its"
            | "Their"
            | "Our"
            | "My"
            | "Your"
            | "However"
            | "Meanwhile"
            | "Moreover"
            | "Still"
            | "Also"
            | "Now"
            | "Then"
            | "Today"
            | "Yesterday"
            | "What"
            | "Who"
            | "Why"
            | "How"
            | "Where"
            | "Some"
            | "Many"
            | "Most"
            | "Such"
            | "One"
            | "No"
            | "Not"
            | "Last"
            | "Earlier"
            | "Later"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_match_as_written_and_in_capitals_only() {
        let table = Abbreviations::new([]);
        assert_eq!(table.lookup("Mr"), Some(AbbrevKind::Continues));
        assert_eq!(table.lookup("MR"), Some(AbbrevKind::Continues));
        assert_eq!(table.lookup("mr"), None);
        assert_eq!(table.lookup("gen"), None);
        assert_eq!(table.lookup("Washington"), None);
    }

    #[test]
    fn lower_case_entries_ignore_case() {
        let table = Abbreviations::new([]);
        assert_eq!(table.lookup("etc"), Some(AbbrevKind::MaybeEnds));
        assert_eq!(table.lookup("Etc"), Some(AbbrevKind::MaybeEnds));
        assert_eq!(table.lookup("e.g"), Some(AbbrevKind::Continues));
        assert_eq!(table.lookup("E.G"), Some(AbbrevKind::Continues));
        assert_eq!(table.lookup("No"), Some(AbbrevKind::BeforeNumber));
        assert_eq!(table.lookup("Sept"), Some(AbbrevKind::MaybeEnds));
    }

    #[test]
    fn extras_are_titles_and_ignore_final_stop() {
        let table = Abbreviations::new(["Calif.", "Gov", "  ", "approx"]);
        assert_eq!(table.lookup("Calif"), Some(AbbrevKind::Continues));
        assert_eq!(table.lookup("CALIF"), Some(AbbrevKind::Continues));
        assert_eq!(table.lookup("Approx"), Some(AbbrevKind::Continues));
    }

    #[test]
    fn long_or_non_ascii_words_are_not_abbreviations() {
        let table = Abbreviations::new([]);
        assert_eq!(table.lookup("internationalisation-ish-long"), None);
        assert_eq!(table.lookup("Müller"), None);
    }

    #[test]
    fn starters() {
        assert!(is_sentence_starter("The"));
        assert!(is_sentence_starter("Meanwhile"));
        assert!(!is_sentence_starter("Congress"));
        assert!(!is_sentence_starter("the"));
    }
}
