//! Sampler benchmark: mean best-value regret after 50 trials over 10 seeds on Branin,
//! Hartmann-6 and Hartmann-6 with Gaussian noise (σ 0.1; the regret is of the true value at
//! the trial with the best observed value), for Hearth's TPE and random search. Compare with
//! `bench/search/optuna_bench.py` (Optuna's TPESampler); `bench/search/run.sh` runs both.
//!
//! Usage: `cargo run --release --no-default-features --example search_bench [TRIALS] [SEEDS]`

use hearth::rng::SplitMix64;
use hearth::search::{
    Budget, Domain, Metric, Objectives, Outcome, Params, PrunerKind, SamplerKind, Space, Study,
    StudySettings, TpeSettings,
};

const BRANIN_MIN: f64 = 0.397_887_357_729_738;
const HARTMANN6_MIN: f64 = -3.322_368_011_391_339;

fn branin(x: &[f64]) -> f64 {
    let (x1, x2) = (x[0], x[1]);
    let pi = std::f64::consts::PI;
    let b = 5.1 / (4.0 * pi * pi);
    let c = 5.0 / pi;
    let t = 1.0 / (8.0 * pi);
    (x2 - b * x1 * x1 + c * x1 - 6.0).powi(2) + 10.0 * (1.0 - t) * x1.cos() + 10.0
}

fn hartmann6(x: &[f64]) -> f64 {
    const ALPHA: [f64; 4] = [1.0, 1.2, 3.0, 3.2];
    const A: [[f64; 6]; 4] = [
        [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
        [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
        [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
        [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
    ];
    const P: [[f64; 6]; 4] = [
        [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
        [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
        [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ];
    -(0..4)
        .map(|i| {
            let inner: f64 = (0..6).map(|j| A[i][j] * (x[j] - P[i][j]).powi(2)).sum();
            ALPHA[i] * (-inner).exp()
        })
        .sum::<f64>()
}

struct Problem {
    name: &'static str,
    bounds: Vec<(f64, f64)>,
    f: fn(&[f64]) -> f64,
    minimum: f64,
    noise: f64,
}

fn point(params: &Params, dims: usize) -> Vec<f64> {
    (0..dims)
        .map(|i| {
            params
                .get(&format!("x{i}"))
                .and_then(|v| v.as_f64())
                .unwrap_or(f64::NAN)
        })
        .collect()
}

/// The regret of one study.
fn regret(problem: &Problem, sampler: &SamplerKind, trials: usize, seed: u64) -> f64 {
    let space = Space::from_domains(problem.bounds.iter().enumerate().map(|(i, &(low, high))| {
        (
            format!("x{i}"),
            Domain::Float {
                low,
                high,
                log: false,
            },
        )
    }));
    let settings = StudySettings {
        seed,
        sampler: sampler.clone(),
        pruner: PrunerKind::None,
        budget: Budget {
            trials: Some(trials),
            ..Budget::default()
        },
        objectives: Objectives {
            primary: Metric::Value,
            second: None,
        },
        space,
        train: Default::default(),
        rows_per_epoch: 1,
        portfolio: false,
    };
    let Ok(mut study) = Study::new(settings) else {
        return f64::NAN;
    };
    let mut noise = SplitMix64::new(seed ^ 0xA015E);
    let mut best: Option<(f64, f64)> = None; // (observed, true)
    while let Ok(Some(ticket)) = study.ask() {
        let x = point(&ticket.params, problem.bounds.len());
        let truth = (problem.f)(&x);
        let observed = truth + problem.noise * normal(&mut noise);
        if best.is_none_or(|(o, _)| observed < o) {
            best = Some((observed, truth));
        }
        let _ = study.tell(
            ticket.number,
            Outcome::Complete {
                values: vec![observed],
                epochs: 1,
                best_epoch: None,
                valid_metrics: None,
                note: None,
                elapsed_ms: 0.0,
            },
        );
    }
    best.map_or(f64::NAN, |(_, truth)| truth - problem.minimum)
}

fn normal(rng: &mut SplitMix64) -> f64 {
    let u1 = (1.0 - rng.next_f64()).max(f64::MIN_POSITIVE);
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let trials: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(50);
    let seeds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let problems = [
        Problem {
            name: "branin",
            bounds: vec![(-5.0, 10.0), (0.0, 15.0)],
            f: branin,
            minimum: BRANIN_MIN,
            noise: 0.0,
        },
        Problem {
            name: "hartmann6",
            bounds: vec![(0.0, 1.0); 6],
            f: hartmann6,
            minimum: HARTMANN6_MIN,
            noise: 0.0,
        },
        Problem {
            name: "hartmann6_noisy",
            bounds: vec![(0.0, 1.0); 6],
            f: hartmann6,
            minimum: HARTMANN6_MIN,
            noise: 0.1,
        },
    ];
    let samplers = [
        (
            "hearth_tpe_independent",
            SamplerKind::Tpe(TpeSettings {
                multivariate: Some(false),
                ..TpeSettings::default()
            }),
        ),
        (
            "hearth_tpe",
            SamplerKind::Tpe(TpeSettings {
                multivariate: Some(true),
                ..TpeSettings::default()
            }),
        ),
        ("hearth_random", SamplerKind::Random),
    ];
    for problem in &problems {
        for (name, sampler) in &samplers {
            let regrets: Vec<f64> = (0..seeds)
                .map(|seed| regret(problem, sampler, trials, seed))
                .collect();
            let mean = regrets.iter().sum::<f64>() / regrets.len().max(1) as f64;
            let sd = (regrets.iter().map(|r| (r - mean).powi(2)).sum::<f64>()
                / (regrets.len().max(2) - 1) as f64)
                .sqrt();
            println!(
                "{{\"problem\": \"{}\", \"sampler\": \"{name}\", \"trials\": {trials}, \"seeds\": {seeds}, \"mean_regret\": {mean:.6}, \"sd\": {sd:.6}}}",
                problem.name
            );
        }
    }
}
