//! The few Python string operations VADER's reference behaviour depends on.
//!
//! Agreement with the reference (vaderSentiment 3.3.2) is checked text by text, so
//! tokenisation must follow Python's `str` semantics exactly rather than Rust's
//! close-but-different ones: `str.split()` also splits on the ASCII information
//! separators, `str.strip(string.punctuation)` strips ASCII punctuation only, and
//! `str.isupper()` wants at least one cased character and no lowercase one.

/// Python's `str.isspace()` for one character (what `str.split()` splits on).
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.split()` with no arguments.
pub fn py_split(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_py_space).filter(|w| !w.is_empty())
}

/// Python's `string.punctuation`.
fn is_py_punct(c: char) -> bool {
    c.is_ascii_punctuation()
}

/// Python's `token.strip(string.punctuation)`.
pub fn strip_punct(token: &str) -> &str {
    token.trim_matches(is_py_punct)
}

/// Python's `str.strip()` (whitespace only).
pub fn py_strip(text: &str) -> &str {
    text.trim_matches(is_py_space)
}

/// Python's `str.isupper()`: some cased character, none of them lowercase.
///
/// (Titlecase letters such as `ǅ` are cased but not uppercase for Python; they are
/// rare enough in news to be treated as uppercase here.)
pub fn py_isupper(word: &str) -> bool {
    let mut cased = false;
    for c in word.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_uppercase() {
            cased = true;
        }
    }
    cased
}

/// Python's `str.lower()`, without allocating for ASCII-lowercase words.
pub fn py_lower(word: &str) -> std::borrow::Cow<'_, str> {
    if word
        .bytes()
        .all(|b| !b.is_ascii_uppercase() && b.is_ascii())
    {
        std::borrow::Cow::Borrowed(word)
    } else {
        std::borrow::Cow::Owned(word.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_matches_python() {
        let words: Vec<&str> = py_split(" a\tb\u{1f}c\u{a0}d  ").collect();
        assert_eq!(words, ["a", "b", "c", "d"]);
    }

    #[test]
    fn strip_is_ascii_punctuation_only() {
        assert_eq!(strip_punct("“great!”"), "“great!”");
        assert_eq!(strip_punct("'great!'"), "great");
        assert_eq!(strip_punct(":)"), "");
    }

    #[test]
    fn isupper_matches_python() {
        assert!(py_isupper("GREAT!"));
        assert!(py_isupper("U.S."));
        assert!(!py_isupper("123"));
        assert!(!py_isupper("Great"));
        assert!(!py_isupper(":)"));
    }

    #[test]
    fn lower_borrows_when_it_can() {
        assert!(matches!(py_lower("good"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(py_lower("GOOD"), "good");
        assert_eq!(py_lower("ÉTÉ"), "été");
    }
}
