//! Entity types, the BILOU tag set the tagger predicts, and conversions between
//! tag sequences (IOB1, IOB2, BILOU) and entity spans.
//!
//! The tagger predicts BILOU tags (Begin, Inside, Last, Unit, plus O) because they
//! make entity boundaries explicit: Ratinov & Roth (2009) found BILOU clearly better
//! than IOB for greedy linear taggers. Corpora come as IOB1 or IOB2; both are read
//! into spans, and spans are what scoring compares.

use serde::Serialize;

/// The four CoNLL-2003 entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum EntityLabel {
    /// A person.
    Per,
    /// An organisation (companies, ministries, teams, parties).
    Org,
    /// A location (countries, cities, regions, geographic features).
    Loc,
    /// Other names: nationalities, events, products, works, languages.
    Misc,
}

impl EntityLabel {
    /// All labels, in class-index order.
    pub const ALL: [EntityLabel; 4] = [
        EntityLabel::Per,
        EntityLabel::Org,
        EntityLabel::Loc,
        EntityLabel::Misc,
    ];

    /// The CoNLL name: `PER`, `ORG`, `LOC` or `MISC`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityLabel::Per => "PER",
            EntityLabel::Org => "ORG",
            EntityLabel::Loc => "LOC",
            EntityLabel::Misc => "MISC",
        }
    }

    /// Parses a CoNLL type name.
    pub fn parse(s: &str) -> Option<EntityLabel> {
        match s {
            "PER" => Some(EntityLabel::Per),
            "ORG" => Some(EntityLabel::Org),
            "LOC" => Some(EntityLabel::Loc),
            "MISC" => Some(EntityLabel::Misc),
            _ => None,
        }
    }

    /// Index in [`EntityLabel::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// An entity as a token range of one sentence (`end` exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntitySpan {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Its type.
    pub label: EntityLabel,
}

/// Position of a token inside an entity, in the BILOU scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// First token of a multi-token entity.
    Begin,
    /// Inner token of an entity of three or more tokens.
    Inside,
    /// Last token of a multi-token entity.
    Last,
    /// A one-token entity.
    Unit,
}

/// Number of tagger classes: O plus 4 positions × 4 types.
pub const NUM_CLASSES: usize = 17;

/// A BILOU tag as a class index: 0 is O, then `1 + type * 4 + position`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Tag(pub u8);

impl Tag {
    /// Outside any entity.
    pub const O: Tag = Tag(0);

    /// The tag for a type and position.
    pub fn new(label: EntityLabel, pos: Position) -> Tag {
        let p = match pos {
            Position::Begin => 0,
            Position::Inside => 1,
            Position::Last => 2,
            Position::Unit => 3,
        };
        Tag(1 + label.index() as u8 * 4 + p)
    }

    /// Class index, `0..NUM_CLASSES`.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// Type and position, or `None` for O.
    pub fn parts(self) -> Option<(EntityLabel, Position)> {
        if self.0 == 0 || self.index() >= NUM_CLASSES {
            return None;
        }
        let k = self.0 - 1;
        let pos = match k % 4 {
            0 => Position::Begin,
            1 => Position::Inside,
            2 => Position::Last,
            _ => Position::Unit,
        };
        Some((EntityLabel::ALL[(k / 4) as usize], pos))
    }

    /// True when an entity is still open after this tag (B or I).
    pub fn is_open(self) -> bool {
        matches!(self.parts(), Some((_, Position::Begin | Position::Inside)))
    }

    /// Whether `next` may follow `self` in a well-formed BILOU sequence.
    pub fn allows(self, next: Tag) -> bool {
        match (self.parts(), next.parts()) {
            (Some((a, Position::Begin | Position::Inside)), Some((b, p))) => {
                a == b && matches!(p, Position::Inside | Position::Last)
            }
            (Some((_, Position::Begin | Position::Inside)), None) => false,
            (_, Some((_, Position::Inside | Position::Last))) => false,
            _ => true,
        }
    }

    /// Short name such as `B-PER`, `U-LOC` or `O`.
    pub fn name(self) -> String {
        match self.parts() {
            None => "O".to_string(),
            Some((l, p)) => {
                let c = match p {
                    Position::Begin => 'B',
                    Position::Inside => 'I',
                    Position::Last => 'L',
                    Position::Unit => 'U',
                };
                format!("{c}-{}", l.as_str())
            }
        }
    }
}

/// BILOU tags for a sentence of `len` tokens holding `spans` (non-overlapping).
pub fn spans_to_bilou(len: usize, spans: &[EntitySpan]) -> Vec<Tag> {
    let mut tags = vec![Tag::O; len];
    for s in spans {
        if s.start >= s.end || s.end > len {
            continue;
        }
        if s.end - s.start == 1 {
            tags[s.start] = Tag::new(s.label, Position::Unit);
            continue;
        }
        tags[s.start] = Tag::new(s.label, Position::Begin);
        for t in &mut tags[s.start + 1..s.end - 1] {
            *t = Tag::new(s.label, Position::Inside);
        }
        tags[s.end - 1] = Tag::new(s.label, Position::Last);
    }
    tags
}

