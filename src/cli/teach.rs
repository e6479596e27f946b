//! `hearth teach`: the Teach step's lesson in a terminal — a toy data set, a small network
//! trained epoch by epoch, each epoch's losses — from flags or from a classroom link, with
//! exactly the losses the page shows for the same link.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{DialectArgs, prepare_dataset};
use crate::teach::{
    Activation, Classroom, Feature, FileDigest, FileSeal, Lesson, MAX_PACKED_CHARS, Scores, Table,
    TablePlane, TableRef, Toy, unpack,
};
use crate::{data, format};

#[derive(Args)]
pub(super) struct TeachArgs {
    /// A classroom link copied from the page (the whole address, or its part after `?`); the
    /// flags below change what it says.
    #[arg(long)]
    link: Option<String>,
    /// circle, xor, gaussians, spiral, moons, curve, plane or hills.
    #[arg(long)]
    toy: Option<String>,
    /// Number of points (10 to 5,000).
    #[arg(long)]
    points: Option<usize>,
    /// Noise, 0 to 0.5.
    #[arg(long)]
    noise: Option<f64>,
    /// Percent of the points to train on (10 to 90).
    #[arg(long)]
    train_percent: Option<u32>,
    /// The network's inputs, comma separated: x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2.
    #[arg(long)]
    features: Option<String>,
    /// Units of each hidden layer, comma separated (e.g. 8,8; empty for none).
    #[arg(long)]
    layers: Option<String>,
    /// tanh, relu, sigmoid or linear.
    #[arg(long)]
    activation: Option<String>,
    #[arg(long)]
    learning_rate: Option<f64>,
    #[arg(long)]
    batch_size: Option<usize>,
    #[arg(long)]
    l1: Option<f64>,
    #[arg(long)]
    l2: Option<f64>,
    /// The chance a hidden unit is dropped for one point while training.
    #[arg(long)]
    dropout: Option<f64>,
    #[arg(long)]
    seed: Option<u64>,
    /// Learn this CSV file (as `hearth prep` prepares it) instead of a toy. Not needed for a
    /// link that carries its file.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Put the --csv file itself into the printed link (deflated; files that pack to at most
    /// 24 K characters), so that the link alone opens the lesson. Anyone with the link can read
    /// the file.
    #[arg(long)]
    share_data: bool,
    /// The column of --csv to predict.
    #[arg(long)]
    target: Option<String>,
    /// Two prepared features of --csv as the network's only inputs (the plane's axes), comma
    /// separated; without it every prepared feature is an input.
    #[arg(long)]
    columns: Option<String>,
    /// The plane a lesson on every feature is drawn on: `pca` or `slice:X,Y` (two features).
    #[arg(long)]
    plane: Option<String>,
    /// A `.hearth` model made on the same --csv and target (`hearth train`): scored on the
    /// lesson's points and compared with the network over the lesson's plane (a lesson on
    /// every feature: PCA or a slice).
    #[cfg(feature = "cpu")]
    #[arg(long)]
    model: Option<PathBuf>,
    #[command(flatten)]
    dialect: DialectArgs,
    /// Epochs to train.
    #[arg(long, default_value_t = 100)]
    epochs: usize,
    /// Print one JSON document (settings, link, every epoch's scores at full precision)
    /// instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct TeachReport<'a> {
    link: String,
    parameters: usize,
    goal_met: Option<bool>,
    history: &'a [Scores],
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<ModelOnPlane>,
}

/// How `--model` does beside the lesson's network.
#[derive(Serialize)]
struct ModelOnPlane {
    /// The `--model` file.
    file: String,
    /// Points it classifies rightly, of all and of the lesson's test points (classification).
    right: Option<usize>,
    points: usize,
    test_right: Option<usize>,
    test_points: usize,
    /// The share of the plane's cells where its class is the network's.
    agreement: Option<f64>,
}

/// The plane's side, in cells, for comparing `--model` with the network (the page's own).
#[cfg(feature = "cpu")]
const MODEL_DENSITY: usize = 64;

