//! `hearth serve` as a client meets it: the real binary on a free port, a real HTTP client
//! (ureq), every endpoint and every refusal, answers equal to `hearth predict`'s, /metrics read
//! by a Prometheus text parser, live drift that moves with a drifted batch, and a graceful stop.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{assert_ok, bundled, hearth, path_of, sample, temp_dir, texts, train_sample};

/// The server, killed when a test ends however it ends.
struct Server {
    child: Child,
    base: String,
    log: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `hearth serve ARGS --port 0` and reads the address it prints.
fn start(args: &[&str], log: String) -> Server {
    let stderr = std::fs::File::create(&log).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .arg("serve")
        .args(args)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("the hearth binary runs");
    let stdout = child.stdout.take().unwrap();
    let mut printed = String::new();
    let mut base = None;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let Ok(line) = line else { break };
        printed.push_str(&line);
        printed.push('\n');
        if let Some(at) = line.find("listening on http://") {
            let url = line[at + "listening on ".len()..]
                .split_whitespace()
                .next()
                .unwrap();
            base = Some(url.to_string());
            break;
        }
    }
    let Some(base) = base else {
        panic!(
            "the server printed no address; stdout: {printed} stderr: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    };
    // Keep reading stdout so that the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Server { child, base, log }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build()
}

/// The status and JSON body of a request (a 4xx or 5xx is an answer here, not an error).
fn call(request: ureq::Request, body: Option<(&str, &[u8])>) -> (u16, Value) {
    let sent = match body {
        Some((content_type, bytes)) => request.set("Content-Type", content_type).send_bytes(bytes),
        None => request.call(),
    };
    let response = match sent {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("no HTTP answer: {error}"),
    };
    let status = response.status();
    let text = response.into_string().unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

fn get(server: &Server, path: &str) -> (u16, Value) {
    call(agent().get(&format!("{}{path}", server.base)), None)
}

fn post_json(server: &Server, path: &str, body: &Value) -> (u16, Value) {
    post(
        server,
        path,
        "application/json",
        body.to_string().as_bytes(),
    )
}

fn post(server: &Server, path: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    call(
        agent().post(&format!("{}{path}", server.base)),
        Some((content_type, body)),
    )
}

/// A POST that announces a 2 MB body (over the 1 MB limit) and sends none of it: the server
/// must refuse it from its headers. (Sending the body races the server's early answer: the
/// client can fail writing into a closed connection before it reads the 413.)
fn announce_huge_body(server: &Server, path: &str) -> (u16, Value) {
    use std::io::Write;
    let address = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        2 << 20
    )
    .unwrap();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    // Read the head, then as many bytes as its Content-Length says.
    loop {
        let read = stream.read(&mut chunk).unwrap();
        answer.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&answer).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let line = line.to_ascii_lowercase();
                    line.strip_prefix("content-length:")
                        .map(|value| value.trim().parse().unwrap())
                })
                .unwrap();
            if body.len() >= length {
                let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
                return (status, serde_json::from_str(&body[..length]).unwrap());
            }
        }
        assert!(read > 0, "the connection closed before an answer: {text}");
    }
}

/// A 4xx whose `error` is one sentence that contains `needle`.
fn assert_refused(answer: (u16, Value), status: u16, needle: &str) {
    let (got, body) = answer;
    let error = body["error"].as_str().unwrap_or_default().to_string();
    assert_eq!(got, status, "{body}");
    assert!(
        error.to_lowercase().contains(&needle.to_lowercase()),
        "{error:?} lacks {needle:?}"
    );
    assert!(error.ends_with('.') && !error.contains('\n'), "{error:?}");
    assert!(
        error.chars().next().is_some_and(char::is_uppercase),
        "{error:?}"
    );
}

