//! Classroom links: a lesson's settings, the controls a teacher hides and an optional goal, as
//! the query of the page's `#/teach?…` address. Versioned (`v=1`), every number written in
//! Rust's shortest round-trip form so that the link reads back to the same bits, and read
//! strictly: an unknown key or a bad value is refused by name rather than silently dropped.

use serde::{Deserialize, Serialize};

use super::TeachError;
use super::lesson::{Feature, LessonSettings, Scores, TableRef};
use super::network::Activation;
use super::share::MAX_PACKED_CHARS;
use super::table::TablePlane;
use super::toy::{Point, Toy};

/// The link format this build writes and reads.
pub const LINK_VERSION: u32 = 1;

/// Controls a link may hide from the student.
pub const HIDEABLE: [&str; 9] = [
    "data",
    "features",
    "layers",
    "activation",
    "lr",
    "batch",
    "regularization",
    "dropout",
    "seed",
];

/// What the student should reach; every part given must hold.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Goal {
    pub min_test_accuracy: Option<f64>,
    pub max_test_loss: Option<f64>,
    pub max_parameters: Option<usize>,
}

impl Goal {
    pub fn is_empty(&self) -> bool {
        *self == Goal::default()
    }

    /// The goal in words, e.g. "test accuracy ≥ 0.9 with ≤ 50 parameters".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(a) = self.min_test_accuracy {
            parts.push(format!("test accuracy ≥ {a}"));
        }
        if let Some(l) = self.max_test_loss {
            parts.push(format!("test loss ≤ {l}"));
        }
        let mut text = parts.join(" and ");
        if let Some(p) = self.max_parameters {
            if text.is_empty() {
                text = format!("≤ {p} parameters");
            } else {
                text.push_str(&format!(" with ≤ {p} parameters"));
            }
        }
        text
    }

    /// Whether these scores and this many parameters reach the goal.
    pub fn met(&self, scores: &Scores, parameters: usize) -> bool {
        self.min_test_accuracy
            .is_none_or(|a| scores.test_accuracy.is_some_and(|t| t >= a))
            && self.max_test_loss.is_none_or(|l| scores.test_loss <= l)
            && self.max_parameters.is_none_or(|p| parameters <= p)
    }
}

/// Everything a classroom link holds.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Classroom {
    pub settings: LessonSettings,
    /// The plane an all-feature table lesson is drawn on (PCA when `None`); a view, not a
    /// setting: changing it does not retrain.
    pub plane: Option<TablePlane>,
    pub hide: Vec<String>,
    pub goal: Goal,
    /// The table's file packed into the link (`share::pack`), when the teacher shares it: the
    /// link alone then opens the lesson. Not a setting: adding it does not retrain.
    pub data: Option<String>,
}

/// `text` percent-encoded for a link's value: letters, digits and `-._~` stay, every other
/// byte of its UTF-8 becomes `%XX`.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The text [`encode`] wrote (also a `+`-free browser's own encoding); `None` when the escapes
/// are not valid UTF-8 or not hexadecimal.
pub fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn list<T>(items: &[T], key: impl Fn(&T) -> String) -> String {
    items.iter().map(key).collect::<Vec<_>>().join(",")
}