pub(super) fn run(args: &TeachArgs) -> Result<(), String> {
    let mut room = classroom(args)?;
    let mut lesson = match table(args, &mut room)? {
        Some(table) => {
            let plane = room.plane.clone().unwrap_or(TablePlane::Pca);
            Lesson::with_table(room.settings.clone(), table, &plane)
        }
        None => Lesson::new(room.settings.clone()),
    }
    .map_err(|error| error.to_string())?;
    for _ in 0..args.epochs {
        lesson.step_epoch();
    }
    #[cfg(feature = "cpu")]
    let model = match &args.model {
        Some(path) => Some(model_on_plane(path, &mut lesson)?),
        None => None,
    };
    #[cfg(not(feature = "cpu"))]
    let model: Option<ModelOnPlane> = None;
    let parameters = lesson.network().parameters();
    let last = lesson.history().last().copied();
    let goal_met = (!room.goal.is_empty())
        .then(|| last.is_some_and(|scores| room.goal.met(&scores, parameters)));
    if args.json {
        let report = TeachReport {
            link: format!("#/teach?{}", room.to_query()),
            parameters,
            goal_met,
            history: lesson.history(),
            model,
        };
        let text = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
        println!("{text}");
        return Ok(());
    }
    let settings = lesson.settings();
    let (train, test) = lesson.split();
    let (axes, explained, _, _) = lesson.plane_description();
    let data = match &settings.table {
        Some(table) => format!("{} → {}", table.name, table.target),
        None => settings.toy.key().to_string(),
    };
    let inputs = match &settings.table {
        Some(TableRef { columns: None, .. }) => {
            format!(
                "every prepared feature ({})",
                lesson.network().layers.first().map_or(0, |l| l.inputs)
            )
        }
        _ => settings
            .features
            .iter()
            .map(|f| f.key())
            .collect::<Vec<_>>()
            .join(","),
    };
    println!(
        "{data}: {} points ({} train, {} test), inputs {inputs}, hidden layers {:?} ({}), {parameters} parameters",
        lesson.points().len(),
        train.len(),
        test.len(),
        settings.hidden,
        settings.activation.key(),
    );
    match explained {
        Some(share) => println!(
            "plane: {} × {}, {:.0} % of the features' variance",
            axes[0],
            axes[1],
            100.0 * share
        ),
        None => println!("plane: {} × {}", axes[0], axes[1]),
    }
    println!("epoch  train loss  test loss  train acc  test acc");
    let history = lesson.history();
    // At most about 20 lines: every epoch when few, else evenly spaced and the last.
    let every = history.len().div_ceil(20).max(1);
    for (i, scores) in history.iter().enumerate() {
        if (i + 1) % every == 0 || i + 1 == history.len() {
            let accuracy = |a: Option<f64>| a.map_or("—".to_string(), format::score);
            println!(
                "{:>5}  {:>10}  {:>9}  {:>9}  {:>8}",
                scores.epoch,
                format::score(scores.train_loss),
                format::score(scores.test_loss),
                accuracy(scores.train_accuracy),
                accuracy(scores.test_accuracy),
            );
        }
    }
    if let Some(model) = &model {
        let name = &model.file;
        match (model.right, model.test_right) {
            (Some(right), Some(test_right)) => println!(
                "{name}: right on {right} of {} points, {test_right} of the {} test points (this network {}); its class is the network's on {:.0} % of the plane",
                model.points,
                model.test_points,
                last.and_then(|s| s.test_accuracy)
                    .map_or("—".to_string(), |a| format!(
                        "{}",
                        (a * model.test_points as f64).round()
                    )),
                100.0 * model.agreement.unwrap_or(0.0)
            ),
            _ => println!("{name}: drawn on the plane (a value: no points right or wrong)"),
        }
    }
    if let Some(met) = goal_met {
        println!(
            "goal ({}): {}",
            room.goal.describe(),
            if met { "met" } else { "not met" }
        );
    }
    println!("link: #/teach?{}", room.to_query());
    Ok(())
}

