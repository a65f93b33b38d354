//! Tests of the three extractors on real text: the seed article, and the BBC corpus
//! when it is present on this machine.

use std::path::Path;
use std::time::Instant;

use time::macros::date;

use super::testutil::doc;
use super::*;
use crate::document::Document;

const SEED: &str = include_str!("../../../../seeds/xi-jinping-russia-visit.txt");

/// Where the BBC corpus lives on development machines; tests skip it when absent.
const BBC: &str = "/work/shared/data/bbc-news/articles";

#[test]
fn seed_dates() {
    // Published on Tuesday 6 May 2025.
    let got: Vec<_> = find_dates(&doc(SEED), date!(2025 - 05 - 06))
        .into_iter()
        .map(|d| (d.text, d.value, d.granularity, d.relative, d.event_year))
        .collect();
    let want = vec![
        ("Wednesday", "2025-05-07", Granularity::Day, true, None),
        ("this year", "2025", Granularity::Year, true, None),
        ("Friday", "2025-05-09", Granularity::Day, true, None),
        (
            "80th anniversary",
            "2025",
            Granularity::Year,
            true,
            Some(1945),
        ),
    ];
    let want: Vec<_> = want
        .into_iter()
        .map(|(a, b, g, r, e)| (a.to_string(), b.to_string(), g, r, e))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn seed_quotes() {
    let d = doc(SEED);
    let got = find_quotes(&d);
    let texts: Vec<_> = got.iter().map(|q| q.text.as_str()).collect();
    // Zakharova "calling the summit one of the key events" is reported, not quoted.
    assert_eq!(texts, vec!["no limits", "exceptionalism"]);
    assert!(got.iter().all(|q| q.speaker.is_none()));
    assert!(got.iter().all(|q| d.slice(q.span) == q.text));
}

#[test]
fn seed_amounts() {
    let got: Vec<_> = find_amounts(&doc(SEED))
        .into_iter()
        .map(|a| (a.text, a.kind, a.value, a.unit))
        .collect();
    let want: Vec<_> = [
        ("four-day", 4.0, "day"),
        ("two nations", 2.0, "nations"),
        ("two leaders", 2.0, "leaders"),
    ]
    .into_iter()
    .map(|(t, v, u)| (t.to_string(), AmountKind::Quantity, v, u.to_string()))
    .collect();
    // "80th" is an ordinal and "Siberia 2" a name: neither is an amount.
    assert_eq!(got, want);
}

#[test]
fn json_shape() {
    let d = doc("\"Profits rose 5% to $2bn,\" she said on Friday.");
    let value = serde_json::json!({
        "dates": find_dates(&d, date!(2025 - 05 - 06)),
        "quotes": find_quotes(&d),
        "amounts": find_amounts(&d),
    });
    let date = &value["dates"][0];
    assert_eq!(date["value"], "2025-05-02");
    assert_eq!(date["granularity"], "day");
    assert_eq!(date["event_year"], serde_json::Value::Null);
    assert_eq!(value["quotes"][0]["speaker"]["cue"], "after");
    assert_eq!(value["amounts"][0]["kind"], "percent");
    assert_eq!(value["amounts"][1]["unit"], "USD");
    assert_eq!(value["amounts"][1]["value"], 2e9);
}

/// Spans lie on character boundaries, match their text, and do not overlap.
fn check_spans(d: &Document, spans: &[(Span, &str)], what: &str) {
    let mut end = 0;
    for (span, text) in spans {
        assert!(span.start >= end, "{what} overlap at {span:?}");
        assert!(!span.is_empty(), "{what} empty at {span:?}");
        assert_eq!(d.text.get(span.start..span.end), Some(*text), "{what}");
        end = span.end;
    }
}

#[test]
fn bbc_corpus_invariants() {
    let dir = Path::new(BBC);
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("skipping: the BBC corpus is not at {BBC} on this machine");
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let (mut dates, mut quotes, mut speakers, mut amounts) = (0, 0, 0, 0);
    for path in paths.iter().take(150) {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let d = doc(&text);
        let found = find_dates(&d, date!(2005 - 02 - 07));
        let spans: Vec<_> = found.iter().map(|m| (m.span, m.text.as_str())).collect();
        check_spans(&d, &spans, "date");
        dates += found.len();
        let found = find_quotes(&d);
        let spans: Vec<_> = found.iter().map(|q| (q.span, q.text.as_str())).collect();
        check_spans(&d, &spans, "quote");
        for q in &found {
            if let Some(s) = &q.speaker {
                assert_eq!(d.slice(s.span), s.text);
                speakers += 1;
            }
        }
        quotes += found.len();
        let found = find_amounts(&d);
        let spans: Vec<_> = found.iter().map(|a| (a.span, a.text.as_str())).collect();
        check_spans(&d, &spans, "amount");
        assert!(found.iter().all(|a| a.value.is_finite()));
        amounts += found.len();
    }
    eprintln!(
        "BBC sample: {dates} dates, {quotes} quotes ({speakers} with a speaker), {amounts} amounts"
    );
    // The business articles first in the corpus are full of all three.
    assert!(dates > 300 && quotes > 200 && speakers > 150 && amounts > 600);
}

/// Run with `cargo test --release --lib -- --ignored facts_speed --nocapture`.
#[test]
#[ignore = "timing; meaningful in release builds only"]
fn facts_speed() {
    let mut texts = vec![("seed".to_string(), SEED.to_string())];
    let bbc = Path::new(BBC).join("bbc-0001.txt");
    if let Ok(text) = std::fs::read_to_string(&bbc) {
        texts.push(("bbc-0001".to_string(), text));
    }
    for (name, text) in texts {
        let d = doc(&text);
        let rounds = 20_000u32;
        let time = |f: &dyn Fn() -> usize| {
            let started = Instant::now();
            let mut found = 0;
            for _ in 0..rounds {
                found += f();
            }
            (started.elapsed() / rounds, found)
        };
        let (dates, _) = time(&|| find_dates(&d, date!(2025 - 05 - 06)).len());
        let (quotes, _) = time(&|| find_quotes(&d).len());
        let (amounts, _) = time(&|| find_amounts(&d).len());
        eprintln!(
            "facts on {name} ({} bytes): dates {dates:?}, quotes {quotes:?}, amounts {amounts:?}, \
             total {:?}",
            text.len(),
            dates + quotes + amounts
        );
    }
}

/// Prints what the extractors find in the files named by `FACTS_DUMP` (separated by
/// commas), for reviewing precision by eye:
/// `FACTS_DUMP=a.txt,b.txt cargo test --lib -- --ignored facts_dump --nocapture`.
#[test]
#[ignore = "a review aid, not a check"]
fn facts_dump() {
    let Ok(list) = std::env::var("FACTS_DUMP") else {
        eprintln!("skipping: set FACTS_DUMP to a comma-separated list of files");
        return;
    };
    for path in list.split(',') {
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("cannot read {path}");
            continue;
        };
        let d = doc(&text);
        eprintln!("=== {path}");
        for m in find_dates(&d, date!(2005 - 02 - 07)) {
            eprintln!("DATE   {:?} → {} ({:?})", m.text, m.value, m.granularity);
        }
        for q in find_quotes(&d) {
            let who = q.speaker.map(|s| {
                let resolved = s
                    .resolved
                    .map(|m| format!(" = {}", m.text))
                    .unwrap_or_default();
                format!("{} [{:?}]{resolved}", s.text, s.cue)
            });
            eprintln!(
                "QUOTE  {:?} — {}",
                q.text,
                who.unwrap_or_else(|| "-".into())
            );
        }
        for a in find_amounts(&d) {
            eprintln!(
                "AMOUNT {:?} → {} {} ({:?})",
                a.text, a.value, a.unit, a.kind
            );
        }
    }
}

