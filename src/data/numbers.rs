//! A numeric column's values, kept in 4 bytes each where that is exact.
//!
//! Why not a plain `Vec<f64>`: the parsed table is what the data worker holds for as long as a
//! dataset is open, and in the 1M-row × 50-column page bench (`bench/big-page.mjs`, issue 17) its
//! f64 columns were 368 of the data worker's 423 MB — more than the 340 MB file itself, whose
//! numbers take about 7 characters each — in a tab that must stay within 3× the file. Most CSV
//! numbers are decimals with a few digits: such a value is `k / 10^s` for a small integer `k`
//! and the column's number of decimals `s`, and because IEEE division rounds the exact quotient
//! correctly (Clinger's fast path), `k as f64 / 10^s` is bit for bit the f64 the parser made of
//! the text. A column keeps `k` as an `i32` while every value passes that round trip (checked
//! value by value, not assumed) and moves to f64 at the first value that does not.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Exact powers of ten for the scales a column may use.
const POW10: [f64; MAX_SCALE as usize + 1] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/// The most decimals a compact column keeps (10^9 is the largest power of ten below 2^31).
const MAX_SCALE: u8 = 9;
/// `k` for a missing value.
const MISSING: i32 = i32::MIN;
/// `k` for −0 (whose sign `0 / 10^s` would lose).
const NEGATIVE_ZERO: i32 = i32::MIN + 1;
/// The largest |k| a value may have: the two lowest `i32`s are the markers above.
const LIMIT: f64 = 2_147_483_646.0;

/// The values of a numeric column: NaN is missing, ±∞ are possible. Reads give exactly the
/// f64s that were pushed (NaN payloads aside).
#[derive(Clone, Debug)]
pub struct Numbers(Storage);

#[derive(Clone, Debug)]
enum Storage {
    /// Value `i` is `units[i] / 10^scale` (or a marker).
    Decimal { scale: u8, units: Vec<i32> },
    /// Some value is no short decimal: every value as it is.
    Wide(Vec<f64>),
}

impl Default for Numbers {
    fn default() -> Self {
        Numbers::new()
    }
}

