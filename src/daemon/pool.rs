//! The worker threads: a fixed set of `pipeline.concurrency` plain threads that run
//! articles handed over by the dispatcher.
//!
//! Why not `spawn_blocking` per article: the runtime's blocking pool adds a thread
//! whenever none is idle at the instant of the call, and a worker that has just
//! released its permit is not idle yet, so two permits kept some ten threads alive.
//! Each thread has its own allocator heap holding freed pages for reuse, and a burst
//! kept tens of megabytes resident that way. A fixed set keeps each thread's heap warm
//! and the memory flat.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// One article's work.
type Task = Box<dyn FnOnce() + Send>;

/// The worker threads and the queue feeding them.
pub(super) struct Pool {
    queue: SyncSender<Task>,
    threads: Vec<JoinHandle<()>>,
}

impl Pool {
    /// Starts `n` worker threads (at least one).
    pub(super) fn start(n: usize) -> std::io::Result<Self> {
        let n = n.max(1);
        // Room for every permit: the dispatcher hands over a task only while holding
        // one of `n` permits, released when the task ends, so `run` never blocks.
        let (queue, rx) = sync_channel::<Task>(n);
        let rx = Arc::new(Mutex::new(rx));
        let threads = (0..n)
            .map(|i| {
                let rx = rx.clone();
                std::thread::Builder::new()
                    .name(format!("newsd-worker-{i}"))
                    .spawn(move || work(&rx))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(Self { queue, threads })
    }

    /// Hands a task to the next free worker.
    pub(super) fn run(&self, task: impl FnOnce() + Send + 'static) {
        if self.queue.send(Box::new(task)).is_err() {
            // Only if every worker thread is gone, which `work` does not allow.
            tracing::error!("no worker thread left; the input stays for the next start");
        }
    }

    /// Lets the workers finish what they were given, then waits for them.
    pub(super) async fn finish(self) {
        drop(self.queue);
        let threads = self.threads;
        let _ = tokio::task::spawn_blocking(move || {
            for t in threads {
                let _ = t.join();
            }
        })
        .await;
    }
}

/// A worker's loop: run tasks until the queue is closed and empty.
fn work(rx: &Mutex<Receiver<Task>>) {
    loop {
        let task = {
            let rx = rx.lock().unwrap_or_else(|e| e.into_inner());
            rx.recv()
        };
        let Ok(task) = task else { return };
        // A panic ends the article, not the worker: the input stays in work/.
        if catch_unwind(AssertUnwindSafe(task)).is_err() {
            tracing::error!("worker panicked; its input stays in work/ for the next start");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn runs_every_task_on_a_fixed_set_of_threads_and_survives_a_panic() {
        let pool = Pool::start(2).unwrap();
        let done = Arc::new(AtomicUsize::new(0));
        let names = Arc::new(Mutex::new(std::collections::HashSet::new()));
        pool.run(|| panic!("a bad article"));
        let permits = Arc::new(tokio::sync::Semaphore::new(2));
        for _ in 0..50 {
            let permit = permits.clone().acquire_owned().await.unwrap();
            let (done, names) = (done.clone(), names.clone());
            pool.run(move || {
                let _permit = permit;
                let me = std::thread::current().name().unwrap_or("").to_string();
                names.lock().unwrap().insert(me);
                done.fetch_add(1, Ordering::SeqCst);
            });
        }
        pool.finish().await;
        assert_eq!(done.load(Ordering::SeqCst), 50);
        let names = names.lock().unwrap();
        assert!(names.len() <= 2, "{names:?}");
        assert!(names.iter().all(|n| n.starts_with("newsd-worker-")));
    }
}
