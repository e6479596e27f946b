pub mod args;
pub mod config;
pub mod global;
pub mod instructions;
pub mod precision;
pub mod readers;
pub mod writers;
