//! From recognised mentions to the article's entities: grouping, aliases, salience.
//!
//! The recogniser labels spans one by one. Readers want one entry per real-world
//! entity, so mentions are grouped by their normalised surface form, each group takes
//! the type most of its mentions (weighted by confidence) voted for, and short forms
//! are merged into the full name they abbreviate within the same article: "Xi" into
//! "Xi Jinping", "Putin" into "Vladimir Putin", "EU" into "European Union". Different
//! names of related things ("the Kremlin", "Moscow") are never merged: only a name's
//! own words or its initials make an alias.

use std::collections::HashMap;

use crate::document::{Document, Entity, Span};

/// One recognised mention, as the recogniser gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionIn {
    /// Byte span into the document text.
    pub span: Span,
    /// `PER`, `ORG`, `LOC` or `MISC`.
    pub label: &'static str,
    /// The recogniser's confidence, 0..1.
    pub confidence: f32,
}

/// A group of mentions sharing one normalised surface form.
#[derive(Debug)]
struct Group {
    surface: String,
    words: Vec<String>,
    mentions: Vec<Span>,
    confidences: Vec<f32>,
    votes: HashMap<&'static str, f32>,
}

impl Group {
    fn label(&self) -> &'static str {
        // Highest summed confidence; ties go to the alphabetically first label so the
        // result does not depend on hash order.
        self.votes
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
            .map_or("MISC", |(l, _)| l)
    }
}

/// The surface form used to group mentions: inner whitespace collapsed, a trailing
/// possessive and a leading "the" removed, curly apostrophes made straight.
pub fn normalise(surface: &str) -> String {
    let mut s = surface.split_whitespace().collect::<Vec<_>>().join(" ");
    s = s.replace('’', "'");
    for suffix in ["'s", "'"] {
        if s.len() > suffix.len() + 1 && s.ends_with(suffix) {
            s.truncate(s.len() - suffix.len());
            break;
        }
    }
    let lower = s.to_lowercase();
    if lower.starts_with("the ") && s.len() > 4 {
        s = s[4..].to_string();
    }
    s
}

/// True when `short` names the same thing as `long` within one article: it is the
/// first or last word(s) of `long` (people: "Putin", "Xi"), or its initials ("EU").
fn is_alias(short: &[String], long: &[String], label: &str) -> bool {
    if short.len() >= long.len() || short.is_empty() {
        return false;
    }
    let eq = |a: &[String], b: &[String]| a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y));
    if label == "PER" {
        let tail = &long[long.len() - short.len()..];
        let head = &long[..short.len()];
        return eq(short, tail) || eq(short, head);
    }
    // Other types: initials of the long name's capitalised words ("European Union" → EU).
    if short.len() == 1 {
        let acronym: String = long
            .iter()
            .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
            .filter_map(|w| w.chars().next())
            .collect();
        // Dotted initials count too: "U.S." names "United States".
        let word: String = short[0].chars().filter(|c| *c != '.').collect();
        return acronym.chars().count() >= 2
            && word.chars().all(char::is_uppercase)
            && word == acronym;
    }
    false
}

