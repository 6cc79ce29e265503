//! `eventlab-bench watch`: a live view of every lane while anything publishes (a bench
//! run, a learner's curl), in the browser and in the terminal.
//!
//! The sources are the same on AWS and the emulator, and each poll reads only what is new:
//! - the results bucket: the objects it gained since the last poll, from its notices,
//!   each read once ([`bucket`]): landed, duplicates, invocations, batch sizes, latency,
//!   rejected records;
//! - the generator's log group: its `published` lines ([`published`]);
//! - the SQS queues: the source queues' and failure queues' approximate counts;
//! - the transformers' configuration, every few seconds: which one a failure drill has
//!   broken, and each event source mapping's batch size and window.

pub mod board;
pub mod bucket;
pub mod published;
pub mod server;
pub mod terminal;

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use eventlab_client::stack::Stack;
use eventlab_schema::Service;
use futures_util::StreamExt;

use board::{BatchingNow, Board, QueueCounts, QueueRole, Snapshot};
use bucket::{BucketReader, NewObject};
use eventlab_schema::results::{Contents, Holds};
use published::PublishedReader;

/// Objects fetched at once while catching up.
const CONCURRENT_READS: usize = 4;

/// Polls the lab's sources into a [`Board`].
#[derive(Debug)]
pub struct Watcher {
    board: Board,
    bucket: BucketReader,
    published: PublishedReader,
    sqs: aws_sdk_sqs::Client,
    queues: Vec<(Service, QueueRole, String)>,
    platform: String,
    poll_interval: Duration,
    objects_read: u64,
    /// How long the last bucket pass (notices and reads) took.
    last_bucket_pass: Duration,
    lambda: aws_sdk_lambda::Client,
    transformers: Vec<(Service, String)>,
    /// The drill that broke each lane's consumer, as last read, and when to read again.
    broken: std::collections::BTreeMap<Service, String>,
    next_break_check: Instant,
    mappings: crate::mappings::Mappings,
    /// Each batching lane's settings as last read, and `tune`'s last decision.
    batching: std::collections::BTreeMap<Service, BatchingNow>,
    decisions: std::collections::BTreeMap<Service, String>,
}

/// How often the transformers' configuration is read for a drill's break.
const BREAK_CHECK_EVERY: Duration = Duration::from_secs(2);

impl Watcher {
    /// Watches `stack` from `started_at` on: what was published or landed before is not
    /// counted.
    pub async fn connect(stack: &Stack, started_at: DateTime<Utc>, poll_interval: Duration) -> Result<Self> {
        let notices = stack.results_created_queue_url.clone().context(
            "the stack's outputs name no results-created queue (the watch's notices): it predates them; apply it again (make up, or make deploy)",
        )?;
        let config = eventlab_client::stack::sdk_config(stack).await;
        let mut queues = vec![
            (Service::Sqs, QueueRole::Source, stack.sqs_queue_url.clone()),
            (Service::SqsFifo, QueueRole::Source, stack.sqs_fifo_queue_url.clone()),
        ];
        for (lane, url) in &stack.failure_queue_urls {
            if let Ok(service) = lane.parse::<Service>() {
                queues.push((service, QueueRole::Failures, url.clone()));
            }
        }
        let generator = stack.functions.get("generator").map_or("generator", String::as_str);
        let bucket = BucketReader::new(
            aws_sdk_s3::Client::new(&config),
            aws_sdk_sqs::Client::new(&config),
            &stack.results_bucket,
            notices,
            started_at,
        );
        Ok(Self {
            board: Board::new(started_at),
            bucket,
            published: PublishedReader::new(
                aws_sdk_cloudwatchlogs::Client::new(&config),
                eventlab_measure::usage::log_group(generator),
                started_at.timestamp_millis(),
            ),
            sqs: aws_sdk_sqs::Client::new(&config),
            queues,
            platform: if stack.endpoint_url.is_some() {
                "local emulator".to_owned()
            } else {
                "AWS".to_owned()
            },
            poll_interval,
            objects_read: 0,
            last_bucket_pass: Duration::ZERO,
            lambda: aws_sdk_lambda::Client::new(&config),
            transformers: Service::ALL
                .iter()
                .filter_map(|s| stack.functions.get(&format!("transform-{s}")).map(|f| (*s, f.clone())))
                .collect(),
            broken: std::collections::BTreeMap::new(),
            next_break_check: Instant::now(),
            mappings: crate::mappings::Mappings::new(aws_sdk_lambda::Client::new(&config)),
            batching: std::collections::BTreeMap::new(),
            decisions: std::collections::BTreeMap::new(),
        })
    }

