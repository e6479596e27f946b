//! No training row inside a shared model: every artifact Hearth writes from a table (the fitted
//! pipeline, the `.hearth` model, each ONNX form, a study and its best model) is scanned for
//! every value that occurs fewer than k = 5 times in the table. Frequent values are checked to
//! be there, so the scan itself is shown to find what it looks for.

use crate::support::{assert_ok, hearth, path_of, read_bytes, temp_dir, write};

/// A table a person might share a model of: a name per row, a ticket code per row, a city with
/// many rare hamlets (frequency-encoded), a colour with one rare shade (one-hot), two numbers,
/// and a yes/no target with a handful of rare "unsure" rows.
struct Table {
    csv: String,
    /// Values that occur fewer than 5 times: none may reach an artifact.
    rare: Vec<String>,
    /// Values that occur often and that the pipeline keeps: they must reach the model.
    frequent: Vec<String>,
}

fn table() -> Table {
    const CITIES: [&str; 12] = [
        "Oslo",
        "Bergen",
        "Trondheim",
        "Stavanger",
        "Tromso",
        "Bodo",
        "Alesund",
        "Molde",
        "Hamar",
        "Lillehammer",
        "Narvik",
        "Kristiansand",
    ];
    let mut rare = Vec::new();
    let mut csv = String::from("name,ticket,city,colour,x1,x2,answer\n");
    // A small linear congruential stream: the table is the same on every run.
    let mut state = 12345u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    for i in 0..320 {
        let name = format!("Quillfeather{i:03}, Mx. Ottoline Zebedee{i:03}");
        let ticket = format!("TK{:06}", 104729 * (i + 1) % 999_983);
        let city = if i % 5 == 4 {
            let hamlet = format!("Hamlet{:02}x", i / 5);
            rare.push(hamlet.clone());
            hamlet
        } else {
            CITIES[i % CITIES.len()].to_string()
        };
        let colour = match i {
            7 | 99 => "Chartreuse",
            _ if i % 2 == 0 => "Red",
            _ => "Blue",
        };
        let x1 = next() * 4.0 - 2.0;
        let x2 = next() * 4.0 - 2.0;
        let answer = match i {
            13 | 140 | 271 => "unsure-Wobblequack",
            _ if x1 + 0.5 * x2 + (next() - 0.5) > 0.0 => "yes",
            _ => "no",
        };
        csv.push_str(&format!(
            "\"{name}\",{ticket},{city},{colour},{x1:.4},{x2:.4},{answer}\n"
        ));
        rare.push(name);
        rare.push(ticket);
    }
    rare.push("Chartreuse".to_string());
    rare.push("unsure-Wobblequack".to_string());
    let frequent = ["Oslo", "Narvik", "Red", "Blue", "yes", "no"]
        .map(String::from)
        .to_vec();
    Table {
        csv,
        rare,
        frequent,
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// Every artifact, by name, must hold no rare value; the model files must hold the frequent ones.
fn assert_private(artifacts: &[(String, Vec<u8>)], table: &Table) {
    for (name, bytes) in artifacts {
        assert!(bytes.len() > 100, "{name} is empty");
        let leaked: Vec<&String> = table
            .rare
            .iter()
            .filter(|value| contains(bytes, value))
            .collect();
        assert!(
            leaked.is_empty(),
            "{name} carries {} rare values, e.g. {:?}",
            leaked.len(),
            leaked.iter().take(5).collect::<Vec<_>>()
        );
    }
    for (name, bytes) in artifacts
        .iter()
        .filter(|(name, _)| !name.ends_with(".json"))
    {
        for value in &table.frequent {
            assert!(
                contains(bytes, value),
                "{name} lacks the frequent value {value}"
            );
        }
    }
}

#[test]
fn no_artifact_carries_a_value_seen_fewer_than_k_times() {
    let table = table();
    assert!(
        table.rare.len() > 600,
        "the table has rare values to look for"
    );
    let dir = temp_dir();
    let csv = path_of(&dir, "people.csv");
    write(&csv, &table.csv);

    let pipeline = path_of(&dir, "pipeline.json");
    let prep = assert_ok(&hearth(&[
        "prep", &csv, "--target", "answer", "--out", &pipeline,
    ]));
    // The name and ticket columns are dropped, saying why; the rare class is pooled.
    assert!(prep.contains("free text or names"), "{prep}");
    assert!(prep.contains("identifier-like"), "{prep}");
    assert!(prep.contains("pooled as \"(other)\""), "{prep}");

    let model = path_of(&dir, "people.hearth");
    assert_ok(&hearth(&[
        "train", &csv, "--target", "answer", "--epochs", "3", "--device", "cpu", "--seed", "1",
        "--out", &model,
    ]));
    let mut artifacts = vec![
        ("pipeline.json".to_string(), read_bytes(&pipeline)),
        ("people.hearth".to_string(), read_bytes(&model)),
    ];
    for form in ["none", "dynamic", "static"] {
        let onnx = path_of(&dir, &format!("people-{form}.onnx"));
        assert_ok(&hearth(&[
            "export",
            &model,
            "--data",
            &csv,
            "--quantize",
            form,
            "--out",
            &onnx,
        ]));
        artifacts.push((format!("people-{form}.onnx"), read_bytes(&onnx)));
    }
    let study = path_of(&dir, "study.json");
    let best = path_of(&dir, "best.hearth");
    assert_ok(&hearth(&[
        "search",
        &csv,
        "--target",
        "answer",
        "--trials",
        "2",
        "--epochs",
        "2",
        "--seed",
        "3",
        "--out",
        &study,
        "--model-out",
        &best,
    ]));
    artifacts.push(("study.json".to_string(), read_bytes(&study)));
    artifacts.push(("best.hearth".to_string(), read_bytes(&best)));
    assert_private(&artifacts, &table);
}

#[test]
fn a_lower_k_keeps_rarer_values_when_the_user_asks() {
    let table = table();
    let dir = temp_dir();
    let csv = path_of(&dir, "people.csv");
    write(&csv, &table.csv);
    let config = path_of(&dir, "prep.json");
    write(&config, r#"{"rare_min_count": 1}"#);
    let pipeline = path_of(&dir, "pipeline.json");
    assert_ok(&hearth(&[
        "prep", &csv, "--target", "answer", "--config", &config, "--out", &pipeline,
    ]));
    let bytes = read_bytes(&pipeline);
    // k = 1 keeps every seen class and colour: the scan finds them, so it would find a leak.
    assert!(contains(&bytes, "unsure-Wobblequack"));
    assert!(contains(&bytes, "Chartreuse") || contains(&bytes, "Hamlet"));
}
