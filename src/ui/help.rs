//! Help for newcomers: the one-line meaning of each term the page uses and what each step is
//! for. All wording lives here, so a tooltip, a step's intro and the glossary never disagree.

use yew::prelude::*;

use super::state::Step;

/// A term the page uses without explaining it in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Term {
    OneHot,
    Frequency,
    Patience,
    Tpe,
    Asha,
    Median,
    Float16,
    DynamicInt8,
    StaticInt8,
    Pruning,
    Drift,
}

impl Term {
    /// In the order the glossary lists them: the order the steps meet them.
    pub const ALL: [Term; 11] = [
        Term::OneHot,
        Term::Frequency,
        Term::Patience,
        Term::Tpe,
        Term::Asha,
        Term::Median,
        Term::Float16,
        Term::DynamicInt8,
        Term::StaticInt8,
        Term::Pruning,
        Term::Drift,
    ];

    /// A stable name for element ids and tests.
    pub fn key(self) -> &'static str {
        match self {
            Term::OneHot => "one-hot",
            Term::Frequency => "frequency",
            Term::Patience => "patience",
            Term::Tpe => "tpe",
            Term::Asha => "asha",
            Term::Median => "median",
            Term::Float16 => "fp16",
            Term::DynamicInt8 => "dynamic-int8",
            Term::StaticInt8 => "static-int8",
            Term::Pruning => "pruning",
            Term::Drift => "drift",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Term::OneHot => "one-hot encoding",
            Term::Frequency => "frequency encoding",
            Term::Patience => "patience",
            Term::Tpe => "TPE",
            Term::Asha => "ASHA",
            Term::Median => "median pruner",
            Term::Float16 => "fp16 (float16)",
            Term::DynamicInt8 => "dynamic int8",
            Term::StaticInt8 => "static int8",
            Term::Pruning => "pruning / sparsity",
            Term::Drift => "drift",
        }
    }

    /// One sentence a newcomer can act on.
    pub fn meaning(self) -> &'static str {
        match self {
            Term::OneHot => {
                "A category column becomes one 0/1 feature per value, so the model treats no value as larger than another."
            }
            Term::Frequency => {
                "A category column with many values becomes one number, how often each value occurs in the training rows."
            }
            Term::Patience => {
                "Training stops early after this many epochs without a better validation score, keeping the best epoch."
            }
            Term::Tpe => {
                "Tree-structured Parzen Estimator: after some random trials, it proposes settings that look like the best trials so far."
            }
            Term::Asha => {
                "Asynchronous successive halving: trials are checked at a few epoch counts and only the best fraction trains on."
            }
            Term::Median => {
                "Stops a trial whose score at an epoch is worse than the median of earlier trials at the same epoch."
            }
            Term::Float16 => {
                "Stores the weights as 16-bit floats: half the file size, results almost identical."
            }
            Term::DynamicInt8 => {
                "Stores the weights as 8-bit integers (a quarter of the size); inputs are scaled on the fly at prediction time."
            }
            Term::StaticInt8 => {
                "Like dynamic int8, but input scales are measured once on the training rows (calibration), so predictions are cheaper."
            }
            Term::Pruning => {
                "Sets the smallest weights to zero; sparsity is the share of weights that are zero, and fine-tuning afterwards recovers accuracy."
            }
            Term::Drift => {
                "When the rows a model meets in use differ from its training rows, so its measured scores no longer hold."
            }
        }
    }
}

/// What a step is for, in one line, with the terms it introduces.
pub fn step_intro(step: Step) -> Html {
    match step {
        Step::Data => html! {
            { "What is this step? Load a CSV (or pick a sample), check how each column was read, and choose the column to predict. Nothing leaves this browser." }
        },
        Step::Prepare => html! {
            <>
                { "What is this step? Each column gets a treatment with its reason — numbers are scaled, categories get " }
                { abbr(Term::OneHot, "one-hot") }{ " or " }{ abbr(Term::Frequency, "frequency") }
                { " encoding — and the rows are split into train, validation and test. Change any decision here." }
            </>
        },
        Step::Train => html! {
            <>
                { "What is this step? Train one model on the prepared features and watch its curves; it stops early after " }
                { abbr(Term::Patience, "patience") }{ " epochs without improvement and keeps the best epoch." }
            </>
        },
        Step::Search => html! {
            <>
                { "What is this step? Try many settings automatically: a sampler such as " }{ abbr(Term::Tpe, "TPE") }
                { " proposes them and a pruner such as " }{ abbr(Term::Asha, "ASHA") }{ " or the " }{ abbr(Term::Median, "median pruner") }
                { " stops weak trials early." }
            </>
        },
        Step::Export => html! {
            <>
                { "What is this step? Make the model smaller (" }{ abbr(Term::Float16, "fp16") }{ ", " }
                { abbr(Term::DynamicInt8, "dynamic int8") }{ ", " }{ abbr(Term::StaticInt8, "static int8") }{ ", " }
                { abbr(Term::Pruning, "pruning") }{ "), compare each form with the original and download it as ONNX. Watch for " }
                { abbr(Term::Drift, "drift") }{ " once it is in use." }
            </>
        },
        Step::Use => html! {
            <>
                { "What is this step? The exported ONNX file answers here, as downloaded: type a row and see the answer and why, predict a whole CSV, or check new data for " }
                { abbr(Term::Drift, "drift") }{ " against the training data." }
            </>
        },
        Step::Teach => html! {
            { "What is this step? A playground for learning how a network learns: pick a toy data set, shape a small network, and watch its decision boundary, each unit and the losses change batch by batch. The address is a classroom link: share it and the same run replays exactly." }
        },
    }
}

/// `text` marked as the term, its meaning as the tooltip.
pub fn abbr(term: Term, text: &'static str) -> Html {
    html! { <abbr class="term" data-term={term.key()} title={term.meaning()}>{ text }</abbr> }
}

/// A tooltip for a control that chooses between these terms: each one's name and meaning.
pub fn titles(terms: &[Term]) -> String {
    terms
        .iter()
        .map(|term| format!("{}: {}", term.name(), term.meaning()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every term with its meaning, folded away at the foot of the page.
#[function_component(Glossary)]
pub fn glossary() -> Html {
    html! {
        <details id="glossary" class="glossary">
            <summary>{ "Glossary: the terms this page uses" }</summary>
            <dl>
                { for Term::ALL.iter().map(|term| html! {
                    <>
                        <dt id={format!("glossary-{}", term.key())}>{ term.name() }</dt>
                        <dd>{ term.meaning() }</dd>
                    </>
                }) }
            </dl>
        </details>
    }
}