    /// Reads every source once and returns what is to be shown. A source that fails is
    /// named in the snapshot's problems; the others still count.
    pub async fn poll(&mut self) -> Snapshot {
        let started = Instant::now();
        let mut problems = Vec::new();
        let pass = Instant::now();
        let read = self.read_bucket().await;
        self.last_bucket_pass = pass.elapsed();
        if let Err(err) = read {
            problems.push(format!("results bucket: {err:#}"));
        }
        match self.published.poll().await {
            Ok(lines) => {
                for line in lines {
                    self.board.published(line.service, line.published, line.failed);
                }
            }
            Err(err) => problems.push(format!("generator log: {err:#}")),
        }
        for (service, role, url) in &self.queues {
            match eventlab_client::queues::depth(&self.sqs, url).await {
                Ok((waiting, in_flight)) => self.board.queue(*service, *role, QueueCounts { waiting, in_flight }),
                Err(err) => problems.push(format!("{service} queue: {err:#}")),
            }
        }
        if Instant::now() >= self.next_break_check {
            self.next_break_check = Instant::now() + BREAK_CHECK_EVERY;
            for (service, function) in &self.transformers {
                match crate::drill::breaks::broken_by(&self.lambda, function).await {
                    Ok(Some(drill)) => {
                        self.broken.insert(*service, drill);
                    }
                    Ok(None) => {
                        self.broken.remove(service);
                    }
                    Err(err) => problems.push(format!("{service} transformer: {err:#}")),
                }
                if eventlab_measure::tune::bounds(*service).is_none() {
                    continue;
                }
                match self.mappings.get(function).await {
                    Ok((_, knobs)) => {
                        self.batching.insert(
                            *service,
                            BatchingNow {
                                batch: knobs.batch,
                                window_s: knobs.window_s,
                                decision: None,
                            },
                        );
                    }
                    Err(err) => problems.push(format!("{service} mapping: {err:#}")),
                }
            }
        }
        let mut snapshot = self.board.snapshot(Utc::now());
        for lane in &mut snapshot.lanes {
            lane.broken_by = self.broken.get(&lane.service).cloned();
            lane.batching = self.batching.get(&lane.service).map(|b| BatchingNow {
                decision: self.decisions.get(&lane.service).cloned(),
                ..b.clone()
            });
        }
        snapshot.platform.clone_from(&self.platform);
        snapshot.bucket = self.bucket.bucket().to_owned();
        snapshot.poll_interval_ms = u64::try_from(self.poll_interval.as_millis()).unwrap_or(u64::MAX);
        snapshot.problems = problems;
        snapshot.health = board::WatchHealth {
            poll_ms: started.elapsed().as_secs_f64() * 1000.0,
            objects_read: self.objects_read,
            remembered_keys: self.bucket.remembered(),
            bucket_pass_ms: self.last_bucket_pass.as_secs_f64() * 1000.0,
            notices_received: self.bucket.last_received(),
            log_lines_read: self.published.lines_read(),
        };
        snapshot
    }

    /// Reads the objects that appeared since the last poll into the board.
    async fn read_bucket(&mut self) -> Result<()> {
        let fresh: Vec<NewObject> = self
            .bucket
            .poll(Utc::now())
            .await?
            .into_iter()
            .filter(|o| Holds::of(&o.key).is_some())
            .collect();
        let bucket = &self.bucket;
        let fetched: Vec<(NewObject, Result<Vec<u8>>)> = futures_util::stream::iter(fresh)
            .map(|object| async move {
                let body = bucket.get(&object.key).await;
                (object, body)
            })
            .buffered(CONCURRENT_READS)
            .collect()
            .await;
        let mut first_error = None;
        for (object, body) in fetched {
            let body = match body {
                Ok(body) => body,
                Err(err) => {
                    // Left unread: the next poll returns it again.
                    first_error.get_or_insert(err);
                    continue;
                }
            };
            match Holds::of(&object.key) {
                Some(Holds::Results(service)) => {
                    let contents = Contents::read(&body);
                    self.board.landed(service, object.last_modified, &contents.results);
                    if contents.not_results() > 0 {
                        self.board.unreadable(service, contents.not_results());
                    }
                }
                Some(Holds::Rejected(service)) => self.board.rejected(service, Contents::read(&body).count()),
                None => {}
            }
            self.bucket.mark_read(&object);
            self.objects_read += 1;
        }
        first_error.map_or(Ok(()), Err)
    }

    /// What `tune` just decided for `service`'s batching, shown with the lane from now on;
    /// `knobs` are its settings from now on (read again from the mapping every few seconds).
    pub fn decided(&mut self, service: Service, knobs: eventlab_measure::tune::Knobs, decision: String) {
        self.batching.insert(
            service,
            BatchingNow {
                batch: knobs.batch,
                window_s: knobs.window_s,
                decision: None,
            },
        );
        self.decisions.insert(service, decision);
    }

    pub fn poll_interval(&self) -> Duration {
        self.poll_interval
    }
}

/// Polls forever, publishing each snapshot to `out`.
pub async fn poll_forever(mut watcher: Watcher, out: tokio::sync::watch::Sender<Snapshot>) {
    let mut ticker = tokio::time::interval(watcher.poll_interval());
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let snapshot = watcher.poll().await;
        out.send_replace(snapshot);
    }
}

/// How to watch.
#[derive(Debug, Clone, clap::Args)]
pub struct WatchArgs {
    /// Port for the page on 127.0.0.1 (0: any free port; the URL is printed).
    #[arg(long, default_value_t = 8077)]
    pub port: u16,
    /// Milliseconds between polls of the sources.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(200..=60_000))]
    pub poll_ms: u64,
    /// Show the counters as a live table in this terminal instead of serving the page.
    #[arg(long)]
    pub tui: bool,
}

/// Watches `stack` until the process is stopped.
pub async fn run(stack: &Stack, args: &WatchArgs) -> Result<()> {
    let watcher = Watcher::connect(stack, Utc::now(), Duration::from_millis(args.poll_ms)).await?;
    let (tx, mut rx) = tokio::sync::watch::channel(Snapshot::default());
    let poller = tokio::spawn(poll_forever(watcher, tx));
    if args.tui {
        use std::io::IsTerminal;
        let redraw = std::io::stdout().is_terminal();
        while rx.changed().await.is_ok() {
            let screen = terminal::render(&rx.borrow_and_update());
            // Clear and redraw in place on a terminal; one table after another otherwise.
            print!("{}{screen}", if redraw { "\x1b[H\x1b[2J" } else { "\n" });
        }
    } else {
        let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, args.port))
            .await
            .with_context(|| format!("binding 127.0.0.1:{}", args.port))?;
        println!("watching at http://{}/ (Ctrl-C to stop)", listener.local_addr()?);
        server::serve(listener, rx).await?;
    }
    poller.abort();
    Ok(())
}
