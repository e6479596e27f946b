//! `hearth app`: serves the built page (Trunk's `dist/`) as its users should get it — every
//! text and wasm file compressed with brotli or gzip, content-hashed files cached for a year,
//! everything else revalidated on each visit, and no live-reload socket.
//!
//! The files are read and compressed once at start and then served from memory: the app is a
//! few dozen megabytes, compressing the 25 MB worker on every request (tower-http's
//! `CompressionLayer`) would cost seconds of CPU per visit, and precompressed files on disk
//! (`ServeDir::precompressed_br`) would need a brotli tool at build time that a fresh Debian
//! machine lacks.

use std::collections::HashMap;
use std::hash::Hasher;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use clap::Args;

/// Brotli's quality for the precompressed files. On the 25 MB worker wasm, 9 gives 3.2 MB in
/// about 2 s; the maximum, 11, gives 2.8 MB but takes about 40 s, which every start of the
/// server would wait for.
const BROTLI_QUALITY: i32 = 9;
/// Brotli's largest window (16 MiB), so that repeats far apart in the 25 MB wasm still match.
const BROTLI_WINDOW: i32 = 24;
/// A folder larger than this is not a built app; holding it in memory would hurt.
const MAX_SITE_BYTES: u64 = 1 << 30;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Stored, but revalidated (ETag) on every use: the file's name does not change with it.
const REVALIDATE: &str = "no-cache";

#[derive(Args)]
pub struct AppArgs {
    /// The built app: the folder `trunk build --release` writes.
    #[arg(long, default_value = "dist")]
    dir: PathBuf,
    /// The TCP port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The address to listen on; the default serves this machine only.
    #[arg(long, default_value = "127.0.0.1")]
    address: IpAddr,
}

/// Loads and compresses the app, binds the port, prints the URL and serves until stopped.
pub fn run(args: &AppArgs) -> Result<(), String> {
    // The port first: if it is taken, say so before spending seconds compressing.
    let address = SocketAddr::new(args.address, args.port);
    let listener =
        std::net::TcpListener::bind(address).map_err(|error| bind_error(address, &error))?;
    listener.set_nonblocking(true).map_err(|error| {
        format!("The listening socket on {address} could not be set up: {error}.")
    })?;
    let bound = listener.local_addr().unwrap_or(address);

    let started = Instant::now();
    let files = collect_files(&args.dir)?;
    println!(
        "Compressing the {} files of {} with brotli and gzip…",
        files.len(),
        args.dir.display()
    );
    let site = Arc::new(Site::load(files)?);
    println!("Compressed in {:.1} s.", started.elapsed().as_secs_f64());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|error| format!("The server's event loop could not start: {error}."))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(|error| {
            format!("The listening socket on {bound} could not be used: {error}.")
        })?;
        println!("Hearth is served at http://{bound}/ (Ctrl-C stops it).");
        let router = Router::new().fallback(respond).with_state(site);
        axum::serve(listener, router)
            .await
            .map_err(|error| format!("The server on {bound} stopped: {error}."))
    })
}

pub(super) fn bind_error(address: SocketAddr, error: &io::Error) -> String {
    let port = address.port();
    let ip = address.ip();
    match error.kind() {
        io::ErrorKind::AddrInUse => format!(
            "Port {port} on {ip} is already in use; stop what is using it or choose another port with --port."
        ),
        io::ErrorKind::PermissionDenied => format!(
            "Port {port} on {ip} needs privileges here; choose a port above 1023 with --port."
        ),
        io::ErrorKind::AddrNotAvailable => format!(
            "{ip} is not an address of this machine; choose one with --address (127.0.0.1 serves this machine only)."
        ),
        _ => format!("Could not listen on port {port} of {ip}: {error}."),
    }
}

/// A file of the app, keyed by its URL path (`/index.html`).
struct SourceFile {
    url_path: String,
    bytes: Vec<u8>,
}

