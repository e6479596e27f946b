//! Gradient/hessian histograms: per (feature, bin), the sums of the gradient, the hessian and
//! the row count of a node's rows. A node's split is found by scanning its histogram, and a
//! split node's two children need only one pass over rows: the smaller child is built, the
//! larger is the parent minus it (LightGBM's and sklearn's subtraction trick).

use super::bins::Binned;

/// The sums over some rows: gradient, hessian, row count.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Sums {
    pub g: f64,
    pub h: f64,
    pub n: u32,
}

impl Sums {
    pub(super) fn add(&mut self, gh: [f64; 2]) {
        self.g += gh[0];
        self.h += gh[1];
        self.n += 1;
    }

    pub(super) fn plus(self, other: Sums) -> Sums {
        Sums {
            g: self.g + other.g,
            h: self.h + other.h,
            n: self.n.saturating_add(other.n),
        }
    }

    pub(super) fn minus(self, other: Sums) -> Sums {
        Sums {
            g: self.g - other.g,
            h: self.h - other.h,
            n: self.n.saturating_sub(other.n),
        }
    }

    /// The sums of `gh`.
    pub(super) fn of(gh: &[[f64; 2]]) -> Sums {
        let mut sums = Sums::default();
        for &pair in gh {
            sums.add(pair);
        }
        sums
    }
}

/// Scratch for [`build`]: two histograms of one feature, indexed by a `u8` bin (so never out
/// of range). Consecutive rows alternate between them: rows with the same bin (common in
/// columns of few values) would otherwise wait on each other's store to the same sums, which
/// measured as most of the histogram time on such columns.
pub(super) struct Lanes(Box<[[Sums; 256]; 2]>);

impl Default for Lanes {
    fn default() -> Self {
        Lanes(Box::new([[Sums::default(); 256]; 2]))
    }
}

/// Fills `hist` (one [`Sums`] per bin of every feature, `binned.total_bins()` long) with the
/// sums of the rows `rows`, whose gradient/hessian pairs are `gh` in the same order, for the
/// features in `features` (the others' bins are left at zero). `all_rows` says that `rows` is
/// `0..binned.rows()` in order, so each column is read straight through.
pub(super) fn build(
    hist: &mut [Sums],
    lanes: &mut Lanes,
    binned: &Binned,
    features: &[usize],
    rows: &[u32],
    gh: &[[f64; 2]],
    all_rows: bool,
) {
    hist.fill(Sums::default());
    let [even, odd] = &mut *lanes.0;
    for &feature in features {
        let Some(bins) = hist.get_mut(binned.range(feature)) else {
            continue;
        };
        let used = bins.len().min(256);
        for lane in [&mut *even, &mut *odd] {
            if let Some(lane) = lane.get_mut(..used) {
                lane.fill(Sums::default());
            }
        }
        let column = binned.column(feature);
        if all_rows {
            let mut pairs = column.chunks_exact(2).zip(gh.chunks_exact(2));
            for (b, g) in pairs.by_ref() {
                if let ([b0, b1], [g0, g1]) = (b, g) {
                    even[usize::from(*b0)].add(*g0);
                    odd[usize::from(*b1)].add(*g1);
                }
            }
            let done = column.len().min(gh.len()) / 2 * 2;
            let tail = column.get(done..).unwrap_or_default();
            for (&b, &g) in tail.iter().zip(gh.get(done..).unwrap_or_default()) {
                even[usize::from(b)].add(g);
            }
        } else {
            let bin = |row: u32| usize::from(column.get(row as usize).copied().unwrap_or(0));
            for (r, g) in rows.chunks_exact(2).zip(gh.chunks_exact(2)) {
                if let ([r0, r1], [g0, g1]) = (r, g) {
                    even[bin(*r0)].add(*g0);
                    odd[bin(*r1)].add(*g1);
                }
            }
            let done = rows.len().min(gh.len()) / 2 * 2;
            let tail = rows.get(done..).unwrap_or_default();
            for (&r, &g) in tail.iter().zip(gh.get(done..).unwrap_or_default()) {
                even[bin(r)].add(g);
            }
        }
        for ((sums, &e), &o) in bins.iter_mut().zip(even.iter()).zip(odd.iter()) {
            *sums = e.plus(o);
        }
    }
}

/// `parent −= child`, bin by bin: the parent's histogram becomes its other child's.
pub(super) fn subtract(parent: &mut [Sums], child: &[Sums]) {
    for (p, &c) in parent.iter_mut().zip(child) {
        *p = p.minus(c);
    }
}
