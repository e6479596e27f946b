// SPDX-License-Identifier: Apache-2.0
// Copyright (c) The pliron contributors

//! Independent support tools / utilities

pub mod apfloat;
pub mod apint;
pub mod const_bound_n;
pub mod table;
pub mod timer;
pub mod trait_cast;
pub mod union_find;
pub mod vec_exns;
