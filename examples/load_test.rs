//! A bounded HTTP load generator for bench/serve/run.sh: `REQUESTS` POSTs of one body to one
//! URL from `CONCURRENCY` keep-alive clients on 127.0.0.1, then one JSON line with the
//! throughput, the latency percentiles and the non-200 count. One tool for both servers, so
//! their numbers differ only by the server.
//!
//! Usage: cargo run --release --example load_test -- URL BODY_FILE CONCURRENCY REQUESTS

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, body, concurrency, requests] = args.as_slice() else {
        eprintln!("usage: load_test URL BODY_FILE CONCURRENCY REQUESTS");
        std::process::exit(2);
    };
    let (Ok(body), Ok(concurrency), Ok(requests)) = (
        std::fs::read(body),
        concurrency.parse::<usize>(),
        requests.parse::<usize>(),
    ) else {
        eprintln!("BODY_FILE must be readable, CONCURRENCY and REQUESTS whole numbers");
        std::process::exit(2);
    };
    let body = Arc::new(body);
    let next = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let clients: Vec<_> = (0..concurrency)
        .map(|_| {
            let (url, body, next, failed) =
                (url.clone(), body.clone(), next.clone(), failed.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(60))
                    .max_idle_connections_per_host(1)
                    .build();
                let mut latencies = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    let sent = Instant::now();
                    // A body read whole: the answer is part of the latency.
                    let answered = match agent
                        .post(&url)
                        .set("Content-Type", "application/json")
                        .send_bytes(&body)
                    {
                        Ok(response) => response.into_string().is_ok(),
                        Err(_) => false,
                    };
                    latencies.push(sent.elapsed().as_secs_f64());
                    if !answered {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<f64> = clients
        .into_iter()
        .flat_map(|client| client.join().unwrap_or_default())
        .collect();
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let at = |p: f64| {
        let i = ((p * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len().max(1));
        latencies.get(i - 1).copied().unwrap_or(f64::NAN) * 1e3
    };
    println!(
        "{{\"requests\": {}, \"concurrency\": {concurrency}, \"seconds\": {seconds:.3}, \"per_second\": {:.1}, \"p50_ms\": {:.3}, \"p99_ms\": {:.3}, \"failed\": {}}}",
        latencies.len(),
        latencies.len() as f64 / seconds,
        at(0.50),
        at(0.99),
        failed.load(Ordering::Relaxed)
    );
}
