//! Claim tokens: the unique name a claimed input carries through the work folder.
//!
//! A claim is what makes "exactly once" checkable. The daemon renames an input to
//! `work/<claim>--<name>` (atomic, so two instances can never both claim it), writes
//! the claim into the record, and only then releases the input. After a crash, a work
//! file whose claim is already in the outbox is released; any other is processed again.

use std::ffi::{OsStr, OsString};
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Separates the claim from the original name in a work file name.
const SEPARATOR: &str = "--";

/// Longest file name most Linux filesystems accept, in bytes.
const NAME_MAX: usize = 255;

/// A per-process random value, so claims from two instances or two runs never collide.
fn nonce() -> u64 {
    static NONCE: OnceLock<u64> = OnceLock::new();
    *NONCE.get_or_init(|| {
        // RandomState is seeded from the OS's random source; hashing the pid and the
        // start time into it gives a random value without another dependency.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        h.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        h.finish()
    })
}

/// Makes a new claim token: `<unix ms, hex>-<process nonce>-<sequence>`.
///
/// Tokens sort by claim time, hold no `--`, and are unique across processes.
pub fn new_token() -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("{ms:011x}-{:08x}-{seq:x}", nonce() & 0xffff_ffff)
}

/// When a token was made, read back from its leading timestamp.
pub fn token_time(token: &str) -> Option<SystemTime> {
    let hex = token.split('-').next()?;
    let ms = u64::from_str_radix(hex, 16).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_millis(ms))
}

/// The work-folder name for `name` claimed as `token`.
///
/// Names too long to carry the prefix are shortened (on a character boundary); the
/// record still reports the full original name.
pub fn work_name(token: &str, name: &OsStr) -> OsString {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let room = NAME_MAX - token.len() - SEPARATOR.len();
    let bytes = name.as_bytes();
    let mut keep = bytes.len().min(room);
    // Back off to a UTF-8 boundary when the name is UTF-8.
    while keep > 0 && keep < bytes.len() && (bytes[keep] & 0xC0) == 0x80 {
        keep -= 1;
    }
    let mut out = Vec::with_capacity(token.len() + SEPARATOR.len() + keep);
    out.extend_from_slice(token.as_bytes());
    out.extend_from_slice(SEPARATOR.as_bytes());
    out.extend_from_slice(&bytes[..keep]);
    OsString::from_vec(out)
}

/// Splits a work-folder name back into claim token and original name.
pub fn parse_work_name(work_name: &OsStr) -> Option<(String, OsString)> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = work_name.as_bytes();
    let at = memchr::memmem::find(bytes, SEPARATOR.as_bytes())?;
    let token = std::str::from_utf8(&bytes[..at]).ok()?;
    token_time(token)?;
    let name = OsStr::from_bytes(&bytes[at + SEPARATOR.len()..]);
    if name.is_empty() {
        return None;
    }
    Some((token.to_string(), name.to_os_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_parse_back() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(!a.contains("--"));
        let age = SystemTime::now()
            .duration_since(token_time(&a).unwrap())
            .unwrap_or_default();
        assert!(age < Duration::from_secs(5));
    }

    #[test]
    fn work_name_round_trips() {
        let t = new_token();
        let w = work_name(&t, OsStr::new("story--one.txt"));
        let (tok, name) = parse_work_name(&w).unwrap();
        assert_eq!(tok, t);
        assert_eq!(name, "story--one.txt");
    }

    #[test]
    fn long_names_are_shortened_to_fit() {
        let t = new_token();
        let long = "é".repeat(200);
        let w = work_name(&t, OsStr::new(&long));
        assert!(w.len() <= NAME_MAX);
        assert!(w.to_str().is_some(), "cut on a char boundary");
    }

    #[test]
    fn foreign_names_do_not_parse() {
        assert!(parse_work_name(OsStr::new("plain.txt")).is_none());
        assert!(parse_work_name(OsStr::new("zz--x")).is_none());
    }
}