/// Groups mentions into entities, merges aliases, and scores salience.
///
/// Salience in 0..1 is a weighted sum of four document signals, chosen because news
/// puts what matters first and repeats it: `0.4 × count/max_count + 0.3 × (1 − first
/// mention position / text length) + 0.2 × [mentioned in the lead (first paragraph)]
/// + 0.1 × [named in the title]`. Entities come out most salient first.
pub fn build_entities(doc: &Document, mentions: &[MentionIn]) -> Vec<Entity> {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for m in mentions {
        let surface = normalise(doc.slice(m.span));
        if surface.is_empty() {
            continue;
        }
        let key = surface.to_lowercase();
        let gi = *index.entry(key).or_insert_with(|| {
            groups.push(Group {
                words: surface.split(' ').map(str::to_string).collect(),
                surface: surface.clone(),
                mentions: Vec::new(),
                confidences: Vec::new(),
                votes: HashMap::new(),
            });
            groups.len() - 1
        });
        let g = &mut groups[gi];
        g.mentions.push(m.span);
        g.confidences.push(m.confidence);
        *g.votes.entry(m.label).or_insert(0.0) += m.confidence.max(0.01);
    }

    // Each short group merges into the longest group it is an alias of (the nearest
    // one before its first mention when several qualify).
    let labels: Vec<&'static str> = groups.iter().map(Group::label).collect();
    let mut target: Vec<usize> = (0..groups.len()).collect();
    for i in 0..groups.len() {
        let first = groups[i].mentions[0].start;
        let mut best: Option<(usize, usize, bool)> = None; // (group, words, precedes)
        for j in 0..groups.len() {
            if i == j
                || labels[i] != labels[j]
                || !is_alias(&groups[i].words, &groups[j].words, labels[i])
            {
                continue;
            }
            let precedes = groups[j].mentions[0].start <= first;
            let candidate = (j, groups[j].words.len(), precedes);
            best = match best {
                None => Some(candidate),
                Some(b) => Some(if (candidate.2, candidate.1) > (b.2, b.1) {
                    candidate
                } else {
                    b
                }),
            };
        }
        if let Some((j, _, _)) = best {
            target[i] = j;
        }
    }
    // Follow chains ("Xi" → "Xi Jinping" → "President Xi Jinping") to their end.
    for i in 0..target.len() {
        let mut t = target[i];
        let mut steps = 0;
        while target[t] != t && steps < groups.len() {
            t = target[t];
            steps += 1;
        }
        target[i] = t;
    }

    let lead_end = doc.paragraphs.first().map_or(0, |p| p.end);
    let title = doc.title.as_deref().unwrap_or("").to_lowercase();
    let text_len = doc.text.len().max(1) as f64;
    let mut merged: Vec<Entity> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        let root = target[i];
        let at = *slot.entry(root).or_insert_with(|| {
            merged.push(Entity {
                text: groups[root].surface.clone(),
                kind: labels[root].to_string(),
                count: 0,
                mentions: Vec::new(),
                aliases: Vec::new(),
                salience: 0.0,
                confidence: 0.0,
                tone: None,
            });
            merged.len() - 1
        });
        let e = &mut merged[at];
        e.mentions.extend(&g.mentions);
        e.count += g.mentions.len();
        e.confidence += g.confidences.iter().map(|&c| f64::from(c)).sum::<f64>();
        if !e.aliases.contains(&g.surface) {
            e.aliases.push(g.surface.clone());
        }
    }
    let max_count = merged.iter().map(|e| e.count).max().unwrap_or(1).max(1) as f64;
    for e in &mut merged {
        e.mentions.sort_by_key(|s| s.start);
        e.confidence = (e.confidence / e.count.max(1) as f64).clamp(0.0, 1.0);
        let first = e.mentions.first().map_or(0, |s| s.start) as f64;
        let in_lead = e.mentions.iter().any(|s| s.start < lead_end);
        let in_title = !title.is_empty()
            && e.aliases
                .iter()
                .any(|a| contains_word(&title, &a.to_lowercase()));
        e.salience = 0.4 * (e.count as f64 / max_count)
            + 0.3 * (1.0 - first / text_len)
            + 0.2 * f64::from(u8::from(in_lead))
            + 0.1 * f64::from(u8::from(in_title));
        e.aliases.sort();
    }
    merged.sort_by(|a, b| {
        b.salience
            .total_cmp(&a.salience)
            .then_with(|| a.mentions[0].start.cmp(&b.mentions[0].start))
    });
    merged
}

