//! `newsd bench --scenario nats`: throughput through the bus, end to end.
//!
//! Starts `instances` daemons (this executable) reading from and writing to JetStream
//! on a running server, publishes the whole corpus at once, and times until the output
//! stream holds every record. The streams are the benchmark's own (`NEWSD_BENCH_*`),
//! deleted before and after, so a real deployment's streams are never touched.

use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, stream};
use futures_util::future::join_all;
use serde::Serialize;

use crate::bench::{BenchError, spawn_ready};

const IN: &str = "NEWSD_BENCH_IN";
const OUT: &str = "NEWSD_BENCH_OUT";
const DEAD: &str = "NEWSD_BENCH_DEAD";

/// Figures of one run through the bus.
#[derive(Debug, Serialize)]
pub struct BusThroughput {
    /// Daemons sharing the stream.
    pub instances: usize,
    /// Articles published.
    pub articles: usize,
    /// Bytes published.
    pub bytes: u64,
    /// From the first publish to the last record stored, seconds.
    pub seconds: f64,
    /// Articles per second end to end.
    pub articles_per_s: f64,
    /// Megabytes (10^6) of input per second.
    pub mb_per_s: f64,
}

fn failed(what: &str, e: impl std::fmt::Display) -> BenchError {
    BenchError::Io {
        what: what.to_string(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// A daemon of the benchmark and its notify socket (held only so its STOPPING=1 has a
/// receiver); stopped when dropped.
struct Instance {
    child: Child,
    _notify: std::os::unix::net::UnixDatagram,
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// Starts one daemon in `root` against `servers` and waits for its READY=1.
fn start(
    root: &Path,
    i: usize,
    servers: &[String],
    concurrency: usize,
) -> Result<Instance, BenchError> {
    let dir = root.join(format!("instance-{i}"));
    std::fs::create_dir_all(&dir).map_err(|e| failed("creating the instance folder", e))?;
    let dir = dir
        .canonicalize()
        .map_err(|e| failed("resolving the instance folder", e))?;
    let config = format!(
        "[pipeline]\nconcurrency = {concurrency}\n[log]\nlevel = \"warn\"\n\
         [source]\nkind = \"nats\"\n[sink]\nkinds = [\"nats\"]\n\
         [nats]\nservers = {servers:?}\nname = \"bench-{i}\"\n\
         [nats.source]\nstream = \"{IN}\"\nsubjects = [\"newsd.bench.in\"]\n\
         dead_letter_subject = \"newsd.bench.dead\"\ndead_letter_stream = \"{DEAD}\"\n\
         [nats.sink]\nstream = \"{OUT}\"\nsubject = \"newsd.bench.out\"\n\
         alerts_subject = \"newsd.bench.alerts\"\n\
         subjects = [\"newsd.bench.out\", \"newsd.bench.alerts\"]\n"
    );
    std::fs::write(dir.join("newsd.toml"), config).map_err(|e| failed("writing config", e))?;
    let (child, notify) = spawn_ready(&dir)?;
    Ok(Instance {
        child,
        _notify: notify,
    })
}

async fn reset(js: &jetstream::Context) {
    for name in [IN, OUT, DEAD] {
        let _ = js.delete_stream(name).await;
    }
}

async fn stored(js: &jetstream::Context) -> u64 {
    match js.get_stream(OUT).await {
        Ok(mut s) => s.info().await.map(|i| i.state.messages).unwrap_or(0),
        Err(_) => 0,
    }
}

/// Publishes the corpus to `instances` fresh daemons at once and times the last record.
pub fn throughput(
    corpus: &[(String, Vec<u8>)],
    root: &Path,
    servers: &[String],
    instances: usize,
    concurrency: usize,
) -> Result<BusThroughput, BenchError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| failed("starting a runtime", e))?;
    let js = rt.block_on(async {
        let client = async_nats::connect(servers.to_vec())
            .await
            .map_err(|e| failed("connecting to nats", e))?;
        let js = jetstream::new(client);
        reset(&js).await;
        js.create_stream(stream::Config {
            name: IN.into(),
            subjects: vec!["newsd.bench.in".into()],
            retention: stream::RetentionPolicy::WorkQueue,
            ..Default::default()
        })
        .await
        .map_err(|e| failed("creating the input stream", e))?;
        Ok::<_, BenchError>(js)
    })?;
    if root.exists() {
        std::fs::remove_dir_all(root).map_err(|e| failed("clearing the work folder", e))?;
    }
    let daemons = (0..instances.max(1))
        .map(|i| start(root, i, servers, concurrency))
        .collect::<Result<Vec<_>, _>>()?;
    let bytes: u64 = corpus.iter().map(|(_, b)| b.len() as u64).sum();
    let started = Instant::now();
    rt.block_on(async {
        let acks = join_all(corpus.iter().map(|(name, body)| {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert(super::HEADER_NAME, name.as_str());
            let js = &js;
            async move {
                js.publish_with_headers("newsd.bench.in", headers, body.clone().into())
                    .await
                    .map_err(|e| e.to_string())?
                    .await
                    .map_err(|e| e.to_string())
            }
        }))
        .await;
        acks.into_iter()
            .find_map(Result::err)
            .map_or(Ok(()), |e| Err(failed("publishing", e)))
    })?;
    let want = corpus.len() as u64;
    let limit = Duration::from_secs(600);
    let mut have = 0;
    while have < want {
        if started.elapsed() > limit {
            return Err(BenchError::Timeout {
                secs: limit.as_secs(),
                have: have as usize,
                want: corpus.len(),
            });
        }
        std::thread::sleep(Duration::from_millis(10));
        have = rt.block_on(stored(&js));
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(daemons);
    rt.block_on(reset(&js));
    let _ = std::fs::remove_dir_all(root);
    Ok(BusThroughput {
        instances: instances.max(1),
        articles: corpus.len(),
        bytes,
        seconds,
        articles_per_s: corpus.len() as f64 / seconds,
        mb_per_s: bytes as f64 / 1e6 / seconds,
    })
}
