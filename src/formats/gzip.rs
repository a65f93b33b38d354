//! gzip inputs, decompressed with a hard limit so a gzip bomb is refused, not expanded.

use std::io::Read;

/// Why a gzip input was refused.
#[derive(Debug, thiserror::Error)]
pub enum GzipError {
    /// The stream ends early or is corrupt.
    #[error("truncated or corrupt gzip stream: {0}")]
    Truncated(std::io::Error),
    /// Decompressing would exceed the limit.
    #[error("gzip expands past the limit of {limit} bytes (a compression bomb?)")]
    Bomb {
        /// The limit.
        limit: u64,
    },
}

impl GzipError {
    /// Machine-readable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            GzipError::Truncated(_) => "truncated_gzip",
            GzipError::Bomb { .. } => "gzip_bomb",
        }
    }
}

/// True when `bytes` start like a gzip stream.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Decompresses a gzip stream (all members), refusing to produce more than `limit` bytes.
pub fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, GzipError> {
    let mut out = Vec::new();
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    // Read one byte past the limit to tell "exactly the limit" from "more".
    decoder
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(GzipError::Truncated)?;
    if out.len() as u64 > limit {
        return Err(GzipError::Bomb { limit });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn round_trip() {
        let z = gz(b"hello news");
        assert!(is_gzip(&z));
        assert_eq!(gunzip(&z, 100).unwrap(), b"hello news");
    }

    #[test]
    fn truncated_stream_is_refused() {
        let z = gz(&b"hello news ".repeat(100));
        let err = gunzip(&z[..z.len() / 2], 1 << 20).unwrap_err();
        assert_eq!(err.code(), "truncated_gzip");
    }

    #[test]
    fn bombs_stop_at_the_limit() {
        // 64 MiB of zeros compress to ~64 KiB; only limit + 1 bytes are ever produced.
        let z = gz(&vec![0u8; 64 << 20]);
        assert!(z.len() < 100_000);
        let err = gunzip(&z, 1 << 20).unwrap_err();
        assert_eq!(err.code(), "gzip_bomb");
    }
}
