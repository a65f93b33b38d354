//! Byte offsets to character offsets, for the record.
//!
//! Spans inside newsd are byte offsets (cheap to slice). Records give character
//! offsets (Unicode scalar values), which is what most readers index strings by
//! (Python `str`, Rust `chars()`), so `text[start:end]` in Python gives the mention.

/// Maps byte offsets of one text to character offsets.
#[derive(Debug)]
pub struct CharMap {
    /// `chars[b]` = characters before byte `b`, for every char boundary `b`
    /// (empty when the text is ASCII: then offsets are equal).
    chars: Vec<u32>,
}

impl CharMap {
    /// Builds the map for `text`.
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self { chars: Vec::new() };
        }
        let mut chars = vec![0u32; text.len() + 1];
        let mut n = 0u32;
        for (b, _) in text.char_indices() {
            chars[b] = n;
            n += 1;
        }
        chars[text.len()] = n;
        // Bytes inside a character map to the character that holds them.
        let mut last = 0;
        for c in chars.iter_mut().take(text.len()) {
            if *c == 0 {
                *c = last;
            } else {
                last = *c;
            }
        }
        Self { chars }
    }

    /// The character offset of byte offset `b` (clamped to the text).
    pub fn char_at(&self, b: usize) -> usize {
        if self.chars.is_empty() {
            return b;
        }
        self.chars
            .get(b)
            .or(self.chars.last())
            .map_or(0, |&c| c as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_identity() {
        let m = CharMap::new("hello");
        assert_eq!(m.char_at(3), 3);
    }

    #[test]
    fn multibyte_characters_count_once() {
        let text = "Xi’s “no limits” é";
        let m = CharMap::new(text);
        let b = text.find("no").unwrap();
        assert_eq!(m.char_at(b), text[..b].chars().count());
        assert_eq!(m.char_at(text.len()), text.chars().count());
        let e = text.find('é').unwrap();
        assert_eq!(m.char_at(e), text[..e].chars().count());
    }
}
