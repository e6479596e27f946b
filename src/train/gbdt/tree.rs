//! A fitted regression tree: the nodes, their walk, and the check that a tree read from a
//! file holds together.

use serde::{Deserialize, Serialize};

/// One node. A split sends a row left iff `x[feature] < threshold` (so NaN goes right); a
/// leaf adds `value` (the learning rate already applied) to its tree's output.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Node {
    /// The feature column a split reads (0 for a leaf).
    pub feature: u32,
    /// The split's threshold, between two training values (0 for a leaf).
    pub threshold: f32,
    /// The node ids of the children (0 for a leaf). Children always have larger ids than
    /// their parent, so a walk ends.
    pub left: u32,
    pub right: u32,
    /// A leaf's value (0 for a split).
    pub value: f32,
    pub leaf: bool,
}

impl Node {
    pub(super) fn leaf(value: f32) -> Node {
        Node {
            feature: 0,
            threshold: 0.0,
            left: 0,
            right: 0,
            value,
            leaf: true,
        }
    }
}

/// A tree: node ids are positions in `nodes`, dense, the root is 0.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

impl Tree {
    /// The leaf value this tree gives a row of features (0 for a tree that does not hold
    /// together; [`Tree::check`] says so first).
    pub fn value(&self, row: &[f32]) -> f32 {
        let mut id = 0usize;
        // Children have larger ids, so at most `nodes.len()` steps; the bound keeps a broken
        // tree from looping.
        for _ in 0..self.nodes.len() {
            let Some(node) = self.nodes.get(id) else {
                return 0.0;
            };
            if node.leaf {
                return node.value;
            }
            let x = row.get(node.feature as usize).copied().unwrap_or(0.0);
            id = if x < node.threshold {
                node.left as usize
            } else {
                node.right as usize
            };
        }
        0.0
    }

    /// The number of splits on the longest path from the root to a leaf (0 for a single
    /// leaf).
    pub fn depth(&self) -> usize {
        let mut depths = vec![0usize; self.nodes.len()];
        let mut deepest = 0;
        // Children have larger ids than their parent, so one pass in id order sees each
        // parent before its children.
        for (id, node) in self.nodes.iter().enumerate() {
            let depth = depths.get(id).copied().unwrap_or(0);
            deepest = deepest.max(depth);
            if !node.leaf {
                for child in [node.left, node.right] {
                    if let Some(d) = depths.get_mut(child as usize) {
                        *d = depth + 1;
                    }
                }
            }
        }
        deepest
    }

    /// Whether the tree is one a walk can use: not empty, every child inside the tree with a
    /// larger id than its parent, features below `features`, finite numbers.
    pub fn check(&self, features: usize) -> Result<(), String> {
        if self.nodes.is_empty() {
            return Err("a tree has no nodes".to_string());
        }
        for (id, node) in self.nodes.iter().enumerate() {
            if node.leaf {
                if !node.value.is_finite() {
                    return Err(format!("node {id} has a leaf value that is not a number"));
                }
                continue;
            }
            if node.feature as usize >= features {
                return Err(format!(
                    "node {id} splits on feature {} of {features}",
                    node.feature
                ));
            }
            if node.threshold.is_nan() {
                return Err(format!("node {id} has a threshold that is not a number"));
            }
            for child in [node.left, node.right] {
                let child = child as usize;
                if child <= id || child >= self.nodes.len() {
                    return Err(format!("node {id} has a child {child} out of order"));
                }
            }
        }
        Ok(())
    }
}
