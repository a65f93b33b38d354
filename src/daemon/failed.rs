//! The failed folder: where refused inputs go, each with a machine-readable reason.
//!
//! A refused input is moved to `failed/<name>` (or `failed/<name>.<claim>` when the
//! name is taken) next to `<that name>.error.json`. The sidecar is written first, so a
//! crash between the two steps leaves the input in `work/`, where the next start
//! refuses it again and rewrites the same sidecar: nothing is lost or doubled.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::fsutil;

/// Schema of the sidecar files.
pub const FAILURE_SCHEMA: &str = "newsd.failure/1";

/// The content of `<name>.error.json`.
#[derive(Debug, Serialize)]
pub struct Failure<'a> {
    /// Always [`FAILURE_SCHEMA`].
    pub schema: &'static str,
    /// Machine-readable reason (`empty`, `binary`, `too_large`, `symlink`, ...).
    pub reason: &'a str,
    /// Human-readable detail.
    pub message: String,
    /// File name as dropped.
    pub name: String,
    /// Path as received in the inbox.
    pub path: String,
    /// Claim token, when the input was claimed.
    pub claim: Option<&'a str>,
    /// For one element of a batch input: its line (NDJSON) or position (array).
    pub item: Option<usize>,
    /// Where the input is now (`null` when it could not be moved).
    pub stored_as: Option<String>,
    /// When it was refused, RFC 3339 UTC.
    pub time: String,
    /// The newsd version that refused it.
    pub newsd_version: &'static str,
}

impl<'a> Failure<'a> {
    fn new(
        reason: &'a str,
        message: String,
        name: &OsStr,
        inbox_path: &Path,
        claim: Option<&'a str>,
        stored_as: Option<String>,
    ) -> Self {
        Self {
            schema: FAILURE_SCHEMA,
            reason,
            message,
            name: name.to_string_lossy().into_owned(),
            path: inbox_path.join(name).to_string_lossy().into_owned(),
            claim,
            item: None,
            stored_as,
            time: crate::clock::now_rfc3339(),
            newsd_version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// The failure object of an input that is not a file (a bus message), as one JSON line:
/// the same fields as `<name>.error.json`, for the dead-letter header.
pub fn failure_json(
    reason: &str,
    message: String,
    name: &str,
    path: &str,
    claim: Option<&str>,
    item: Option<usize>,
) -> String {
    let failure = Failure {
        schema: FAILURE_SCHEMA,
        reason,
        message,
        name: name.to_string(),
        path: path.to_string(),
        claim,
        item,
        stored_as: None,
        time: crate::clock::now_rfc3339(),
        newsd_version: env!("CARGO_PKG_VERSION"),
    };
    // Strings and numbers only: serialising cannot fail.
    serde_json::to_string(&failure).unwrap_or_else(|_| format!("{{\"reason\":\"{reason}\"}}"))
}

/// Moves a claimed input from `work/` to `failed/` with its sidecar. Returns where the
/// input ended up.
pub fn refuse(
    failed_dir: &Path,
    work_path: &Path,
    name: &OsStr,
    claim: &str,
    inbox_path: &Path,
    reason: &str,
    message: String,
) -> std::io::Result<PathBuf> {
    let target = free_name(failed_dir, name, claim);
    let Some(target_name) = target.file_name() else {
        return Err(std::io::Error::other("failed path has no file name"));
    };
    let stored_as = Some(target.to_string_lossy().into_owned());
    let failure = Failure::new(reason, message, name, inbox_path, Some(claim), stored_as);
    write_sidecar(failed_dir, target_name, &failure)?;
    let at = fsutil::move_unique(work_path, failed_dir, target_name, claim)?;
    tracing::warn!(
        reason,
        message = %failure.message,
        name = %failure.name,
        failed = %at.display(),
        "input refused"
    );
    Ok(at)
}

/// Records an input that could not even be moved out of the inbox (e.g. no permission).
/// It stays where it is; the sidecar in `failed/` says why.
pub fn refuse_in_place(
    failed_dir: &Path,
    inbox_path: &Path,
    name: &OsStr,
    reason: &str,
    message: String,
) -> std::io::Result<()> {
    let failure = Failure::new(reason, message, name, inbox_path, None, None);
    tracing::warn!(reason, message = %failure.message, name = %failure.name, "input refused in place");
    write_sidecar(failed_dir, name, &failure)
}

/// Records one element of a batch input that is not an article, beside the others'
/// records: `failed/<name>.item-<n>.error.json`. The batch input itself is archived
/// with its records, so the element's content is kept there; writing the same sidecar
/// again after a crash is harmless.
pub fn refuse_item(
    failed_dir: &Path,
    name: &OsStr,
    claim: &str,
    inbox_path: &Path,
    item: usize,
    reason: &str,
    message: String,
) -> std::io::Result<()> {
    let mut failure = Failure::new(reason, message, name, inbox_path, Some(claim), None);
    failure.item = Some(item);
    let mut sidecar_name = name.to_os_string();
    sidecar_name.push(format!(".item-{item}"));
    tracing::warn!(reason, item, message = %failure.message, name = %failure.name, "batch item refused");
    write_sidecar(failed_dir, &sidecar_name, &failure)
}

/// `failed/<name>` unless an input of that name is already there, then `<name>.<claim>`.
fn free_name(failed_dir: &Path, name: &OsStr, claim: &str) -> PathBuf {
    let first = failed_dir.join(name);
    if std::fs::symlink_metadata(&first).is_err() {
        return first;
    }
    let mut alt = name.to_os_string();
    alt.push(".");
    alt.push(claim);
    failed_dir.join(alt)
}

fn write_sidecar(failed_dir: &Path, name: &OsStr, failure: &Failure<'_>) -> std::io::Result<()> {
    let mut sidecar = name.to_os_string();
    sidecar.push(".error.json");
    let mut body = serde_json::to_vec_pretty(failure).map_err(std::io::Error::other)?;
    body.push(b'\n');
    fsutil::write_atomic(&failed_dir.join(sidecar), &body)
}