/// The table of `--csv` (or of the file the link carries), prepared, with the lesson's
/// settings and plane set to it; `None` for a toy lesson.
fn table(args: &TeachArgs, room: &mut Classroom) -> Result<Option<Table>, String> {
    let (dataset, seal) = match (&args.csv, &room.settings.table, &room.data) {
        (Some(csv), _, _) => read_sealed(csv, &args.dialect)?,
        (None, Some(table), Some(data)) => {
            let bytes = unpack(data).map_err(|error| format!("--link: {error}"))?;
            let dataset = data::read_csv_bytes(&table.name, &bytes, args.dialect.options())
                .map_err(|error| error.to_string())?;
            (dataset, FileSeal::of(&bytes))
        }
        (None, Some(table), None) => {
            return Err(format!(
                "This lesson is on {} ({} rows, target {}): pass that file with --csv.",
                table.name, table.rows, table.target
            ));
        }
        (None, None, _) if args.share_data => {
            return Err("--share-data puts a --csv file into the link; there is none.".into());
        }
        (None, None, _) => return Ok(None),
    };
    let target = args
        .target
        .clone()
        .or_else(|| room.settings.table.as_ref().map(|t| t.target.clone()))
        .ok_or("--csv needs --target, the column to predict.")?;
    let profile = data::profile(&dataset);
    let file = prepare_dataset(dataset, profile, &target, None, None, None, false)?;
    let mut table = Table::from_prepared(&file.dataset, &file.prepared, room.settings.seed)
        .map_err(|error| error.to_string())?;
    if args.share_data {
        room.data = Some(seal.packed.clone().ok_or_else(|| {
            format!(
                "--share-data: {} does not pack into {MAX_PACKED_CHARS} characters; the link holds its SHA-256 instead, and students pass their copy with --csv.",
                table.name
            )
        })?);
    }
    table.file = Some(seal);
    let columns = match &args.columns {
        Some(columns) => {
            let names: Vec<String> = columns.split(',').map(|c| c.trim().to_string()).collect();
            let pair: [String; 2] = names
                .try_into()
                .map_err(|_| format!("--columns {columns}: name exactly two prepared features."))?;
            Some(pair)
        }
        None => room.settings.table.as_ref().and_then(|t| t.columns.clone()),
    };
    if let Some([x, y]) = &columns {
        for name in [x, y] {
            table.feature(name).map_err(|error| {
                format!(
                    "--columns: {error} Its features are {}.",
                    table.features.join(", ")
                )
            })?;
        }
    }
    // A link's table stays as the link says, so that the lesson refuses another file.
    let reference = room.settings.table.get_or_insert_with(|| TableRef {
        name: table.name.clone(),
        target: table.target.clone(),
        rows: table.source_rows,
        sha256: table.file.as_ref().map(|file| file.sha256.clone()),
        columns: None,
    });
    reference.columns = columns;
    if let Some(plane) = &args.plane {
        room.plane = Some(match plane.split_once(':') {
            None if plane == "pca" => TablePlane::Pca,
            Some(("slice", pair)) => match pair.split_once(',') {
                Some((x, y)) => TablePlane::Slice {
                    x: x.trim().into(),
                    y: y.trim().into(),
                    at: Vec::new(),
                },
                None => {
                    return Err(format!(
                        "--plane {plane}: a slice names two features, slice:X,Y."
                    ));
                }
            },
            _ => return Err(format!("--plane {plane}: use pca or slice:X,Y.")),
        });
    }
    Ok(Some(table))
}

/// The CSV file at `path`, read, and its seal (packed too when it is small).
fn read_sealed(
    path: &std::path::Path,
    dialect: &DialectArgs,
) -> Result<(data::Dataset, FileSeal), String> {
    let dataset =
        data::read_csv_path(path, dialect.options()).map_err(|error| error.to_string())?;
    let unreadable = |error: std::io::Error| format!("Could not read {}: {error}.", path.display());
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let mut digest = FileDigest::new(file.metadata().map_err(unreadable)?.len());
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut chunk).map_err(unreadable)?;
        if read == 0 {
            return Ok((dataset, digest.finish()));
        }
        digest.update(&chunk[..read]);
    }
}

