//! Real-world inputs through the daemon: batches, JSON, Markdown, gzip, charsets,
//! languages, and the bad inputs of each format.

mod common;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use common::{Daemon, Layout, PATIENCE, article, assert_schema_valid, wait_until};
use serde_json::Value;

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn sidecar(layout: &Layout, name: &str) -> Option<Value> {
    let text = std::fs::read_to_string(layout.failed.join(format!("{name}.error.json"))).ok()?;
    serde_json::from_str(&text).ok()
}

fn by_name<'a>(records: &'a [Value], name: &str) -> Vec<&'a Value> {
    records
        .iter()
        .filter(|r| r["source"]["name"] == name)
        .collect()
}

#[test]
fn ndjson_batch_with_a_broken_line_gives_one_record_per_good_line() {
    let layout = Layout::new("");
    let daemon = Daemon::start(&layout);
    let mut batch = String::new();
    for i in 0..5 {
        let line = serde_json::json!({"title": format!("Story {i}"), "text": article(i), "url": format!("https://news.example/2025/05/0{}/story-{i}", i + 1)});
        batch.push_str(&line.to_string());
        batch.push('\n');
        if i == 2 {
            batch.push_str("{\"title\": \"broken\", \"text\": \n");
        }
    }
    layout.drop_renamed("feed.ndjson", batch.as_bytes());
    let records = layout.wait_records(5);
    let mine = by_name(&records, "feed.ndjson");
    assert_eq!(mine.len(), 5);
    let mut items: Vec<u64> = mine
        .iter()
        .map(|r| r["source"]["item"].as_u64().unwrap())
        .collect();
    items.sort();
    assert_eq!(
        items,
        [1, 2, 3, 5, 6],
        "line numbers, the broken line 4 skipped"
    );
    let ids: std::collections::HashSet<&str> =
        mine.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 5, "each article its own id");
    assert!(
        mine.iter().all(|r| r["published_source"] == "url"),
        "dates from the URLs"
    );
    let sc = sidecar(&layout, "feed.ndjson.item-4").expect("the broken line is recorded");
    assert_eq!(sc["reason"], "json_shape");
    assert_eq!(sc["item"], 4);
    assert!(
        wait_until(PATIENCE, || layout.archived() == 1),
        "the batch is archived once"
    );
    assert!(Layout::entries(&layout.work).is_empty());
    assert_schema_valid(&records);
    daemon.terminate(PATIENCE);
}

#[test]
fn json_markdown_gzip_and_charsets_are_read() {
    let layout = Layout::new("");
    let daemon = Daemon::start(&layout);
    let json = serde_json::json!({"headline": "Rates held", "articleBody": "<p>The central bank held rates on Thursday.</p><p>Markets rose.</p>",
        "datePublished": "2025-05-08T09:00:00Z", "author": {"name": "A. Writer"}});
    layout.drop_renamed("one.json", json.to_string().as_bytes());
    layout.drop_renamed(
        "post.md",
        b"---\ntitle: Pipeline deal signed\ndate: 2025-05-08\n---\n\nThe **deal** was signed on Thursday in Moscow.\n",
    );
    layout.drop_renamed("zipped.txt.gz", &gz(article(8).as_bytes()));
    let (latin, _, _) = encoding_rs::WINDOWS_1252
        .encode("Café owners in Genève said the élite resort’s prices rose 5% to £600m.\n");
    layout.drop_renamed("latin.txt", &latin);
    let utf16: Vec<u8> = "Talks resumed in Vienna on Monday after a week of delays.\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    layout.drop_renamed("wide.txt", &utf16);
    let records = layout.wait_records(5);
    let one = by_name(&records, "one.json")[0];
    assert_eq!(one["title"], "Rates held");
    assert_eq!(one["source"]["format"], "json");
    assert_eq!(one["authors"][0], "A. Writer");
    assert_eq!(one["published_source"], "metadata");
    assert!(
        one["published_at"]
            .as_str()
            .unwrap()
            .starts_with("2025-05-08")
    );
    assert_eq!(
        one["text"],
        "The central bank held rates on Thursday.\n\nMarkets rose."
    );
    let md = by_name(&records, "post.md")[0];
    assert_eq!(md["source"]["format"], "markdown");
    assert_eq!(md["title"], "Pipeline deal signed");
    assert!(!md["text"].as_str().unwrap().contains('*'));
    let z = by_name(&records, "zipped.txt.gz")[0];
    assert_eq!(z["source"]["gzip"], true);
    assert!(z["text"].as_str().unwrap().contains("Maria Santos"));
    let latin = by_name(&records, "latin.txt")[0];
    assert_eq!(latin["source"]["encoding"], "windows-1252");
    assert!(latin["text"].as_str().unwrap().contains("Genève"));
    let wide = by_name(&records, "wide.txt")[0];
    assert_eq!(wide["source"]["encoding"], "UTF-16LE");
    assert!(wide["text"].as_str().unwrap().starts_with("Talks resumed"));
    assert_schema_valid(&records);
    daemon.terminate(PATIENCE);
}

