//! Growing one tree leaf-wise (best-first), as LightGBM and sklearn do: the leaf whose best
//! split gains most is split next, until `max_leaves` leaves or no split gains.
//!
//! The rows of the tree live in one index array, each leaf a contiguous range of it; a split
//! partitions its leaf's range in place (stable, so the order and therefore every sum is the
//! same on every run). The buffers (indices, gathered gradients, histograms) are kept between
//! trees, so a round allocates nothing once the first tree has grown.

use std::collections::HashMap;

use super::bins::{Binned, Kind};
use super::histogram::{Lanes, Sums, build, subtract};
use super::split::{Limits, Rule, Split, best_split, leaf_value};
use super::tree::{Node, Tree};

/// How one tree may grow.
#[derive(Clone, Copy, Debug)]
pub(super) struct Shape {
    pub max_leaves: usize,
    /// 0: unlimited.
    pub max_depth: usize,
    pub learning_rate: f64,
    pub limits: Limits,
}

/// A leaf while the tree grows.
struct Leaf {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    sums: Sums,
    /// Its histogram, kept while it may still be split (its children's come from it).
    hist: Option<Vec<Sums>>,
    split: Option<Split>,
}

/// The reusable state of tree growing.
#[derive(Default)]
pub(super) struct Grower {
    /// Row ids, each leaf a range.
    order: Vec<u32>,
    scratch: Vec<u32>,
    /// Gradient/hessian pairs of a node's rows, in `order`'s order.
    ordered: Vec<[f64; 2]>,
    /// Free histograms.
    pool: Vec<Vec<Sums>>,
    lanes: Lanes,
    /// The last tree's leaves: value and range of `order`.
    leaves: Vec<(f32, usize, usize)>,
    /// The last tree's splits as bins: per node, the binned feature and which of its bins go
    /// right (anything for leaves).
    node_rules: Vec<(usize, Rule)>,
}

/// The derived features of categorical splits, shared by every tree of a model: feature
/// `base + i` is the sum of the feature columns `sets[i]` (one-hot columns, so 1 when the
/// row's category is one of them and 0 otherwise), and a split on a set of categories is the
/// split "below 0.5" on its derived feature. Equal sets share one feature.
#[derive(Default)]
pub(super) struct CategorySets {
    base: usize,
    pub sets: Vec<Vec<u32>>,
    index: HashMap<Vec<u32>, u32>,
}

impl CategorySets {
    pub(super) fn new(base: usize) -> CategorySets {
        CategorySets {
            base,
            ..CategorySets::default()
        }
    }

    /// The feature id of the sum of `columns`, added if new.
    fn feature(&mut self, columns: Vec<u32>) -> u32 {
        let next = (self.base + self.sets.len()) as u32;
        *self.index.entry(columns).or_insert_with_key(|columns| {
            self.sets.push(columns.clone());
            next
        })
    }
}

impl Grower {
    /// The rows of each leaf of the last tree grown, with the leaf's value.
    pub(super) fn leaf_rows(&self) -> impl Iterator<Item = (f32, &[u32])> {
        self.leaves
            .iter()
            .map(|&(value, start, end)| (value, self.order.get(start..end).unwrap_or_default()))
    }

    /// The leaf value the last tree gives row `row` of the binned training data, walking
    /// bins rather than values (for rows the tree was not grown on).
    pub(super) fn binned_value(&self, tree: &Tree, binned: &Binned, row: usize) -> f32 {
        let mut id = 0usize;
        for _ in 0..tree.nodes.len() {
            let Some(node) = tree.nodes.get(id) else {
                return 0.0;
            };
            if node.leaf {
                return node.value;
            }
            let Some(&(feature, rule)) = self.node_rules.get(id) else {
                return 0.0;
            };
            let bin = binned.column(feature).get(row).copied().unwrap_or(0);
            let goes_left = rule.goes_left(bin);
            id = if goes_left {
                node.left as usize
            } else {
                node.right as usize
            };
        }
        0.0
    }

