//! The whole pipeline on decoded text. The first byte chooses the path: even, the
//! daemon's own `article::build` (format reading, language, date, stages, record);
//! odd, the stages on the text as a document forced to English, so the English-only
//! parts (keyphrases, entities, tone, topics) run on every input, not only on the ones
//! the language detector calls English.
#![no_main]

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Instant;

use libfuzzer_sys::fuzz_target;
use newsd::article::{self, BuildContext, ItemOutcome, Origin};
use newsd::config::Config;
use newsd::document::Document;
use newsd::input::RawInput;
use newsd::lang::Language;
use newsd::pipeline::Pipeline;

fn setup() -> &'static (Config, Pipeline) {
    static SETUP: OnceLock<(Config, Pipeline)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let config = Config::default();
        let pipeline = Pipeline::build(&config.pipeline).expect("the default pipeline builds");
        (config, pipeline)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (config, pipeline) = setup();
    if mode % 2 == 0 {
        let raw = RawInput {
            bytes: rest.to_vec(),
            mtime: None,
        };
        let origin = Origin {
            name: "fuzz.txt".into(),
            path: "inbox/fuzz.txt".into(),
            claim: "0-fuzz-0".into(),
            received_at: "2025-01-01T00:00:00Z".into(),
        };
        let ctx = BuildContext {
            pipeline,
            formats: &config.formats,
            include_text: true,
        };
        if let Ok(built) = article::build(&raw, &origin, ctx, &HashSet::new(), Instant::now()) {
            for outcome in built.items {
                if let ItemOutcome::Record(p) = outcome {
                    let line = p.record.to_line();
                    assert!(line.ends_with(b"\n"));
                }
            }
        }
    } else {
        let (title, body) = newsd::input::split_title(text);
        let mut doc = Document::new(title, body.to_string());
        doc.language = Some(Language {
            code: "en".into(),
            confidence: 1.0,
        });
        let _ = pipeline.run(&mut doc);
        for s in doc.sentences.iter().chain(&doc.paragraphs) {
            assert!(
                doc.text.get(s.start..s.end).is_some(),
                "spans on char boundaries"
            );
        }
    }
});
