//! `gdauth bench-serve`: a load harness for the emulator (issue 15 §6). N concurrent
//! clients read over loopback for a bounded time, first an unauthenticated route (the
//! index page, the server's own baseline), then validly signed feed requests (two-legged
//! OAuth 1.0, HMAC-SHA1, a fresh nonce each, so every request goes through the whole
//! verifier and the replay store). It reports requests per second, latency percentiles and
//! every non-2xx by cause, with a progress line on stderr each second, and exits 1 when a
//! signed request was refused or any answer was a 5xx.
//!
//! Without `--target` it starts the embedded emulator (quiet) with the consumer and user it
//! signs as; with `--target URL` it loads that server, which must know `--consumer` and
//! `--user` (for two-legged reads the consumer is registered as at Google).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use gdata_auth::emulator::{Emulator, EmulatorConfig};
use gdata_auth::oauth1::{flow, OAuth1Authorizer};
use gdata_auth::transport::{HttpRequest, ReqwestTransport, Transport};
use gdata_auth::{ConsumerSecret, Context};

use crate::args::{failed, to_json, usage};
use crate::CliError;

/// Flags of `gdauth bench-serve`. No `Debug`: the consumer secret.
#[derive(Args)]
pub(crate) struct BenchArgs {
    /// Concurrent clients.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=1024))]
    clients: u64,
    /// Seconds each phase runs.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    seconds: u64,
    /// The server to load [default: an embedded emulator].
    #[arg(long, value_name = "URL")]
    target: Option<String>,
    /// The consumer the signed requests use, KEY:SECRET.
    #[arg(
        long,
        value_name = "KEY:SECRET",
        default_value = "bench.example.com:bench-secret"
    )]
    consumer: String,
    /// The user the two-legged requests read as.
    #[arg(long, value_name = "EMAIL", default_value = "user@example.com")]
    user: String,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// What one phase measured.
#[derive(Default, serde::Serialize)]
struct Phase {
    name: &'static str,
    requests: u64,
    per_second: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// Non-2xx answers and failed sends, by "STATUS cause".
    refused: BTreeMap<String, u64>,
}

/// What every client of a phase shares.
struct Shared {
    stop: AtomicBool,
    done: AtomicU64,
    latencies: Mutex<Vec<u32>>,
    refused: Mutex<BTreeMap<String, u64>>,
}

/// One client's loop: send, time, record, until told to stop.
async fn client(
    http: Arc<ReqwestTransport>,
    shared: Arc<Shared>,
    make: Arc<dyn Fn() -> Result<HttpRequest, String> + Send + Sync>,
) {
    let mut mine = Vec::with_capacity(4096);
    while !shared.stop.load(Ordering::Relaxed) {
        let req = match make() {
            Ok(r) => r,
            Err(e) => {
                count(&shared, format!("unsigned {e}"));
                break;
            }
        };
        let started = Instant::now();
        let answer = http.send(req).await;
        let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        mine.push(micros);
        shared.done.fetch_add(1, Ordering::Relaxed);
        match answer {
            Ok(resp) if (200..300).contains(&resp.status) => {}
            Ok(resp) => {
                let body = resp.body_text().unwrap_or_default();
                // The cause the server named: OAuth Problem Reporting, or its first line.
                let cause = body
                    .split('&')
                    .find_map(|p| p.strip_prefix("oauth_problem="))
                    .or_else(|| body.lines().next())
                    .unwrap_or_default()
                    .chars()
                    .take(60)
                    .collect::<String>();
                count(&shared, format!("{} {cause}", resp.status));
            }
            Err(e) => count(&shared, format!("send failed: {e}")),
        }
    }
    if let Ok(mut all) = shared.latencies.lock() {
        all.extend(mine);
    }
}

fn count(shared: &Shared, cause: String) {
    if let Ok(mut r) = shared.refused.lock() {
        *r.entry(cause).or_default() += 1;
    }
}

/// The `q`-th quantile of sorted microseconds, in milliseconds.
fn quantile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    f64::from(sorted.get(i).copied().unwrap_or_default()) / 1000.0
}

