//! Amounts: money, percentages and counted quantities, with normalised values.
//!
//! Money: a currency symbol or code before digits ("$1.13bn", "£600m", "€2 million",
//! "US$5", "A$10", "Rs 300 crore") or a currency name after a number ("1.5 billion
//! yuan", "8.2bn euros", "76 cents"); `value` is in units of the currency (1.13e9 for
//! "$1.13bn") and `unit` its ISO 4217 code. A range "$5-6bn" gives two amounts, both
//! scaled. Percentages: "76%", "2 percent", "3.5 per cent" (value 76, unit "%") and "2
//! percentage points" (unit "pp"). Quantities: a number and the noun it counts
//! ("464,000 subscribers", "two nations", "four-day visit" → 4 "day", "three main
//! parties" → 3 "parties"), numbers written with digits or words up to the trillions.
//!
//! Deliberately not amounts: ordinals ("80th"), decades ("1990s"), years ("2003
//! results"), numbers inside names ("Power of Siberia 2", "G7"), scores, times and
//! fractions ("2-1", "10:30", "9/11"), bare numbers with no unit ("aged 91"), "one"
//! alone ("one of the"), and glued "m"/"k" without a currency ("100m" is more often
//! metres). Fractions in words ("a quarter of") are not read; "half a million" is.

use serde::Serialize;

use super::numbers::{Number, number_at, opens_number, split_digits};
use super::{Toks, currency, is_capitalised};
use crate::document::{Document, Span};

/// What an amount measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountKind {
    /// A sum of money; the unit is an ISO 4217 code.
    Money,
    /// A percentage ("%") or percentage points ("pp").
    Percent,
    /// A count of something; the unit is the counted noun.
    Quantity,
}

/// One amount mentioned in the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amount {
    /// Where the amount is written ("$1.13bn", "464,000 subscribers").
    pub span: Span,
    /// The text of the span.
    pub text: String,
    /// Money, percentage or quantity.
    pub kind: AmountKind,
    /// The number with scales applied: 1.13e9 for "$1.13bn", 76 for "76%", 4 for
    /// "four-day". Always finite.
    pub value: f64,
    /// ISO 4217 code for money ("USD", "GBP", "EUR", "CNY", "RUB", "JPY", "INR"…), "%"
    /// or "pp" for percentages, the counted noun as written for quantities.
    pub unit: String,
}

/// Finds the amounts of a tokenized document, in text order, without overlaps.
///
/// See the module docs for what counts as an amount and what deliberately does not.
pub fn find_amounts(doc: &Document) -> Vec<Amount> {
    let t = Toks::new(doc);
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        // Only digits, symbols, capitalised codes ("Rs", "USD") and number words can
        // start an amount; most tokens stop at this first look.
        let w = t.text(i);
        if w.starts_with(|c: char| c.is_lowercase()) && !opens_number(t.lower(i).as_str()) {
            i += 1;
            continue;
        }
        let end = money_prefixed(&t, i, &mut out).or_else(|| number_led(&t, i, &mut out));
        i = match end {
            Some(end) if end > i => end,
            _ => i + 1,
        };
    }
    out
}

/// Appends an amount over tokens `first..end` when its value is finite.
fn push(
    t: &Toks<'_>,
    out: &mut Vec<Amount>,
    first: usize,
    end: usize,
    kind: AmountKind,
    value: f64,
    unit: &str,
) {
    if !value.is_finite() || end <= first {
        return;
    }
    let span = t.cover(first, end - 1);
    out.push(Amount {
        span,
        text: t.doc().slice(span).to_string(),
        kind,
        value,
        unit: unit.to_string(),
    });
}

/// A digits number fit for money: no letters glued on other than a scale.
fn money_number<'a>(t: &Toks<'a>, i: usize) -> Option<Number<'a>> {
    let n = number_at(t, i)?;
    let ok = !n.spelled && (n.suffix.is_empty() || n.scaled());
    ok.then_some(n)
}