impl Numbers {
    /// No values.
    pub fn new() -> Self {
        Numbers(Storage::Decimal {
            scale: 0,
            units: Vec::new(),
        })
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match &self.0 {
            Storage::Decimal { units, .. } => units.len(),
            Storage::Wide(values) => values.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Room for this many values without reallocating (the best guess of a column's final
    /// length while it is read).
    pub fn capacity(&self) -> usize {
        match &self.0 {
            Storage::Decimal { units, .. } => units.capacity(),
            Storage::Wide(values) => values.capacity(),
        }
    }

    /// Bytes each value takes: 4 while the column is compact, 8 once it is not.
    #[cfg(test)]
    fn bytes_per_value(&self) -> usize {
        match &self.0 {
            Storage::Decimal { .. } => size_of::<i32>(),
            Storage::Wide(_) => size_of::<f64>(),
        }
    }

    /// Reserves room for `more` values if the memory is there (a hint: growing as needed
    /// remains possible).
    pub fn try_reserve(&mut self, more: usize) {
        let _ = match &mut self.0 {
            Storage::Decimal { units, .. } => units.try_reserve(more),
            Storage::Wide(values) => values.try_reserve(more),
        };
    }

    /// Gives back spare capacity when it is more than a sixteenth of the length.
    pub fn shrink(&mut self) {
        fn shrink<T>(values: &mut Vec<T>) {
            if values.capacity() - values.len() > values.len() / 16 {
                values.shrink_to_fit();
            }
        }
        match &mut self.0 {
            Storage::Decimal { units, .. } => shrink(units),
            Storage::Wide(values) => shrink(values),
        }
    }

    /// The value at `row` (NaN when missing), `None` past the end.
    #[inline]
    pub fn get(&self, row: usize) -> Option<f64> {
        match &self.0 {
            Storage::Decimal { scale, units } => {
                let k = *units.get(row)?;
                Some(decimal_value(k, POW10[usize::from(*scale)]))
            }
            Storage::Wide(values) => values.get(row).copied(),
        }
    }

    /// Every value in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = f64> + '_ {
        let (units, power, wide): (&[i32], f64, &[f64]) = match &self.0 {
            Storage::Decimal { scale, units } => {
                (units.as_slice(), POW10[usize::from(*scale)], &[])
            }
            Storage::Wide(values) => (&[], 1.0, values.as_slice()),
        };
        // One of the two is empty, so chaining them walks the other.
        Values {
            units: units.iter(),
            power,
            wide: wide.iter(),
        }
    }

    /// Every value as an f64, in order.
    pub fn to_vec(&self) -> Vec<f64> {
        self.iter().collect()
    }

    /// Appends a value, moving the column to f64 if it is the first that is no short decimal.
    #[inline]
    pub fn push(&mut self, value: f64) {
        match &mut self.0 {
            Storage::Decimal { scale, units } => {
                if let Some(k) = unit(value, *scale) {
                    units.push(k);
                } else {
                    self.push_cold(value);
                }
            }
            Storage::Wide(values) => values.push(value),
        }
    }

    /// Appends a value the parser read from plain notation with `decimals` decimals (see
    /// `Shape::plain_decimals`). While those are no more than the column's, `k` is found
    /// without [`unit`]'s check: the value is mantissa ÷ 10^decimals correctly rounded (at
    /// most 15 digits), so value · 10^scale is within 2^-21 of the integer `k` whenever
    /// |k| < 2^31, rounds to it, and `k / 10^scale`, the same rational, rounds to the value.
    /// Spares the ingest a division per number: with one, a first version read 15–25% slower
    /// than `f64` columns did (BENCHMARKS.md, "Big data in the page").
    #[inline(always)]
    pub(crate) fn push_plain(&mut self, value: f64, decimals: u8) {
        if let Storage::Decimal { scale, units } = &mut self.0
            && decimals <= *scale
            && value != 0.0
            && let Some(k) = nearest(value * POW10[usize::from(*scale)])
        {
            units.push(k);
            return;
        }
        self.push(value);
    }

    /// A value with more decimals than the column had so far, or none that fit.
    #[cold]
    #[inline(never)]
    fn push_cold(&mut self, value: f64) {
        if let Storage::Decimal { scale, units } = &mut self.0 {
            for finer in (*scale + 1)..=MAX_SCALE {
                if let Some(k) = unit(value, finer) {
                    if rescale(units, finer - *scale) {
                        *scale = finer;
                        units.push(k);
                        return;
                    }
                    // Existing values too large for more decimals: no finer scale fits either.
                    break;
                }
            }
        }
        if matches!(self.0, Storage::Decimal { .. }) {
            let mut wide = Vec::with_capacity(self.capacity().max(self.len() + 1));
            wide.extend(self.iter());
            self.0 = Storage::Wide(wide);
        }
        if let Storage::Wide(values) = &mut self.0 {
            values.push(value);
        }
    }
}

/// `k` such that `k / 10^scale` is exactly `value`, or a marker; `None` when there is none.
#[inline(always)]
fn unit(value: f64, scale: u8) -> Option<i32> {
    if value.is_nan() {
        return Some(MISSING);
    }
    if value == 0.0 && value.is_sign_negative() {
        return Some(NEGATIVE_ZERO);
    }
    let power = *POW10.get(usize::from(scale))?;
    let k = nearest(value * power)?;
    (f64::from(k) / power)
        .to_bits()
        .eq(&value.to_bits())
        .then_some(k)
}

/// The integer nearest to `x` (halves away from zero), `None` beyond ±[`LIMIT`] (±∞ too).
/// Not `f64::round_ties_even`: without SSE4.1, x86-64's baseline, that is a call into libm.
#[inline(always)]
fn nearest(x: f64) -> Option<i32> {
    // A saturating conversion: ±∞ become i64's extremes, beyond the limit.
    let k = (x + 0.5f64.copysign(x)) as i64;
    (k.unsigned_abs() <= LIMIT as u64).then_some(k as i32)
}

#[inline(always)]
fn decimal_value(k: i32, power: f64) -> f64 {
    match k {
        MISSING => f64::NAN,
        NEGATIVE_ZERO => -0.0,
        k => f64::from(k) / power,
    }
}

/// Multiplies every unit by `10^more` when all still fit; leaves them untouched otherwise.
fn rescale(units: &mut [i32], more: u8) -> bool {
    let factor = 10i32.pow(u32::from(more));
    let fits = |k: i32| matches!(k, MISSING | NEGATIVE_ZERO) || scaled(k, factor).is_some();
    if !units.iter().all(|&k| fits(k)) {
        return false;
    }
    for k in units.iter_mut() {
        if let Some(s) = scaled(*k, factor) {
            *k = s;
        }
    }
    true
}

/// `k · factor` when it is an ordinary unit (not a marker and within the limit).
fn scaled(k: i32, factor: i32) -> Option<i32> {
    if matches!(k, MISSING | NEGATIVE_ZERO) {
        return None;
    }
    k.checked_mul(factor)
        .filter(|s| f64::from(*s).abs() <= LIMIT)
}

/// The iterator behind [`Numbers::iter`]: one of the two slices is empty.
struct Values<'a> {
    units: std::slice::Iter<'a, i32>,
    power: f64,
    wide: std::slice::Iter<'a, f64>,
}

impl Iterator for Values<'_> {
    type Item = f64;

