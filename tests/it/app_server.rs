//! `hearth app`, the server of the built page, as a browser meets it: the real binary on a free
//! port against a folder shaped like Trunk's dist/, asked over plain HTTP/1.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::{hearth, temp_dir};

/// Kills the server when a test ends, however it ends.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `hearth app --dir DIR --port 0` and reads the URL it prints.
fn start(dir: &std::path::Path) -> Server {
    let mut child = match Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["app", "--dir"])
        .arg(dir)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => panic!("the hearth binary does not run: {e}"),
    };
    let Some(stdout) = child.stdout.take() else {
        panic!("no stdout")
    };
    let mut printed = String::new();
    let mut base = None;
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        printed.push_str(&line);
        printed.push('\n');
        if let Some(at) = line.find("http://") {
            let url = line[at..].split_whitespace().next().unwrap_or_default();
            base = Some(url.trim_end_matches('/').to_string());
            break;
        }
    }
    let Some(base) = base else {
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        panic!("the server printed no URL; stdout: {printed} stderr: {stderr}");
    };
    Server { child, base }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body with its Content-Encoding undone.
    fn decoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.header("content-encoding") {
            None => out.extend_from_slice(&self.body),
            Some("br") => {
                if let Err(e) =
                    brotli::Decompressor::new(self.body.as_slice(), 4096).read_to_end(&mut out)
                {
                    panic!("the brotli body does not decode: {e}");
                }
            }
            Some("gzip") => {
                if let Err(e) =
                    flate2::read::GzDecoder::new(self.body.as_slice()).read_to_end(&mut out)
                {
                    panic!("the gzip body does not decode: {e}");
                }
            }
            Some(other) => panic!("unexpected content-encoding {other}"),
        }
        out
    }
}