/// Every regular file under `dir`, skipping hidden ones (Trunk stages its next build in
/// `dist/.stage`) and symbolic links to folders (which could loop).
fn collect_files(dir: &Path) -> Result<Vec<SourceFile>, String> {
    if !dir.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html; build the app first with `trunk build --release` or name its folder with --dir.",
            dir.display()
        ));
    }
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut folders = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|error| format!("{} could not be read: {error}.", folder.display()))?;
        for entry in entries {
            let entry = entry
                .map_err(|error| format!("{} could not be read: {error}.", folder.display()))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue; // a name a URL cannot carry as UTF-8 is never requested by the app
            };
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let url_path = format!("{prefix}/{name}");
            let kind = entry
                .file_type()
                .map_err(|error| format!("{} could not be read: {error}.", path.display()))?;
            if kind.is_dir() {
                folders.push((path, url_path));
            } else if path.is_file() {
                let bytes = std::fs::read(&path)
                    .map_err(|error| format!("{} could not be read: {error}.", path.display()))?;
                total += bytes.len() as u64;
                if total > MAX_SITE_BYTES {
                    return Err(format!(
                        "{} holds more than 1 GiB, which is not a built app; name the folder `trunk build` wrote with --dir.",
                        dir.display()
                    ));
                }
                files.push(SourceFile { url_path, bytes });
            }
        }
    }
    Ok(files)
}

/// One file as served: its bytes and, where smaller, its brotli and gzip forms.
struct Entry {
    content_type: &'static str,
    cache_control: &'static str,
    /// The identity form's tag; a compressed form adds a suffix, as its bytes differ.
    etag: String,
    identity: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
}

struct Site {
    files: HashMap<String, Entry>,
    /// The Content-Security-Policy that `scripts/csp` wrote into index.html, sent with every
    /// file: a worker takes its policy from its own response, never from the page's <meta>.
    policy: Option<HeaderValue>,
}

/// The policy in index.html's `<meta http-equiv="Content-Security-Policy">`, if any.
fn page_policy(html: &str) -> Option<HeaderValue> {
    let start = html.find("http-equiv=\"Content-Security-Policy\"")?;
    let rest = &html[start
        ..html[start..]
            .find('>')
            .map_or(html.len(), |end| start + end)];
    let content = rest.split("content=\"").nth(1)?.split('"').next()?;
    HeaderValue::from_str(content).ok()
}

#[derive(Clone, Copy)]
enum Encoding {
    Brotli,
    Gzip,
}

/// A compression job's result: which file, in which encoding, its bytes.
type Compressed = (usize, Encoding, Vec<u8>);

impl Site {
    /// Compresses every compressible file in both encodings, on every core, largest first so
    /// that the worker's wasm does not start last.
    fn load(files: Vec<SourceFile>) -> Result<Site, String> {
        let mut jobs: Vec<(usize, Encoding)> = files
            .iter()
            .enumerate()
            .filter(|(_, file)| compressible(&file.url_path))
            .flat_map(|(index, _)| [(index, Encoding::Brotli), (index, Encoding::Gzip)])
            .collect();
        jobs.sort_by_key(|(index, _)| std::cmp::Reverse(files[*index].bytes.len()));
        let next = AtomicUsize::new(0);
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let results: Vec<std::thread::Result<Vec<Compressed>>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        while let Some(&(index, encoding)) =
                            jobs.get(next.fetch_add(1, Ordering::Relaxed))
                        {
                            done.push((index, encoding, compress(&files[index].bytes, encoding)));
                        }
                        done
                    })
                })
                .collect();
            workers.into_iter().map(|worker| worker.join()).collect()
        });
        let mut compressed: Vec<(Option<Bytes>, Option<Bytes>)> = vec![(None, None); files.len()];
        for done in results {
            let done = done.map_err(|_| "Compressing the app's files failed.".to_string())?;
            for (index, encoding, bytes) in done {
                // A form that is not smaller is not worth a Content-Encoding (nor is a failed one).
                if bytes.is_empty() || bytes.len() >= files[index].bytes.len() {
                    continue;
                }
                match encoding {
                    Encoding::Brotli => compressed[index].0 = Some(Bytes::from(bytes)),
                    Encoding::Gzip => compressed[index].1 = Some(Bytes::from(bytes)),
                }
            }
        }
        let policy = files
            .iter()
            .find(|file| file.url_path == "/index.html")
            .and_then(|file| page_policy(&String::from_utf8_lossy(&file.bytes)));
        let files = files
            .into_iter()
            .zip(compressed)
            .map(|(file, (brotli, gzip))| {
                let name = file.url_path.rsplit('/').next().unwrap_or_default();
                let entry = Entry {
                    content_type: content_type(name),
                    cache_control: if is_content_hashed(name) {
                        IMMUTABLE
                    } else {
                        REVALIDATE
                    },
                    etag: etag(&file.bytes),
                    identity: Bytes::from(file.bytes),
                    brotli,
                    gzip,
                };
                (file.url_path, entry)
            })
            .collect();
        Ok(Site { files, policy })
    }
}

