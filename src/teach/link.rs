//! Classroom links: a lesson's settings, the controls a teacher hides and an optional goal, as
//! the query of the page's `#/teach?…` address. Versioned (`v=1`), every number written in
//! Rust's shortest round-trip form so that the link reads back to the same bits, and read
//! strictly: an unknown key or a bad value is refused by name rather than silently dropped.

use serde::{Deserialize, Serialize};

use super::TeachError;
use super::lesson::{Feature, LessonSettings, Scores};
use super::network::Activation;
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
    pub hide: Vec<String>,
    pub goal: Goal,
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
        if !s.painted.is_empty() {
            let painted = list(&s.painted, |p| format!("{}:{}:{}", p.x[0], p.x[1], p.label));
            pairs.push(("paint", painted));
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
        room.settings.check()?;
        Ok(room)
    }
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
            hide: vec!["features".into(), "layers".into()],
            goal: Goal {
                min_test_accuracy: Some(0.9),
                max_test_loss: None,
                max_parameters: Some(50),
            },
        };
        let query = room.to_query();
        assert!(query.starts_with("v=1&"), "{query}");
        assert_eq!(Classroom::from_query(&query).unwrap(), room);
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
    }
}
