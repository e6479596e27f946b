//! Browser-only code, run by wasm-bindgen-test in a dedicated worker of headless Chromium (the
//! place it runs in the app): chunked file reading, the page/worker message envelope, timing.
#![cfg(target_arch = "wasm32")]
// Tests stop loudly: unwrap, expect and panic are how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth::clock::Stopwatch;
use hearth::data::{self, Ingest, IngestOptions};
use hearth::protocol::{DialectChoice, Envelope, Request, Response};
use hearth::teach::{Lesson, LessonSettings, Toy};
use hearth::web_file::read_in_chunks;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const PENGUINS: &[u8] = include_bytes!("../static/penguins.csv");

fn file(name: &str, bytes: &[u8]) -> web_sys::File {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::File::new_with_u8_array_sequence(&parts, name).expect("File constructor")
}

#[wasm_bindgen_test]
fn a_file_read_in_small_chunks_profiles_like_the_whole_bytes() {
    let text = "id,comment,value\r\n1,\"two\r\nlines\",1,5\r\n".replace(",1,5", ",1.5")
        + &(2..500)
            .map(|i| format!("{i},\"say \"\"{i}\"\"\",{}\r\n", i as f64 / 7.0))
            .collect::<String>();
    let whole = data::profile(
        &data::read_csv_bytes("t.csv", text.as_bytes(), IngestOptions::default()).unwrap(),
    );
    for chunk_bytes in [1, 7, 64, 4096] {
        let mut ingest = Ingest::new("t.csv", IngestOptions::default());
        ingest.set_size_hint(text.len() as u64);
        let mut calls = 0;
        read_in_chunks(
            &file("t.csv", text.as_bytes()),
            chunk_bytes,
            |chunk, _done| {
                calls += 1;
                ingest.push(chunk).map_err(|error| error.to_string())
            },
        )
        .unwrap();
        assert_eq!(calls, text.len().div_ceil(chunk_bytes));
        assert_eq!(
            data::profile(&ingest.finish().unwrap()),
            whole,
            "chunk size {chunk_bytes}"
        );
    }
}

#[wasm_bindgen_test]
fn progress_reports_the_bytes_done_so_far() {
    let mut seen = Vec::new();
    read_in_chunks(&file("p.csv", PENGUINS), 4096, |_chunk, done| {
        seen.push(done);
        Ok::<(), String>(())
    })
    .unwrap();
    assert_eq!(seen.last().copied(), Some(PENGUINS.len() as u64));
    assert!(seen.windows(2).all(|pair| pair[0] < pair[1]));
}

#[wasm_bindgen_test]
fn a_refused_chunk_stops_the_read_with_the_consumer_error_as_is() {
    let mut calls = 0;
    let result = read_in_chunks(&file("p.csv", PENGUINS), 64, |_chunk, _done| {
        calls += 1;
        Err("p.csv does not look like text.")
    });
    assert_eq!(
        result,
        Err(hearth::web_file::ChunkError::Consumer(
            "p.csv does not look like text."
        ))
    );
    assert_eq!(calls, 1);
}

#[wasm_bindgen_test]
fn a_request_and_its_file_cross_the_envelope() {
    let request = Request::LoadFile {
        name: "penguins.csv".into(),
        size: PENGUINS.len() as f64,
        dialect: DialectChoice {
            delimiter: Some(';'),
            has_header: Some(false),
            decimal_comma: None,
        },
    };
    let sent = Envelope {
        message: request.clone(),
        file: Some(file("penguins.csv", PENGUINS)),
        floats: None,
    };
    let received = Envelope::<Request>::from_js(&sent.to_js().unwrap()).unwrap();
    assert_eq!(received.message, request);
    assert_eq!(
        received.file.map(|file| file.name()),
        Some("penguins.csv".to_string())
    );
}

#[wasm_bindgen_test]
fn a_profile_crosses_the_envelope_unchanged() {
    let profile = data::profile(
        &data::read_csv_bytes("penguins.csv", PENGUINS, IngestOptions::default()).unwrap(),
    );
    let response = Response::Profiled {
        profile,
        millis: 12.5,
        memory_bytes: 2e7,
    };
    let received =
        Envelope::<Response>::from_js(&Envelope::new(response.clone()).to_js().unwrap()).unwrap();
    assert_eq!(received.message, response);
}

/// The Teach step's frame: its numbers as the message (with NaN for a set without points, which
/// JSON could not carry) and its planes as a Float32Array beside it.
#[wasm_bindgen_test]
fn a_teach_frame_and_its_planes_cross_the_envelope() {
    let mut lesson = Lesson::new(LessonSettings {
        toy: Toy::Blank,
        ..LessonSettings::default()
    })
    .unwrap();
    let (frame, planes) = lesson.frame(3, 0, true, 10, 4);
    assert!(frame.now.test_loss.is_nan());
    let mut sent = Envelope::new(Response::TeachFrame(Box::new(frame.clone())));
    sent.floats = Some(js_sys::Float32Array::from(planes.as_slice()));
    let received = Envelope::<Response>::from_js(&sent.to_js().unwrap()).unwrap();
    let Response::TeachFrame(back) = received.message else {
        panic!("not a frame");
    };
    assert_eq!(back.lesson, 3);
    assert_eq!(back.network, frame.network);
    assert!(back.now.test_loss.is_nan());
    assert_eq!(received.floats.map(|p| p.to_vec()), Some(planes));
}

#[wasm_bindgen_test]
fn a_garbled_message_is_an_error_not_a_panic() {
    let garbage = js_sys::JSON::parse(r#"{"message": {"LoadSample": {"name": 3}}}"#).unwrap();
    assert!(Envelope::<Request>::from_js(&garbage).is_err());
}

#[wasm_bindgen_test]
fn the_stopwatch_runs_in_a_worker() {
    let clock = Stopwatch::start();
    let elapsed = clock.elapsed_ms();
    assert!(elapsed.is_finite() && elapsed >= 0.0);
}

#[wasm_bindgen_test]
fn a_trial_with_a_full_64_bit_seed_crosses_the_envelope() {
    use hearth::search::{Budget, ParamValue, SamplerKind, Space, StudySettings, TrialTicket};
    let settings = StudySettings {
        seed: u64::MAX,
        sampler: SamplerKind::Random,
        pruner: Default::default(),
        budget: Budget {
            trials: Some(3),
            work: Some(u64::MAX - 1),
            wall_clock_s: None,
        },
        objectives: Default::default(),
        space: Space::for_training(100),
        train: Default::default(),
        rows_per_epoch: 100,
        portfolio: false,
    };
    let ticket = TrialTicket {
        number: 2,
        params: [("learning_rate".to_string(), ParamValue::Float(0.01))]
            .into_iter()
            .collect(),
        seed: 2_473_213_396_952_100_530,
    };
    let request = Request::RunTrial {
        settings: Box::new(settings),
        ticket,
        outputs: true,
    };
    let received =
        Envelope::<Request>::from_js(&Envelope::new(request.clone()).to_js().unwrap()).unwrap();
    assert_eq!(received.message, request);
}
