//! Reading an input file safely and decoding it to text.
//!
//! Inputs come from anyone who can write to the inbox, so reading never follows a
//! symlink, never blocks on a FIFO, never reads past the size limit, and refuses
//! binary or undecodable content with a machine-readable reason instead of guessing.

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Why an input was refused. [`InputError::code`] is what `failed/*.error.json` records.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Zero bytes, or only whitespace.
    #[error("the file is empty")]
    Empty,
    /// Over `inbox.max_bytes`.
    #[error("the file has {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// Bytes in the file (at least this many).
        size: u64,
        /// The configured limit.
        limit: u64,
    },
    /// Holds NUL bytes: not a text article.
    #[error("binary content (NUL byte at offset {offset})")]
    Binary {
        /// Offset of the first NUL.
        offset: usize,
    },
    /// Not valid UTF-8 (or UTF-16 with a BOM).
    #[error("not valid UTF-8 text (first bad byte at offset {offset})")]
    Undecodable {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// A directory, symlink, FIFO, socket or device: never read.
    #[error("not a regular file but a {kind}")]
    NotRegular {
        /// `directory`, `symlink`, `fifo`, `socket` or `device`.
        kind: &'static str,
    },
    /// Reading failed.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
}

impl InputError {
    /// Machine-readable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::Empty => "empty",
            InputError::TooLarge { .. } => "too_large",
            InputError::Binary { .. } => "binary",
            InputError::Undecodable { .. } => "undecodable",
            InputError::NotRegular { kind } => kind,
            InputError::Io(_) => "io_error",
        }
    }
}

/// Bytes read from an input, with what the filesystem said about it.
#[derive(Debug)]
pub struct RawInput {
    /// The content.
    pub bytes: Vec<u8>,
    /// Modification time, when the filesystem gives one.
    pub mtime: Option<SystemTime>,
}

/// Names the kind of a non-regular file type, or `None` for a regular file.
pub fn irregular_kind(ft: std::fs::FileType) -> Option<&'static str> {
    if ft.is_file() {
        None
    } else if ft.is_dir() {
        Some("directory")
    } else if ft.is_symlink() {
        Some("symlink")
    } else if ft.is_fifo() {
        Some("fifo")
    } else if ft.is_socket() {
        Some("socket")
    } else if ft.is_block_device() || ft.is_char_device() {
        Some("device")
    } else {
        Some("not_regular")
    }
}

/// Reads a regular file of at most `limit` bytes without following symlinks or blocking.
///
/// The kind is checked before opening (`lstat`) and again on the open descriptor
/// (`fstat`), so a file swapped for a FIFO or a symlink in between is still caught.
pub fn read_file(path: &Path, limit: u64) -> Result<RawInput, InputError> {
    // Classify first: opening a socket fails (ENXIO) rather than telling what it is.
    if let Some(kind) = irregular_kind(std::fs::symlink_metadata(path)?.file_type()) {
        return Err(InputError::NotRegular { kind });
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => InputError::NotRegular { kind: "symlink" },
            _ => InputError::Io(e),
        })?;
    let meta = file.metadata()?;
    if let Some(kind) = irregular_kind(meta.file_type()) {
        return Err(InputError::NotRegular { kind });
    }
    if meta.len() > limit {
        return Err(InputError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let bytes = read_limited(file, limit)?;
    let mtime = mtime_of(&meta);
    Ok(RawInput { bytes, mtime })
}

/// Reads standard input (for `newsd process -`), refusing more than `limit` bytes.
pub fn read_stdin(limit: u64) -> Result<RawInput, InputError> {
    let bytes = read_limited(std::io::stdin().lock(), limit)?;
    Ok(RawInput { bytes, mtime: None })
}

fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>, InputError> {
    let mut bytes = Vec::new();
    // Read one byte past the limit to notice a file that grew after fstat.
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    let size = bytes.len() as u64;
    if size > limit {
        return Err(InputError::TooLarge { size, limit });
    }
    Ok(bytes)
}

fn mtime_of(meta: &std::fs::Metadata) -> Option<SystemTime> {
    let secs = u64::try_from(meta.mtime()).ok()?;
    let nanos = u32::try_from(meta.mtime_nsec()).ok()?;
    UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

/// Decodes input bytes to text: UTF-8 (BOM stripped) or UTF-16 with a BOM.
pub fn decode(bytes: &[u8]) -> Result<String, InputError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Empty);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes);
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if let Some(offset) = memchr::memchr(0, body) {
        return Err(InputError::Binary { offset });
    }
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => Err(InputError::Undecodable {
            offset: e.valid_up_to(),
        }),
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, InputError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(InputError::Undecodable {
            offset: bytes.len(),
        });
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    for (i, ch) in char::decode_utf16(units).enumerate() {
        match ch {
            Ok('\0') => return Err(InputError::Binary { offset: 2 + i * 2 }),
            Ok(c) => text.push(c),
            Err(_) => return Err(InputError::Undecodable { offset: 2 + i * 2 }),
        }
    }
    Ok(text)
}