/// "$1.13bn", "US$5", "Rs 300 crore", "$5-6bn"; returns the token after the match.
fn money_prefixed(t: &Toks<'_>, i: usize, out: &mut Vec<Amount>) -> Option<usize> {
    let (code, first, j) = currency::prefix_at(t, i)?;
    let n = money_number(t, j)?;
    // "$5-6bn", "$5 to 6bn": the scale written on the second number applies to both.
    let dash = matches!(t.text(n.end), "-" | "–") && t.glued(n.end - 1) && t.glued(n.end);
    if !n.scaled()
        && (dash || t.is(n.end, "to"))
        && let Some(second) = money_number(t, n.end + 1).filter(Number::scaled)
    {
        // Re-read the first number at the second's scale, rounding once.
        if let Some(value) = split_digits(t.text(j)).and_then(|(d, _, _)| d.value(second.exp)) {
            push(t, out, first, n.end, AmountKind::Money, value, code);
        }
        push(
            t,
            out,
            n.end + 1,
            second.end,
            AmountKind::Money,
            second.value,
            code,
        );
        return Some(second.end);
    }
    push(t, out, first, n.end, AmountKind::Money, n.value, code);
    Some(n.end)
}

/// True when the number at `i..end` is part of a score, time, fraction or range
/// ("2-1", "10:30", "9/11", "3.5.1").
fn in_numeric_chain(t: &Toks<'_>, i: usize, end: usize) -> bool {
    let joiner = |w: &str| matches!(w, "/" | ":" | "-" | "–" | ".");
    let digit_led = |k: usize| t.text(k).starts_with(|c: char| c.is_ascii_digit());
    let before = i >= 2 && t.glued(i - 1) && joiner(t.text(i - 1)) && digit_led(i - 2);
    let after = t.glued(end - 1) && joiner(t.text(end)) && t.glued(end) && digit_led(end + 1);
    before || after
}

/// Words that cannot be the counted noun after a number.
const NOT_UNITS: &[&str] = &[
    "a", "an", "the", "of", "to", "and", "or", "nor", "but", "in", "on", "at", "for", "from", "by",
    "with", "than", "as", "after", "before", "since", "into", "over", "under", "about", "up",
    "down", "out", "off", "per", "each", "who", "which", "that", "this", "these", "those", "it",
    "its", "he", "she", "they", "we", "you", "i", "his", "her", "their", "our", "is", "was",
    "were", "are", "be", "been", "being", "has", "have", "had", "do", "does", "did", "will",
    "would", "can", "could", "should", "shall", "may", "might", "must", "not", "no", "so", "if",
    "when", "while", "where", "against", "between", "through", "during", "without", "within",
    "more", "less", "fewer", "most", "other", "others", "such", "said", "says", "say", "told",
    "am", "pm", "percent", "cent", "times", "or", "plus", "minus", "all", "both", "either",
    "again", "too", "also", "only", "just", "then", "there", "here", "now", "ago", "later",
    "earlier", "behind", "ahead", "away", "apart", "last", "next", "million", "billion",
    "trillion", "thousand", "hundred", "yet", "still", "even",
];

/// Adjectives that stand between a number and its noun ("three leading firms").
#[rustfmt::skip]
const ADJECTIVES: &[&str] = &[
    "new", "old", "extra", "additional", "further", "major", "big", "bigger", "biggest",
    "small", "smaller", "large", "larger", "largest", "key", "main", "top", "leading",
    "separate", "different", "consecutive", "straight", "successive", "independent",
    "previous", "former", "senior", "junior", "young", "local", "national", "international",
    "foreign", "full", "whole", "remaining", "only", "first", "last", "best", "worst",
];

/// Units of time and measure, the only ones "one-" may count ("one-day").
#[rustfmt::skip]
const MEASURES: &[&str] = &[
    "second", "minute", "hour", "day", "week", "month", "year", "decade", "century", "mile",
    "metre", "meter", "kilometre", "km", "foot", "inch", "yard", "acre", "tonne", "ton",
    "litre", "point", "game", "match", "seat", "star", "night", "term", "season", "set",
];

fn unit_word(t: &Toks<'_>, j: usize) -> bool {
    let w = t.text(j);
    t.is_alpha_word(j)
        && w.starts_with(|c: char| c.is_lowercase())
        && !NOT_UNITS.contains(&t.lower(j).as_str())
        && !w.ends_with("ly")
}