#[test]
fn bad_inputs_of_every_format_end_in_failed_with_a_reason() {
    let layout =
        Layout::new("[inbox]\nmax_bytes = 16777216\n[formats]\nmax_decompressed_bytes = 1048576\n");
    let daemon = Daemon::start(&layout);
    let truncated = gz(&article(1).repeat(20).into_bytes());
    layout.drop_renamed("truncated.txt.gz", &truncated[..truncated.len() / 2]);
    layout.drop_renamed("bomb.txt.gz", &gz(&vec![b'a'; 32 << 20]));
    let deep = format!(
        "<html><body>{}x{}</body></html>",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    layout.drop_renamed("deep.html", deep.as_bytes());
    let mut big = vec![b'a'; 50 << 20];
    big.push(b'\n');
    layout.drop_renamed("huge-line.txt", &big);
    drop(big);
    layout.drop_renamed("shape.json", b"{\"items\": [1, 2, 3]}");
    layout.drop_renamed(
        "nothing.html",
        b"<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav><script>x()</script></body></html>",
    );
    layout.drop_renamed(
        "junk.bin",
        &(0..4096u32)
            .map(|i| (i * 31 % 7) as u8)
            .collect::<Vec<u8>>(),
    );
    layout.drop_renamed("fine.txt", article(2).as_bytes());
    let cases = [
        ("truncated.txt.gz", "truncated_gzip"),
        ("bomb.txt.gz", "gzip_bomb"),
        ("huge-line.txt", "too_large"),
        ("shape.json", "json_shape"),
        ("nothing.html", "no_article"),
        ("junk.bin", "binary"),
    ];
    for (name, reason) in cases {
        assert!(
            wait_until(PATIENCE, || sidecar(&layout, name).is_some()),
            "no sidecar for {name}; log:\n{}",
            daemon.log_text()
        );
        assert_eq!(sidecar(&layout, name).unwrap()["reason"], reason, "{name}");
        // The sidecar is written first, then the input is moved beside it.
        assert!(
            wait_until(PATIENCE, || layout.failed.join(name).exists()),
            "{name} kept in failed/"
        );
    }
    // The deeply nested page either yields its one word or is refused; never a hang.
    assert!(wait_until(PATIENCE, || {
        sidecar(&layout, "deep.html").is_some()
            || layout
                .records()
                .iter()
                .any(|r| r["source"]["name"] == "deep.html")
    }));
    let records = layout.wait_records(1);
    assert!(
        records.iter().any(|r| r["source"]["name"] == "fine.txt"),
        "the daemon kept going"
    );
    assert!(
        Path::new(&layout.work).read_dir().unwrap().all(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with('.'))
    );
    let mut daemon = daemon;
    assert!(daemon.is_running());
    assert_schema_valid(&records);
    std::thread::sleep(Duration::from_millis(100));
    daemon.terminate(PATIENCE);
}

#[test]
fn other_languages_get_correct_records_without_english_only_figures() {
    let layout = Layout::new("");
    let daemon = Daemon::start(&layout);
    layout.drop_renamed(
        "ru.txt",
        "Президент России заявил в пятницу, что переговоры с Китаем продолжатся на следующей неделе в Москве. \
         Министр иностранных дел подтвердил эти планы."
            .as_bytes(),
    );
    layout.drop_renamed(
        "zh.txt",
        "中国国家主席习近平周三开始对俄罗斯进行为期四天的国事访问。双方将签署一系列合作协议。"
            .as_bytes(),
    );
    let records = layout.wait_records(2);
    for r in &records {
        let code = r["language"]["code"].as_str().unwrap();
        assert!(code == "ru" || code == "zh", "{code}");
        assert_eq!(
            r["tone"],
            Value::Null,
            "no English lexicon numbers on {code}"
        );
        assert_eq!(r["topics"], Value::Null);
        assert_eq!(
            r["scores"]["readability"]["flesch_reading_ease"],
            Value::Null
        );
        assert!(r["entities"].as_array().unwrap().is_empty());
        assert!(
            r["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w.as_str().unwrap().contains("English"))
        );
        assert!(
            r["text_stats"]["sentences"].as_u64().unwrap() >= 2,
            "{code}: sentences"
        );
        assert!(r["dedup"]["fingerprint"].is_string());
    }
    let zh = by_name(&records, "zh.txt")[0];
    assert!(
        zh["text_stats"]["words"].as_u64().unwrap() > 20,
        "Chinese is segmented per character, not by spaces"
    );
    assert_schema_valid(&records);
    daemon.terminate(PATIENCE);
}
