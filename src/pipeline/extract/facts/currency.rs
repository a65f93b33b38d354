//! Currency tables: symbols and codes written before an amount ("$", "US$", "£",
//! "Rs", "EUR") and names written after it ("euros", "yuan", "Australian dollars").
//! Every currency comes out as its ISO 4217 code.

use super::{Lower, Toks};

/// The code for a currency symbol token.
fn symbol(sym: &str) -> Option<&'static str> {
    Some(match sym {
        "$" => "USD",
        "£" => "GBP",
        "€" => "EUR",
        "¥" => "JPY",
        "₹" => "INR",
        "₽" => "RUB",
        "₩" => "KRW",
        "₪" => "ILS",
        "₺" => "TRY",
        "₦" => "NGN",
        "₱" => "PHP",
        _ => return None,
    })
}

/// Letters glued before "$" that name another dollar ("A$", "HK$", "US$").
fn dollar_prefix(letters: &str) -> Option<&'static str> {
    Some(match letters {
        "US" => "USD",
        "A" | "AU" => "AUD",
        "C" | "CA" | "CAN" => "CAD",
        "HK" => "HKD",
        "NZ" => "NZD",
        "S" | "SG" => "SGD",
        "NT" => "TWD",
        "R" => "BRL",
        "Mex" | "MX" => "MXN",
        _ => return None,
    })
}

/// ISO codes (and "Rs", "Rmb") written as a word before the number.
fn code_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "USD" => "USD",
        "GBP" => "GBP",
        "EUR" => "EUR",
        "JPY" => "JPY",
        "CNY" | "RMB" | "Rmb" => "CNY",
        "INR" | "Rs" => "INR",
        "RUB" => "RUB",
        "CHF" => "CHF",
        "AUD" => "AUD",
        "CAD" => "CAD",
        "HKD" => "HKD",
        "SGD" => "SGD",
        "NZD" => "NZD",
        "KRW" => "KRW",
        "BRL" => "BRL",
        "ZAR" => "ZAR",
        "SEK" => "SEK",
        "NOK" => "NOK",
        "DKK" => "DKK",
        "MXN" => "MXN",
        "TRY" => "TRY",
        _ => return None,
    })
}

/// A currency written before a number at token `i`: its code, the first token of the
/// currency and the token where the number must start. A symbol must touch the
/// number ("$5"); a code may stand apart ("Rs 300", "EUR 5").
pub(super) fn prefix_at(t: &Toks<'_>, i: usize) -> Option<(&'static str, usize, usize)> {
    let word = t.text(i);
    if let Some(code) = symbol(word) {
        if !t.glued(i) {
            return None;
        }
        // "US$5", "A$10"; any other glued character ("($5") leaves a US dollar.
        if word == "$"
            && i > 0
            && t.glued(i - 1)
            && let Some(code) = dollar_prefix(t.text(i - 1))
        {
            return Some((code, i - 1, i + 1));
        }
        return Some((code, i, i + 1));
    }
    let code = code_word(word)?;
    let number = if word == "Rs" && t.text(i + 1) == "." {
        i + 2
    } else {
        i + 1
    };
    Some((code, i, number))
}

/// A currency named after a number at token `j`: its code, the divisor to apply
/// (100 for cents and pence) and the token after the name. Names that are also
/// common words ("won", "pounds" of weight) count only after a scale ("5m won").
pub(super) fn suffix_at(
    t: &Toks<'_>,
    j: usize,
    scaled: bool,
) -> Option<(&'static str, f64, usize)> {
    let first = t.lower(j);
    let second = t.lower(j + 1);
    // Adjective + dollars/pesos/kroner: "Australian dollars", "Hong Kong dollars".
    let (adjective, name, end) = match (first.as_str(), second.as_str()) {
        ("hong", "kong") | ("new", "zealand") => (first, t.lower(j + 2), j + 3),
        (_, "dollars" | "dollar" | "pesos" | "peso" | "kroner" | "krone" | "francs" | "franc") => {
            (first, second, j + 2)
        }
        _ => (Lower::new(""), first, j + 1),
    };
    let name = name.as_str();
    let code = match name {
        "dollars" | "dollar" => match adjective.as_str() {
            "" | "us" | "american" => "USD",
            "australian" => "AUD",
            "canadian" => "CAD",
            "hong" => "HKD",
            "new" => "NZD",
            "singapore" => "SGD",
            "taiwan" | "taiwanese" => "TWD",
            _ => return None,
        },
        "pesos" | "peso" => match adjective.as_str() {
            "mexican" => "MXN",
            "argentine" | "argentinian" => "ARS",
            "philippine" => "PHP",
            "chilean" => "CLP",
            "colombian" => "COP",
            _ => return None,
        },
        "kroner" | "krone" => match adjective.as_str() {
            "danish" => "DKK",
            "norwegian" => "NOK",
            _ => return None,
        },
        "francs" | "franc" => match adjective.as_str() {
            "" | "swiss" => "CHF",
            _ => return None,
        },
        "euros" | "euro" => "EUR",
        "yen" => "JPY",
        "yuan" | "renminbi" => "CNY",
        "rupees" | "rupee" => "INR",
        "roubles" | "rubles" | "rouble" | "ruble" => "RUB",
        "rand" => "ZAR",
        "kronor" | "krona" => "SEK",
        "reais" => "BRL",
        "lira" => "TRY",
        "ringgit" => "MYR",
        "baht" => "THB",
        "rupiah" => "IDR",
        "naira" => "NGN",
        "shekels" => "ILS",
        "zlotys" | "zloty" => "PLN",
        "sterling" => "GBP",
        "won" if scaled => "KRW",
        "pounds" | "pound" if scaled => "GBP",
        "cents" => return Some(("USD", 100.0, end)),
        "pence" => return Some(("GBP", 100.0, end)),
        _ => return None,
    };
    Some((code, 1.0, end))
}
