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

/// Detects the language of a text from its first 4,000 characters (enough for news,
/// and bounded cost on long inputs). `None` for text with no letters.
pub fn detect(text: &str) -> Option<Language> {
    let end = text.char_indices().nth(4000).map_or(text.len(), |(i, _)| i);
    let info = whatlang::detect(&text[..end])?;
    Some(Language {
        code: two_letter(info.lang().code()).to_string(),
        confidence: info.confidence(),
    })
}

/// Detects the language of an article from its title and body, as its record gets it.
pub fn detect_article(title: Option<&str>, text: &str) -> Option<Language> {
    match title {
        Some(t) => detect(&format!("{t}\n{text}")),
        None => detect(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
