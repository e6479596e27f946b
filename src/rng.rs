//! A small seeded random number generator, identical on every platform.
//!
//! [`SplitMix64`] (Steele, Lea and Flood, 2014) is a 64-bit state with a fixed output function:
//! the same seed gives the same sequence natively and in wasm32, in debug and release builds.
//! It is used wherever Hearth draws at random (the train/validation/test split), so that a run
//! is reproduced exactly from its seed. Not for cryptography.
//!
//! The generator itself is `rand_xoshiro`'s; the test `same_stream_as_the_hand_written_one`
//! proves it gives the stream Hearth's own implementation gave (1,000 outputs for several
//! seeds), so splits, trials and initial weights are unchanged. The helpers (`below`,
//! `next_f64`, `shuffle`) stay ours: `rand`'s `gen_range` and `shuffle` draw differently and
//! would change every seeded result.

use rand_xoshiro::rand_core::{RngCore, SeedableRng};

/// The SplitMix64 generator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    inner: rand_xoshiro::SplitMix64,
}

impl SplitMix64 {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 {
            inner: rand_xoshiro::SplitMix64::seed_from_u64(seed),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform number in `0..n`, without modulo bias (Lemire's multiply-and-reject); 0 when
    /// `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = u128::from(self.next_u64()) * u128::from(n);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Shuffles `items` in place (Fisher–Yates), every order equally likely.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hearth's hand-written SplitMix64, before `rand_xoshiro`.
    fn old_next(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn same_stream_as_the_hand_written_one() {
        for seed in [0, 1, 3, 7, 42, 0x5EED, u64::MAX, 0x9E37_79B9_7F4A_7C15] {
            let mut rng = SplitMix64::new(seed);
            let mut state = seed;
            for i in 0..1000 {
                assert_eq!(
                    rng.next_u64(),
                    old_next(&mut state),
                    "seed {seed}, output {i}"
                );
            }
        }
    }

    #[test]
    fn matches_the_reference_sequence() {
        // The first outputs of the reference implementation for seed 0.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = SplitMix64::new(7);
        let mut seen = [0usize; 5];
        for _ in 0..1000 {
            let x = rng.below(5) as usize;
            assert!(x < 5);
            if let Some(n) = seen.get_mut(x) {
                *n += 1;
            }
        }
        assert!(seen.iter().all(|&n| n > 150), "{seen:?}");
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.below(1), 0);
        let f = rng.next_f64();
        assert!((0.0..1.0).contains(&f));
    }

    #[test]
    fn shuffle_is_a_seeded_permutation() {
        let mut a: Vec<u32> = (0..50).collect();
        let mut b = a.clone();
        SplitMix64::new(3).shuffle(&mut a);
        SplitMix64::new(3).shuffle(&mut b);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(a, sorted);
        let mut empty: [u8; 0] = [];
        SplitMix64::new(1).shuffle(&mut empty);
    }
}
