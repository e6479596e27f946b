//! The seeded 2-D toy data sets of the Teach step, after TensorFlow Playground's
//! (`dataset.ts`: the same shapes, sizes and noise rule) plus moons and a curve: every point
//! lies in the square `[-6, 6]²`, classes are 0 and 1, and regression values lie in `[-1, 1]`.
//! Every draw comes from the seed, so a classroom link regenerates the same points.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;

/// Half the side of the square every toy point (and the drawn plane) lies in.
pub const EXTENT: f64 = 6.0;

/// A toy data set.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Toy {
    /// Class 1 inside a disc of radius 2.5, class 0 in a ring from 3.5 to 5.
    Circle,
    /// The sign of `x·y`: opposite quadrants share a class.
    Xor,
    /// Two Gaussian clouds around (2, 2) and (−2, −2); noise widens them.
    Gaussians,
    /// Two interleaved spirals.
    Spiral,
    /// Two interleaved half circles (scikit-learn's `make_moons`, scaled).
    Moons,
    /// Class 1 above the curve `y = 2.5·sin(0.8·x)`.
    Curve,
    /// Regression: a tilted plane, `(x + y) / 10`.
    Plane,
    /// Regression: six signed Gaussian hills.
    Hills,
    /// No points: the class points are painted by hand.
    Blank,
    /// Three classes: Gaussian clusters at three corners of a triangle; noise widens them.
    Clusters,
}

impl Toy {
    pub const ALL: [Toy; 10] = [
        Toy::Circle,
        Toy::Xor,
        Toy::Gaussians,
        Toy::Spiral,
        Toy::Moons,
        Toy::Curve,
        Toy::Plane,
        Toy::Hills,
        Toy::Blank,
        Toy::Clusters,
    ];

    /// The name in links and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Toy::Circle => "circle",
            Toy::Xor => "xor",
            Toy::Gaussians => "gaussians",
            Toy::Spiral => "spiral",
            Toy::Moons => "moons",
            Toy::Curve => "curve",
            Toy::Plane => "plane",
            Toy::Hills => "hills",
            Toy::Blank => "blank",
            Toy::Clusters => "clusters",
        }
    }

    pub fn from_key(key: &str) -> Option<Toy> {
        Toy::ALL.into_iter().find(|toy| toy.key() == key)
    }

    /// Whether the label is a number to predict rather than a class.
    pub fn is_regression(self) -> bool {
        matches!(self, Toy::Plane | Toy::Hills)
    }

    /// The number of classes (0 for a value to predict).
    pub fn classes(self) -> usize {
        match self {
            Toy::Plane | Toy::Hills => 0,
            Toy::Clusters => 3,
            _ => 2,
        }
    }
}

/// One point: its two coordinates and its label (a class, 0 or 1, or a value in `[-1, 1]`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: [f64; 2],
    pub label: f64,
}

/// Uniform in `[a, b)`.
fn uniform(rng: &mut SplitMix64, a: f64, b: f64) -> f64 {
    a + rng.next_f64() * (b - a)
}

/// A standard normal draw (Marsaglia's polar method, as the Playground's `normalRandom`).
fn normal(rng: &mut SplitMix64) -> f64 {
    loop {
        let v1 = 2.0 * rng.next_f64() - 1.0;
        let v2 = 2.0 * rng.next_f64() - 1.0;
        let s = v1 * v1 + v2 * v2;
        if s > 0.0 && s < 1.0 {
            return libm::sqrt(-2.0 * libm::log(s) / s) * v1;
        }
    }
}

fn class(positive: bool) -> f64 {
    if positive { 1.0 } else { 0.0 }
}