    /// Grows one tree on the rows `bag` (all rows in order when `None`) with the
    /// gradient/hessian pairs `gh` (one per training row), splitting only on `features`;
    /// a categorical split's derived feature comes from (or is added to) `sets`.
    pub(super) fn grow(
        &mut self,
        binned: &Binned,
        gh: &[[f64; 2]],
        bag: Option<&[u32]>,
        features: &[usize],
        shape: &Shape,
        sets: &mut CategorySets,
    ) -> Tree {
        let total_bins = binned.total_bins();
        let limits = &shape.limits;
        let Grower {
            order,
            scratch,
            ordered,
            pool,
            lanes,
            leaves: finished,
            node_rules,
        } = self;
        order.clear();
        match bag {
            Some(bag) => order.extend_from_slice(bag),
            None => order.extend(0..binned.rows() as u32),
        }
        let may_split = |sums: Sums, depth: usize| {
            (shape.max_depth == 0 || depth < shape.max_depth)
                && sums.n >= limits.min_leaf_rows.saturating_mul(2)
                && sums.h >= 2.0 * limits.min_leaf_hessian
        };

        // The root.
        let mut hist = take(pool, total_bins);
        let sums = match bag {
            None => {
                build(&mut hist, lanes, binned, features, order, gh, true);
                Sums::of(gh)
            }
            Some(_) => {
                gather(ordered, order, gh);
                build(&mut hist, lanes, binned, features, order, ordered, false);
                Sums::of(ordered)
            }
        };
        let mut nodes = vec![Node::leaf(0.0)];
        node_rules.clear();
        node_rules.push((0, Rule::From(0)));
        let split = if may_split(sums, 0) && shape.max_leaves > 1 {
            best_split(&hist, binned, features, sums, limits)
        } else {
            None
        };
        let mut leaves = vec![Leaf {
            node: 0,
            start: 0,
            end: order.len(),
            depth: 0,
            sums,
            hist: Some(hist),
            split,
        }];

        while leaves.len() < shape.max_leaves {
            // The best gain; ties go to the older node, so growth is deterministic.
            let mut chosen: Option<(usize, f64, usize)> = None;
            for (index, leaf) in leaves.iter().enumerate() {
                if let Some(split) = &leaf.split
                    && chosen.is_none_or(|(_, gain, node)| {
                        split.gain > gain || (split.gain == gain && leaf.node < node)
                    })
                {
                    chosen = Some((index, split.gain, leaf.node));
                }
            }
            let Some((index, _, _)) = chosen else {
                break;
            };
            let mut leaf = leaves.swap_remove(index);
            let Some(split) = leaf.split.take() else {
                break;
            };
            let Some((feature, threshold)) = split_feature(binned, &split, sets) else {
                leaves.push(leaf);
                break;
            };

            // Partition the leaf's rows, stably, by the split's rule. The histogram counted
            // the left rows exactly, so each side is written in place.
            let column = binned.column(split.feature);
            let Some(rows) = order.get_mut(leaf.start..leaf.end) else {
                break;
            };
            scratch.clear();
            scratch.extend_from_slice(rows);
            let kept = (split.left.n as usize).min(rows.len());
            let (mut left_at, mut right_at) = (0usize, kept);
            for &row in scratch.iter() {
                let bin = column.get(row as usize).copied().unwrap_or(0);
                let at = if split.rule.goes_left(bin) {
                    &mut left_at
                } else {
                    &mut right_at
                };
                if let Some(slot) = rows.get_mut(*at) {
                    *slot = row;
                }
                *at += 1;
            }
            let middle = leaf.start + kept;

            let left_id = nodes.len();
            if let Some(node) = nodes.get_mut(leaf.node) {
                *node = Node {
                    feature,
                    threshold,
                    left: left_id as u32,
                    right: left_id as u32 + 1,
                    value: 0.0,
                    leaf: false,
                };
            }
            if let Some(rule) = node_rules.get_mut(leaf.node) {
                *rule = (split.feature, split.rule);
            }
            nodes.extend([Node::leaf(0.0), Node::leaf(0.0)]);
            node_rules.extend([(0, Rule::From(0)), (0, Rule::From(0))]);

            let depth = leaf.depth + 1;
            let mut left = Leaf {
                node: left_id,
                start: leaf.start,
                end: middle,
                depth,
                sums: split.left,
                hist: None,
                split: None,
            };
            let mut right = Leaf {
                node: left_id + 1,
                start: middle,
                end: leaf.end,
                depth,
                sums: split.right,
                hist: None,
                split: None,
            };
            // After this split there are leaves.len() + 2 leaves; at the cap none splits again.
            let room = leaves.len() + 2 < shape.max_leaves;
            let left_may = room && may_split(left.sums, depth);
            let right_may = room && may_split(right.sums, depth);
            match leaf.hist.take() {
                Some(mut parent_hist) if left_may || right_may => {
                    // Build the child with fewer rows; the other is the parent minus it.
                    let (small, large, small_may, large_may) = if left.sums.n <= right.sums.n {
                        (&mut left, &mut right, left_may, right_may)
                    } else {
                        (&mut right, &mut left, right_may, left_may)
                    };
                    let mut small_hist = take(pool, total_bins);
                    let small_rows = order.get(small.start..small.end).unwrap_or_default();
                    gather(ordered, small_rows, gh);
                    build(
                        &mut small_hist,
                        lanes,
                        binned,
                        features,
                        small_rows,
                        ordered,
                        false,
                    );
                    if large_may {
                        subtract(&mut parent_hist, &small_hist);
                        large.split =
                            best_split(&parent_hist, binned, features, large.sums, limits);
                        keep_if_split(large, parent_hist, pool);
                    } else {
                        pool.push(parent_hist);
                    }
                    if small_may {
                        small.split = best_split(&small_hist, binned, features, small.sums, limits);
                        keep_if_split(small, small_hist, pool);
                    } else {
                        pool.push(small_hist);
                    }
                }
                Some(hist) => pool.push(hist),
                None => {}
            }
            leaves.push(left);
            leaves.push(right);
        }

        finished.clear();
        for leaf in leaves {
            if let Some(hist) = leaf.hist {
                pool.push(hist);
            }
            let value = (shape.learning_rate * leaf_value(leaf.sums, limits.l2)) as f32;
            if let Some(node) = nodes.get_mut(leaf.node) {
                *node = Node::leaf(value);
            }
            finished.push((value, leaf.start, leaf.end));
        }
        Tree { nodes }
    }
}

