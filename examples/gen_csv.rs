//! Writes a synthetic numeric CSV for ingest benchmarks (deterministic for a given seed).
//!
//! Usage: `cargo run --release --no-default-features --example gen_csv -- OUT.csv [ROWS] [COLS] [SEED]`
//! (defaults: 1 000 000 rows, 20 columns, seed 42 → about 150 MB). Columns cycle through
//! integers, 2-decimal prices, 4-decimal measurements (with 0.5% `NA`), codes below 1000,
//! scientific notation and negative 3-decimal values.

use std::io::{BufWriter, Write};

/// SplitMix64: tiny, seedable, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: gen_csv OUT.csv [ROWS] [COLS] [SEED]");
        std::process::exit(2);
    };
    let arg = |i: usize, default: u64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let rows = arg(1, 1_000_000);
    let cols = arg(2, 20);
    let mut rng = Rng(arg(3, 42));
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    let header: Vec<String> = (0..cols).map(|j| format!("f{j}")).collect();
    writeln!(w, "{}", header.join(","))?;
    for _ in 0..rows {
        for j in 0..cols {
            if j > 0 {
                w.write_all(b",")?;
            }
            match j % 6 {
                0 => write!(w, "{}", rng.below(10_000_000))?,
                1 => write!(w, "{}.{:02}", rng.below(1000), rng.below(100))?,
                2 if rng.below(200) == 0 => w.write_all(b"NA")?,
                2 => write!(
                    w,
                    "{:.4}",
                    (rng.below(2_000_000) as f64 - 1_000_000.0) / 37_000.0
                )?,
                3 => write!(w, "{}", rng.below(1000))?,
                4 => write!(w, "{:.3e}", rng.below(1 << 40) as f64)?,
                _ => write!(w, "-{}.{:03}", rng.below(100), rng.below(1000))?,
            }
        }
        w.write_all(b"\n")?;
    }
    w.flush()
}
