//! The benchmarked daemon's config: the bench's own settings plus those given on the
//! command line (`--stages`, `--set key.path=value`).

use super::BenchError;

/// The bench's daemon config `base` with `pipeline.stages` set to `stages` (unless
/// empty) and each `key.path=value` of `settings` applied (the value read as TOML,
/// or as a string when it is not).
pub(super) fn configure(
    base: &str,
    stages: &[String],
    settings: &[String],
) -> Result<String, BenchError> {
    let mut table: toml::Table = base
        .parse()
        .map_err(|e: toml::de::Error| BenchError::Setting(e.to_string()))?;
    let mut all: Vec<(String, toml::Value)> = Vec::new();
    if !stages.is_empty() {
        let list = stages.iter().cloned().map(toml::Value::String).collect();
        all.push(("pipeline.stages".into(), toml::Value::Array(list)));
    }
    for setting in settings {
        let (key, value) = setting
            .split_once('=')
            .ok_or_else(|| BenchError::Setting(format!("{setting:?} is not key=value")))?;
        let value = format!("v = {}", value.trim())
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.trim().to_string()));
        all.push((key.trim().to_string(), value));
    }
    for (key, value) in all {
        let mut parts: Vec<&str> = key.split('.').collect();
        let last = parts
            .pop()
            .filter(|k| !k.is_empty())
            .ok_or_else(|| BenchError::Setting(format!("empty key in {key:?}")))?;
        let mut at = &mut table;
        for part in parts {
            at = at
                .entry(part)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .ok_or_else(|| BenchError::Setting(format!("{key}: {part} is not a table")))?;
        }
        at.insert(last.to_string(), value);
    }
    toml::to_string(&table).map_err(|e| BenchError::Setting(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_reach_the_daemon_config_as_typed_values() {
        let base = "[outbox]\npath = \"outbox/a.ndjson\"\n[pipeline]\nconcurrency = 0\n";
        let stages = ["clean".to_string()];
        let settings = [
            "outbox.commit_delay_ms=8".to_string(),
            "outbox.fsync = never".to_string(),
            "dedup.enabled=false".to_string(),
        ];
        let text = configure(base, &stages, &settings).expect("configure");
        let t: toml::Table = text.parse().expect("valid TOML");
        assert_eq!(t["outbox"]["commit_delay_ms"].as_integer(), Some(8));
        assert_eq!(t["outbox"]["fsync"].as_str(), Some("never"));
        assert_eq!(t["outbox"]["path"].as_str(), Some("outbox/a.ndjson"));
        assert_eq!(t["dedup"]["enabled"].as_bool(), Some(false));
        assert_eq!(t["pipeline"]["concurrency"].as_integer(), Some(0));
        let listed: Vec<&str> = t["pipeline"]["stages"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(toml::Value::as_str)
            .collect();
        assert_eq!(listed, ["clean"]);
        assert!(configure(base, &[], &["outbox.commit_delay_ms".to_string()]).is_err());
        assert!(configure(base, &[], &["outbox.path.x=1".to_string()]).is_err());
        assert_eq!(
            configure(base, &[], &[])
                .expect("unchanged")
                .parse::<toml::Table>()
                .ok(),
            base.parse::<toml::Table>().ok()
        );
    }
}