/// The feature and threshold a split's node reads on raw feature values: a numeric column and
/// its bin edge, or a set of categories' derived feature (its one column for a set of one)
/// and 0.5 (the rows in the set, whose sum is 1, go right). `None` for a rule of the other kind, which `best_split` never makes.
fn split_feature(binned: &Binned, split: &Split, sets: &mut CategorySets) -> Option<(u32, f32)> {
    match (binned.kind(split.feature)?, split.rule) {
        (Kind::Numeric { column, .. }, Rule::From(bin)) => Some((
            *column as u32,
            binned.threshold(split.feature, usize::from(bin)),
        )),
        (Kind::Category { columns }, Rule::In(set)) => {
            let chosen: Vec<u32> = columns
                .clone()
                .enumerate()
                .filter(|&(bin, _)| u8::try_from(bin).is_ok_and(|bin| set.contains(bin)))
                .map(|(_, column)| column as u32)
                .collect();
            match chosen.as_slice() {
                // One category: its own one-hot column is the sum.
                [column] => Some((*column, 0.5)),
                _ => Some((sets.feature(chosen), 0.5)),
            }
        }
        _ => None,
    }
}

/// A histogram buffer of `len` bins from the pool (or a new one); `build` zeroes it.
fn take(pool: &mut Vec<Vec<Sums>>, len: usize) -> Vec<Sums> {
    let mut hist = pool.pop().unwrap_or_default();
    hist.resize(len, Sums::default());
    hist
}

/// The pairs of `rows` in order, into `ordered`.
fn gather(ordered: &mut Vec<[f64; 2]>, rows: &[u32], gh: &[[f64; 2]]) {
    ordered.clear();
    ordered.extend(
        rows.iter()
            .map(|&r| gh.get(r as usize).copied().unwrap_or([0.0, 0.0])),
    );
}

/// Keeps `hist` with the leaf if it found a split (its children will need it), else returns
/// it to the pool.
fn keep_if_split(leaf: &mut Leaf, hist: Vec<Sums>, pool: &mut Vec<Vec<Sums>>) {
    if leaf.split.is_some() {
        leaf.hist = Some(hist);
    } else {
        pool.push(hist);
    }
}
