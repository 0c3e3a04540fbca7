//! `merge`: the shard directories of a sweep into the files of one run
//! ([`crate::output::sweep::merge`] does the work).

use super::JobError;
use crate::output::sweep::{self as out, Manifest};
use std::path::PathBuf;

/// What `brink merge` was asked.
#[derive(Debug, Clone)]
pub struct MergeSpec {
    /// Shard directories, each written by `sweep --shard K/N`.
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged files.
    pub out: PathBuf,
}

impl MergeSpec {
    /// Verifies the shards and writes the merged files; returns the
    /// merged manifest.
    pub fn execute(&self) -> Result<Manifest, JobError> {
        Ok(out::merge(&self.dirs, &self.out)?)
    }
}