/// The first `rows` penguins as V2 inputs (one per column the served model `name` reads, as
/// its metadata says) and as TF instances.
fn penguin_rows(server: &Server, name: &str, rows: usize) -> (Vec<Value>, Vec<Value>) {
    let (_, meta) = get(server, &format!("/v2/models/{name}"));
    let data = bundled("penguins.csv");
    let mut inputs = Vec::new();
    let mut instances = vec![serde_json::Map::new(); rows];
    for input in meta["inputs"].as_array().unwrap() {
        let column = input["name"].as_str().unwrap();
        let datatype = input["datatype"].as_str().unwrap();
        let k = data.columns.iter().position(|c| c.name == column).unwrap();
        let values: Vec<Value> = texts(&data, k)
            .into_iter()
            .take(rows)
            .map(|v| match v {
                None => Value::Null,
                Some(text) if datatype == "FP32" => json!(text.parse::<f64>().unwrap()),
                Some(text) => json!(text),
            })
            .collect();
        for (instance, value) in instances.iter_mut().zip(&values) {
            instance.insert(column.to_string(), value.clone());
        }
        inputs.push(
            json!({ "name": column, "shape": [rows, 1], "datatype": datatype, "data": values }),
        );
    }
    (inputs, instances.into_iter().map(Value::Object).collect())
}

/// A metric's value with these labels, from /metrics parsed as Prometheus text.
fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape =
        prometheus_parse::Scrape::parse(lines).expect("/metrics parses as Prometheus text");
    scrape
        .samples
        .iter()
        .find(|sample| {
            sample.metric == name
                && labels
                    .iter()
                    .all(|(key, value)| sample.labels.get(key) == Some(*value))
        })
        .map(|sample| match sample.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        })
}