/// Percentages, currency-named money and quantities led by a number at token `i`.
fn number_led(t: &Toks<'_>, i: usize, out: &mut Vec<Amount>) -> Option<usize> {
    let n = number_at(t, i)?;
    if n.is_ordinal() || n.suffix == "s" || in_numeric_chain(t, i, n.end) {
        return None;
    }
    // "half a million".
    let mut first = i;
    let mut value = n.value;
    if n.spelled && i > 0 && t.is(i - 1, "half") && matches!(t.lower(i).as_str(), "a" | "an") {
        first = i - 1;
        value /= 2.0;
    }
    let j = n.end;
    let (w1, w2) = (t.lower(j), t.lower(j + 1));
    let percent = match (t.text(j), w1.as_str(), w2.as_str()) {
        ("%", _, _) | (_, "percent", _) => Some((j + 1, "%")),
        (_, "per", "cent") => Some((j + 2, "%")),
        (_, "percentage", "point" | "points") => Some((j + 2, "pp")),
        _ => None,
    };
    if let Some((end, unit)) = percent {
        if !n.scaled() {
            push(t, out, first, end, AmountKind::Percent, value, unit);
        }
        return Some(end);
    }
    if n.suffix.eq_ignore_ascii_case("p") && !n.plain && value < 1000.0 {
        // "50p": pence.
        push(t, out, first, j, AmountKind::Money, value / 100.0, "GBP");
        return Some(j);
    }
    if (n.suffix.is_empty() || n.scaled())
        && let Some((code, divisor, end)) = currency::suffix_at(t, j, n.scaled())
    {
        push(t, out, first, end, AmountKind::Money, value / divisor, code);
        return Some(end);
    }
    if !n.suffix.is_empty() {
        return None;
    }
    quantity(t, first, &n, value, out)
}

