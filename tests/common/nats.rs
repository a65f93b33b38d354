//! Real `nats-server` processes (JetStream on, files in a temp folder) for the bus
//! tests, alone or as a three-server cluster on loopback, and client helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, stream};
use futures_util::StreamExt;

/// The server binary: `NATS_SERVER`, else `nats-server` on the PATH or in /usr/sbin
/// (where Debian's package puts it). `None` (the test skips, saying why) unless
/// `NEWSD_REQUIRE_NATS` is set, as `.ci/run` does after installing it: then a missing
/// server fails the test.
pub fn server_bin() -> Option<PathBuf> {
    let candidates = std::env::var_os("NATS_SERVER")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            std::env::var_os("PATH")
                .map(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join("nats-server"))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        )
        .chain([PathBuf::from("/usr/sbin/nats-server")]);
    for c in candidates {
        if c.is_file() {
            return Some(c);
        }
    }
    if std::env::var_os("NEWSD_REQUIRE_NATS").is_some() {
        panic!(
            "nats-server is not installed (NEWSD_REQUIRE_NATS is set): apt-get install nats-server"
        );
    }
    eprintln!("SKIPPED: nats-server is not installed (apt-get install nats-server; .ci/run does)");
    None
}

/// A port free right now on loopback.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// One running server.
pub struct Server {
    child: Option<Child>,
    bin: PathBuf,
    conf: PathBuf,
    pub port: u16,
    pub log: PathBuf,
}

impl Server {
    /// The client URL.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn spawn(bin: &PathBuf, conf: &PathBuf, log: &PathBuf) -> Child {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("server log");
        Command::new(bin)
            .arg("-c")
            .arg(conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(out)
            .spawn()
            .expect("spawn nats-server")
    }