    #[inline]
    fn next(&mut self) -> Option<f64> {
        match self.units.next() {
            Some(&k) => Some(decimal_value(k, self.power)),
            None => self.wide.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.units.len() + self.wide.len();
        (n, Some(n))
    }
}

impl ExactSizeIterator for Values<'_> {}

impl FromIterator<f64> for Numbers {
    fn from_iter<I: IntoIterator<Item = f64>>(values: I) -> Self {
        let values = values.into_iter();
        let mut numbers = Numbers::new();
        numbers.try_reserve(values.size_hint().0);
        for value in values {
            numbers.push(value);
        }
        numbers
    }
}

impl From<Vec<f64>> for Numbers {
    fn from(values: Vec<f64>) -> Self {
        values.into_iter().collect()
    }
}

/// Serialised as the list of f64s it holds, as the column was before it had a compact form.
impl Serialize for Numbers {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Numbers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<f64>::deserialize(deserializer).map(Numbers::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(values: impl IntoIterator<Item = f64>) -> Vec<u64> {
        values.into_iter().map(f64::to_bits).collect()
    }

    #[test]
    fn decimals_stay_compact_and_read_back_exactly() {
        let values = vec![
            0.0228,
            -0.156,
            749.0,
            -0.0,
            0.0,
            f64::NAN,
            1.5,
            -0.0001,
            12345.6789,
        ];
        let numbers = Numbers::from(values.clone());
        assert_eq!(numbers.bytes_per_value(), 4);
        let nan = f64::NAN.to_bits();
        let expected: Vec<u64> = bits(values.iter().copied())
            .into_iter()
            .map(|b| if f64::from_bits(b).is_nan() { nan } else { b })
            .collect();
        let read: Vec<u64> = bits(numbers.iter())
            .into_iter()
            .map(|b| if f64::from_bits(b).is_nan() { nan } else { b })
            .collect();
        assert_eq!(read, expected);
        assert_eq!(numbers.get(3).map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(numbers.get(values.len()), None);
    }

    #[test]
    fn a_value_that_is_no_short_decimal_widens_the_column() {
        let third = 1.0 / 3.0;
        for odd in [third, f64::INFINITY, 3e12, 0.1 + 0.2, 1e-12] {
            let numbers = Numbers::from(vec![1.25, f64::NAN, -0.0, odd, 2.0]);
            assert_eq!(numbers.bytes_per_value(), 8, "{odd}");
            assert_eq!(
                bits(numbers.iter().filter(|v| !v.is_nan())),
                bits([1.25, -0.0, odd, 2.0])
            );
        }
    }

    #[test]
    fn more_decimals_later_rescale_the_earlier_values() {
        let mut numbers = Numbers::new();
        for v in [100_000.0, 7.0, 0.5] {
            numbers.push(v);
        }
        assert_eq!(numbers.bytes_per_value(), 4);
        // 100000 with 5 decimals no longer fits in an i32: the column widens, values intact.
        numbers.push(0.00001);
        assert_eq!(numbers.bytes_per_value(), 8);
        assert_eq!(bits(numbers.iter()), bits([100_000.0, 7.0, 0.5, 0.00001]));
    }
}
