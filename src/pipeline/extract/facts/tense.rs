//! Which way a sentence points in time, to resolve "on Friday" or "in May".
//!
//! The rule: look for tense markers in the sentence holding the date and take the
//! nearest one to it. Strong markers are modals and fixed phrases ("will", "’ll",
//! "is set to", "is expected to", "plans to") for the future, and auxiliaries and
//! common irregular past forms ("said", "was", "had", "told") for the past. Only when a
//! sentence has no strong marker do weak ones count: any other word ending in "-ed"
//! ("reached", "jumped") for the past. Nearest wins because a sentence can mix tenses
//! ("Putin said Xi will visit on Friday": "will" is nearer to the date than "said");
//! on a tie the marker before the date wins. No marker at all gives
//! [`Tense::Unknown`], and the caller takes the nearest occurrence either way.

use super::Toks;

/// The time a sentence points to, as far as its verbs say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tense {
    /// Reported past ("said on Friday").
    Past,
    /// Announced future ("will join on Friday").
    Future,
    /// No marker found.
    Unknown,
}

/// Strength of a marker: strong ones hide weak ones.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    Weak,
    Strong,
}

/// Words that end in "-ed" without being past forms.
const NOT_PAST: &[&str] = &[
    "need", "indeed", "speed", "seed", "feed", "exceed", "proceed", "succeed", "breed", "bleed",
    "greed", "heed", "weed", "creed", "hundred", "kindred", "sacred", "naked", "wicked", "embed",
    "shed", "bed",
];

/// Common irregular past forms, unambiguous in news text.
#[rustfmt::skip]
const IRREGULAR_PAST: &[&str] = &[
    "said", "told", "was", "were", "had", "did", "wasn't", "weren't", "hadn't", "didn't",
    "met", "went", "came", "took", "gave", "held", "won", "lost", "fell", "rose", "began",
    "left", "spoke", "sent", "paid", "bought", "sold", "brought", "found", "kept", "got",
    "became", "saw", "made", "ago", "yesterday", "flew", "wrote", "drew", "struck",
];

/// Adjectives and participles that, after "is/are/was/were" and before "to", announce
/// the future ("is set to", "was expected to", "are due to").
#[rustfmt::skip]
const FUTURE_BEFORE_TO: &[&str] = &[
    "set", "expected", "due", "scheduled", "poised", "slated", "planned", "likely", "going",
    "about", "preparing",
];

/// Verbs that announce the future when followed by "to" ("plans to").
const INTEND_TO: &[&str] = &[
    "plans", "plan", "intends", "intend", "aims", "aim", "hopes", "hope", "wants", "want",
];

/// The tense that decides how to resolve a date mentioned at token `at`.
pub(super) fn tense_at(t: &Toks<'_>, at: usize) -> Tense {
    let mut best: Option<(Strength, usize, Tense)> = None;
    for j in t.sentence_range(at) {
        let Some((strength, tense)) = marker(t, j) else {
            continue;
        };
        let distance = at.abs_diff(j);
        let better = match best {
            None => true,
            Some((s, d, _)) => strength > s || (strength == s && distance < d),
        };
        if better {
            best = Some((strength, distance, tense));
        }
    }
    best.map_or(Tense::Unknown, |(_, _, tense)| tense)
}

/// Whether token `j` is a tense marker, and which.
fn marker(t: &Toks<'_>, j: usize) -> Option<(Strength, Tense)> {
    let raw = t.text(j);
    let lower = t.lower(j);
    let w = lower.as_str();
    if matches!(w, "will" | "shall" | "won't" | "tomorrow")
        || raw.ends_with("'ll")
        || raw.ends_with("’ll")
    {
        return Some((Strength::Strong, Tense::Future));
    }
    if t.is(j + 1, "to") {
        let aux_before = j > 0
            && matches!(
                t.lower(j - 1).as_str(),
                "is" | "are" | "was" | "were" | "be" | "been" | "am"
            );
        if (aux_before && FUTURE_BEFORE_TO.contains(&w)) || INTEND_TO.contains(&w) {
            return Some((Strength::Strong, Tense::Future));
        }
    }
    if IRREGULAR_PAST.contains(&w) {
        return Some((Strength::Strong, Tense::Past));
    }
    if w.len() >= 5
        && w.ends_with("ed")
        && raw.starts_with(|c: char| c.is_ascii_lowercase())
        && !NOT_PAST.contains(&w)
    {
        return Some((Strength::Weak, Tense::Past));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::testutil::doc;
    use super::*;

    fn tense_of(text: &str, word: &str) -> Tense {
        let d = doc(text);
        let t = Toks::new(&d);
        let at = (0..t.len())
            .find(|&i| t.text(i) == word)
            .expect("word present");
        tense_at(&t, at)
    }

    #[test]
    fn modals_auxiliaries_and_past_forms() {
        assert_eq!(
            tense_of("On Friday, Xi will join Putin.", "Friday"),
            Tense::Future
        );
        assert_eq!(tense_of("Putin said on Friday.", "Friday"), Tense::Past);
        assert_eq!(
            tense_of(
                "Xi is set to begin a highly anticipated visit on Wednesday.",
                "Wednesday"
            ),
            Tense::Future
        );
        assert_eq!(
            tense_of(
                "The dollar reached $1.28, from $1.29 on Thursday.",
                "Thursday"
            ),
            Tense::Past
        );
        assert_eq!(
            tense_of("Putin said Xi will visit on Friday.", "Friday"),
            Tense::Future
        );
        assert_eq!(
            tense_of("Talks resume on Monday.", "Monday"),
            Tense::Unknown
        );
        assert_eq!(
            tense_of("The board plans to vote on Monday.", "Monday"),
            Tense::Future
        );
        assert_eq!(
            tense_of("We need a deal by Monday.", "Monday"),
            Tense::Unknown
        );
    }
}
