//! The hash map of the ingest dictionaries and the profile's value counts.
//!
//! The input is a file the user chose themselves, so hash flooding is not a concern; speed is.
//! `foldhash`'s fast hasher with a fixed seed (deterministic across runs and targets) replaced
//! Hearth's own FxHash-like hasher. Measured natively (`examples/ingest_bench`, release, best of
//! 5–7 runs on a busy 2-core machine, 2026-12-01), read + profile:
//! * 400k rows × 7 columns, 4 of them text (16 MB): ours 0.379–0.429 s, `rustc-hash` 2
//!   0.301–0.588 s, `foldhash` 0.333–0.369 s;
//! * `gen_csv` 300k rows × 20 numeric (44 MB): ours 0.209–0.222 s, `rustc-hash` 0.206–0.221 s,
//!   `foldhash` 0.198–0.209 s.
//!
//! `foldhash` was never slower than ours, and its folded multiply mixes all key bits, which the
//! profile needs: its keys are `f64` bits, whose low bits are all zero for round numbers.

use std::collections::HashMap;

pub(crate) type FastBuild = foldhash::fast::FixedState;
pub(crate) type FastMap<K, V> = HashMap<K, V, FastBuild>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_round_floats() {
        let mut set: std::collections::HashSet<u64, FastBuild> = Default::default();
        for i in 0..10_000u32 {
            set.insert(f64::from(i).to_bits());
        }
        assert_eq!(set.len(), 10_000);
        let mut map: FastMap<Box<str>, u32> = FastMap::default();
        map.insert("abc".into(), 1);
        map.insert("abcdefghijk".into(), 2);
        assert_eq!(map.get("abc"), Some(&1));
        assert_eq!(map.get("abcdefghijk"), Some(&2));
        assert_eq!(map.get("abcdefghij"), None);
    }
}