/// The link's classroom (or the defaults) with the flags applied, checked.
fn classroom(args: &TeachArgs) -> Result<Classroom, String> {
    let mut room = match &args.link {
        Some(link) => {
            let query = link.split_once('?').map_or(link.as_str(), |(_, q)| q);
            Classroom::from_query(query).map_err(|error| format!("--link: {error}"))?
        }
        None => Classroom::default(),
    };
    let s = &mut room.settings;
    if let Some(toy) = &args.toy {
        s.toy = Toy::from_key(toy).ok_or_else(|| {
            let names: Vec<&str> = Toy::ALL.iter().map(|t| t.key()).collect();
            format!(
                "--toy {toy}: not a toy data set; choose one of {}.",
                names.join(", ")
            )
        })?;
    }
    if let Some(features) = &args.features {
        s.features = features
            .split(',')
            .filter(|f| !f.is_empty())
            .map(|f| {
                Feature::from_key(f).ok_or_else(|| {
                    format!("--features: `{f}` is not an input; use x1, x2, x1sq, x2sq, x1x2, sinx1 or sinx2.")
                })
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(layers) = &args.layers {
        s.hidden = layers
            .split(',')
            .filter(|u| !u.is_empty())
            .map(|u| {
                u.trim()
                    .parse()
                    .map_err(|_| format!("--layers: `{u}` is not a number of units."))
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(activation) = &args.activation {
        s.activation = Activation::from_key(activation).ok_or_else(|| {
            format!("--activation {activation}: use tanh, relu, sigmoid or linear.")
        })?;
    }
    s.points = args.points.unwrap_or(s.points);
    s.noise = args.noise.unwrap_or(s.noise);
    s.train_percent = args.train_percent.unwrap_or(s.train_percent);
    s.learning_rate = args.learning_rate.unwrap_or(s.learning_rate);
    s.batch_size = args.batch_size.unwrap_or(s.batch_size);
    s.l1 = args.l1.unwrap_or(s.l1);
    s.l2 = args.l2.unwrap_or(s.l2);
    s.dropout = args.dropout.unwrap_or(s.dropout);
    s.seed = args.seed.unwrap_or(s.seed);
    s.check().map_err(|error| error.to_string())?;
    Ok(room)
}

/// Scores the `.hearth` model at `path` on the lesson's points and over its plane, against the
/// lesson's network (as the page's Teach step draws the Train step's model).
#[cfg(feature = "cpu")]
fn model_on_plane(path: &std::path::Path, lesson: &mut Lesson) -> Result<ModelOnPlane, String> {
    use crate::teach::agreement;
    let name = path.display();
    let query = lesson.model_query(0, MODEL_DENSITY).ok_or(
        "--model is drawn on a lesson's plane through every feature of --csv (pca or a slice), not on two --columns or a toy.",
    )?;
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("Could not read {name}: {error}."))?;
    let model =
        crate::train::ModelFile::from_json(&text).map_err(|error| format!("{name}: {error}"))?;
    let matrix = query
        .matrix(&model.pipeline)
        .map_err(|error| format!("--model {name}: {error}"))?;
    let outputs = pollster::block_on(model.predict_matrix(&crate::compute::init_cpu(), &matrix))
        .map_err(|error| format!("--model {name}: {error}"))?;
    let plane = query
        .answer(&outputs)
        .map_err(|error| format!("--model {name}: {error}"))?;
    let cells = MODEL_DENSITY * MODEL_DENSITY;
    let network = lesson.planes(MODEL_DENSITY, 0);
    Ok(ModelOnPlane {
        file: name.to_string(),
        right: plane.right.map(|(all, _)| all),
        points: plane.points,
        test_right: plane.right.map(|(_, test)| test),
        test_points: plane.test_points,
        agreement: agreement(
            plane.head,
            &plane.cells,
            &network[..cells.min(network.len())],
        ),
    })
}