/// Compresses `bytes`; an empty result means it failed (writing to memory does not, in practice).
fn compress(bytes: &[u8], encoding: Encoding) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    match encoding {
        Encoding::Brotli => {
            let params = brotli::enc::BrotliEncoderParams {
                quality: BROTLI_QUALITY,
                lgwin: BROTLI_WINDOW,
                size_hint: bytes.len(),
                ..Default::default()
            };
            let mut input = bytes;
            if brotli::BrotliCompress(&mut input, &mut out, &params).is_err() {
                out.clear();
            }
            out
        }
        Encoding::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::best());
            encoder
                .write_all(bytes)
                .and_then(|()| encoder.finish())
                .unwrap_or_default()
        }
    }
}

/// A strong validator: the same bytes give the same tag across restarts of the server.
fn etag(bytes: &[u8]) -> String {
    // `DefaultHasher::new` has fixed keys: deterministic within one build of the binary,
    // which is all a tag needs; a new binary at worst makes the browser download once more.
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(bytes);
    format!("\"{:016x}-{:x}\"", hasher.finish(), bytes.len())
}

/// Whether the file's name carries a hash of its content, so that a changed file gets a new
/// name and the old one can be cached forever: `name-<hex>` before the extension, as Trunk
/// writes (`hearth-app-3f2a…_bg.wasm`, `style-…css`) and scripts/hash-worker does for the
/// worker (`hearth-worker-…_loader.js`). At least 12 hex digits, so that a date or a
/// version number in a name is not mistaken for a hash; a hash Trunk writes shorter (its
/// leading zeros are dropped) only costs a revalidation.
pub fn is_content_hashed(file_name: &str) -> bool {
    let stem = file_name.split('.').next().unwrap_or_default();
    let stem = ["_bg", "_loader"]
        .iter()
        .find_map(|suffix| stem.strip_suffix(suffix))
        .unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((name, hash)) => {
            !name.is_empty()
                && (12..=64).contains(&hash.len())
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        None => false,
    }
}

fn extension(name: &str) -> &str {
    name.rsplit_once('.').map_or("", |(_, ext)| ext)
}

fn content_type(name: &str) -> &'static str {
    match extension(name) {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        // Browsers compile wasm while it downloads only when it is served as application/wasm.
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "md" => "text/markdown; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Text and wasm shrink; images and fonts are compressed already.
fn compressible(url_path: &str) -> bool {
    matches!(
        extension(url_path),
        "html"
            | "htm"
            | "js"
            | "mjs"
            | "wasm"
            | "css"
            | "csv"
            | "json"
            | "webmanifest"
            | "map"
            | "md"
            | "txt"
            | "svg"
    )
}

/// The encoding to send: brotli when the client takes it, else gzip, else none.
fn negotiate(headers: &HeaderMap, entry: &Entry) -> Option<(Encoding, Bytes)> {
    let accepted: Vec<(String, bool)> = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            // `;q=0` refuses an encoding.
            let refused = parts.any(|param| {
                param
                    .trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name, !refused)
        })
        .collect();
    let takes = |name: &str| {
        accepted
            .iter()
            .find(|(accepted, _)| accepted == name)
            .or_else(|| accepted.iter().find(|(accepted, _)| accepted == "*"))
            .is_some_and(|(_, ok)| *ok)
    };
    if let Some(bytes) = entry.brotli.as_ref().filter(|_| takes("br")) {
        return Some((Encoding::Brotli, bytes.clone()));
    }
    entry
        .gzip
        .as_ref()
        .filter(|_| takes("gzip"))
        .map(|bytes| (Encoding::Gzip, bytes.clone()))
}