/// `count` points of `toy` with `noise` in `[0, 0.5]` (the Playground's 0–50 %), drawn from
/// `seed`. Points come out grouped as generated; the lesson shuffles them when it splits.
pub fn generate(toy: Toy, count: usize, noise: f64, seed: u64) -> Vec<Point> {
    let mut rng = SplitMix64::new(seed);
    let rng = &mut rng;
    let noise = noise.clamp(0.0, 0.5);
    let half = count / 2;
    let mut points = Vec::with_capacity(count);
    match toy {
        Toy::Blank => {}
        Toy::Clusters => {
            let sd = cluster_sd(noise);
            let third = count.div_ceil(3);
            for i in 0..count {
                let class = (i / third.max(1)).min(2);
                let angle = PI / 2.0 + class as f64 * 2.0 * PI / 3.0;
                let x = 3.5 * libm::cos(angle) + sd * normal(rng);
                let y = 3.5 * libm::sin(angle) + sd * normal(rng);
                points.push(Point {
                    x: [x, y],
                    label: class as f64,
                });
            }
        }
        Toy::Circle => {
            let radius = 5.0;
            let inside = |x: f64, y: f64| libm::hypot(x, y) < radius * 0.5;
            for i in 0..count {
                let (low, high) = if i < half {
                    (0.0, radius * 0.5)
                } else {
                    (radius * 0.7, radius)
                };
                let r = uniform(rng, low, high);
                let angle = uniform(rng, 0.0, 2.0 * PI);
                let (x, y) = (r * libm::sin(angle), r * libm::cos(angle));
                let nx = uniform(rng, -radius, radius) * noise;
                let ny = uniform(rng, -radius, radius) * noise;
                points.push(Point {
                    x: [x, y],
                    label: class(inside(x + nx, y + ny)),
                });
            }
        }
        Toy::Xor => {
            let padding = 0.3;
            for _ in 0..count {
                let mut x = uniform(rng, -5.0, 5.0);
                x += if x > 0.0 { padding } else { -padding };
                let mut y = uniform(rng, -5.0, 5.0);
                y += if y > 0.0 { padding } else { -padding };
                let nx = uniform(rng, -5.0, 5.0) * noise;
                let ny = uniform(rng, -5.0, 5.0) * noise;
                points.push(Point {
                    x: [x, y],
                    label: class((x + nx) * (y + ny) >= 0.0),
                });
            }
        }
        Toy::Gaussians => {
            let sd = cluster_sd(noise);
            for i in 0..count {
                let (centre, label) = if i < half { (2.0, 1.0) } else { (-2.0, 0.0) };
                let x = centre + sd * normal(rng);
                let y = centre + sd * normal(rng);
                points.push(Point { x: [x, y], label });
            }
        }
        Toy::Spiral => {
            let n = half.max(1) as f64;
            for i in 0..count {
                let (k, delta, label) = if i < half {
                    (i, 0.0, 1.0)
                } else {
                    (i - half, PI, 0.0)
                };
                let r = k as f64 / n * 5.0;
                let t = 1.75 * k as f64 / n * 2.0 * PI + delta;
                let x = r * libm::sin(t) + uniform(rng, -1.0, 1.0) * noise;
                let y = r * libm::cos(t) + uniform(rng, -1.0, 1.0) * noise;
                points.push(Point { x: [x, y], label });
            }
        }
        Toy::Moons => {
            // make_moons spans x in [-1, 2] and y in [-0.5, 1]: centred and scaled by 3.5.
            let scale = 3.5;
            for i in 0..count {
                let upper = i < half;
                let t = uniform(rng, 0.0, PI);
                let (x, y) = if upper {
                    (libm::cos(t), libm::sin(t))
                } else {
                    (1.0 - libm::cos(t), 0.5 - libm::sin(t))
                };
                let x = (x - 0.5) * scale + normal(rng) * noise * 3.0;
                let y = (y - 0.25) * scale + normal(rng) * noise * 3.0;
                points.push(Point {
                    x: [x, y],
                    label: class(upper),
                });
            }
        }
        Toy::Curve => {
            for _ in 0..count {
                let x = uniform(rng, -EXTENT, EXTENT);
                let y = uniform(rng, -EXTENT, EXTENT);
                let nx = uniform(rng, -EXTENT, EXTENT) * noise;
                let ny = uniform(rng, -EXTENT, EXTENT) * noise;
                let above = y + ny > 2.5 * libm::sin(0.8 * (x + nx));
                points.push(Point {
                    x: [x, y],
                    label: class(above),
                });
            }
        }
        Toy::Plane | Toy::Hills => {
            for _ in 0..count {
                let x = uniform(rng, -EXTENT, EXTENT);
                let y = uniform(rng, -EXTENT, EXTENT);
                let nx = uniform(rng, -EXTENT, EXTENT) * noise;
                let ny = uniform(rng, -EXTENT, EXTENT) * noise;
                let label = if toy == Toy::Plane {
                    ((x + nx + y + ny) / 10.0).clamp(-1.0, 1.0)
                } else {
                    hills(x + nx, y + ny)
                };
                points.push(Point { x: [x, y], label });
            }
        }
    }
    points
}

/// The standard deviation of a Gaussian cluster at `noise`: the Playground's variance, 0.5 at
/// no noise up to 4 at 50 %.
fn cluster_sd(noise: f64) -> f64 {
    libm::sqrt(0.5 + noise / 0.5 * 3.5)
}

/// The Playground's "regress Gaussian" surface: of six signed hills, the one largest in
/// absolute value at (x, y), each falling linearly from 1 at its centre to 0 at distance 2.
fn hills(x: f64, y: f64) -> f64 {
    const CENTRES: [(f64, f64, f64); 6] = [
        (-4.0, 2.5, 1.0),
        (0.0, 2.5, -1.0),
        (4.0, 2.5, 1.0),
        (-4.0, -2.5, -1.0),
        (0.0, -2.5, 1.0),
        (4.0, -2.5, -1.0),
    ];
    let mut label: f64 = 0.0;
    for (cx, cy, sign) in CENTRES {
        let height = sign * (1.0 - libm::hypot(x - cx, y - cy) / 2.0).clamp(0.0, 1.0);
        if height.abs() > label.abs() {
            label = height;
        }
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_points_and_every_toy_fits_the_square() {
        for toy in Toy::ALL {
            let a = generate(toy, 301, 0.2, 7);
            if toy == Toy::Blank {
                assert!(a.is_empty());
                continue;
            }
            assert_eq!(a, generate(toy, 301, 0.2, 7), "{toy:?}");
            assert_ne!(a, generate(toy, 301, 0.2, 8), "{toy:?}");
            assert_eq!(a.len(), 301);
            for point in &a {
                assert!(
                    point.x.iter().all(|v| v.abs() <= EXTENT + 3.0),
                    "{toy:?} {point:?}"
                );
                if toy.is_regression() {
                    assert!(point.label.abs() <= 1.0);
                } else {
                    let class = point.label as usize;
                    assert!(class as f64 == point.label && class < toy.classes());
                }
            }
            assert_eq!(Toy::from_key(toy.key()), Some(toy));
        }
    }

    #[test]
    fn classification_toys_have_both_classes() {
        for toy in Toy::ALL
            .into_iter()
            .filter(|toy| !toy.is_regression() && *toy != Toy::Blank)
        {
            let points = generate(toy, 200, 0.0, 1);
            let ones = points.iter().filter(|p| p.label == 1.0).count();
            assert!(
                (40..=160).contains(&ones),
                "{toy:?}: {ones} of 200 in class 1"
            );
        }
    }
}
