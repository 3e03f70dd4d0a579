//! hisf: checks that New Zealand health-sector mail and fax meet the 2019
//! Ministry of Health / ACC secure digital communications guidance.
//!
//! This crate is the one core library; the `hisf` CLI (and later the Lambda
//! functions) are thin shells around it.

#![deny(missing_docs)]

pub mod config;
pub mod dates;
pub mod lint;
pub mod policy;
pub mod probe;
pub mod render;
pub mod report;
pub mod scan;
pub mod source;
pub mod store;
pub mod suppress;