#[test]
fn every_endpoint_answers_as_hearth_predict_and_every_bad_request_is_refused_by_name() {
    let dir = temp_dir();
    let model = train_sample(&dir, "penguins.csv", "species", &["--epochs", "20"]);
    let onnx = path_of(&dir, "penguins.onnx");
    assert_ok(&hearth(&["export", &model, "--out", &onnx]));
    let server = start(
        &[
            &onnx,
            "--max-batch",
            "64",
            "--max-body-mb",
            "1",
            "--drift-window",
            "200",
        ],
        path_of(&dir, "serve.log"),
    );

    // Health and metadata.
    assert_eq!(
        get(&server, "/v2/health/live"),
        (200, json!({ "live": true }))
    );
    assert_eq!(
        get(&server, "/v2/health/ready"),
        (200, json!({ "ready": true }))
    );
    let (status, meta) = get(&server, "/v2");
    assert_eq!((status, meta["name"].as_str()), (200, Some("hearth")));
    assert_eq!(meta["models"], json!(["penguins"]));
    let (status, meta) = get(&server, "/v2/models/penguins");
    assert_eq!(status, 200);
    let inputs = meta["inputs"].as_array().unwrap();
    assert!(
        inputs.contains(&json!({ "name": "island", "datatype": "BYTES", "shape": [-1, 1] })),
        "{meta}"
    );
    assert!(
        inputs.contains(&json!({ "name": "bill_length_mm", "datatype": "FP32", "shape": [-1, 1] })),
        "{meta}"
    );
    assert_eq!(
        meta["outputs"][1],
        json!({ "name": "probabilities", "datatype": "FP32", "shape": [-1, 3] })
    );
    assert_eq!(
        get(&server, "/v2/models/penguins/ready"),
        (200, json!({ "name": "penguins", "ready": true }))
    );
    assert_eq!(get(&server, "/v1/models/penguins").0, 200);

    // The answers are `hearth predict`'s on the same rows, by every route.
    let predicted = assert_ok(&hearth(&["predict", &onnx, &sample("penguins.csv")]));
    let expected: Vec<&str> = predicted
        .lines()
        .skip(1)
        .take(40)
        .map(|line| line.split(',').next().unwrap())
        .collect();
    let (inputs, instances) = penguin_rows(&server, "penguins", 40);
    let (status, v2) = post_json(
        &server,
        "/v2/models/penguins/infer",
        &json!({ "id": "a1", "inputs": inputs }),
    );
    assert_eq!(status, 200, "{v2}");
    assert_eq!(v2["id"], "a1");
    assert_eq!(v2["model_name"], "penguins");
    let labels: Vec<&str> = v2["outputs"][0]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(labels, expected);
    assert_eq!(v2["outputs"][1]["shape"], json!([40, 3]));
    let (status, v1) = post_json(
        &server,
        "/v1/models/penguins:predict",
        &json!({ "instances": instances }),
    );
    assert_eq!(status, 200, "{v1}");
    let labels: Vec<&str> = v1["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, expected);
    let csv = std::fs::read_to_string(sample("penguins.csv")).unwrap();
    let head: String = csv.lines().take(41).map(|l| format!("{l}\n")).collect();
    let (status, from_csv) = post(
        &server,
        "/v1/models/penguins:predict",
        "text/csv",
        head.as_bytes(),
    );
    assert_eq!(status, 200, "{from_csv}");
    assert_eq!(from_csv["predictions"], v1["predictions"]);

    // Concurrent clients (dynamic batching merges them), each answered with its own row.
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let (base, instance, label) = (
                server.base.clone(),
                instances[t].clone(),
                expected[t].to_string(),
            );
            std::thread::spawn(move || {
                for _ in 0..5 {
                    let (status, answer) = call(
                        agent().post(&format!("{base}/v1/models/penguins:predict")),
                        Some((
                            "application/json",
                            json!({ "instances": [instance] }).to_string().as_bytes(),
                        )),
                    );
                    assert_eq!(status, 200, "{answer}");
                    assert_eq!(answer["predictions"][0]["label"], label.as_str());
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());

    // Every bad request: one sentence naming what is wrong, and the server goes on serving.
    let one = |name: &str, value: Value| {
        let (mut inputs, _) = penguin_rows(&server, "penguins", 1);
        for input in &mut inputs {
            if input["name"] == name {
                input["data"] = json!([value.clone()]);
            }
        }
        json!({ "inputs": inputs })
    };
    let v2 = "/v2/models/penguins/infer";
    assert_refused(
        post(&server, v2, "application/json", b"{\"inputs\": [1,"),
        400,
        "not valid JSON",
    );
    assert_refused(post_json(&server, v2, &json!([1, 2])), 400, "not an object");
    assert_refused(
        post_json(&server, v2, &json!({ "rows": [] })),
        400,
        "no \"inputs\" array",
    );
    let (mut missing, _) = penguin_rows(&server, "penguins", 2);
    missing.retain(|input| input["name"] != "island");
    assert_refused(
        post_json(&server, v2, &json!({ "inputs": missing })),
        400,
        "input \"island\" (BYTES) is missing",
    );
    assert_refused(
        post_json(&server, v2, &one("bill_length_mm", json!("long"))),
        400,
        "input \"bill_length_mm\": \"long\" is not a number",
    );
    assert_refused(
        post_json(&server, v2, &one("bill_length_mm", json!("NaN"))),
        400,
        "not a finite number",
    );
    assert_refused(
        post_json(&server, v2, &one("bill_length_mm", json!("inf"))),
        400,
        "not a finite number",
    );
    assert_refused(
        post_json(&server, v2, &one("island", json!({ "a": 1 }))),
        400,
        "input \"island\": a value must be",
    );
    let (mut shaped, _) = penguin_rows(&server, "penguins", 2);
    shaped[0]["shape"] = json!([2, 3]);
    assert_refused(
        post_json(&server, v2, &json!({ "inputs": shaped })),
        400,
        "has shape [2, 3] for 2 values",
    );
    let (mut uneven, _) = penguin_rows(&server, "penguins", 2);
    uneven[1]["data"] = json!([uneven[1]["data"][0]]);
    uneven[1]["shape"] = json!([1]);
    assert_refused(
        post_json(&server, v2, &json!({ "inputs": uneven })),
        400,
        "every input needs one value a row",
    );
    let (mut unknown, _) = penguin_rows(&server, "penguins", 1);
    unknown.push(json!({ "name": "wings", "shape": [1], "datatype": "FP32", "data": [2] }));
    assert_refused(
        post_json(&server, v2, &json!({ "inputs": unknown })),
        400,
        "no input \"wings\"",
    );
    let (mut empty, _) = penguin_rows(&server, "penguins", 1);
    for input in &mut empty {
        input["data"] = json!([]);
        input["shape"] = json!([0, 1]);
    }
    assert_refused(
        post_json(&server, v2, &json!({ "inputs": empty })),
        400,
        "no rows",
    );
    let v1 = "/v1/models/penguins:predict";
    assert_refused(
        post_json(&server, v1, &json!({ "instances": [] })),
        400,
        "no rows",
    );
    assert_refused(
        post_json(
            &server,
            v1,
            &json!({ "instances": [{ "island": "Dream" }] }),
        ),
        400,
        "instance 1 has no \"bill_length_mm\"",
    );
    assert_refused(
        post_json(&server, v1, &json!({ "instances": [3] })),
        400,
        "instance 1 is not an object",
    );
    assert_refused(
        post(
            &server,
            v1,
            "text/csv",
            b"island,bill_length_mm\nDream,40\n",
        ),
        400,
        "has no column",
    );
    assert_refused(
        announce_huge_body(&server, v2),
        413,
        "larger than this server's limit",
    );
    assert_refused(
        post_json(&server, "/v2/models/gulls/infer", &json!({ "inputs": [] })),
        404,
        "no model \"gulls\"",
    );
    assert_refused(get(&server, "/v2/models/gulls"), 404, "no model \"gulls\"");
    assert_refused(get(&server, "/predict"), 404, "no endpoint GET /predict");
    let (status, again) = post_json(
        &server,
        "/v1/models/penguins:predict",
        &json!({ "instances": [instances[0]] }),
    );
    assert_eq!(status, 200, "{again}");

    // /metrics: counters by model, endpoint and status; latency and batch histograms.
    let (status, metrics) = get(&server, "/metrics");
    assert_eq!(status, 200);
    let metrics = metrics.as_str().unwrap().to_string();
    let ok_v1 = metric(
        &metrics,
        "hearth_requests_total",
        &[
            ("model", "penguins"),
            ("endpoint", "v1_predict"),
            ("status", "200"),
        ],
    );
    assert_eq!(ok_v1, Some(3.0 + 16.0 * 5.0), "{metrics}");
    let bad_v2 = metric(
        &metrics,
        "hearth_requests_total",
        &[
            ("model", "penguins"),
            ("endpoint", "v2_infer"),
            ("status", "400"),
        ],
    );
    assert_eq!(bad_v2, Some(12.0));
    assert_eq!(
        metric(
            &metrics,
            "hearth_requests_total",
            &[("model", ""), ("status", "404")]
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &metrics,
            "hearth_rows_total",
            &[("model", "penguins"), ("status", "ok")]
        ),
        Some(40.0 * 3.0 + 80.0 + 1.0)
    );
    let batches = metric(
        &metrics,
        "hearth_batch_rows_count",
        &[("model", "penguins")],
    )
    .unwrap();
    let batched = metric(&metrics, "hearth_batch_rows_sum", &[("model", "penguins")]).unwrap();
    assert!(
        batched >= 201.0 && batches >= 1.0,
        "{batches} batches of {batched} rows"
    );
    assert!(
        metric(
            &metrics,
            "hearth_request_duration_seconds_count",
            &[("endpoint", "v2_infer")]
        )
        .unwrap()
            >= 1.0
    );
    assert_eq!(
        metric(&metrics, "hearth_in_flight_requests", &[]),
        Some(1.0 - 1.0)
    );
    assert_eq!(
        metric(
            &metrics,
            "hearth_drift_window_rows",
            &[("model", "penguins")]
        ),
        Some(200.0)
    );
    assert!(metric(&metrics, "hearth_prediction_share", &[("class", "Adelie")]).unwrap() > 0.0);

    // The access log has a line per request.
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(log.lines().filter(|l| l.contains("path=\"/v2/models/penguins/infer\"") && l.contains("status=400")).count() >= 12, "{log}");
}

#[test]
fn a_drifted_batch_moves_the_drift_gauges_and_sigterm_stops_the_server_gracefully() {
    let dir = temp_dir();
    let model = train_sample(&dir, "penguins.csv", "species", &["--epochs", "5"]);
    // A .hearth file is served as it is (exported in memory).
    let mut server = start(
        &[&model, "--name", "birds", "--drift-window", "344"],
        path_of(&dir, "serve.log"),
    );
    let (_, instances) = penguin_rows(&server, "birds", 344);
    let predict = "/v1/models/birds:predict";
    assert_eq!(
        post_json(&server, predict, &json!({ "instances": instances })).0,
        200
    );
    let (_, metrics) = get(&server, "/metrics");
    let metrics = metrics.as_str().unwrap().to_string();
    let column = [("model", "birds"), ("column", "bill_length_mm")];
    assert_eq!(
        metric(&metrics, "hearth_drift_detected", &column),
        Some(0.0),
        "{metrics}"
    );
    // The same statistics as `hearth monitor` on the same rows, column by column.
    let report: Value = serde_json::from_str(&hearth_monitor(&model)).unwrap();
    for drift in report["columns"].as_array().unwrap() {
        let name = drift["column"].as_str().unwrap();
        let served = metric(
            &metrics,
            "hearth_drift_score",
            &[("model", "birds"), ("column", name)],
        )
        .unwrap();
        let monitored = drift["score"].as_f64().unwrap();
        assert!(
            (served - monitored).abs() <= 1e-12 * monitored.abs().max(1.0),
            "{name}: {served} vs {monitored}"
        );
    }
    let served = metric(
        &metrics,
        "hearth_prediction_drift_score",
        &[("model", "birds")],
    )
    .unwrap();
    assert!((served - report["prediction"]["score"].as_f64().unwrap()).abs() < 1e-12);

    // The same birds with bills twice as long: that column drifts, the others do not.
    let drifted: Vec<Value> = instances
        .iter()
        .map(|instance| {
            let mut instance = instance.clone();
            if let Some(length) = instance["bill_length_mm"].as_f64() {
                instance["bill_length_mm"] = json!(length * 2.0);
            }
            instance
        })
        .collect();
    assert_eq!(
        post_json(&server, predict, &json!({ "instances": drifted })).0,
        200
    );
    let (_, metrics) = get(&server, "/metrics");
    let metrics = metrics.as_str().unwrap().to_string();
    assert_eq!(
        metric(&metrics, "hearth_drift_detected", &column),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        metric(
            &metrics,
            "hearth_drift_detected",
            &[("model", "birds"), ("column", "island")]
        ),
        Some(0.0)
    );
    assert!(metric(&metrics, "hearth_drift_share", &[("model", "birds")]).unwrap() > 0.0);

    // SIGTERM: the server says it stopped and exits successfully.
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let mut waited = 0;
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            waited < 100,
            "the server did not stop within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    };
    assert!(status.success(), "{status}");
    let mut stderr = String::new();
    let _ = std::fs::File::open(&server.log).and_then(|mut f| f.read_to_string(&mut stderr));
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `hearth monitor MODEL penguins.csv --json` (it exits 3 when the data drifted).
fn hearth_monitor(model: &str) -> String {
    let output = hearth(&["monitor", model, &sample("penguins.csv"), "--json"]);
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn bad_flags_are_refused_in_one_sentence() {
    let dir = temp_dir();
    let missing = path_of(&dir, "nothing.onnx");
    let error =
        crate::support::assert_one_sentence_error(&hearth(&["serve", &missing, "--port", "0"]));
    assert!(error.contains("Could not read"), "{error}");
    let error = crate::support::assert_one_sentence_error(&hearth(&["serve", "--port", "0"]));
    assert!(error.contains("Name a model to serve"), "{error}");
    let error = crate::support::assert_one_sentence_error(&hearth(&[
        "serve",
        "--model",
        "a b=x.onnx",
        "--port",
        "0",
    ]));
    assert!(error.contains("cannot be part of a URL"), "{error}");
}