/// Runs one phase: `clients` loops of `make` for `seconds`, with a progress line a second.
async fn phase(
    name: &'static str,
    args: &BenchArgs,
    http: &Arc<ReqwestTransport>,
    make: Arc<dyn Fn() -> Result<HttpRequest, String> + Send + Sync>,
) -> Phase {
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        done: AtomicU64::new(0),
        latencies: Mutex::new(Vec::new()),
        refused: Mutex::new(BTreeMap::new()),
    });
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.clients)
        .map(|_| tokio::spawn(client(http.clone(), shared.clone(), make.clone())))
        .collect();
    let mut last = 0;
    for second in 1..=args.seconds {
        tokio::time::sleep_until((started + Duration::from_secs(second)).into()).await;
        let done = shared.done.load(Ordering::Relaxed);
        let refused: u64 = shared.refused.lock().map(|r| r.values().sum()).unwrap_or(0);
        eprintln!(
            "  {name}: {second:>3}/{} s, {done} requests ({} /s), {refused} refused",
            args.seconds,
            done - last
        );
        last = done;
    }
    shared.stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut lat = shared
        .latencies
        .lock()
        .map(|l| l.clone())
        .unwrap_or_default();
    lat.sort_unstable();
    let requests = lat.len() as u64;
    Phase {
        name,
        requests,
        per_second: requests as f64 / elapsed,
        p50_ms: quantile(&lat, 0.5),
        p90_ms: quantile(&lat, 0.9),
        p99_ms: quantile(&lat, 0.99),
        max_ms: quantile(&lat, 1.0),
        refused: shared.refused.lock().map(|r| r.clone()).unwrap_or_default(),
    }
}

/// The process's resident memory in KiB (Linux), for the report.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub(crate) fn run(args: BenchArgs) -> Result<String, CliError> {
    let (key, secret) = args
        .consumer
        .split_once(':')
        .ok_or_else(|| usage("--consumer must be KEY:SECRET"))?;
    let (key, secret) = (key.to_owned(), secret.to_owned());
    let runtime = tokio::runtime::Runtime::new().map_err(failed)?;
    // The embedded emulator, quiet, with what the signed phase needs.
    let (base, emulator) = match &args.target {
        Some(url) => (url.trim_end_matches('/').to_owned(), None),
        None => {
            let config = EmulatorConfig::new()
                .add_hmac_consumer(key.as_str(), secret.as_str())
                .add_user(args.user.as_str(), "bench-password");
            let emu = Emulator::start(config).map_err(failed)?;
            (emu.base_url().to_owned(), Some(emu))
        }
    };
    let rss_before = rss_kib();
    let consumer = OAuth1Authorizer::hmac_sha1(key.as_str(), ConsumerSecret::new(secret));
    let feed = format!("{base}/calendar/feeds/default/private/full");
    let index = format!("{base}/");
    let user = args.user.clone();
    let (open, signed) = runtime.block_on(async {
        let http = Arc::new(ReqwestTransport::new().map_err(failed)?);
        let open = phase(
            "unauthenticated GET /",
            &args,
            &http,
            Arc::new(move || Ok(HttpRequest::get(index.as_str()))),
        )
        .await;
        let signed = phase(
            "signed feed reads",
            &args,
            &http,
            Arc::new(move || {
                flow::prepare_two_legged(&consumer, "GET", &feed, &user, &Context::now())
                    .map_err(|e| e.to_string())
            }),
        )
        .await;
        Ok::<_, CliError>((open, signed))
    })?;
    let rss_after = rss_kib();
    drop(emulator);
    let ratio = if open.per_second > 0.0 {
        signed.per_second / open.per_second
    } else {
        0.0
    };
    let server_errors: u64 = [&open, &signed]
        .iter()
        .flat_map(|p| p.refused.iter())
        .filter(|(cause, _)| cause.starts_with('5') || cause.starts_with("send failed"))
        .map(|(_, n)| n)
        .sum();
    let signed_refused: u64 = signed.refused.values().sum();
    let report = serde_json::json!({
        "clients": args.clients,
        "seconds": args.seconds,
        "phases": [&open, &signed],
        "signed_to_open_ratio": ratio,
        "rss_kib_before": rss_before,
        "rss_kib_after": rss_after,
        "embedded": args.target.is_none(),
    });
    let out = if args.json {
        to_json(&report)?
    } else {
        let mut s = format!(
            "bench-serve: {} clients, {} s per phase, {}\n",
            args.clients,
            args.seconds,
            if args.target.is_none() {
                "embedded emulator"
            } else {
                base.as_str()
            }
        );
        for p in [&open, &signed] {
            s.push_str(&format!(
                "  {:<24} {:>8} requests {:>9.0} /s  p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms\n",
                p.name, p.requests, p.per_second, p.p50_ms, p.p90_ms, p.p99_ms, p.max_ms
            ));
            for (cause, n) in &p.refused {
                s.push_str(&format!("    {n:>8} × {cause}\n"));
            }
        }
        s.push_str(&format!(
            "  signed / unauthenticated throughput: {ratio:.2}; resident memory {} → {} KiB",
            rss_before.map_or("?".into(), |v| v.to_string()),
            rss_after.map_or("?".into(), |v| v.to_string())
        ));
        s
    };
    if signed_refused > 0 || server_errors > 0 {
        return Err(CliError::Rejected(out));
    }
    Ok(out)
}