/// One request on its own connection; `extra` are header lines.
fn get(server: &Server, method: &str, path: &str, extra: &[&str]) -> Reply {
    let address = server.base.trim_start_matches("http://");
    let mut stream = match TcpStream::connect(address) {
        Ok(stream) => stream,
        Err(e) => panic!("cannot connect to {address}: {e}"),
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for line in extra {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    if let Err(e) = stream.write_all(request.as_bytes()) {
        panic!("cannot send the request: {e}");
    }
    let mut raw = Vec::new();
    if let Err(e) = stream.read_to_end(&mut raw) {
        panic!("cannot read the reply: {e}");
    }
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        panic!("no end of headers in {:?}", String::from_utf8_lossy(&raw));
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

const WASM_NAME: &str = "hearth-app-0123456789abcdef_bg.wasm";
const WORKER_LOADER: &str = "hearth-worker-fedcba9876543210_loader.js";

/// What scripts/csp writes into index.html (abridged).
const POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";

/// A folder shaped like dist/: index.html, hashed wasm and js, an unhashed sample.
fn fake_dist() -> (tempfile::TempDir, Vec<u8>, String) {
    let dir = temp_dir();
    // Repetitive bytes, as wasm code is: they compress well.
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .chain((0..200_000u32).map(|i| (i % 251) as u8 ^ (i / 4096) as u8))
        .collect();
    let html = format!(
        "<!doctype html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"{POLICY}\" /><meta name=\"hearth-worker\" content=\"/{WORKER_LOADER}\" />{}</head><body></body></html>",
        "<link rel=\"preload\" href=\"/hearth-app.js\" />".repeat(40)
    );
    let script = "console.log('unhashed');\n".repeat(100);
    let sample = "species,island\nAdelie,Torgersen\n".repeat(200);
    let files: [(&str, &[u8]); 5] = [
        ("index.html", html.as_bytes()),
        (WASM_NAME, &wasm),
        (
            WORKER_LOADER,
            b"importScripts(\"./hearth-worker-aaaaaaaaaaaaaaaa.js\");wasm_bindgen(\"./hearth-worker-bbbbbbbbbbbbbbbb_bg.wasm\");",
        ),
        ("app.js", script.as_bytes()),
        ("static/penguins.csv", sample.as_bytes()),
    ];
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Err(e) = std::fs::write(&path, bytes) {
            panic!("{}: {e}", path.display());
        }
    }
    (dir, wasm, html)
}

#[test]
fn serves_the_built_app_compressed_with_long_caching_for_hashed_files_only() {
    let (dir, wasm, html) = fake_dist();
    let server = start(dir.path());

    let page = get(
        &server,
        "GET",
        "/",
        &["Accept-Encoding: gzip, deflate, br, zstd"],
    );
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("content-encoding"), Some("br"));
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert_eq!(page.decoded(), html.as_bytes());

    let wasm_path = format!("/{WASM_NAME}");
    let brotli = get(&server, "GET", &wasm_path, &["Accept-Encoding: br, gzip"]);
    assert_eq!(brotli.status, 200);
    assert_eq!(brotli.header("content-type"), Some("application/wasm"));
    assert_eq!(brotli.header("content-encoding"), Some("br"));
    assert_eq!(
        brotli.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(
        brotli
            .header("vary")
            .is_some_and(|vary| vary.eq_ignore_ascii_case("accept-encoding"))
    );
    assert!(
        brotli.body.len() < wasm.len() / 2,
        "{} bytes",
        brotli.body.len()
    );
    assert_eq!(brotli.decoded(), wasm);

    let gzip = get(&server, "GET", &wasm_path, &["Accept-Encoding: gzip"]);
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(gzip.decoded(), wasm);

    // A client that refuses brotli gets gzip; one that takes nothing gets the plain bytes.
    let refused = get(
        &server,
        "GET",
        &wasm_path,
        &["Accept-Encoding: br;q=0, gzip"],
    );
    assert_eq!(refused.header("content-encoding"), Some("gzip"));
    let plain = get(&server, "GET", &wasm_path, &[]);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, wasm);

    let loader = get(
        &server,
        "GET",
        &format!("/{WORKER_LOADER}"),
        &["Accept-Encoding: gzip"],
    );
    assert_eq!(loader.status, 200);
    assert_eq!(
        loader.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        loader.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    // The page's policy goes with every file: a worker takes its own from its response.
    for reply in [&page, &brotli, &loader] {
        assert_eq!(reply.header("content-security-policy"), Some(POLICY));
    }

    // Files without a hash in their name are revalidated on every visit.
    let unhashed = get(&server, "GET", "/app.js", &["Accept-Encoding: gzip"]);
    assert_eq!(unhashed.header("cache-control"), Some("no-cache"));
    assert_eq!(unhashed.header("content-encoding"), Some("gzip"));
    let sample = get(
        &server,
        "GET",
        "/static/penguins.csv",
        &["Accept-Encoding: br"],
    );
    assert_eq!(sample.status, 200);
    assert_eq!(
        sample.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(sample.header("cache-control"), Some("no-cache"));
    assert_eq!(sample.header("content-encoding"), Some("br"));

    // Revalidation: the same tag gives 304 and no body.
    let Some(tag) = page.header("etag") else {
        panic!("index.html has no ETag")
    };
    let again = get(
        &server,
        "GET",
        "/index.html",
        &[
            "Accept-Encoding: gzip, deflate, br",
            &format!("If-None-Match: {tag}"),
        ],
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    let head = get(&server, "HEAD", &wasm_path, &["Accept-Encoding: br"]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());

    assert_eq!(get(&server, "GET", "/missing.js", &[]).status, 404);
    assert_eq!(get(&server, "GET", "/../Cargo.toml", &[]).status, 404);
    assert_eq!(get(&server, "POST", "/", &[]).status, 405);
}

#[test]
fn a_port_in_use_is_named_in_one_sentence() {
    let (dir, _, _) = fake_dist();
    let taken = match TcpListener::bind("127.0.0.1:0") {
        Ok(listener) => listener,
        Err(e) => panic!("cannot bind a port for the test: {e}"),
    };
    let port = match taken.local_addr() {
        Ok(address) => address.port().to_string(),
        Err(e) => panic!("{e}"),
    };
    let dir_arg = dir.path().to_string_lossy().into_owned();
    let output = hearth(&["app", "--dir", &dir_arg, "--port", &port]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("Port {port} on 127.0.0.1 is already in use")),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn a_folder_without_a_built_app_is_refused() {
    let dir = temp_dir();
    let dir_arg = dir.path().to_string_lossy().into_owned();
    let output = hearth(&["app", "--dir", &dir_arg, "--port", "0"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("has no index.html"), "{stderr}");
    assert!(stderr.contains("trunk build --release"), "{stderr}");
}
