//! Block-level cleanup of the extractor's output: what is left of page furniture
//! once it is text. Every rule is generic (no site knows about): the headline and
//! standfirst above the body, link lists, boilerplate phrases, share-button rows,
//! and date or byline lines at either end of the body.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::text::{self, Block, BlockKind};

/// How many leading blocks may precede the headline in the extractor's output
/// (kickers, breadcrumbs, dates); they go with it.
const TITLE_WINDOW: usize = 6;

/// Blocks at most this long may be taken for a date, byline or boilerplate line.
const SHORT_WORDS: usize = 12;

/// Whole blocks that are boilerplate, compared case-insensitively.
static BOILERPLATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^(?:
            advert | advertisement | ad | sponsored (?:\ content)? | promoted
          | share | share\ this (?:\ article|\ story|\ post)? | tweet | print | email
          | comments? | \d+\ comments? | post\ comment (?:\ \(\+\))? | \d+\ post\ comment (?:\ \(\+\))?
          | tags | related | related\ (?:tags|articles|stories|posts|content|news|topics)
          | explore\ further | previous | next | previous\ next | next\ article | previous\ article
          | read\ more | read\ next | more\ on\ this | see\ also | get\ short\ url
          | this\ slideshow\ requires\ javascript | tell\ us\ what\ you\ think
          | leave\ a\ (?:reply|comment) (?:\ cancel\ reply)? | cancel\ reply
          | you\ must\ be\ logged\ in\ to\ post\ a\ comment | continue\ reading | show\ comments
          | skip\ advert | back\ to\ top | top
        )[\s.:!…]*$",
    )
    .expect("the boilerplate pattern is valid")
});

/// Starts of blocks that are boilerplate whatever follows, up to a few dozen words.
static BOILERPLATE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^(?:
            tags\s*: | related\ tags\s*: | related\s*: | also\ on\ | read\ more\s*: | see\ also\s*:
          | like\ this\ (?:story|article)\b | share\ (?:this|it)\ with\b | sign\ up\ (?:for|to)\b
          | subscribe\ (?:to|for|now)\b | follow\ us\b | click\ here\ (?:to|for)\b
          | copyright\b | © | \(c\)\ \d{4} | all\ rights\ reserved | citation\s*:
          | this\ document\ is\ subject\ to\ copyright | this\ article\ was\ (?:originally\ )?published\ (?:on|by)
          | (?:photo|image|picture|video)\s*(?:credit)?\s*: | getty\ images | © \s* \w
          | posted\s*(?:on|in|by)?\s*: | updated\s*(?:on|at)?\s*: | published\s*(?:on|at)?\s*: | first\ published\s*:
        )",
    )
    .expect("the boilerplate-start pattern is valid")
});

/// Headings that open a list of other articles ("More great stories", "Our latest
/// stories", "You may also like"): the body ends above them.
static MORE_STORIES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^(?:
            (?:our\ |the\ )?(?:latest|more|related|recommended|popular|trending|top|other|further|most\ (?:read|popular|viewed|shared))
              \b[\w\s'’]*\b(?:stories|articles|news|posts|reads|headlines|coverage)
          | you\ (?:may|might)\ (?:also\ )?(?:like|enjoy) | don['’]t\ miss | also\ read | read\ next | more\ from\ .{1,40}
        )[\s.:!…]*$",
    )
    .expect("the more-stories pattern is valid")
});

/// Words of share-button rows.
const SOCIAL: &[&str] = &[
    "facebook",
    "twitter",
    "whatsapp",
    "pinterest",
    "pint",
    "pin",
    "linkedin",
    "email",
    "mail",
    "reddit",
    "telegram",
    "print",
    "share",
    "tweet",
    "messenger",
    "copy",
    "link",
    "pocket",
    "flipboard",
    "tumblr",
    "vk",
    "sms",
    "x",
    "google",
    "baixar",
    "download",
    "comments",
];

/// Month names and abbreviations (English) and date words, for date lines.
const DATE_WORDS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
    "mon",
    "monday",
    "tue",
    "tuesday",
    "wed",
    "wednesday",
    "thu",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
    "am",
    "pm",
    "gmt",
    "utc",
    "et",
    "est",
    "edt",
    "bst",
    "cet",
    "ist",
    "updated",
    "posted",
    "published",
    "last",
    "on",
    "at",
    "de",
    "às",
    "ago",
    "hours",
    "minutes",
    "days",
    "hour",
    "min",
    "mins",
];

/// Cleans the extractor's blocks in place.
pub fn clean(blocks: &mut Vec<Block>, title: Option<&str>) {
    if let Some(title) = title {
        drop_title(blocks, title);
    }
    let mut seen = HashSet::new();
    blocks.retain(|b| {
        let words = text::word_count(&b.text);
        // A block seen before: repeated teasers and headings.
        let repeat = words > 0 && !seen.insert(b.text.to_lowercase());
        !(repeat || is_boilerplate(&b.text, words) || is_social_row(&b.text, words))
    });
    cut_more_stories(blocks);
    trim_edges(blocks);
}

/// Ends the body at a "more stories" heading found in its second half.
fn cut_more_stories(blocks: &mut Vec<Block>) {
    let total: usize = blocks.iter().map(|b| text::word_count(&b.text)).sum();
    let mut seen = 0;
    for i in 0..blocks.len() {
        let words = text::word_count(&blocks[i].text);
        if seen * 2 >= total && words <= 8 && MORE_STORIES.is_match(blocks[i].text.trim()) {
            blocks.truncate(i);
            return;
        }
        seen += words;
    }
}

