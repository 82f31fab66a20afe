//! Where the pinned Foundry tools live. The npm packages `@foundry-rs/{forge,anvil,cast}` install a
//! JavaScript wrapper in `node_modules/.bin` that exits 0 whatever the tool returns, so every
//! caller here runs the platform binary the package ships, whose exit status is the tool's.

use std::path::{Path, PathBuf};

/// The npm platform package suffix of this machine.
const PLATFORM: &str = if cfg!(target_arch = "aarch64") { "linux-arm64" } else { "linux-amd64" };

/// A Foundry tool (`forge`, `anvil`, `cast`): `$PHAT_<TOOL>` if set, else the platform binary of
/// the npm package found from the current folder or this crate upwards, else `<tool>` on `PATH`.
pub fn foundry(tool: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(format!("PHAT_{}", tool.to_ascii_uppercase())) {
        return path.into();
    }
    let rel = Path::new("node_modules/@foundry-rs").join(format!("{tool}-{PLATFORM}/bin/{tool}"));
    let starts = [std::env::current_dir().ok(), Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")))];
    for start in starts.into_iter().flatten() {
        for dir in start.ancestors() {
            if dir.join(&rel).is_file() {
                return dir.join(&rel);
            }
        }
    }
    PathBuf::from(tool)
}
