//! The bus: real `nats-server` processes (one, or a three-server cluster) and real
//! `newsd` instances reading from and writing to JetStream, killed with SIGKILL
//! mid-stream. Skipped (saying so) when nats-server is not installed, unless
//! `NEWSD_REQUIRE_NATS` is set, as `.ci/run` does.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use async_nats::jetstream::stream;
use common::nats::{Nats, create_stream, publish_article, read_all, stream_len};
use common::{Daemon, Layout, article};
use serde_json::Value;

const IN_STREAM: &str = "NEWSD_ARTICLES";
const OUT_STREAM: &str = "NEWSD_RECORDS";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// The input stream as an operator would create it: work-queue retention.
fn input_stream(replicas: usize) -> stream::Config {
    stream::Config {
        name: IN_STREAM.into(),
        subjects: vec!["newsd.articles.>".into()],
        retention: stream::RetentionPolicy::WorkQueue,
        num_replicas: replicas,
        ..Default::default()
    }
}

/// Config for an instance reading from and/or writing to the bus.
fn bus_config(
    nats: &Nats,
    name: &str,
    source: &str,
    sinks: &str,
    extra_nats: &str,
    rest: &str,
) -> String {
    format!(
        "[source]\nkind = \"{source}\"\n[sink]\nkinds = {sinks}\n{}\n{rest}",
        nats.config(name, extra_nats)
    )
}

