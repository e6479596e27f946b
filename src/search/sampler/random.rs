//! Random search: each applicable parameter drawn uniformly in its internal scale.

use crate::rng::SplitMix64;

use super::super::space::{Domain, ParamSpec, Params, Space};

/// One point of the space, uniformly at random.
pub fn sample(space: &Space, rng: &mut SplitMix64) -> Params {
    let mut params = Params::new();
    for spec in &space.params {
        if Space::applies(spec, &params) {
            params.insert(spec.name.clone(), sample_one(spec, rng));
        }
    }
    params
}

/// One parameter, uniformly: log ranges uniformly in the logarithm, whole numbers with equal
/// chance (their bins are widened by half a step on each side), categories equally likely.
pub(crate) fn sample_one(
    spec: &ParamSpec,
    rng: &mut SplitMix64,
) -> super::super::space::ParamValue {
    match &spec.domain {
        Domain::Categorical { choices } => {
            let index = rng.below(choices.len() as u64);
            spec.domain.value_at(index as f64)
        }
        Domain::Fixed { value } => value.clone(),
        domain => match domain.internal_bounds() {
            Some((low, high)) => domain.value_at(low + rng.next_f64() * (high - low)),
            None => domain.value_at(0.0),
        },
    }
}
