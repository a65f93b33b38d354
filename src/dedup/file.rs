//! The index file `dedup.idx`: a magic header, then fixed-size little-endian entries
//! in the order they were decided.
//!
//! Entry layout (316 bytes): time `u64`, content id (16 bytes), claim hash `u64`, root
//! id (16 bytes), SimHash `u64`, shingles `u32`, 128 MinHash values `u16`. The file is
//! read and rewritten as a stream, so opening or compacting a large index never holds
//! the whole file in memory.

use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::fingerprint::MINHASH_LEN;
use super::store::Entry;

/// File header: magic and format version.
pub const MAGIC: &[u8; 8] = b"NWSDDP01";
/// Bytes per stored entry.
pub const ENTRY_BYTES: usize = 8 + 16 + 8 + 16 + 8 + 4 + MINHASH_LEN * 2;

/// Encodes an entry in its stored form.
pub fn encode(e: &Entry) -> [u8; ENTRY_BYTES] {
    let mut out = [0u8; ENTRY_BYTES];
    let fields: [&[u8]; 6] = [
        &e.time_s.to_le_bytes(),
        &e.id,
        &e.claim.to_le_bytes(),
        &e.root,
        &e.simhash.to_le_bytes(),
        &e.shingles.to_le_bytes(),
    ];
    let mut at = 0;
    for f in fields {
        out[at..at + f.len()].copy_from_slice(f);
        at += f.len();
    }
    for v in e.minhash {
        out[at..at + 2].copy_from_slice(&v.to_le_bytes());
        at += 2;
    }
    out
}

/// Decodes a stored entry.
pub fn decode(b: &[u8; ENTRY_BYTES]) -> Entry {
    let u64_at = |o: usize| {
        let mut v = [0u8; 8];
        v.copy_from_slice(&b[o..o + 8]);
        u64::from_le_bytes(v)
    };
    let id_at = |o: usize| {
        let mut v = [0u8; 16];
        v.copy_from_slice(&b[o..o + 16]);
        v
    };
    let mut minhash = [0u16; MINHASH_LEN];
    for (i, m) in minhash.iter_mut().enumerate() {
        *m = u16::from_le_bytes([b[60 + 2 * i], b[61 + 2 * i]]);
    }
    Entry {
        time_s: u64_at(0),
        id: id_at(8),
        claim: u64_at(24),
        root: id_at(32),
        simhash: u64_at(48),
        shingles: u32::from_le_bytes([b[56], b[57], b[58], b[59]]),
        minhash,
        next: 0,
    }
}

/// Opens (or creates) the index file for appending, cuts a torn last entry, and
/// calls `each` with every whole entry in file order. Returns the file and the number
/// of entries in it.
pub fn open(path: &Path, mut each: impl FnMut(Entry)) -> io::Result<(File, usize)> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    let size = file.metadata()?.len();
    if size == 0 {
        file.write_all(MAGIC)?;
        return Ok((file, 0));
    }
    let not_ours = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a newsd duplicate index", path.display()),
        )
    };
    let body = size.checked_sub(MAGIC.len() as u64).ok_or_else(not_ours)?;
    let whole = body / ENTRY_BYTES as u64;
    let mut reader = BufReader::with_capacity(1 << 16, &file);
    let mut magic = [0u8; 8];
    reader.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(not_ours());
    }
    let mut buf = [0u8; ENTRY_BYTES];
    for _ in 0..whole {
        reader.read_exact(&mut buf)?;
        each(decode(&buf));
    }
    drop(reader);
    if whole * (ENTRY_BYTES as u64) < body {
        // A torn last entry from a crash: cut it.
        file.set_len(MAGIC.len() as u64 + whole * ENTRY_BYTES as u64)?;
    }
    let entries = usize::try_from(whole).map_err(|_| not_ours())?;
    Ok((file, entries))
}

/// Rewrites the file with `entries` only (a temporary file, fsync, then rename over)
/// and returns it opened for appending.
pub fn rewrite<'a>(path: &Path, entries: impl Iterator<Item = &'a Entry>) -> io::Result<File> {
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    {
        let mut w = BufWriter::with_capacity(1 << 16, File::create(&tmp)?);
        w.write_all(MAGIC)?;
        for e in entries {
            w.write_all(&encode(e))?;
        }
        w.into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    OpenOptions::new().append(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_through_their_stored_form() {
        let mut minhash = [0u16; MINHASH_LEN];
        for (i, m) in minhash.iter_mut().enumerate() {
            *m = (i as u16).wrapping_mul(40_503) ^ 0xa5a5;
        }
        let e = Entry {
            minhash,
            simhash: 0x0123_4567_89ab_cdef,
            time_s: 1_800_000_000,
            claim: u64::MAX - 7,
            id: [7; 16],
            root: [9; 16],
            shingles: 123_456,
            next: 0,
        };
        let b = encode(&e);
        assert_eq!(decode(&b), e);
        // The layout is the file format: fixed offsets, little-endian.
        assert_eq!(&b[0..8], &1_800_000_000u64.to_le_bytes());
        assert_eq!(&b[56..60], &123_456u32.to_le_bytes());
        assert_eq!(&b[60..62], &minhash[0].to_le_bytes());
    }

    #[test]
    fn a_foreign_file_is_refused_and_a_torn_entry_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.idx");
        std::fs::write(&path, b"hello world, not an index").unwrap();
        assert!(open(&path, |_| {}).is_err());
        std::fs::write(&path, b"NWS").unwrap();
        assert!(open(&path, |_| {}).is_err(), "shorter than the header");
        let e = decode(&[3u8; ENTRY_BYTES]);
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&encode(&e));
        bytes.extend_from_slice(&[1, 2, 3]);
        std::fs::write(&path, &bytes).unwrap();
        let mut seen = Vec::new();
        let (_, n) = open(&path, |e| seen.push(e)).unwrap();
        assert_eq!((n, seen), (1, vec![e]));
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        assert_eq!(len, MAGIC.len() + ENTRY_BYTES);
    }
}