/// Polls the stream's length until `want` or the deadline.
fn wait_len(
    rt: &tokio::runtime::Runtime,
    js: &async_nats::jetstream::Context,
    stream: &str,
    want: u64,
    within: Duration,
) -> u64 {
    let end = Instant::now() + within;
    let mut last = 0;
    while Instant::now() < end {
        last = rt.block_on(stream_len(js, stream)).unwrap_or(last);
        if last >= want {
            return last;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    last
}

/// Publishes articles `<prefix>-0.txt` .. `<prefix>-<n-1>.txt`, in parallel chunks,
/// each stored before this returns.
fn publish_many(
    rt: &tokio::runtime::Runtime,
    js: &async_nats::jetstream::Context,
    prefix: &str,
    n: usize,
) {
    rt.block_on(async {
        for chunk in (0..n).collect::<Vec<_>>().chunks(250) {
            let futures = chunk.iter().map(|&i| {
                let name = format!("{prefix}-{i}.txt");
                publish_article(js, "newsd.articles.wire", name, article(i).into_bytes())
            });
            futures_util::future::join_all(futures).await;
        }
    });
}

/// Waits until the input stream is empty (every message acknowledged) and says whether it is.
fn input_drained(rt: &tokio::runtime::Runtime, js: &async_nats::jetstream::Context) -> bool {
    let end = Instant::now() + Duration::from_secs(60);
    while rt.block_on(stream_len(js, IN_STREAM)) != Some(0) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    rt.block_on(stream_len(js, IN_STREAM)) == Some(0)
}

/// Record ids (header and payload agree) and producers of the stored records.
fn check_records(stored: &[common::nats::Stored]) -> (HashSet<String>, HashMap<String, usize>) {
    let mut ids = HashSet::new();
    let mut producers: HashMap<String, usize> = HashMap::new();
    for m in stored {
        let record: Value =
            serde_json::from_slice(&m.payload).expect("a record is one JSON object");
        let id = record["id"].as_str().expect("record id").to_string();
        assert_eq!(m.headers.get("Newsd-Record-Id"), Some(&id));
        let claim = record["source"]["claim"].as_str().expect("claim");
        assert_eq!(m.headers.get("Nats-Msg-Id"), Some(&format!("{id}:{claim}")));
        *producers
            .entry(m.headers.get("Newsd-Producer").cloned().unwrap_or_default())
            .or_default() += 1;
        ids.insert(id);
    }
    (ids, producers)
}

#[test]
fn two_instances_share_a_stream_and_survive_kill9() {
    let Some(nats) = Nats::single() else { return };
    let rt = runtime();
    let js = rt.block_on(nats.client());
    rt.block_on(create_stream(&js, input_stream(1)));
    const N: usize = 5000;
    publish_many(&rt, &js, "a", N);
    assert_eq!(rt.block_on(stream_len(&js, IN_STREAM)), Some(N as u64));
    // Delivery is what is tested here, so the instances run the cheap stages; a short
    // ack_wait makes the killed instance's messages come back quickly.
    let rest = "[pipeline]\nstages = [\"clean\", \"tokenize\"]\n[dedup]\nenabled = false\n";
    let extra = "[nats.source]\nack_wait_s = 3\n";
    let a = Layout::new(&bus_config(&nats, "a", "nats", "[\"nats\"]", extra, rest));
    let b = Layout::new(&bus_config(&nats, "b", "nats", "[\"nats\"]", extra, rest));
    let da = Daemon::start(&a);
    let db = Daemon::start(&b);
    let mid = wait_len(
        &rt,
        &js,
        OUT_STREAM,
        (N / 4) as u64,
        Duration::from_secs(300),
    );
    assert!(
        mid >= (N / 4) as u64,
        "only {mid} records; log a:\n{}",
        da.log_text()
    );
    da.kill9();
    let killed_at = rt.block_on(stream_len(&js, OUT_STREAM)).unwrap_or(0);
    assert!(
        killed_at < N as u64,
        "the kill came too late to test anything"
    );
    let da = Daemon::start(&a);
    let done = wait_len(&rt, &js, OUT_STREAM, N as u64, Duration::from_secs(400));
    assert_eq!(
        done,
        N as u64,
        "log a:\n{}\nlog b:\n{}",
        da.log_text(),
        db.log_text()
    );
    // The input stream empties once every message is acknowledged.
    assert!(input_drained(&rt, &js), "unacknowledged messages left");
    // Past the ack wait: nothing comes back late.
    std::thread::sleep(Duration::from_secs(5));
    let stored = rt.block_on(read_all(&js, OUT_STREAM));
    assert_eq!(stored.len(), N, "messages in the output stream");
    let (ids, producers) = check_records(&stored);
    assert_eq!(ids.len(), N, "distinct record ids");
    assert!(
        producers.get("a").copied().unwrap_or(0) > 0,
        "{producers:?}"
    );
    assert!(
        producers.get("b").copied().unwrap_or(0) > 0,
        "{producers:?}"
    );
    eprintln!("killed at {killed_at} records; producers {producers:?}");
    da.terminate(Duration::from_secs(30));
    db.terminate(Duration::from_secs(30));
}

#[test]
fn a_cluster_loses_nothing_when_a_server_dies() {
    let Some(mut nats) = Nats::cluster() else {
        return;
    };
    let rt = runtime();
    let js = rt.block_on(nats.client());
    rt.block_on(create_stream(&js, input_stream(3)));
    const N: usize = 600;
    publish_many(&rt, &js, "c", N);
    let extra = "[nats.source]\nack_wait_s = 5\nreplicas = 3\n[nats.sink]\nreplicas = 3\n";
    let rest = "[pipeline]\nconcurrency = 1\n";
    let layout = Layout::new(&bus_config(
        &nats,
        "c",
        "nats",
        "[\"nats\", \"outbox\"]",
        extra,
        rest,
    ));
    let d = Daemon::start(&layout);
    let mid = wait_len(&rt, &js, OUT_STREAM, 60, Duration::from_secs(300));
    assert!(mid >= 60, "only {mid} records; log:\n{}", d.log_text());
    nats.servers[0].kill9();
    let killed_at = rt.block_on(stream_len(&js, OUT_STREAM)).unwrap_or(0);
    let done = wait_len(&rt, &js, OUT_STREAM, N as u64, Duration::from_secs(400));
    assert_eq!(
        done,
        N as u64,
        "log:\n{}\nservers:\n{}",
        d.log_text(),
        nats.logs()
    );
    let stored = rt.block_on(read_all(&js, OUT_STREAM));
    assert_eq!(stored.len(), N);
    let (ids, _) = check_records(&stored);
    assert_eq!(ids.len(), N, "distinct record ids");
    // The outbox sink got the same records, each once.
    let end = Instant::now() + Duration::from_secs(30);
    while layout.records().len() < N && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    let names: Vec<String> = layout
        .records()
        .iter()
        .map(|r| r["source"]["name"].as_str().unwrap_or("").to_string())
        .collect();
    let distinct: HashSet<&String> = names.iter().collect();
    assert_eq!(names.len(), N, "outbox records");
    assert_eq!(distinct.len(), N, "outbox names");
    eprintln!("server killed at {killed_at} records");
    d.terminate(Duration::from_secs(30));
}

#[test]
fn a_poison_message_goes_to_the_dead_letters_and_the_rest_flow() {
    let Some(nats) = Nats::single() else { return };
    let rt = runtime();
    let js = rt.block_on(nats.client());
    rt.block_on(create_stream(&js, input_stream(1)));
    let extra = "[nats.source]\nmax_deliveries = 2\nretry_delay_ms = 200\n";
    let layout = Layout::new(&bus_config(&nats, "p", "nats", "[\"nats\"]", extra, ""));
    let d = Daemon::start(&layout);
    let poison = b"\x00\x01\x02 not an article \x00".to_vec();
    rt.block_on(async {
        for i in 0..10 {
            publish_article(
                &js,
                "newsd.articles.wire",
                format!("good-{i}.txt"),
                article(i).into_bytes(),
            )
            .await;
        }
        publish_article(
            &js,
            "newsd.articles.wire",
            "poison.txt".to_string(),
            poison.clone(),
        )
        .await;
        for i in 10..20 {
            publish_article(
                &js,
                "newsd.articles.wire",
                format!("good-{i}.txt"),
                article(i).into_bytes(),
            )
            .await;
        }
    });
    assert_eq!(
        wait_len(&rt, &js, OUT_STREAM, 20, Duration::from_secs(120)),
        20,
        "log:\n{}",
        d.log_text()
    );
    assert_eq!(
        wait_len(&rt, &js, "NEWSD_DEAD", 1, Duration::from_secs(60)),
        1,
        "log:\n{}",
        d.log_text()
    );
    let dead = rt.block_on(read_all(&js, "NEWSD_DEAD"));
    assert_eq!(dead.len(), 1);
    let letter = &dead[0];
    assert_eq!(letter.subject, "newsd.dead");
    assert_eq!(
        letter.payload, poison,
        "the dead letter keeps the original bytes"
    );
    assert_eq!(
        letter.headers.get("Newsd-Reason").map(String::as_str),
        Some("binary")
    );
    assert_eq!(
        letter.headers.get("Newsd-Name").map(String::as_str),
        Some("poison.txt")
    );
    let failure: Value =
        serde_json::from_str(letter.headers.get("Newsd-Failure").expect("failure header"))
            .expect("failure is JSON");
    assert_eq!(failure["schema"], "newsd.failure/1");
    assert_eq!(failure["reason"], "binary");
    assert!(
        failure["message"]
            .as_str()
            .is_some_and(|m| m.contains("binary")),
        "{failure}"
    );
    // It was tried max_deliveries times, then acknowledged: nothing is left.
    assert!(input_drained(&rt, &js), "unacknowledged messages left");
    let stored = rt.block_on(read_all(&js, OUT_STREAM));
    let (ids, _) = check_records(&stored);
    assert_eq!(ids.len(), 20);
    d.terminate(Duration::from_secs(30));
}

#[test]
fn folder_to_bus_publishes_each_file_once_across_kill9() {
    let Some(nats) = Nats::single() else { return };
    let rt = runtime();
    let js = rt.block_on(nats.client());
    // Every record is an alert too, so both subjects are exercised.
    let rest = "[priority]\nalert_threshold = 0.0\n";
    let layout = Layout::new(&bus_config(&nats, "f", "inbox", "[\"nats\"]", "", rest));
    let d = Daemon::start(&layout);
    const N: usize = 300;
    for i in 0..N {
        layout.drop_renamed(&format!("f-{i}.txt"), article(i).as_bytes());
    }
    let mid = wait_len(&rt, &js, OUT_STREAM, 60, Duration::from_secs(120));
    assert!(mid >= 60, "only {mid}; log:\n{}", d.log_text());
    d.kill9();
    let killed_at = rt.block_on(stream_len(&js, OUT_STREAM)).unwrap_or(0);
    let d = Daemon::start(&layout);
    assert_eq!(
        wait_len(&rt, &js, OUT_STREAM, 2 * N as u64, Duration::from_secs(300)),
        2 * N as u64,
        "log:\n{}",
        d.log_text()
    );
    assert!(
        common::wait_until(Duration::from_secs(60), || layout.archived() == N),
        "archived {}",
        layout.archived()
    );
    std::thread::sleep(Duration::from_secs(1));
    let stored = rt.block_on(read_all(&js, OUT_STREAM));
    assert_eq!(stored.len(), 2 * N);
    let (records, alerts): (Vec<_>, Vec<_>) = stored
        .into_iter()
        .partition(|m| m.subject == "newsd.records.en");
    assert_eq!(records.len(), N, "records on the language's subject");
    let (ids, _) = check_records(&records);
    assert_eq!(ids.len(), N);
    assert!(alerts.iter().all(|m| m.subject == "newsd.alerts"));
    let alert_ids: HashSet<&String> = alerts
        .iter()
        .filter_map(|m| m.headers.get("Newsd-Record-Id"))
        .collect();
    assert_eq!(
        (alerts.len(), alert_ids.len()),
        (N, N),
        "one alert per record"
    );
    assert!(alerts.iter().all(|m| {
        m.headers
            .get("Nats-Msg-Id")
            .is_some_and(|id| id.ends_with(":alert"))
    }));
    // Only the bus was a sink: the outbox file stays empty.
    assert!(layout.records().is_empty());
    assert!(Layout::entries(&layout.inbox).is_empty());
    eprintln!("killed at {killed_at} records and alerts");
    d.terminate(Duration::from_secs(30));
}

#[test]
fn while_the_bus_is_away_files_wait_in_the_inbox() {
    let Some(mut nats) = Nats::single() else {
        return;
    };
    let rt = runtime();
    let js = rt.block_on(nats.client());
    // Small queues, so the bound on what leaves the inbox is easy to state.
    let rest = "[pipeline]\nconcurrency = 1\nqueue = 2\n";
    let layout = Layout::new(&bus_config(&nats, "w", "inbox", "[\"nats\"]", "", rest));
    let d = Daemon::start(&layout);
    layout.drop_renamed("first.txt", article(0).as_bytes());
    assert_eq!(
        wait_len(&rt, &js, OUT_STREAM, 1, Duration::from_secs(60)),
        1,
        "log:\n{}",
        d.log_text()
    );
    nats.servers[0].kill9();
    const N: usize = 40;
    for i in 1..=N {
        layout.drop_renamed(&format!("w-{i}.txt"), article(i).as_bytes());
    }
    std::thread::sleep(Duration::from_secs(4));
    // Claimed at most: one in the worker, `queue` waiting, one batch in the writer.
    let waiting = Layout::entries(&layout.inbox).len();
    let claimed = Layout::entries(&layout.work)
        .iter()
        .filter(|n| !n.starts_with('.'))
        .count();
    assert!(
        waiting >= N - 6,
        "only {waiting} of {N} files still in the inbox ({claimed} claimed)"
    );
    assert_eq!(
        waiting + claimed,
        N,
        "every file is in the inbox or claimed"
    );
    assert!(
        Layout::entries(&layout.failed).is_empty(),
        "nothing refused"
    );
    assert_eq!(
        layout.archived(),
        1,
        "nothing released while the bus is away"
    );
    nats.servers[0].restart();
    assert_eq!(
        wait_len(
            &rt,
            &js,
            OUT_STREAM,
            (N + 1) as u64,
            Duration::from_secs(120)
        ),
        (N + 1) as u64,
        "log:\n{}",
        d.log_text()
    );
    assert!(common::wait_until(Duration::from_secs(60), || layout
        .archived()
        == N + 1));
    let stored = rt.block_on(read_all(&js, OUT_STREAM));
    let (ids, _) = check_records(&stored);
    assert_eq!((stored.len(), ids.len()), (N + 1, N + 1));
    d.terminate(Duration::from_secs(30));
}

#[test]
fn bus_to_folder_writes_each_record_once_across_kill9() {
    let Some(nats) = Nats::single() else {
        return;
    };
    let rt = runtime();
    let js = rt.block_on(nats.client());
    rt.block_on(create_stream(&js, input_stream(1)));
    const N: usize = 400;
    publish_many(&rt, &js, "o", N);
    // A short ack wait: messages whose ack the kill lost come back at once, and their
    // records, already in the outbox, must not be written again.
    let extra = "[nats.source]\nack_wait_s = 2\n";
    let layout = Layout::new(&bus_config(&nats, "o", "nats", "[\"outbox\"]", extra, ""));
    let d = Daemon::start(&layout);
    assert!(
        common::wait_until(common::PATIENCE, || layout
            .try_records()
            .map_or(0, |r| r.len())
            >= N / 4),
        "log:\n{}",
        d.log_text()
    );
    d.kill9();
    let d = Daemon::start(&layout);
    assert!(input_drained(&rt, &js), "log:\n{}", d.log_text());
    std::thread::sleep(Duration::from_secs(3));
    let records = layout.records();
    let names = common::count_by_name(&records);
    let twice: Vec<_> = names.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "written twice: {twice:?}");
    assert_eq!(names.len(), N, "every message has a record");
    d.terminate(Duration::from_secs(30));
}

#[test]
fn a_record_over_the_servers_max_payload_goes_out_smaller() {
    let Some(nats) = Nats::single_with("max_payload: 16384") else {
        return;
    };
    let rt = runtime();
    let js = rt.block_on(nats.client());
    let layout = Layout::new(&bus_config(
        &nats,
        "m",
        "inbox",
        "[\"nats\", \"outbox\"]",
        "",
        "",
    ));
    let d = Daemon::start(&layout);
    // About 40 KB of text: its record cannot be one message on this server.
    let long: String = (0..120).map(article).collect::<Vec<_>>().join("\n");
    layout.drop_renamed("long.txt", long.as_bytes());
    layout.drop_renamed("short.txt", article(7).as_bytes());
    assert_eq!(
        wait_len(&rt, &js, OUT_STREAM, 2, Duration::from_secs(120)),
        2,
        "log:\n{}",
        d.log_text()
    );
    let stored = rt.block_on(read_all(&js, OUT_STREAM));
    let by_name: HashMap<String, Value> = stored
        .iter()
        .map(|m| {
            let r: Value = serde_json::from_slice(&m.payload).expect("record");
            (r["source"]["name"].as_str().unwrap_or("").to_string(), r)
        })
        .collect();
    let long_rec = &by_name["long.txt"];
    assert!(long_rec["text"].is_null(), "text left out of the bus copy");
    assert!(
        long_rec["warnings"].as_array().is_some_and(|w| w
            .iter()
            .any(|x| x.as_str().is_some_and(|s| s.contains("max_payload")))),
        "{}",
        long_rec["warnings"]
    );
    assert!(
        by_name["short.txt"]["text"].is_string(),
        "small records keep their text"
    );
    // The outbox copy is whole.
    assert!(common::wait_until(Duration::from_secs(30), || layout
        .records()
        .len()
        == 2));
    let outbox = layout.records();
    let whole = outbox
        .iter()
        .find(|r| r["source"]["name"] == "long.txt")
        .expect("long record in the outbox");
    assert!(whole["text"].as_str().is_some_and(|t| t.len() > 16_384));
    assert_eq!(
        whole["id"], long_rec["id"],
        "the bus copy is the same record"
    );
    assert!(stored.iter().all(|m| m.payload.len() <= 16_384));
    d.terminate(Duration::from_secs(30));
}