impl Classroom {
    /// The query part of the link (without `?`).
    pub fn to_query(&self) -> String {
        let s = &self.settings;
        let mut pairs = vec![
            ("v", LINK_VERSION.to_string()),
            ("toy", s.toy.key().to_string()),
            ("points", s.points.to_string()),
            ("noise", s.noise.to_string()),
            ("train", s.train_percent.to_string()),
            ("features", list(&s.features, |f| f.key().to_string())),
            ("layers", list(&s.hidden, |u| u.to_string())),
            ("act", s.activation.key().to_string()),
            ("lr", s.learning_rate.to_string()),
            ("batch", s.batch_size.to_string()),
            ("l1", s.l1.to_string()),
            ("l2", s.l2.to_string()),
            ("dropout", s.dropout.to_string()),
            ("seed", s.seed.to_string()),
        ];
        if let Some(table) = &s.table {
            pairs.push(("table", encode(&table.name)));
            pairs.push(("target", encode(&table.target)));
            pairs.push(("rows", table.rows.to_string()));
            if let Some(sha256) = &table.sha256 {
                pairs.push(("sha256", sha256.clone()));
            }
            if let Some([x, y]) = &table.columns {
                pairs.push(("columns", format!("{},{}", encode(x), encode(y))));
            }
        }
        match &self.plane {
            Some(TablePlane::Pca) => pairs.push(("plane", "pca".into())),
            Some(TablePlane::Slice { x, y, at }) => {
                pairs.push(("plane", format!("slice,{},{}", encode(x), encode(y))));
                if !at.is_empty() {
                    pairs.push(("at", list(at, |(n, v)| format!("{}:{v}", encode(n)))));
                }
            }
            None => {}
        }
        if !s.painted.is_empty() {
            let painted = list(&s.painted, |p| format!("{}:{}:{}", p.x[0], p.x[1], p.label));
            pairs.push(("paint", painted));
        }
        if let Some(data) = &self.data {
            pairs.push(("data", data.clone()));
        }
        if !self.hide.is_empty() {
            pairs.push(("hide", self.hide.join(",")));
        }
        if let Some(a) = self.goal.min_test_accuracy {
            pairs.push(("goal_acc", a.to_string()));
        }
        if let Some(l) = self.goal.max_test_loss {
            pairs.push(("goal_loss", l.to_string()));
        }
        if let Some(p) = self.goal.max_parameters {
            pairs.push(("goal_params", p.to_string()));
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Reads a query written by [`Classroom::to_query`] (a leading `?` is allowed). Keys left
    /// out keep their defaults; the settings are checked as a lesson would check them.
    pub fn from_query(query: &str) -> Result<Classroom, TeachError> {
        let mut room = Classroom::default();
        let mut version = None;
        let query = query.strip_prefix('?').unwrap_or(query);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let s = &mut room.settings;
            match key {
                "v" => version = Some(number::<u32>(key, value)?),
                "toy" => s.toy = Toy::from_key(value).ok_or_else(|| bad(key, value))?,
                "points" => s.points = number(key, value)?,
                "noise" => s.noise = number(key, value)?,
                "train" => s.train_percent = number(key, value)?,
                "features" => {
                    s.features = split(value)
                        .map(|f| Feature::from_key(f).ok_or_else(|| bad(key, f)))
                        .collect::<Result<_, _>>()?
                }
                "layers" => {
                    s.hidden = split(value)
                        .map(|u| number(key, u))
                        .collect::<Result<_, _>>()?
                }
                "act" => {
                    s.activation = Activation::from_key(value).ok_or_else(|| bad(key, value))?
                }
                "lr" => s.learning_rate = number(key, value)?,
                "batch" => s.batch_size = number(key, value)?,
                "l1" => s.l1 = number(key, value)?,
                "l2" => s.l2 = number(key, value)?,
                "dropout" => s.dropout = number(key, value)?,
                "seed" => s.seed = number(key, value)?,
                "paint" => {
                    s.painted = split(value)
                        .map(|point| {
                            let parts: Vec<&str> = point.split(':').collect();
                            match parts.as_slice() {
                                [x, y, label] => Ok(Point {
                                    x: [number(key, x)?, number(key, y)?],
                                    label: number(key, label)?,
                                }),
                                _ => Err(bad(key, point)),
                            }
                        })
                        .collect::<Result<_, _>>()?
                }
                "table" | "target" | "rows" | "sha256" | "columns" => {
                    let table = s.table.get_or_insert_with(|| TableRef {
                        name: String::new(),
                        target: String::new(),
                        rows: 0,
                        sha256: None,
                        columns: None,
                    });
                    match key {
                        "table" => table.name = text(key, value)?,
                        "target" => table.target = text(key, value)?,
                        "rows" => table.rows = number(key, value)?,
                        "sha256" => {
                            let hex = value.len() == 64
                                && value
                                    .bytes()
                                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                            if !hex {
                                return Err(bad(key, value));
                            }
                            table.sha256 = Some(value.to_string());
                        }
                        _ => {
                            let names: Vec<String> = split(value)
                                .map(|n| text(key, n))
                                .collect::<Result<_, _>>()?;
                            let [x, y]: [String; 2] =
                                names.try_into().map_err(|_| bad(key, value))?;
                            table.columns = Some([x, y]);
                        }
                    }
                }
                "plane" => {
                    let parts: Vec<&str> = value.split(',').collect();
                    room.plane = Some(match parts.as_slice() {
                        ["pca"] => TablePlane::Pca,
                        ["slice", x, y] => TablePlane::Slice {
                            x: text(key, x)?,
                            y: text(key, y)?,
                            at: match room.plane.take() {
                                Some(TablePlane::Slice { at, .. }) => at,
                                _ => Vec::new(),
                            },
                        },
                        _ => return Err(bad(key, value)),
                    });
                }
                "at" => {
                    let at: Vec<(String, f64)> = split(value)
                        .map(|pair| {
                            let (name, v) = pair.rsplit_once(':').ok_or_else(|| bad(key, pair))?;
                            Ok((text(key, name)?, number(key, v)?))
                        })
                        .collect::<Result<_, TeachError>>()?;
                    match &mut room.plane {
                        Some(TablePlane::Slice { at: held, .. }) => *held = at,
                        _ => {
                            room.plane = Some(TablePlane::Slice {
                                x: String::new(),
                                y: String::new(),
                                at,
                            })
                        }
                    }
                }
                "data" => {
                    let base64url = value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                    if !base64url || value.is_empty() || value.len() > MAX_PACKED_CHARS {
                        // The value may be long: name only its start.
                        let shown: String = value.chars().take(24).collect();
                        return Err(bad(key, &shown));
                    }
                    room.data = Some(value.to_string());
                }
                "hide" => {
                    room.hide = split(value)
                        .map(|h| {
                            HIDEABLE
                                .contains(&h)
                                .then(|| h.to_string())
                                .ok_or_else(|| bad(key, h))
                        })
                        .collect::<Result<_, _>>()?
                }
                "goal_acc" => room.goal.min_test_accuracy = Some(number(key, value)?),
                "goal_loss" => room.goal.max_test_loss = Some(number(key, value)?),
                "goal_params" => room.goal.max_parameters = Some(number(key, value)?),
                _ => {
                    return Err(TeachError::LinkKey {
                        key: key.to_string(),
                    });
                }
            }
        }
        match version {
            Some(LINK_VERSION) => {}
            Some(v) => return Err(TeachError::LinkVersion { version: v }),
            None => return Err(TeachError::LinkKey { key: "v".into() }),
        }
        if room.data.is_some() && room.settings.table.is_none() {
            return Err(bad("data", "a file without `table`"));
        }
        room.settings.check()?;
        Ok(room)
    }
}

/// A percent-encoded name.
fn text(key: &str, value: &str) -> Result<String, TeachError> {
    decode(value).ok_or_else(|| bad(key, value))
}

fn split(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').filter(|part| !part.is_empty())
}

fn bad(key: &str, value: &str) -> TeachError {
    TeachError::LinkValue {
        key: key.to_string(),
        value: value.to_string(),
    }
}

fn number<T: std::str::FromStr>(key: &str, value: &str) -> Result<T, TeachError> {
    value.parse().map_err(|_| bad(key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_reads_back_to_the_same_settings_bit_for_bit() {
        let room = Classroom {
            settings: LessonSettings {
                toy: Toy::Spiral,
                noise: 0.15,
                learning_rate: 0.1 + 0.2, // not a short decimal
                hidden: vec![8, 8],
                features: vec![Feature::X1, Feature::SinX2],
                l1: 0.001,
                seed: u64::MAX,
                painted: vec![
                    Point {
                        x: [1.25, -3.5],
                        label: 1.0,
                    },
                    Point {
                        x: [-0.07, 5.99],
                        label: 0.0,
                    },
                ],
                ..LessonSettings::default()
            },
            plane: Some(TablePlane::Slice {
                x: "bill length, mm".into(),
                y: "island=Dream".into(),
                at: vec![("sex=f&m:x".into(), -0.25)],
            }),
            hide: vec!["features".into(), "layers".into()],
            goal: Goal {
                min_test_accuracy: Some(0.9),
                max_test_loss: None,
                max_parameters: Some(50),
            },
            data: None,
        };
        let query = room.to_query();
        assert!(query.starts_with("v=1&"), "{query}");
        assert_eq!(Classroom::from_query(&query).unwrap(), room);
        let mut on_a_table = room.clone();
        on_a_table.settings.painted.clear();
        on_a_table.settings.table = Some(TableRef {
            name: "penguins, 2024 & co.csv".into(),
            target: "species é".into(),
            rows: 333,
            sha256: Some(super::super::FileSeal::of(b"species\nAdelie\n").sha256),
            columns: None,
        });
        on_a_table.data = super::super::pack(b"species\nAdelie\n");
        let query = on_a_table.to_query();
        assert!(
            query.contains("table=penguins%2C%202024%20%26%20co.csv"),
            "{query}"
        );
        assert_eq!(Classroom::from_query(&query).unwrap(), on_a_table);
        on_a_table.settings.table.as_mut().unwrap().columns = Some(["a,b".into(), "c".into()]);
        on_a_table.plane = Some(TablePlane::Pca);
        let query = on_a_table.to_query();
        assert_eq!(Classroom::from_query(&query).unwrap(), on_a_table);
        assert_eq!(
            room.goal.describe(),
            "test accuracy ≥ 0.9 with ≤ 50 parameters"
        );
    }

    #[test]
    fn a_bad_link_is_refused_by_name() {
        let error = |q: &str| Classroom::from_query(q).unwrap_err().to_string();
        assert!(
            error("v=1&lr=fast").contains("`lr`"),
            "{}",
            error("v=1&lr=fast")
        );
        assert!(error("v=1&colour=red").contains("colour"));
        assert!(error("v=2").contains("version 2"), "{}", error("v=2"));
        assert!(error("toy=xor").contains("`v`"));
        assert!(error("v=1&layers=4,99").contains("layers"));
        assert!(error("v=1&hide=everything").contains("everything"));
        assert!(error("v=1&paint=1:2").contains("paint"));
        assert!(error("v=1&paint=1:2:3").contains("paint"));
        assert!(error("v=1&paint=9:2:1").contains("paint"));
        assert!(error("v=1&plane=cube").contains("plane"));
        assert!(error("v=1&columns=a").contains("columns"));
        assert!(error("v=1&table=%ZZ").contains("table"));
        assert!(error("v=1&table=a&sha256=abc").contains("sha256"));
        assert!(error(&format!("v=1&table=a&sha256={}", "G".repeat(64))).contains("sha256"));
        assert!(error("v=1&table=a&data=a+b").contains("data"));
        assert!(error("v=1&data=abc").contains("without `table`"));
    }
}
