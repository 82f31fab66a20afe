//! A local anvil node (from the pinned npm `@foundry-rs/anvil`), bound to 127.0.0.1 and stopped
//! when dropped. Used by the devnet and the tests as the L2 (and later L1) chain.

use std::{
    net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

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
    /// Starts anvil on a free loopback port with the given extra arguments and waits until it
    /// accepts connections.
    pub fn spawn(args: &[&str]) -> Result<Self, DevkitError> {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .map_err(|source| DevkitError::Spawn { binary: "a loopback port".into(), source })?
            .port();
        let bin = binary();
        let child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| DevkitError::Spawn { binary: bin.display().to_string(), source })?;
        let mut anvil = Self { child, url: format!("http://127.0.0.1:{port}") };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if Instant::now() > deadline {
                return Err(DevkitError::NotListening(anvil.url.clone()));
            }
            if let Ok(Some(_)) = anvil.child.try_wait() {
                return Err(DevkitError::NotListening(anvil.url.clone()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(anvil)
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