/// Removes the headline (a heading whose text is the title) with the blocks before
/// it, and a standfirst heading right after it: the annotated body of an article
/// starts below both.
fn drop_title(blocks: &mut Vec<Block>, title: &str) {
    let want = comparable(title);
    if want.is_empty() {
        return;
    }
    let found = blocks.iter().take(TITLE_WINDOW).position(|b| {
        let got = comparable(&b.text);
        b.kind == BlockKind::Heading
            && !got.is_empty()
            && (got == want
                || (want.contains(&got) && got.len() * 2 > want.len())
                || got.contains(&want))
    });
    if let Some(i) = found {
        blocks.drain(..=i);
        if blocks.first().is_some_and(|b| b.kind == BlockKind::Heading)
            && blocks.get(1).is_some_and(|b| b.kind != BlockKind::Heading)
        {
            blocks.remove(0);
        }
    }
}

/// Drops date lines, bylines and link-only lines (related articles, tag clouds)
/// from the start and the end of the body. In the middle they are usually content:
/// a dated list, a source credited with a link.
fn trim_edges(blocks: &mut Vec<Block>) {
    let edge = |b: &Block| {
        let words = text::word_count(&b.text);
        let link_only = words > 0 && b.link_words * 10 >= words * 8;
        link_only || is_date_line(&b.text, words) || is_byline(&b.text, words)
    };
    while blocks.last().is_some_and(edge) {
        blocks.pop();
    }
    let leading = blocks.iter().take_while(|b| edge(b)).count();
    blocks.drain(..leading);
}

fn is_boilerplate(text: &str, words: usize) -> bool {
    (words <= SHORT_WORDS && BOILERPLATE_LINE.is_match(text.trim()))
        || (words <= 3 * SHORT_WORDS && BOILERPLATE_START.is_match(text.trim()))
}

fn is_social_row(text: &str, words: usize) -> bool {
    if words == 0 || words > SHORT_WORDS {
        return false;
    }
    let social = text::words(text)
        .filter(|w| SOCIAL.contains(&w.to_lowercase().as_str()))
        .count();
    social * 2 > words
}

/// A short line made of a date: numbers (a year, a time) and date words.
fn is_date_line(text: &str, words: usize) -> bool {
    if words == 0 || words > SHORT_WORDS {
        return false;
    }
    let mut numbers = 0;
    let mut date_words = 0;
    for w in text::words(text) {
        if w.chars().all(|c| c.is_ascii_digit()) {
            numbers += 1;
        } else if DATE_WORDS.contains(&w.to_lowercase().as_str()) {
            date_words += 1;
        }
    }
    numbers >= 1 && (numbers + date_words) * 2 >= words
}

/// "By Name Surname" and nothing more.
fn is_byline(text: &str, words: usize) -> bool {
    let t = text.trim();
    words <= 6 && (t.starts_with("By ") || t.starts_with("BY ") || t.starts_with("by "))
}

/// Lower-cased words joined by single spaces, for comparing texts loosely.
fn comparable(s: &str) -> String {
    text::words(s)
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(kind: BlockKind, text: &str) -> Block {
        Block {
            kind,
            text: text.to_string(),
            tag: String::new(),
            link_words: 0,
        }
    }

    fn para(text: &str) -> Block {
        block(BlockKind::Paragraph, text)
    }

    fn texts(blocks: &[Block]) -> Vec<&str> {
        blocks.iter().map(|b| b.text.as_str()).collect()
    }

    #[test]
    fn headline_standfirst_and_dateline_go() {
        let mut blocks = vec![
            para("World"),
            block(BlockKind::Heading, "Rivers rise across the north"),
            block(BlockKind::Heading, "Thousands moved as rain continues"),
            para("20 Nov, 2019 05:47"),
            para("Rain fell for a third day on Tuesday, officials said."),
            para("By Ana Ruiz"),
        ];
        clean(
            &mut blocks,
            Some("Rivers rise across the north | Example News"),
        );
        assert_eq!(
            texts(&blocks),
            ["Rain fell for a third day on Tuesday, officials said."]
        );
    }

    #[test]
    fn boilerplate_lines_trailing_link_lists_and_share_rows_go() {
        let link = |text: &str| {
            let mut b = para(text);
            b.link_words = text::word_count(text);
            b
        };
        let mut blocks = vec![
            para("The council met on Monday to discuss the budget."),
            para("Advertisement"),
            para("Whatsapp Facebook Pint Baixar"),
            para("Next, the mayor spoke about the new bridge and its cost."),
            para("Like this story? Share it with a friend!"),
            para("The council met on Monday to discuss the budget."),
            link("Another story people read today"),
            para("By Staff"),
            link("And one more story"),
        ];
        clean(&mut blocks, None);
        assert_eq!(
            texts(&blocks),
            [
                "The council met on Monday to discuss the budget.",
                "Next, the mayor spoke about the new bridge and its cost."
            ]
        );
    }

    #[test]
    fn the_body_ends_at_a_more_stories_heading_in_its_second_half() {
        let mut blocks = vec![
            block(BlockKind::Heading, "Our latest stories"),
            para("The first paragraph of the story, long enough to count for something."),
            para("The second paragraph of the story, also long enough to count."),
            block(BlockKind::Heading, "More Great Stories"),
            para("A teaser for another article entirely."),
        ];
        clean(&mut blocks, None);
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[0].text, "Our latest stories");
    }

    #[test]
    fn dates_and_links_inside_the_body_stay() {
        let mut source = para("[ Wired ]");
        source.link_words = 1;
        let mut blocks = vec![
            para("The season's calendar:"),
            para("10 March 2018"),
            source,
            para("It ends in December."),
        ];
        clean(&mut blocks, None);
        assert_eq!(blocks.len(), 4);
    }
}
