//! The operators tract may build: exactly the export contract's
//! ([`crate::export::OPERATORS`]), not tract-onnx's ~200.
//!
//! Why: `tract_onnx::onnx()` registers every operator tract knows, and a registration is a
//! function pointer, so the linker keeps every builder and what it reaches (einsum, FFT,
//! resize, NMS, recurrent layers, random ops, attention …) in the Use step's worker whether or
//! not a Hearth file could ever contain it. Registering only the contract's operators made that
//! worker 11 % smaller (2.79 → 2.48 MB gzip; 1.76 MB with vendor/tract-nnef's patch beside it,
//! BENCHMARKS.md "Download size", third part). A file with any other operator is not a
//! Hearth export; tract names the operator it does not know, and [`super::OnnxModel::load`]
//! reports it as one sentence.
//!
//! The builders come from tract-onnx itself (vendor/tract-onnx makes them public, nothing
//! else changed), so each operator is read exactly as `onnx()` reads it.

use tract_onnx::model::OnnxOpRegister;
use tract_onnx::ops::{array, cast, math, ml, nn, quant};
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::ops::binary::BinIntoHir;
use tract_onnx::tract_hir::ops::{self as hir, nn::Reducer};

/// The contract's operators, each with tract-onnx's own builder.
pub(super) fn register() -> OnnxOpRegister {
    let mut reg = OnnxOpRegister::default();
    // Graph plumbing.
    reg.insert("Identity", |_, _| {
        Ok((Box::<hir::identity::Identity>::default(), vec![]))
    });
    // Tensor shape and layout.
    reg.insert("Cast", cast::cast);
    reg.insert("Concat", array::concat);
    reg.insert("Expand", |_, _| {
        Ok((expand(hir::array::MultiBroadcastTo), vec![]))
    });
    reg.insert("Gather", array::gather);
    reg.insert("Reshape", |_, node| {
        // allowzero was added in opset 14; absent, it defaults to 0 (as tract-onnx reads it).
        let allowzero = node.get_attr_opt::<i64>("allowzero")?.unwrap_or(0) != 0;
        Ok((expand(hir::array::Reshape::new(allowzero)), vec![]))
    });
    reg.insert("Shape", array::shape::shape);
    reg.insert("Slice", array::slice::slice);
    // Arithmetic and activations.
    reg.insert("Add", |_, _| Ok((hir::math::Add.into_hir(), vec![])));
    reg.insert("Sub", |_, _| Ok((hir::math::Sub.into_hir(), vec![])));
    reg.insert("Mul", |_, _| Ok((hir::math::Mul.into_hir(), vec![])));
    reg.insert("Div", |_, _| Ok((hir::math::Div.into_hir(), vec![])));
    reg.insert("Erf", |_, _| Ok((hir::math::erf().into_hir(), vec![])));
    reg.insert("Exp", |_, _| Ok((hir::math::exp().into_hir(), vec![])));
    reg.insert("Sqrt", |_, _| Ok((hir::math::sqrt().into_hir(), vec![])));
    reg.insert("Tanh", |_, _| Ok((hir::math::tanh().into_hir(), vec![])));
    reg.insert("IsNaN", |_, _| {
        Ok((tract_core::ops::math::is_nan().into_hir(), vec![]))
    });
    reg.insert("Relu", |_, _| {
        Ok((expand(hir::activations::Clip::new(Some(0.0), None)), vec![]))
    });
    reg.insert("Sigmoid", |_, _| {
        Ok((hir::nn::sigmoid().into_hir(), vec![]))
    });
    reg.insert("Softmax", nn::layer_soft_max);
    reg.insert("MatMul", |_, _| {
        Ok((expand(hir::matmul::MatMulInference::default()), vec![]))
    });
    reg.insert("MatMulInteger", math::mat_mul_integer::mat_mul_integer);
    reg.insert("ArgMax", nn::arg_max_min);
    reg.insert("ReduceMean", |ctx, node| {
        nn::reduce::reduce(ctx, node, Reducer::Mean)
    });
    // Logic.
    reg.insert("Equal", |_, _| {
        Ok((tract_core::ops::logic::CompEq.into_hir(), vec![]))
    });
    reg.insert("Not", |_, _| {
        Ok((tract_core::ops::logic::not().into_hir(), vec![]))
    });
    reg.insert("Or", |_, _| {
        Ok((tract_core::ops::logic::Or.into_hir(), vec![]))
    });
    reg.insert("Where", |_, _| Ok((expand(hir::logic::Iff), vec![])));
    // Quantization.
    reg.insert("QuantizeLinear", quant::quantize_linear);
    reg.insert("DequantizeLinear", quant::dequantize_linear);
    reg.insert("DynamicQuantizeLinear", quant::dynamic_quantize_linear);
    // ONNX-ML: categories and tree ensembles.
    reg.insert("CategoryMapper", ml::category_mapper::category_mapper);
    reg.insert(
        "TreeEnsembleClassifier",
        ml::tree_ensemble_classifier::tree_classifier,
    );
    reg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::OPERATORS;

    #[test]
    fn exactly_the_contracts_operators_are_registered() {
        let reg = register();
        let mut registered: Vec<&str> = reg.0.keys().map(String::as_str).collect();
        registered.sort_unstable();
        let mut contract = OPERATORS.to_vec();
        contract.sort_unstable();
        assert_eq!(registered, contract);
    }
}