/// Splits a plain-text article into an optional title and the body.
///
/// The first line is a title when it looks like a headline: it is followed by more
/// text, is short (at most 200 characters and 25 words) and does not end like a
/// sentence (`.`, `,`, `;`, `:` or a closing quote after one). Otherwise there is no
/// title and the whole text is the body.
pub fn split_title(text: &str) -> (Option<String>, &str) {
    let trimmed = text.trim_start_matches(['\u{feff}', '\n', '\r', ' ', '\t']);
    let Some((first, rest)) = trimmed.split_once('\n') else {
        return (None, text);
    };
    let line = first.trim();
    let rest_has_text = rest.chars().any(|c| !c.is_whitespace());
    let looks_like_headline = !line.is_empty()
        && rest_has_text
        && line.chars().count() <= 200
        && line.split_whitespace().count() <= 25
        && !line
            .trim_end_matches(['"', '\'', '”', '’', ')'])
            .ends_with(['.', ',', ';', ':']);
    if looks_like_headline {
        (Some(line.to_string()), rest)
    } else {
        (None, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_stripped() {
        assert_eq!(decode(b"\xEF\xBB\xBFhello").unwrap(), "hello");
    }

    #[test]
    fn utf16_le_with_bom_decodes() {
        let bytes = [0xFF, 0xFE, b'h', 0, b'i', 0];
        assert_eq!(decode(&bytes).unwrap(), "hi");
    }

    #[test]
    fn nul_byte_is_binary() {
        let err = decode(b"abc\0def").unwrap_err();
        assert_eq!(err.code(), "binary");
    }

    #[test]
    fn latin1_is_undecodable_with_offset() {
        match decode(b"price \xA3600m") {
            Err(InputError::Undecodable { offset }) => assert_eq!(offset, 6),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn whitespace_only_is_empty() {
        assert_eq!(decode(b" \n\t\n").unwrap_err().code(), "empty");
        assert_eq!(decode(b"").unwrap_err().code(), "empty");
    }

    #[test]
    fn headline_first_line_becomes_title() {
        let (title, body) =
            split_title("Ad sales boost Time Warner profit\n\nQuarterly profits rose.");
        assert_eq!(title.as_deref(), Some("Ad sales boost Time Warner profit"));
        assert_eq!(body.trim(), "Quarterly profits rose.");
    }

    #[test]
    fn sentence_first_line_is_not_a_title() {
        let text = "Chinese President Xi Jinping is set to visit Russia.\nMore text.";
        let (title, body) = split_title(text);
        assert_eq!(title, None);
        assert_eq!(body, text);
    }

    #[test]
    fn single_line_has_no_title() {
        assert_eq!(split_title("Just one line").0, None);
    }
}
