//! `hearth serve`: the exported model behind HTTP (Open Inference Protocol V2 and TF Serving's
//! REST API, dynamic batching, Prometheus metrics with live drift). The server is
//! [`crate::serve`]; this reads the flags, loads the models, binds the port and stops on
//! Ctrl-C or SIGTERM once the requests in flight are answered.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::app::bind_error;
use crate::serve::{BatchSettings, ServeOptions, load_model, serve};

#[derive(Args)]
pub(super) struct ServeArgs {
    /// The model to serve: an exported .onnx file or a .hearth model file.
    model: Option<PathBuf>,
    /// The name MODEL is served under (default: its file name without the extension).
    #[arg(long)]
    name: Option<String>,
    /// More models, each as NAME=PATH (repeat the flag).
    #[arg(long = "model", value_name = "NAME=PATH")]
    models: Vec<String>,
    /// The address to listen on; the default serves this machine only.
    #[arg(long, alias = "address", default_value = "127.0.0.1")]
    host: IpAddr,
    /// The TCP port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The most rows one run of a model takes: requests waiting together are merged up to it.
    #[arg(long, default_value_t = 256)]
    max_batch: usize,
    /// How long the first request of a batch waits for others, in milliseconds.
    #[arg(long, default_value_t = 2)]
    batch_delay_ms: u64,
    /// Threads that run the models (default: the machine's cores).
    #[arg(long)]
    workers: Option<usize>,
    /// The largest request body, in megabytes.
    #[arg(long, default_value_t = 16)]
    max_body_mb: usize,
    /// How long a request may take before it is answered 503, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
    /// Served rows per model that live drift (in /metrics) is measured on.
    #[arg(long, default_value_t = 1_000)]
    drift_window: usize,
}

pub(super) fn run(args: &ServeArgs) -> Result<(), String> {
    let mut named: Vec<(String, PathBuf)> = Vec::new();
    if let Some(path) = &args.model {
        let name = match &args.name {
            Some(name) => name.clone(),
            None => stem(path),
        };
        named.push((name, path.clone()));
    } else if args.name.is_some() {
        return Err(
            "--name names the MODEL argument; there is none (use --model NAME=PATH).".into(),
        );
    }
    for spec in &args.models {
        let (name, path) = spec
            .split_once('=')
            .ok_or_else(|| format!("--model {spec}: write NAME=PATH."))?;
        named.push((name.to_string(), PathBuf::from(path)));
    }
    if named.is_empty() {
        return Err(
            "Name a model to serve: hearth serve MODEL.onnx (or --model NAME=PATH).".into(),
        );
    }
    for (i, (name, _)) in named.iter().enumerate() {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(format!(
                "The model name \"{name}\" cannot be part of a URL; use letters, digits, '-', '_' and '.' (--name or --model NAME=PATH)."
            ));
        }
        if named[..i].iter().any(|(other, _)| other == name) {
            return Err(format!(
                "Two models are named \"{name}\"; give each its own name."
            ));
        }
    }
    if args.max_batch == 0 || args.workers == Some(0) || args.max_body_mb == 0 {
        return Err("--max-batch, --workers and --max-body-mb must be at least 1.".into());
    }
    let address = SocketAddr::new(args.host, args.port);
    let listener =
        std::net::TcpListener::bind(address).map_err(|error| bind_error(address, &error))?;
    let bound = listener.local_addr().unwrap_or(address);
    let models = named
        .iter()
        .map(|(name, path)| load_model(path).map(|model| (name.clone(), model)))
        .collect::<Result<Vec<_>, _>>()?;
    let workers = args.workers.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let options = ServeOptions {
        batch: BatchSettings {
            max_batch: args.max_batch,
            delay: Duration::from_millis(args.batch_delay_ms),
            workers,
        },
        max_body_bytes: args.max_body_mb.saturating_mul(1 << 20),
        timeout: Duration::from_millis(args.timeout_ms),
        drift_window: args.drift_window,
    };
    // The access log: one line per request on stderr.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(false)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.clamp(1, 4))
        .enable_all()
        .build()
        .map_err(|error| format!("The server's event loop could not start: {error}."))?;
    runtime.block_on(async move {
        listener
            .set_nonblocking(true)
            .map_err(|error| format!("The socket on {bound} could not be used: {error}."))?;
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|error| format!("The socket on {bound} could not be used: {error}."))?;
        for (name, path) in &named {
            println!(
                "Serving {name} ({}) at http://{bound}/v2/models/{name}/infer and /v1/models/{name}:predict",
                path.display()
            );
        }
        println!("hearth serve listening on http://{bound} (metrics at /metrics; Ctrl-C or SIGTERM stops it)");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        serve(listener, models, options, stop_signal()).await?;
        println!("hearth serve stopped: every request in flight was answered.");
        Ok(())
    })
}

/// A model's default name: its file name without the extension.
fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into())
}

/// Ctrl-C, or SIGTERM (what `kill` and container runtimes send).
async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
