//! Start-up recovery: settle what a previous run left in `work/`.
//!
//! Every file in `work/` was claimed by an earlier run that stopped before releasing it.
//! Its claim token is in its name. If the current outbox file already holds a record
//! with that claim, the record is durable and only the release was lost: release it
//! now. Otherwise it gets processed again, under the same claim (and, if its alert
//! already reached the alerts file, without writing the alert again). Either way each
//! input ends with exactly one record and at most one alert (see `ARCHITECTURE.md`).

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::Path;

use super::Job;
use super::outbox::Outbox;
use crate::claim;

/// What recovery found in `work/`.
#[derive(Debug, Default)]
pub struct Recovery {
    /// Claimed files whose record is already in the outbox: `(work name, original name, claim)`.
    pub done: Vec<(OsString, OsString, String)>,
    /// Claimed files to process again.
    pub redo: Vec<Job>,
}

/// Groups claim tokens by input claim: `c` → item 0 (a whole input), `c.n` → item n.
fn by_claim(tokens: HashSet<String>) -> HashMap<String, HashSet<usize>> {
    let mut out: HashMap<String, HashSet<usize>> = HashMap::new();
    for t in tokens {
        let (base, item) = match t.split_once('.') {
            Some((b, n)) => (b.to_string(), n.parse().unwrap_or(0)),
            None => (t, 0),
        };
        out.entry(base).or_default().insert(item);
    }
    out
}

/// Lists `work/` and splits its files into released-but-not-archived and to-redo.
pub fn scan(work_dir: &Path, outbox: &Outbox, alerts: &Outbox) -> std::io::Result<Recovery> {
    let mut claimed: Vec<(OsString, String, OsString)> = Vec::new();
    for entry in std::fs::read_dir(work_dir)? {
        let entry = entry?;
        let work_name = entry.file_name();
        if work_name.as_encoded_bytes().first() == Some(&b'.') {
            // The instance lock and other dotfiles are ours, not inputs.
            continue;
        }
        match claim::parse_work_name(&work_name) {
            Some((token, name)) => claimed.push((work_name, token, name)),
            None => {
                // Not a name newsd gives: someone put it here by hand. Claim it afresh.
                let token = claim::new_token();
                let fresh = claim::work_name(&token, &work_name);
                std::fs::rename(work_dir.join(&work_name), work_dir.join(&fresh))?;
                claimed.push((fresh, token, work_name));
            }
        }
    }
    let tokens: HashSet<String> = claimed.iter().map(|(_, t, _)| t.clone()).collect();
    let written = by_claim(outbox.find_claims(&tokens)?);
    // An alert is written before its record: a crash in between leaves the alert, which
    // must not be written twice when the input is processed again.
    let alerted = by_claim(alerts.find_claims(&tokens)?);
    let mut recovery = Recovery::default();
    // Oldest claims first, so recovered records keep roughly their original order.
    claimed.sort_by(|a, b| a.1.cmp(&b.1));
    for (work_name, token, name) in claimed {
        let done_items = written.get(&token).cloned().unwrap_or_default();
        if done_items.contains(&0) {
            recovery.done.push((work_name, name, token));
        } else {
            // Batch inputs are read again; items already written are skipped.
            recovery.redo.push(Job::Reclaimed {
                work_name,
                alerted: alerted.get(&token).cloned().unwrap_or_default(),
                claim: token,
                name,
                written: done_items,
            });
        }
    }
    Ok(recovery)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_written_from_unwritten_claims() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir(&work).unwrap();
        let a = claim::new_token();
        let b = claim::new_token();
        std::fs::write(work.join(claim::work_name(&a, "a.txt".as_ref())), "A").unwrap();
        std::fs::write(work.join(claim::work_name(&b, "b.txt".as_ref())), "B").unwrap();
        std::fs::write(work.join("stray.txt"), "S").unwrap();
        std::fs::write(work.join(".lock"), "").unwrap();
        let out = dir.path().join("o.ndjson");
        std::fs::write(&out, format!("{{\"source\":{{\"claim\":\"{a}\"}}}}\n")).unwrap();
        let (outbox, _) = Outbox::open(&out).unwrap();
        let (alerts, _) = Outbox::open(&dir.path().join("alerts.ndjson")).unwrap();
        let r = scan(&work, &outbox, &alerts).unwrap();
        assert_eq!(r.done.len(), 1);
        assert_eq!(r.done[0].1, "a.txt");
        assert_eq!(r.redo.len(), 2);
        let names: Vec<OsString> = r
            .redo
            .iter()
            .map(|j| match j {
                Job::Reclaimed { name, .. } => name.clone(),
                Job::Inbox(n) => n.clone(),
                Job::Nats(d) => d.name.clone().into(),
            })
            .collect();
        assert!(names.contains(&OsString::from("b.txt")));
        assert!(names.contains(&OsString::from("stray.txt")));
    }
}
