//! Language identification: ISO 639-1 code and confidence for every article.
//!
//! `whatlang` (trigram and script models, 69 languages, no model files) does the
//! detection; this module maps its ISO 639-3 codes to the two-letter codes readers
//! expect and decides what the English-only parts of the pipeline may run on.

use serde::Serialize;

/// The detected language of an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Language {
    /// ISO 639-1 code (`en`, `ru`, `zh`, ...); ISO 639-3 where no two-letter code exists.
    pub code: String,
    /// Detector confidence, 0..1.
    pub confidence: f64,
}

impl Language {
    /// True for English, the language of the shipped lexicons and models.
    pub fn is_english(&self) -> bool {
        self.code == "en"
    }
}

/// ISO 639-3 (as whatlang gives it) to ISO 639-1.
fn two_letter(code3: &str) -> &str {
    match code3 {
        "afr" => "af",
        "aka" => "ak",
        "amh" => "am",
        "ara" => "ar",
        "aze" => "az",
        "bel" => "be",
        "ben" => "bn",
        "bul" => "bg",
        "cat" => "ca",
        "ces" => "cs",
        "cmn" => "zh",
        "cym" => "cy",
        "dan" => "da",
        "deu" => "de",
        "ell" => "el",
        "eng" => "en",
        "epo" => "eo",
        "est" => "et",
        "fin" => "fi",
        "fra" => "fr",
        "guj" => "gu",
        "heb" => "he",
        "hin" => "hi",
        "hrv" => "hr",
        "hun" => "hu",
        "hye" => "hy",
        "ind" => "id",
        "ita" => "it",
        "jav" => "jv",
        "jpn" => "ja",
        "kan" => "kn",
        "kat" => "ka",
        "khm" => "km",
        "kor" => "ko",
        "lat" => "la",
        "lav" => "lv",
        "lit" => "lt",
        "mal" => "ml",
        "mar" => "mr",
        "mkd" => "mk",
        "mya" => "my",
        "nep" => "ne",
        "nld" => "nl",
        "nob" => "nb",
        "ori" => "or",
        "pan" => "pa",
        "pes" => "fa",
        "pol" => "pl",
        "por" => "pt",
        "ron" => "ro",
        "rus" => "ru",
        "sin" => "si",
        "slk" => "sk",
        "slv" => "sl",
        "sna" => "sn",
        "spa" => "es",
        "srp" => "sr",
        "swe" => "sv",
        "tam" => "ta",
        "tel" => "te",
        "tgl" => "tl",
        "tha" => "th",
        "tuk" => "tk",
        "tur" => "tr",
        "ukr" => "uk",
        "urd" => "ur",
        "uzb" => "uz",
        "vie" => "vi",
        "yid" => "yi",
        "zul" => "zu",
        other => other,
    }
}

/// Characters a first guess reads: a news paragraph or two, which settles the
/// language of nearly every article at a quarter of the cost of [`MOST_CHARS`].
const FIRST_CHARS: usize = 1000;

/// Characters read at most, when the first guess is unsure (bounded cost on long
/// inputs).
const MOST_CHARS: usize = 4000;

/// The first `n` characters of `text`.
fn head(text: &str, n: usize) -> &str {
    let end = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    text.get(..end).unwrap_or(text)
}

/// Detects the language of a text from its first 1,000 characters, or its first
/// 4,000 when whatlang calls that guess unreliable. `None` for text with no letters.
pub fn detect(text: &str) -> Option<Language> {
    let first = head(text, FIRST_CHARS);
    let guess = whatlang::detect(first);
    let info = match guess {
        Some(info) if info.is_reliable() => info,
        // The whole text was read: a second look would see the same.
        _ if first.len() == text.len() => guess?,
        _ => whatlang::detect(head(text, MOST_CHARS))?,
    };
    Some(Language {
        code: two_letter(info.lang().code()).to_string(),
        confidence: info.confidence(),
    })
}

/// Detects the language of an article from its title and body, as its record gets it.
pub fn detect_article(title: Option<&str>, text: &str) -> Option<Language> {
    match title {
        Some(t) => detect(&format!("{t}\n{}", head(text, MOST_CHARS))),
        None => detect(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsure_first_guess_reads_further() {
        // A thousand characters with no letters, then English: the first guess
        // finds nothing, the second reads the sentences.
        let text = format!(
            "{} The minister said on Friday that talks with the union would resume next week.",
            "12 345 678 90 ".repeat(80)
        );
        assert!(text.chars().take(FIRST_CHARS).all(|c| !c.is_alphabetic()));
        assert_eq!(detect(&text).map(|l| l.code), Some("en".to_string()));
        // Past 4,000 characters nothing is read.
        let late = format!(
            "{}Die Regierung hat am Montag beschlossen.",
            "1 ".repeat(2500)
        );
        assert_eq!(detect(&late), None);
    }

    #[test]
    fn detects_news_languages() {
        let cases = [
            (
                "Chinese President Xi Jinping is set to begin a four-day visit to Russia on Wednesday.",
                "en",
            ),
            (
                "Президент России заявил в пятницу, что переговоры продолжатся на следующей неделе.",
                "ru",
            ),
            (
                "Der Bundestag hat am Donnerstag ein neues Gesetz zur Energiepolitik beschlossen.",
                "de",
            ),
            (
                "中国国家主席习近平周三开始对俄罗斯进行为期四天的国事访问。",
                "zh",
            ),
            (
                "Le président a déclaré vendredi que les négociations reprendraient la semaine prochaine.",
                "fr",
            ),
            (
                "قال الرئيس يوم الجمعة إن المحادثات ستستأنف الأسبوع المقبل في العاصمة.",
                "ar",
            ),
        ];
        for (text, want) in cases {
            let got = detect(text).expect("letters");
            assert_eq!(got.code, want, "{text}");
            assert!((0.0..=1.0).contains(&got.confidence));
        }
        assert!(detect("1234 5678 !!!").is_none());
    }
}