    /// False when the server exited (a port taken meanwhile by another test).
    fn listening(&mut self) -> bool {
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(_)) = c.try_wait()
            {
                return false;
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    fn wait_listening(&mut self) {
        if self.listening() {
            return;
        }
        panic!(
            "nats-server on {} never listened; log:\n{}",
            self.port,
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    /// Kills the server with SIGKILL (its JetStream files stay).
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port and files.
    pub fn restart(&mut self) {
        self.kill9();
        self.child = Some(Self::spawn(&self.bin, &self.conf, &self.log));
        self.wait_listening();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// One server or a cluster, in its own temp folder.
pub struct Nats {
    pub dir: tempfile::TempDir,
    pub servers: Vec<Server>,
}

impl Nats {
    /// A single JetStream server, or `None` when nats-server is missing (see [`server_bin`]).
    pub fn single() -> Option<Nats> {
        Self::start(1, "")
    }

    /// A single server with extra lines in its config file (e.g. `max_payload: 8192`).
    pub fn single_with(conf: &str) -> Option<Nats> {
        Self::start(1, conf)
    }

    /// Three clustered JetStream servers on loopback.
    pub fn cluster() -> Option<Nats> {
        Self::start(3, "")
    }

    fn start(n: usize, extra: &str) -> Option<Nats> {
        let bin = server_bin()?;
        // Ports are free when picked but another test may take one before the server
        // binds it: then start again on new ports.
        for _ in 0..5 {
            let mut nats = Self::try_start(&bin, n, extra);
            if nats.servers.iter_mut().all(Server::listening) {
                return Some(nats);
            }
            eprintln!(
                "nats-server did not start (port taken?); log:\n{}",
                nats.logs()
            );
        }
        panic!("nats-server did not start in 5 attempts");
    }

    fn try_start(bin: &PathBuf, n: usize, extra: &str) -> Nats {
        let dir = tempfile::tempdir().expect("nats dir");
        let ports: Vec<(u16, u16)> = (0..n).map(|_| (free_port(), free_port())).collect();
        let mut servers = Vec::new();
        for (i, (port, cport)) in ports.iter().enumerate() {
            let store = dir.path().join(format!("js{i}"));
            let mut conf = format!(
                "server_name: n{i}\nlisten: \"127.0.0.1:{port}\"\n\
                 jetstream {{ store_dir: {store:?} }}\n{extra}\n"
            );
            if n > 1 {
                let routes: Vec<String> = ports
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, (_, c))| format!("\"nats-route://127.0.0.1:{c}\""))
                    .collect();
                conf.push_str(&format!(
                    "cluster {{ name: newsd-test\n listen: \"127.0.0.1:{cport}\"\n routes: [{}] }}\n",
                    routes.join(", ")
                ));
            }
            let conf_path = dir.path().join(format!("n{i}.conf"));
            std::fs::write(&conf_path, conf).expect("server conf");
            let log = dir.path().join(format!("n{i}.log"));
            let child = Server::spawn(bin, &conf_path, &log);
            servers.push(Server {
                child: Some(child),
                bin: bin.clone(),
                conf: conf_path,
                port: *port,
                log,
            });
        }
        Nats { dir, servers }
    }

    /// Every server's URL, for `nats.servers`.
    pub fn urls(&self) -> Vec<String> {
        self.servers.iter().map(Server::url).collect()
    }

    /// `[nats]` settings for newsd against these servers, plus `extra` keys in `[nats]`.
    pub fn config(&self, name: &str, extra: &str) -> String {
        format!(
            "[nats]\nservers = {:?}\nname = {name:?}\nreconnect_max_delay_ms = 500\nrequest_timeout_ms = 2000\n{extra}\n",
            self.urls()
        )
    }

    /// A client on every server.
    pub async fn client(&self) -> jetstream::Context {
        let client = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .connect(self.urls())
            .await
            .expect("client connects");
        let mut js = jetstream::new(client);
        js.set_timeout(Duration::from_secs(10));
        js
    }

    /// Every server's log, for failure messages.
    pub fn logs(&self) -> String {
        self.servers
            .iter()
            .map(|s| std::fs::read_to_string(&s.log).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n----\n")
    }
}

/// Creates a stream, retrying while a new cluster elects its leaders.
pub async fn create_stream(js: &jetstream::Context, config: stream::Config) -> stream::Stream {
    let end = Instant::now() + Duration::from_secs(60);
    loop {
        match js.get_or_create_stream(config.clone()).await {
            Ok(s) => return s,
            Err(e) if Instant::now() < end => {
                eprintln!("stream {} not yet: {e}", config.name);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("cannot create stream {}: {e}", config.name),
        }
    }
}

/// Messages now in a stream (0 while it cannot be asked).
pub async fn stream_len(js: &jetstream::Context, name: &str) -> Option<u64> {
    let mut s = js.get_stream(name).await.ok()?;
    s.info().await.ok().map(|i| i.state.messages)
}

/// Publishes one article with the headers a producer sets, retrying while the cluster
/// is unsettled; returns once the stream stored it.
pub async fn publish_article(js: &jetstream::Context, subject: &str, name: String, body: Vec<u8>) {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Newsd-Name", name.as_str());
    headers.insert("Nats-Msg-Id", name.as_str());
    let end = Instant::now() + Duration::from_secs(60);
    loop {
        let r = match js
            .publish_with_headers(subject.to_string(), headers.clone(), body.clone().into())
            .await
        {
            Ok(ack) => ack.await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match r {
            Ok(()) => return,
            Err(e) if Instant::now() < end => {
                eprintln!("publish {name}: {e}; retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot publish {name}: {e}"),
        }
    }
}

/// One message read back from a stream.
#[derive(Debug, Clone)]
pub struct Stored {
    pub subject: String,
    pub headers: HashMap<String, String>,
    pub payload: Vec<u8>,
}

/// Every message in `stream`, read with an ordered consumer.
pub async fn read_all(js: &jetstream::Context, stream: &str) -> Vec<Stored> {
    let total = stream_len(js, stream).await.unwrap_or(0);
    let mut out = Vec::new();
    if total == 0 {
        return out;
    }
    // Retried: after a server of a cluster dies, API requests can time out for a while.
    let end = Instant::now() + Duration::from_secs(90);
    let consumer = loop {
        let made = match js.get_stream(stream).await {
            Ok(s) => s
                .create_consumer(jetstream::consumer::pull::OrderedConfig::default())
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match made {
            Ok(c) => break c,
            Err(e) if Instant::now() < end => {
                eprintln!("ordered consumer on {stream}: {e}; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("cannot read {stream}: {e}"),
        }
    };
    let mut messages = consumer.messages().await.expect("messages");
    while (out.len() as u64) < total {
        let next = tokio::time::timeout(Duration::from_secs(30), messages.next())
            .await
            .expect("stream read stalled");
        let m = next.expect("stream ended").expect("message");
        let headers = m
            .headers
            .as_ref()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            v.first()
                                .map(|x| x.as_str().to_string())
                                .unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Stored {
            subject: m.subject.to_string(),
            headers,
            payload: m.payload.to_vec(),
        });
    }
    out
}
