//! The sample datasets bundled in `static/` (sources and licences in `static/DATASETS.md`).

/// A bundled sample dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// File name under `static/`; also the name shown for the loaded dataset.
    pub file: &'static str,
    pub title: &'static str,
}

/// The page opens on the first one.
pub const SAMPLES: [Sample; 3] = [
    Sample {
        file: "penguins.csv",
        title: "Palmer penguins — species (multiclass)",
    },
    Sample {
        file: "iris.csv",
        title: "Iris — species (multiclass)",
    },
    Sample {
        file: "diabetes.csv",
        title: "Diabetes — disease progression (regression)",
    },
];

/// The bundled sample with this file name, if any: the worker fetches nothing else.
pub fn find(file: &str) -> Option<Sample> {
    SAMPLES.iter().copied().find(|sample| sample.file == file)
}
