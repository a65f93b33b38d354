//! Snowball English stems for the keyphrase code, remembered per thread.
//!
//! The stemmer costs some 3,000 instructions a word, and news repeats its vocabulary
//! from one article to the next, so each worker thread keeps the stems it made.

use std::cell::RefCell;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap as HashMap;

/// Most words a thread's stem cache holds before it starts over (a few MB at most).
const STEM_CACHE: usize = 1 << 16;

/// Hands the Snowball English stem of `word` to `f`, from this thread's cache when it
/// made that stem before.
pub(super) fn with_stem<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    type Cache = (Stemmer, HashMap<Box<str>, Box<str>>);
    thread_local! {
        static STEMS: RefCell<Cache> =
            RefCell::new((Stemmer::create(Algorithm::English), HashMap::default()));
    }
    STEMS.with_borrow_mut(|(stemmer, cache)| {
        if let Some(stem) = cache.get(word) {
            return f(stem);
        }
        let stem: Box<str> = stemmer.stem(word).into();
        let out = f(&stem);
        if cache.len() >= STEM_CACHE {
            cache.clear();
        }
        cache.insert(word.into(), stem);
        out
    })
}

/// The Snowball English stem of `word`.
pub(super) fn stem(word: &str) -> String {
    with_stem(word, str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_stems_are_the_stemmers() {
        let stemmer = Stemmer::create(Algorithm::English);
        for _ in 0..2 {
            for w in [
                "spills",
                "spill",
                "running",
                "generously",
                "news",
                "zakharova",
            ] {
                assert_eq!(stem(w), stemmer.stem(w));
            }
        }
        // Past the limit the cache starts over and still answers rightly.
        for i in 0..STEM_CACHE + 10 {
            with_stem(&format!("w{i}s"), |_| ());
        }
        assert_eq!(with_stem("spills", str::to_string), "spill");
    }
}
