//! A local anvil node (from the pinned npm `@foundry-rs/anvil`), bound to 127.0.0.1 and stopped
//! when dropped. Used by the devnet and the tests as the L2 (and later L1) chain.

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use phat_prover_core::{ChainConfig, ChainConfigParts, Fork};

use crate::error::DevkitError;

/// Anvil's first dev account key (public, well known: test chains only).
pub const DEV_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// A running anvil; killed on drop.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    /// Its HTTP JSON-RPC endpoint.
    pub url: String,
}

/// The anvil binary: `$PHAT_ANVIL`, else the pinned npm package's platform binary.
pub fn binary() -> PathBuf {
    crate::tools::foundry("anvil")
}

impl Anvil {
    /// Starts anvil on a loopback port of its own choosing (`--port 0`: no race with other
    /// processes picking ports) with the given extra arguments, and waits until it says where it
    /// listens.
    pub fn spawn(args: &[&str]) -> Result<Self, DevkitError> {
        let bin = binary();
        let mut child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| DevkitError::Spawn { binary: bin.display().to_string(), source })?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            return Err(DevkitError::NotListening("127.0.0.1:0".into()));
        };
        // Read its output on a thread (and keep draining it, so anvil never blocks on a full pipe)
        // until the "Listening on 127.0.0.1:PORT" line.
        let (found, listening) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("Listening on ")
                    && let Some(tx) = found.take()
                {
                    let _ = tx.send(addr.trim().to_string());
                }
            }
        });
        let mut anvil = Self { child, url: String::new() };
        match listening.recv_timeout(Duration::from_secs(20)) {
            Ok(addr) if addr.parse::<SocketAddr>().is_ok() => {
                anvil.url = format!("http://{addr}");
                Ok(anvil)
            }
            Ok(addr) => Err(DevkitError::NotListening(addr)),
            Err(_) => Err(DevkitError::NotListening("127.0.0.1:0".into())),
        }
    }

    /// Process id (to stop it from outside).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The hardfork the devnet and the tests run their L2 anvil under (`--hardfork`).
pub const L2_HARDFORK: &str = "prague";

/// The chain config of an L2 anvil started with `--hardfork` [`L2_HARDFORK`]: every fork through
/// Prague from genesis, on chain `chain_id` (anvil's default is 31337), with the devnet rule that
/// the EIP-7002 / EIP-7251 request contracts may be absent (anvil deploys neither, nor runs their
/// system calls; Prague's rules refuse such blocks). The devnet hands this to its provers as their
/// configuration; a real rollup writes its own (`deploy/`), without the devnet rule.
pub fn l2_chain_config(chain_id: u64) -> ChainConfig {
    let parts = ChainConfigParts {
        devnet_absent_system_contracts: true,
        ..ChainConfigParts::from_genesis_up_to(chain_id, Fork::Prague)
    };
    // A valid config by construction (merged, forks in order, EIP blob schedules).
    match ChainConfig::new(parts) {
        Ok(config) => config,
        Err(e) => unreachable!("the Prague-from-genesis config is valid: {e}"),
    }
}