#[test]
fn sentence_range_is_exact_in_real_sentences_and_bounded_in_run_ons() {
    let d = doc("He said it. The minister agreed on Friday.");
    let t = Toks::new(&d);
    assert_eq!(t.sentence_range(1), 0..4);
    assert_eq!(t.sentence_range(5), 4..10);
    assert_eq!(t.sentence_range(99), 99..99);
    // One "sentence" of 70,000 tokens: the range stops SENTENCE_REACH tokens away.
    let d = doc(&"the minister said we will win and ".repeat(10_000));
    let t = Toks::new(&d);
    assert_eq!(d.sentences.len(), 1);
    assert_eq!(t.sentence_range(0), 0..SENTENCE_REACH + 1);
    let mid = t.len() / 2;
    assert_eq!(
        t.sentence_range(mid),
        mid - SENTENCE_REACH..mid + SENTENCE_REACH + 1
    );
}

#[test]
fn quotes_dates_and_amounts_in_a_run_on_sentence_take_linear_time() {
    // No full stop anywhere: every quote, date and amount used to scan the whole
    // "sentence" around it, so 10,000 of them took about a minute unoptimised.
    let text = "the minister said \"we will win\" on Friday and paid $5m and ".repeat(10_000);
    let d = doc(&text);
    let started = Instant::now();
    assert_eq!(find_quotes(&d).len(), 10_000);
    assert!(!find_dates(&d, date!(2025 - 05 - 06)).is_empty());
    assert!(!find_amounts(&d).is_empty());
    let took = started.elapsed();
    assert!(took.as_secs() < 30, "{took:?}");
}