/// "464,000 subscribers", "four-day", "three main parties".
fn quantity(
    t: &Toks<'_>,
    first: usize,
    n: &Number<'_>,
    value: f64,
    out: &mut Vec<Amount>,
) -> Option<usize> {
    let i = first;
    let j = n.end;
    let year_like = n.plain && t.text(i).len() == 4 && (1900.0..=2100.0).contains(&value);
    // A number right after a capitalised word inside a sentence names something.
    let in_name = !n.spelled
        && i > 0
        && is_capitalised(t.text(i - 1))
        && t.sentence(i - 1) == t.sentence(i)
        && t.sentence_range(i).start != i - 1;
    if year_like || in_name {
        return None;
    }
    // "four-day", "10-year": the unit is glued behind a hyphen. Not "one-stop",
    // "two-faced", "one-sided": after "one" only units of measure count, and never
    // adjectives in "-ed".
    let hyphen_unit = t.text(j) == "-"
        && t.glued(j - 1)
        && t.glued(j)
        && unit_word(t, j + 1)
        && !t.text(j + 1).ends_with("ed")
        && (value != 1.0 || MEASURES.contains(&t.lower(j + 1).as_str()));
    if hyphen_unit {
        push(
            t,
            out,
            first,
            j + 2,
            AmountKind::Quantity,
            value,
            t.text(j + 1),
        );
        return Some(j + 2);
    }
    if n.spelled && !n.scaled() && value == 1.0 {
        return None; // "one of the", "one analyst"
    }
    // An adjective before a plural noun: "three main parties" counts parties, "2,000
    // new CSOs" counts CSOs, "20 million European households" counts households. An
    // adjective with no noun after it counts nothing.
    let w = t.text(j);
    let next = t.text(j + 1);
    let plural_next = next.ends_with('s')
        && next.len() > 3
        && t.is_alpha_word(j + 1)
        && !NOT_UNITS.contains(&t.lower(j + 1).as_str());
    let capitalised_adjective = is_capitalised(w)
        && t.is_alpha_word(j)
        && plural_next
        && next.starts_with(|c: char| c.is_lowercase());
    if !unit_word(t, j) && !capitalised_adjective {
        return None;
    }
    let (unit, end) = if capitalised_adjective || (!w.ends_with('s') && plural_next) {
        (next, j + 2)
    } else if ADJECTIVES.contains(&t.lower(j).as_str()) {
        return None;
    } else {
        (w, j + 1)
    };
    push(t, out, first, end, AmountKind::Quantity, value, unit);
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::doc;
    use super::*;

    fn amounts(text: &str) -> Vec<(String, AmountKind, f64, String)> {
        find_amounts(&doc(text))
            .into_iter()
            .map(|a| (a.text, a.kind, a.value, a.unit))
            .collect()
    }

    fn money(text: &str, value: f64, unit: &str) -> (String, AmountKind, f64, String) {
        (text.into(), AmountKind::Money, value, unit.into())
    }

    fn close(a: &[(String, AmountKind, f64, String)], b: &[(String, AmountKind, f64, String)]) {
        assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
        for (x, y) in a.iter().zip(b) {
            assert!(
                x.0 == y.0 && x.1 == y.1 && x.3 == y.3 && (x.2 - y.2).abs() <= 1e-9 * y.2.abs(),
                "{x:?} vs {y:?}"
            );
        }
    }

    #[test]
    fn money_forms() {
        close(
            &amounts("Profit rose to $1.13bn (£600m), or €2 million, from US$5 and A$10."),
            &[
                money("$1.13bn", 1.13e9, "USD"),
                money("£600m", 6e8, "GBP"),
                money("€2 million", 2e6, "EUR"),
                money("US$5", 5.0, "USD"),
                money("A$10", 10.0, "AUD"),
            ],
        );
        // A bracket glued before "$" is no dollar prefix.
        close(
            &amounts("Profits of 400m euros ($527.61m; £274.73m)."),
            &[
                money("400m euros", 4e8, "EUR"),
                money("$527.61m", 527.61e6, "USD"),
                money("£274.73m", 274.73e6, "GBP"),
            ],
        );
        close(
            &amounts("It raised 1.5 billion yuan, 8.2bn euros and Rs 300 crore."),
            &[
                money("1.5 billion yuan", 1.5e9, "CNY"),
                money("8.2bn euros", 8.2e9, "EUR"),
                money("Rs 300 crore", 3e9, "INR"),
            ],
        );
        close(
            &amounts("Costs of $5-6bn, 76 cents, 50p, 5m won and half a trillion dollars."),
            &[
                money("$5", 5e9, "USD"),
                money("6bn", 6e9, "USD"),
                money("76 cents", 0.76, "USD"),
                money("50p", 0.5, "GBP"),
                money("5m won", 5e6, "KRW"),
                money("half a trillion dollars", 5e11, "USD"),
            ],
        );
        // "won" the verb is not money, nor pounds of weight (a quantity).
        let got = amounts("Fahrenheit 9/11 won. It weighs 5 pounds.");
        assert!(got.iter().all(|a| a.1 == AmountKind::Quantity), "{got:?}");
    }

    #[test]
    fn percentages() {
        let got = amounts("Up 76%, 2 percent, 3.5 per cent and 2 percentage points.");
        let kinds: Vec<_> = got
            .iter()
            .map(|a| (a.0.as_str(), a.2, a.3.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("76%", 76.0, "%"),
                ("2 percent", 2.0, "%"),
                ("3.5 per cent", 3.5, "%"),
                ("2 percentage points", 2.0, "pp"),
            ]
        );
        assert!(got.iter().all(|a| a.1 == AmountKind::Percent));
    }

    #[test]
    fn quantities() {
        let got = amounts(
            "It lost 464,000 subscribers on a four-day visit by three main parties and \
             twenty-five people, 1.5 million voters, in a one-day match. Three leading UK \
             firms hired 2,000 new CSOs for 20 million European households.",
        );
        let got: Vec<_> = got
            .iter()
            .map(|a| (a.0.as_str(), a.2, a.3.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("464,000 subscribers", 464_000.0, "subscribers"),
                ("four-day", 4.0, "day"),
                ("three main parties", 3.0, "parties"),
                ("twenty-five people", 25.0, "people"),
                ("1.5 million voters", 1.5e6, "voters"),
                ("one-day", 1.0, "day"),
                ("2,000 new CSOs", 2000.0, "CSOs"),
                ("20 million European households", 2e7, "households"),
            ]
        );
    }

    #[test]
    fn not_amounts() {
        for text in [
            "The 80th anniversary of the 1990s.",
            "The Power of Siberia 2 gas pipeline.",
            "A 2-1 decision at 10:30 on 9/11.",
            "He died aged 91 at home.",
            "It is one of the best, a one-off, a 'one-stop' shop, a two-faced man.",
            "It will restate 2003 results.",
            "The 100m final and the G7 summit.",
        ] {
            assert!(amounts(text).is_empty(), "{text}: {:?}", amounts(text));
        }
    }

    #[test]
    fn values_stay_finite() {
        let huge = format!(
            "${}0 trillion and {}9 people",
            "9".repeat(300),
            "9".repeat(320)
        );
        let got = find_amounts(&doc(&huge));
        assert!(got.iter().all(|a| a.value.is_finite()));
        let json = serde_json::to_string(&got).expect("serialises");
        assert!(!json.contains("null"));
    }
}