/// True when `needle` occurs in `hay` between word boundaries.
fn contains_word(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = hay[at + needle.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_with(text: &str, title: Option<&str>) -> Document {
        let mut d = Document::new(title.map(String::from), text.to_string());
        d.paragraphs = vec![Span::new(0, text.find('\n').unwrap_or(text.len()))];
        d
    }

    fn mention(text: &str, needle: &str, nth: usize, label: &'static str) -> MentionIn {
        let start = text
            .match_indices(needle)
            .nth(nth)
            .expect("needle present")
            .0;
        MentionIn {
            span: Span::new(start, start + needle.len()),
            label,
            confidence: 0.9,
        }
    }

    #[test]
    fn short_person_names_merge_into_the_full_name() {
        let text = "Xi Jinping met Vladimir Putin.\nXi said Putin agreed. Xi’s visit ended.";
        let doc = doc_with(text, Some("Xi heads to Moscow"));
        let ms = vec![
            mention(text, "Xi Jinping", 0, "PER"),
            mention(text, "Vladimir Putin", 0, "PER"),
            mention(text, "Xi", 1, "PER"),
            mention(text, "Putin", 1, "PER"),
            mention(text, "Xi’s", 0, "PER"),
        ];
        let es = build_entities(&doc, &ms);
        assert_eq!(es.len(), 2, "{es:?}");
        let xi = es
            .iter()
            .find(|e| e.text == "Xi Jinping")
            .expect("Xi Jinping");
        assert_eq!(xi.count, 3);
        assert_eq!(xi.mentions.len(), 3);
        assert!(xi.aliases.contains(&"Xi".to_string()));
        let putin = es
            .iter()
            .find(|e| e.text == "Vladimir Putin")
            .expect("Putin");
        assert_eq!(putin.count, 2);
        assert!(
            xi.salience > putin.salience,
            "more mentions and in the title"
        );
        assert!(es.iter().all(|e| (0.0..=1.0).contains(&e.salience)));
    }

    #[test]
    fn related_places_stay_distinct() {
        let text = "Moscow said the Kremlin would reply. Moscow later did.";
        let doc = doc_with(text, None);
        let ms = vec![
            mention(text, "Moscow", 0, "LOC"),
            mention(text, "Kremlin", 0, "ORG"),
            mention(text, "Moscow", 1, "LOC"),
        ];
        let es = build_entities(&doc, &ms);
        assert_eq!(es.len(), 2);
        assert_eq!(es[0].text, "Moscow");
        assert_eq!(es[0].count, 2);
    }

    #[test]
    fn initials_merge_into_organisations() {
        let text = "The European Union said the EU would act.";
        let doc = doc_with(text, None);
        let ms = vec![
            mention(text, "European Union", 0, "ORG"),
            mention(text, "EU", 0, "ORG"),
        ];
        let es = build_entities(&doc, &ms);
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].text, "European Union");
        assert_eq!(es[0].count, 2);
    }

    #[test]
    fn dotted_initials_merge() {
        let text = "The United States said the U.S. would act.";
        let doc = doc_with(text, None);
        let ms = vec![
            mention(text, "United States", 0, "LOC"),
            mention(text, "U.S.", 0, "LOC"),
        ];
        let es = build_entities(&doc, &ms);
        assert_eq!(es.len(), 1, "{es:?}");
        assert_eq!(es[0].aliases, ["U.S.", "United States"]);
    }

    #[test]
    fn majority_type_wins_within_a_group() {
        let text = "Jordan won. Jordan scored. Jordan left.";
        let doc = doc_with(text, None);
        let ms = vec![
            mention(text, "Jordan", 0, "PER"),
            mention(text, "Jordan", 1, "PER"),
            mention(text, "Jordan", 2, "LOC"),
        ];
        let es = build_entities(&doc, &ms);
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].kind, "PER");
        assert_eq!(es[0].count, 3);
    }

    #[test]
    fn normalising_strips_possessives_and_articles() {
        assert_eq!(normalise("Russia’s"), "Russia");
        assert_eq!(normalise("the  Kremlin"), "Kremlin");
        assert_eq!(normalise("Xi"), "Xi");
    }
}
