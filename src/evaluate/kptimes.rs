//! Reading KPTimes-style JSON Lines keyphrase datasets (`*.jsonl` in the folder).
//!
//! Each line is one article: `id`, `title`, `abstract` (the full text, despite the
//! name) and `keyword`, a list of synonym lists (`[["Donald Trump"], ["Republican
//! National Convention", "RNC"]]`), or a string holding one in Python syntax
//! (`"[['Donald Trump'], ...]"`, as the dataset's description has it). Each
//! synonym list is one gold keyphrase: its first form is the one reported, and a
//! prediction matching any of its forms matches it.

use std::path::Path;

use serde::Deserialize;

use super::corpus::{CorpusError, Sample};

/// The fields of one line that the evaluation reads.
#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(rename = "abstract")]
    body: String,
    keyword: serde_json::Value,
}

/// The synonym lists of a `keyword` field, in either form.
fn keyword_lists(value: &serde_json::Value) -> Vec<Vec<String>> {
    use serde_json::Value;
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.trim().to_string()],
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| s.trim().to_string())
                .collect(),
            _ => Vec::new(),
        }
    };
    match value {
        Value::String(s) => synonym_lists(s),
        Value::Array(groups) => groups
            .iter()
            .map(|g| strings(g).into_iter().filter(|s| !s.is_empty()).collect())
            .collect(),
        _ => Vec::new(),
    }
}

/// Reads every `*.jsonl` file of `dir` (in name order), one sample per line, sorted
/// by id. `Ok(None)` when the folder has no such file.
pub(super) fn load(dir: &Path) -> Result<Option<Vec<Sample>>, CorpusError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CorpusError::Io { path, source }
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Ok(None);
    }
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let record: Record = serde_json::from_str(line).map_err(|e| CorpusError::Layout {
                dir: path.clone(),
                message: format!("line {}: {e}", n + 1),
            })?;
            let groups = keyword_lists(&record.keyword);
            out.push(Sample {
                name: record.id,
                title: record.title.filter(|t| !t.trim().is_empty()),
                body: record.body,
                gold: groups.iter().filter_map(|g| g.first().cloned()).collect(),
                alternatives: groups
                    .into_iter()
                    .filter(|g| !g.is_empty())
                    .map(|g| g.into_iter().skip(1).collect())
                    .collect(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(out))
}

/// The quoted strings of a Python-style list of lists, grouped by inner list. Quotes
/// are `'` or `"`, with `\` escaping the next character; anything malformed ends
/// the string or list where it stands rather than failing.
fn synonym_lists(text: &str) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' => depth += 1,
            ']' => {
                if depth == 2 && !current.is_empty() {
                    groups.push(std::mem::take(&mut current));
                }
                depth = depth.saturating_sub(1);
            }
            '\'' | '"' => {
                let mut s = String::new();
                while let Some(d) = chars.next() {
                    match d {
                        '\\' => s.extend(chars.next()),
                        d if d == c => break,
                        d => s.push(d),
                    }
                }
                let s = s.trim();
                if !s.is_empty() {
                    if depth >= 2 {
                        current.push(s.to_string());
                    } else {
                        groups.push(vec![s.to_string()]);
                    }
                }
            }
            _ => {}
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_lists_of_synonyms() {
        let got = synonym_lists(
            r#"[['Donald Trump'], ['Republican National Convention', 'RNC'], ["Women's Rights"], ['It\'s']]"#,
        );
        assert_eq!(
            got,
            [
                vec!["Donald Trump".to_string()],
                vec!["Republican National Convention".into(), "RNC".into()],
                vec!["Women's Rights".into()],
                vec!["It's".into()],
            ]
        );
        assert_eq!(synonym_lists("['a', 'b']"), [vec!["a"], vec!["b"]]);
        assert!(synonym_lists("[[").is_empty());
        let json: serde_json::Value =
            serde_json::from_str(r#"[["Ebola"], ["NYC", "New York"]]"#).expect("json");
        assert_eq!(
            keyword_lists(&json),
            [
                vec!["Ebola".to_string()],
                vec!["NYC".into(), "New York".into()]
            ]
        );
    }

    #[test]
    fn loads_a_jsonl_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(load(dir.path()).expect("reads").is_none());
        std::fs::write(
            dir.path().join("s.jsonl"),
            "{\"id\": \"b\", \"title\": \"T\", \"abstract\": \"Body.\", \"keyword\": \"[['Ebola'], ['NYC', 'New York']]\"}\n\
             {\"id\": \"a\", \"abstract\": \"x\", \"keyword\": \"[]\"}\n",
        )
        .expect("write");
        let got = load(dir.path()).expect("reads").expect("some");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "a");
        assert_eq!(got[1].gold, ["Ebola", "NYC"]);
        assert_eq!(got[1].alternatives, [vec![], vec!["New York".to_string()]]);
        assert_eq!(got[1].title.as_deref(), Some("T"));
    }
}