/// Entity spans of a BILOU sequence. Ill-formed runs are read leniently: a type change
/// or a B after an open entity closes it, and an I or L with nothing open starts one,
/// so a decoder's stray tag still yields a sensible span.
pub fn bilou_to_spans(tags: &[Tag]) -> Vec<EntitySpan> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, EntityLabel)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let parts = tag.parts();
        if let Some((start, label)) = open {
            let continues =
                matches!(parts, Some((l, Position::Inside | Position::Last)) if l == label);
            if !continues {
                spans.push(EntitySpan {
                    start,
                    end: i,
                    label,
                });
                open = None;
            }
        }
        match parts {
            None => {}
            // A U always closed what was open above.
            Some((label, Position::Unit)) => spans.push(EntitySpan {
                start: i,
                end: i + 1,
                label,
            }),
            Some((label, Position::Begin)) => open = Some((i, label)),
            Some((label, Position::Inside)) if open.is_none() => open = Some((i, label)),
            Some((_, Position::Inside)) => {}
            Some((label, Position::Last)) => {
                let start = open.map_or(i, |(s, _)| s);
                spans.push(EntitySpan {
                    start,
                    end: i + 1,
                    label,
                });
                open = None;
            }
        }
    }
    if let Some((start, label)) = open {
        spans.push(EntitySpan {
            start,
            end: tags.len(),
            label,
        });
    }
    spans
}

/// Entity spans of an IOB column (IOB1 or IOB2: `B-` always starts an entity, `I-`
/// starts one unless it continues an entity of the same type), as conlleval reads
/// them. Unknown tags are treated as O.
pub fn iob_to_spans<S: AsRef<str>>(tags: &[S]) -> Vec<EntitySpan> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, EntityLabel)> = None;
    for (i, raw) in tags.iter().enumerate() {
        let raw = raw.as_ref();
        let (prefix, label) = match raw.split_once('-') {
            Some((p, t)) => (p, EntityLabel::parse(t)),
            None => ("O", None),
        };
        let starts = match (label, open) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(l), Some((_, ol))) => prefix == "B" || l != ol,
        };
        if let Some((start, ol)) = open
            && (label.is_none() || starts)
        {
            spans.push(EntitySpan {
                start,
                end: i,
                label: ol,
            });
            open = None;
        }
        if starts && let Some(l) = label {
            open = Some((i, l));
        }
    }
    if let Some((start, label)) = open {
        spans.push(EntitySpan {
            start,
            end: tags.len(),
            label,
        });
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize, label: EntityLabel) -> EntitySpan {
        EntitySpan { start, end, label }
    }

    #[test]
    fn iob1_and_iob2_give_the_same_spans() {
        let iob1 = [
            "I-ORG", "O", "I-MISC", "O", "I-PER", "I-PER", "B-PER", "I-LOC",
        ];
        let iob2 = [
            "B-ORG", "O", "B-MISC", "O", "B-PER", "I-PER", "B-PER", "B-LOC",
        ];
        let want = vec![
            span(0, 1, EntityLabel::Org),
            span(2, 3, EntityLabel::Misc),
            span(4, 6, EntityLabel::Per),
            span(6, 7, EntityLabel::Per),
            span(7, 8, EntityLabel::Loc),
        ];
        assert_eq!(iob_to_spans(&iob1), want);
        assert_eq!(iob_to_spans(&iob2), want);
    }

    #[test]
    fn bilou_round_trips_spans() {
        let spans = vec![
            span(0, 1, EntityLabel::Org),
            span(2, 5, EntityLabel::Per),
            span(5, 7, EntityLabel::Loc),
        ];
        let tags = spans_to_bilou(8, &spans);
        let names: Vec<String> = tags.iter().map(|t| t.name()).collect();
        assert_eq!(
            names,
            [
                "U-ORG", "O", "B-PER", "I-PER", "L-PER", "B-LOC", "L-LOC", "O"
            ]
        );
        assert_eq!(bilou_to_spans(&tags), spans);
    }

    #[test]
    fn ill_formed_bilou_is_read_leniently() {
        let b = |l, p| Tag::new(l, p);
        let tags = [
            b(EntityLabel::Per, Position::Begin),
            Tag::O,
            b(EntityLabel::Loc, Position::Inside),
            b(EntityLabel::Loc, Position::Last),
            b(EntityLabel::Org, Position::Begin),
        ];
        assert_eq!(
            bilou_to_spans(&tags),
            vec![
                span(0, 1, EntityLabel::Per),
                span(2, 4, EntityLabel::Loc),
                span(4, 5, EntityLabel::Org)
            ]
        );
    }

    #[test]
    fn transitions_follow_bilou() {
        let per_b = Tag::new(EntityLabel::Per, Position::Begin);
        let per_l = Tag::new(EntityLabel::Per, Position::Last);
        let loc_l = Tag::new(EntityLabel::Loc, Position::Last);
        assert!(per_b.allows(per_l));
        assert!(!per_b.allows(loc_l));
        assert!(!per_b.allows(Tag::O));
        assert!(!Tag::O.allows(per_l));
        assert!(per_l.allows(Tag::new(EntityLabel::Loc, Position::Unit)));
    }
}