/// Percent-decodes a URL path; `None` when it is not valid UTF-8 once decoded.
fn decode_path(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at)
                .and_then(|b| (*b as char).to_digit(16))
                .map(|digit| digit as u8)
        };
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                index += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

async fn respond(
    State(site): State<Arc<Site>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "Only GET and HEAD are served.",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let mut path = decode_path(uri.path()).unwrap_or_default();
    if path.ends_with('/') {
        path.push_str("index.html");
    }
    let Some(entry) = site.files.get(&path) else {
        return plain(StatusCode::NOT_FOUND, "Not found.");
    };
    let chosen = negotiate(&headers, entry);
    let etag = match chosen {
        Some((Encoding::Brotli, _)) => format!("{}-br\"", entry.etag.trim_end_matches('"')),
        Some((Encoding::Gzip, _)) => format!("{}-gz\"", entry.etag.trim_end_matches('"')),
        None => entry.etag.clone(),
    };
    let not_modified = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*");

    let mut builder = Response::builder()
        .header(header::CONTENT_TYPE, entry.content_type)
        .header(header::CACHE_CONTROL, entry.cache_control)
        .header(header::ETAG, etag)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if let Some(policy) = &site.policy {
        builder = builder.header(header::CONTENT_SECURITY_POLICY, policy.clone());
    }
    if entry.brotli.is_some() || entry.gzip.is_some() {
        builder = builder.header(header::VARY, "accept-encoding");
    }
    if not_modified {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "Response failed."));
    }
    let body = match chosen {
        Some((encoding, bytes)) => {
            builder = builder.header(
                header::CONTENT_ENCODING,
                match encoding {
                    Encoding::Brotli => "br",
                    Encoding::Gzip => "gzip",
                },
            );
            bytes
        }
        None => entry.identity.clone(),
    };
    builder = builder.header(header::CONTENT_LENGTH, body.len());
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(body)
    };
    builder
        .status(StatusCode::OK)
        .body(body)
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "Response failed."))
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    response
}

#[cfg(test)]
mod tests {
    use super::{is_content_hashed, page_policy};

    #[test]
    fn the_policy_is_read_from_the_pages_meta_element() {
        let html = r#"<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; connect-src 'self'" /><meta charset="utf-8"></head></html>"#;
        assert_eq!(
            page_policy(html).as_ref().and_then(|v| v.to_str().ok()),
            Some("default-src 'self'; connect-src 'self'")
        );
        assert!(page_policy("<html><head></head></html>").is_none());
        assert!(page_policy(r#"<meta http-equiv="Content-Security-Policy">"#).is_none());
    }

    #[test]
    fn hashed_names_are_those_trunk_and_the_worker_hook_write() {
        assert!(is_content_hashed("hearth-app-9c2f6a1b3d4e5f60_bg.wasm"));
        assert!(is_content_hashed("hearth-app-9c2f6a1b3d4e5f6.js"));
        assert!(is_content_hashed("style-00a1b2c3d4e5f607.css"));
        assert!(is_content_hashed(
            "hearth-worker-0123456789abcdef_loader.js"
        ));
        assert!(!is_content_hashed("index.html"));
        assert!(!is_content_hashed("hearth-worker_loader.js"));
        assert!(!is_content_hashed("penguins.csv"));
        assert!(!is_content_hashed("sales-20240101.csv"));
        assert!(!is_content_hashed("-0123456789abcdef.js"));
        assert!(!is_content_hashed("app-0123456789ABCDEF.js"));
    }
}
