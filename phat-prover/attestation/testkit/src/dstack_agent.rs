//! A mock dstack guest agent: the HTTP/JSON API dstack serves inside a CVM on its unix socket
//! (`/var/run/dstack.sock`), for tests and the devnet on machines without TDX. Tests only: its keys
//! and quotes come from a test PKI and fixed test secrets, never from hardware.
//!
//! It serves what the prover's client (`phat-dstack`) calls, with the paths, methods and JSON of
//! the real agent (Dstack-TEE/dstack):
//! - the frozen v0 surface, at `/` and `/v0` (`dstack/guest-agent/rpc/proto/agent_rpc.proto`,
//!   `sdk/curl/api.md`): `GetQuote {report_data}` → `{quote, event_log, report_data, vm_config,
//!   attestation}`, `Info` → `AppInfo`, `GetKey {path, purpose, algorithm}` → `{key,
//!   signature_chain}`;
//! - the v1 surface, at `/v1` (dstack 0.6.0, `agent_rpc_v1.proto`, `docs/guest-api-v1.md`):
//!   `Attest {report_data}` → `{attestation, boottime_gpu_evidence}`, `GetKey {domain,
//!   algorithm}` → `{key, public_key, signature_chain}`; another `/v1/<method>` answers 404
//!   `{"error": "Service not found: <method>"}` as the real agent does.
//!
//! Byte fields are hex strings without prefix (prpc's JSON form); a failed call is an HTTP 400
//! with `{"error": "..."}`; a path with no surface is a plain 404.
//!
//! The VM ([`DstackVm`]) is a fixed OS image (firmware `mr_td`, a handful of boot events in
//! RTMR0-2 with fixed digests) and an app (compose hash, app id, instance id, key provider). The
//! agent builds the runtime event log dstack's `dstack-util` extends into RTMR3 (`system-preparing,
//! app-id, compose-hash, instance-id, boot-mr-done, [os-image-hash,] key-provider, storage-fs,
//! system-ready`, `dstack/dstack-util/src/system_setup.rs`), replays it to RTMR0-3
//! ([`phat_attestation::eventlog::replay`]) and, on `GetQuote`, has the test PKI issue a TD quote
//! with those registers and the caller's raw report_data ([`crate::testkit::TestPki::td_quote`]).
//!
//! Keys follow dstack's derivations from the VM's app root key ([`DstackVm::app_key`]): v0 is
//! HKDF-SHA256 (salt `RATLS`, info the path; `dstack/ra-tls/src/kdf.rs`) with the chain
//! `[app key's signature over keccak256("{purpose}:{hex(pubkey)}"), KMS root's signature over
//! keccak256("dstack-kms-issued:" ‖ app_id ‖ app_pubkey)]`; v1 is HKDF-SHA256 (salt
//! `dstack-guest-v1`, length-prefixed `dstack-guest-v1-key ‖ algorithm ‖ domain`) with the
//! length-prefixed v1 key claim (`docs/guest-api-v1.md`, whose test vectors it reproduces). The KMS
//! root is a test key of the mock ([`DstackVm::kms_root_key`]): the chain is a test-only chain.
//! Only secp256k1 keys are served.

use std::{
    os::unix::fs::FileTypeExt,
    path::{Path, PathBuf},
    sync::Arc,
};

use alloy_primitives::{Bytes, FixedBytes, keccak256};
use axum::{
    Json, Router,
    extract::{Path as UrlPath, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use dcap_qvl::QuoteCollateralV3;
use k256::ecdsa::SigningKey;
use ring::{
    digest,
    hkdf::{HKDF_SHA256, Salt},
};
use serde_json::{Value, json};

use phat_attestation::{
    TcbStatus, TdMeasurement,
    eventlog::{self, DSTACK_EVENT_TYPE, Event, runtime_digest},
    tdx::Mr,
};

use crate::testkit::{PkiError, TD_PRODUCTION_ATTRIBUTES, TdVm, TestPki};

/// The event type TDX firmware gives the ACPI tables it measures into RTMR0 (with the payload
/// `ACPI DATA`); dstack keeps these events' payloads when it strips a log.
const ACPI_DATA_EVENT_TYPE: u32 = 10;
const ACPI_DATA_PAYLOAD: &[u8] = b"ACPI DATA";

fn sha256(data: &[u8]) -> [u8; 32] {
    digest::digest(&digest::SHA256, data).as_ref().try_into().expect("32 bytes")
}

fn sha384(data: &[u8]) -> [u8; 48] {
    digest::digest(&digest::SHA384, data).as_ref().try_into().expect("48 bytes")
}

/// A fixed test value named `label`.
fn mock_value(label: &str) -> [u8; 32] {
    sha256(format!("phat-sgx-prover mock dstack: {label}").as_bytes())
}

/// The boot events of the mock OS image (RTMR0: firmware configuration and ACPI tables, RTMR1: the
/// kernel and boot services, RTMR2: kernel command line and initrd), with fixed digests.
fn mock_boot_events() -> Vec<Event> {
    let boot = |imr: u32, event_type: u32, label: &str, payload: &[u8]| Event {
        imr,
        event_type,
        digest: FixedBytes(sha384(format!("phat-sgx-prover mock dstack OS image: {label}").as_bytes())),
        event: String::new(),
        event_payload: Bytes::copy_from_slice(payload),
    };
    vec![
        boot(0, 0x8000_000b, "td hob", b"TdxTable"),
        boot(0, 0x8000_0001, "secure boot", b"SecureBoot"),
        boot(0, ACPI_DATA_EVENT_TYPE, "acpi tables", ACPI_DATA_PAYLOAD),
        boot(1, 0x8000_0003, "kernel", b"kernel"),
        boot(1, 0x8000_0007, "exit boot services", b"Exit Boot Services Invocation"),
        boot(2, 0x6, "kernel command line", b"LOADED_IMAGE::LoadOptions"),
        boot(2, 0x6, "initrd", b"Linux initrd"),
    ]
}

/// A dstack confidential VM: its OS image, its TD fields and the app it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DstackVm {
    /// The firmware (the OS image's, fixed).
    pub mr_td: [u8; 48],
    /// The OS image's boot events (RTMR0-2).
    pub boot_events: Vec<Event>,
    /// Production by default (SEPT_VE_DISABLE only); [`Self::debug`] sets DEBUG.
    pub td_attributes: [u8; 8],
    /// Zero by default, as dstack 0.5 leaves it.
    pub mr_config_id: [u8; 48],
    pub mr_owner: [u8; 48],
    pub mr_owner_config: [u8; 48],
    /// The OS image hash (measured as `os-image-hash` when the keys come from a KMS).
    pub os_image_hash: [u8; 32],
    pub app_name: String,
    /// The app's `app-compose.json`, verbatim.
    pub app_compose: String,
    /// sha256 of `app_compose`.
    pub compose_hash: [u8; 32],
    pub app_id: [u8; 20],
    pub instance_id: [u8; 20],
    /// The key provider, as dstack measures it: the JSON `{"name": ..., "id": ...}` (`name`
    /// `kms`, `local-sgx`, `tpm` or `none`; `id` hex).
    pub key_provider: Vec<u8>,
    /// The app root key (secp256k1) the KMS gave the app: what `GetKey` derives from.
    pub app_key: [u8; 32],
    /// The mock KMS root key (secp256k1) that signs the app root key (link 1 of a chain).
    pub kms_root_key: [u8; 32],
}

impl Default for DstackVm {
    fn default() -> Self {
        Self::new()
    }
}

/// The default app: a prover behind docker compose, its keys from a KMS.
const DEFAULT_APP_COMPOSE: &str = r#"{"manifest_version":2,"name":"phat-prover","runner":"docker-compose","docker_compose_file":"services:\n  prover:\n    image: phat-prover:test\n","kms_enabled":true,"gateway_enabled":false,"public_logs":false,"public_sysinfo":false,"public_tcbinfo":true,"local_key_provider_enabled":false,"no_instance_id":false}"#;

impl DstackVm {
    /// A production VM of the mock OS image running the default app, its keys from the mock KMS.
    pub fn new() -> Self {
        let app_key = mock_value("app root key");
        let kms_root_key = mock_value("kms root key");
        let compose_hash = sha256(DEFAULT_APP_COMPOSE.as_bytes());
        let mut app_id = [0u8; 20];
        app_id.copy_from_slice(&compose_hash[..20]);
        let mut instance_id = [0u8; 20];
        instance_id.copy_from_slice(&mock_value("instance id")[..20]);
        let mut vm = Self {
            mr_td: sha384(b"phat-sgx-prover mock dstack OS image: mr_td"),
            boot_events: mock_boot_events(),
            td_attributes: TD_PRODUCTION_ATTRIBUTES,
            mr_config_id: [0; 48],
            mr_owner: [0; 48],
            mr_owner_config: [0; 48],
            os_image_hash: mock_value("os image"),
            app_name: "phat-prover".into(),
            app_compose: DEFAULT_APP_COMPOSE.into(),
            compose_hash,
            app_id,
            instance_id,
            key_provider: vec![],
            app_key,
            kms_root_key,
        };
        vm.key_provider =
            json!({ "name": "kms", "id": hex::encode(vm.kms_root_public_key()) }).to_string().into_bytes();
        vm
    }

    /// The same VM running the app `app_compose` (its compose hash follows; the app id does not).
    pub fn with_app_compose(mut self, app_compose: &str) -> Self {
        self.compose_hash = sha256(app_compose.as_bytes());
        self.app_compose = app_compose.into();
        self
    }

    /// The same VM launched under debug (`td_attributes` bit 0).
    pub fn debug(mut self) -> Self {
        self.td_attributes[0] |= 0x01;
        self
    }

    fn key_provider_name(&self) -> Option<String> {
        let v: Value = serde_json::from_slice(&self.key_provider).ok()?;
        v["name"].as_str().map(String::from)
    }

    /// The runtime events dstack extends into RTMR3 at boot, in its order.
    pub fn runtime_events(&self) -> Vec<Event> {
        let event = |name: &str, payload: &[u8]| Event {
            imr: 3,
            event_type: DSTACK_EVENT_TYPE,
            digest: runtime_digest(DSTACK_EVENT_TYPE, name, payload),
            event: name.into(),
            event_payload: Bytes::copy_from_slice(payload),
        };
        let mut events = vec![
            event("system-preparing", &[]),
            event("app-id", &self.app_id),
            event("compose-hash", &self.compose_hash),
            event("instance-id", &self.instance_id),
            event("boot-mr-done", &[]),
        ];
        if self.key_provider_name().as_deref() == Some("kms") {
            events.push(event("os-image-hash", &self.os_image_hash));
        }
        events.push(event("key-provider", &self.key_provider));
        events.push(event("storage-fs", b"ext4"));
        events.push(event("system-ready", &[]));
        events
    }

    /// The whole event log: boot events, then runtime events.
    pub fn event_log(&self) -> Vec<Event> {
        [self.boot_events.clone(), self.runtime_events()].concat()
    }

    /// RTMR0-3, replayed from the event log.
    pub fn rtmr(&self) -> [[u8; 48]; 4] {
        eventlog::replay(&self.event_log()).expect("registers 0-3 only").map(|r| r.0)
    }

    /// The TD this VM is, reporting `report_data`.
    pub fn td(&self, report_data: [u8; 64]) -> TdVm {
        let mut td = TdVm::new(self.mr_td, self.rtmr()).reporting(report_data);
        td.td_attributes = self.td_attributes;
        td.mr_config_id = self.mr_config_id;
        td.mr_owner = self.mr_owner;
        td.mr_owner_config = self.mr_owner_config;
        td
    }

    /// What an allow-list names for this VM (firmware, boot chain, `mr_config_id`).
    pub fn measurement(&self) -> TdMeasurement {
        let rtmr = self.rtmr();
        TdMeasurement {
            mr_td: Mr::from(self.mr_td),
            rtmr0: Mr::from(rtmr[0]),
            rtmr1: Mr::from(rtmr[1]),
            rtmr2: Mr::from(rtmr[2]),
            mr_config_id: Mr::from(self.mr_config_id),
        }
    }

    /// The VM's hardware configuration, as the VMM hands it to dstack (a JSON document).
    pub fn vm_config(&self) -> String {
        json!({
            "spec_version": 1, "os_image_hash": hex::encode(self.os_image_hash), "cpu_count": 2,
            "memory_size": 4u64 << 30, "qemu_single_pass_add_pages": false, "pic": false,
            "pci_hole64_size": 0, "num_gpus": 0, "num_nvswitches": 0, "hugepages": false, "hotplug_off": false,
        })
        .to_string()
    }

    /// The app root key's public key (SEC1 compressed).
    pub fn app_public_key(&self) -> [u8; 33] {
        compressed(&signing_key(&self.app_key).expect("a valid test key"))
    }

    /// The mock KMS root's public key (SEC1 compressed): the anchor of the test-only chains.
    pub fn kms_root_public_key(&self) -> [u8; 33] {
        compressed(&signing_key(&self.kms_root_key).expect("a valid test key"))
    }
}

/// What a stripped event log keeps: dstack's guest agent (0.5.6 on) serves `GetQuote`'s log
/// without the runtime events' digests (recomputable from name and payload) and without the boot
/// events' payloads (except the ACPI DATA markers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventLogForm {
    /// Every event with its digest and payload, as dstack up to 0.5.5 served it (and
    /// `../shared/fixtures/dstack` shows).
    #[default]
    Full,
    /// As dstack 0.5.6 and later serve it (`Attestation::get_tdx_event_log_string` of
    /// `dstack/dstack-attest`; the ACPI DATA payloads kept, as the current agent keeps them).
    Stripped,
}

/// How the mock agent behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentOptions {
    /// Serve the v1 surface (`/v1`, dstack 0.6.0 on); without it `/v1/...` is a plain 404, as from
    /// an agent that predates v1.
    pub v1: bool,
    /// The form of `GetQuote`'s event log.
    pub event_log: EventLogForm,
}

impl Default for AgentOptions {
    fn default() -> Self {
        Self { v1: true, event_log: EventLogForm::Full }
    }
}

struct Shared {
    pki: Arc<TestPki>,
    vm: DstackVm,
    options: AgentOptions,
}

/// A running mock guest agent. Dropping it stops it and removes its socket.
pub struct MockDstackAgent {
    socket: PathBuf,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl MockDstackAgent {
    /// Serves `vm` on the unix socket `socket` (replacing a stale socket there), its quotes issued
    /// by `pki`. Call it inside a Tokio runtime.
    pub fn start(socket: &Path, pki: Arc<TestPki>, vm: DstackVm) -> Result<Self, PkiError> {
        Self::start_with(socket, pki, vm, AgentOptions::default())
    }

    /// [`Self::start`] with `options`.
    pub fn start_with(socket: &Path, pki: Arc<TestPki>, vm: DstackVm, options: AgentOptions) -> Result<Self, PkiError> {
        if std::fs::symlink_metadata(socket).is_ok_and(|m| m.file_type().is_socket()) {
            std::fs::remove_file(socket)?;
        }
        let listener = tokio::net::UnixListener::bind(socket)?;
        let shared = Arc::new(Shared { pki, vm, options });
        let mut router = Router::new();
        for prefix in ["", "/v0"] {
            router = router
                .route(&format!("{prefix}/GetQuote"), post(get_quote))
                .route(&format!("{prefix}/Info"), get(info).post(info))
                .route(&format!("{prefix}/GetKey"), post(get_key));
        }
        if options.v1 {
            router = router
                .route("/v1/Attest", post(attest_v1))
                .route("/v1/GetKey", post(get_key_v1))
                .route("/v1/{method}", get(no_such_method).post(no_such_method));
        }
        let router = router.with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self { socket: socket.to_path_buf(), shared, task })
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    pub fn vm(&self) -> &DstackVm {
        &self.shared.vm
    }

    /// The root a verifier of this agent's quotes trusts (the test PKI's).
    pub fn root_ca_der(&self) -> Vec<u8> {
        self.shared.pki.root_ca_der()
    }

    /// Collateral under which this agent's quotes verify: the test platform UpToDate.
    pub fn collateral(&self) -> Result<QuoteCollateralV3, PkiError> {
        self.shared.pki.td_collateral(TcbStatus::UpToDate, &[])
    }
}

impl Drop for MockDstackAgent {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// A refusal: its status and message.
type Refusal = (StatusCode, String);

fn bad_request(error: impl std::fmt::Display) -> Refusal {
    (StatusCode::BAD_REQUEST, error.to_string())
}

/// The answer, or the refusal as prpc answers one: `{"error": ...}`.
fn respond(answer: Result<Value, Refusal>) -> Response {
    match answer {
        Ok(v) => Json(v).into_response(),
        Err((status, error)) => (status, Json(json!({ "error": error }))).into_response(),
    }
}

/// The request's JSON object (an empty body reads as `{}`).
fn request(body: &[u8]) -> Result<Value, Refusal> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v) if v.is_object() => Ok(v),
        Ok(_) => Err(bad_request("the request is not a JSON object")),
        Err(e) => Err(bad_request(format!("failed to decode the request: {e}"))),
    }
}

fn string_field<'a>(req: &'a Value, name: &str) -> Result<&'a str, Refusal> {
    match &req[name] {
        Value::Null => Ok(""),
        Value::String(s) => Ok(s),
        _ => Err(bad_request(format!("{name} is not a string"))),
    }
}

/// `report_data` (hex, at most 64 bytes), zero-padded to 64 bytes.
fn report_data(req: &Value) -> Result<[u8; 64], Refusal> {
    let text = string_field(req, "report_data")?;
    let bytes = hex::decode(text.trim_start_matches("0x")).map_err(|e| bad_request(format!("report_data: {e}")))?;
    if bytes.len() > 64 {
        return Err(bad_request("Report data is too long"));
    }
    let mut padded = [0u8; 64];
    padded[..bytes.len()].copy_from_slice(&bytes);
    Ok(padded)
}

/// The event log as `GetQuote` serves it: a JSON array, as a string.
fn event_log_json(events: &[Event], form: EventLogForm) -> String {
    match form {
        EventLogForm::Full => serde_json::to_string(events).expect("serializes"),
        EventLogForm::Stripped => {
            let stripped: Vec<Value> = events
                .iter()
                .map(|e| {
                    let runtime = e.event_type == DSTACK_EVENT_TYPE;
                    let acpi = e.event_type == ACPI_DATA_EVENT_TYPE && e.event_payload.as_ref() == ACPI_DATA_PAYLOAD;
                    json!({
                        "imr": e.imr, "event_type": e.event_type,
                        "digest": if runtime { String::new() } else { hex::encode(e.digest) },
                        "event": e.event,
                        "event_payload": if runtime || acpi { hex::encode(&e.event_payload) } else { String::new() },
                    })
                })
                .collect();
            serde_json::to_string(&stripped).expect("serializes")
        }
    }
}

async fn get_quote(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    respond((|| {
        let rd = report_data(&request(&body)?)?;
        let quote = s
            .pki
            .td_quote(&s.vm.td(rd))
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, format!("Failed to get quote: {e}")))?;
        Ok(json!({
            "quote": hex::encode(quote),
            "event_log": event_log_json(&s.vm.event_log(), s.options.event_log),
            "report_data": hex::encode(rd),
            "vm_config": s.vm.vm_config(),
            "attestation": "",
        }))
    })())
}

async fn info(State(s): State<Arc<Shared>>) -> Response {
    let vm = &s.vm;
    let rtmr = vm.rtmr();
    let device_id = mock_value("device id");
    let mr_aggregated = sha256(&[&vm.mr_td[..], &rtmr.concat(), &vm.mr_config_id].concat());
    let tcb_info = json!({
        "mrtd": hex::encode(vm.mr_td),
        "rtmr0": hex::encode(rtmr[0]), "rtmr1": hex::encode(rtmr[1]),
        "rtmr2": hex::encode(rtmr[2]), "rtmr3": hex::encode(rtmr[3]),
        "mr_aggregated": hex::encode(mr_aggregated),
        "os_image_hash": hex::encode(vm.os_image_hash),
        "compose_hash": hex::encode(vm.compose_hash),
        "device_id": hex::encode(device_id),
        "event_log": vm.event_log(),
        "app_compose": vm.app_compose,
    });
    Json(json!({
        "app_id": hex::encode(vm.app_id),
        "instance_id": hex::encode(vm.instance_id),
        "app_cert": "",
        "tcb_info": serde_json::to_string_pretty(&tcb_info).expect("serializes"),
        "app_name": vm.app_name,
        "device_id": hex::encode(device_id),
        "mr_aggregated": hex::encode(mr_aggregated),
        "os_image_hash": hex::encode(vm.os_image_hash),
        "key_provider_info": String::from_utf8_lossy(&vm.key_provider),
        "compose_hash": hex::encode(vm.compose_hash),
        "vm_config": vm.vm_config(),
        "cloud_vendor": "",
        "cloud_product": "",
    }))
    .into_response()
}

fn signing_key(secret: &[u8]) -> Result<SigningKey, k256::ecdsa::Error> {
    SigningKey::from_slice(secret)
}

fn compressed(key: &SigningKey) -> [u8; 33] {
    key.verifying_key().to_encoded_point(true).as_bytes().try_into().expect("33 bytes")
}

/// HKDF-SHA256 of `ikm` under `salt` with `info` (concatenated), 32 bytes.
fn hkdf32(salt: &[u8], ikm: &[u8], info: &[&[u8]]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let prk = Salt::new(HKDF_SHA256, salt).extract(ikm);
    prk.expand(info, HKDF_SHA256).and_then(|okm| okm.fill(&mut out)).expect("32 bytes of HKDF-SHA256");
    out
}

/// A recoverable secp256k1 signature over `digest`: `r ‖ s ‖ v` (low S, v in 0..=3).
fn sign_recoverable(key: &SigningKey, digest: &[u8; 32]) -> Result<[u8; 65], k256::ecdsa::Error> {
    let (signature, recid) = key.sign_prehash_recoverable(digest)?;
    let mut out = [0u8; 65];
    out[..64].copy_from_slice(&signature.to_bytes());
    out[64] = recid.to_byte();
    Ok(out)
}

/// Link 1 of every chain: the KMS root's signature over the app root public key.
fn kms_link(vm: &DstackVm) -> Result<[u8; 65], k256::ecdsa::Error> {
    let message = [&b"dstack-kms-issued:"[..], &vm.app_id, &vm.app_public_key()].concat();
    sign_recoverable(&signing_key(&vm.kms_root_key)?, &keccak256(message).0)
}

async fn get_key(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    respond((|| {
        let req = request(&body)?;
        let (path, purpose) = (string_field(&req, "path")?, string_field(&req, "purpose")?);
        let algorithm = string_field(&req, "algorithm")?;
        if !matches!(algorithm, "" | "secp256k1" | "k256") {
            return Err(bad_request(format!("Unsupported algorithm {algorithm:?} (the mock serves secp256k1 only)")));
        }
        let vm = &s.vm;
        let failed = |e: k256::ecdsa::Error| bad_request(format!("Failed to derive k256 key: {e}"));
        let key = hkdf32(b"RATLS", &vm.app_key, &[path.as_bytes()]);
        let derived = signing_key(&key).map_err(failed)?;
        let claim = format!("{purpose}:{}", hex::encode(compressed(&derived)));
        let app_key = signing_key(&vm.app_key).map_err(failed)?;
        let link0 = sign_recoverable(&app_key, &keccak256(claim).0).map_err(failed)?;
        let link1 = kms_link(vm).map_err(failed)?;
        Ok(json!({ "key": hex::encode(key), "signature_chain": [hex::encode(link0), hex::encode(link1)] }))
    })())
}

/// `uint32_be(len(x)) ‖ x`, the v1 length prefix.
fn lp(x: &[u8]) -> Vec<u8> {
    [&(x.len() as u32).to_be_bytes()[..], x].concat()
}

async fn get_key_v1(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    respond((|| {
        let req = request(&body)?;
        let (domain, algorithm) = (string_field(&req, "domain")?, string_field(&req, "algorithm")?);
        match algorithm {
            "secp256k1" => {}
            "ed25519" => return Err(bad_request("ed25519 keys are not served by the mock")),
            other => {
                return Err(bad_request(format!("unsupported algorithm {other:?}: expected secp256k1 or ed25519")));
            }
        }
        let vm = &s.vm;
        let failed = |e: k256::ecdsa::Error| bad_request(format!("the derived secp256k1 scalar is out of range: {e}"));
        let info = [lp(b"dstack-guest-v1-key"), lp(algorithm.as_bytes()), lp(domain.as_bytes())].concat();
        let key = hkdf32(b"dstack-guest-v1", &vm.app_key, &[&info]);
        let public_key = compressed(&signing_key(&key).map_err(failed)?);
        let claim =
            [lp(b"dstack-guest-v1-key-claim"), lp(algorithm.as_bytes()), lp(domain.as_bytes()), lp(&public_key)]
                .concat();
        let app_key = signing_key(&vm.app_key).map_err(failed)?;
        let link0 = sign_recoverable(&app_key, &keccak256(claim).0).map_err(failed)?;
        let link1 = kms_link(vm).map_err(failed)?;
        Ok(json!({
            "key": hex::encode(key), "public_key": hex::encode(public_key),
            "signature_chain": [hex::encode(link0), hex::encode(link1)],
        }))
    })())
}

async fn attest_v1(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    respond((|| {
        let rd = report_data(&request(&body)?)?;
        let quote = s
            .pki
            .td_quote(&s.vm.td(rd))
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, format!("Failed to get attestation: {e}")))?;
        let attestation = msgpack::attestation(&quote, &s.vm.event_log(), &rd, &s.vm.vm_config());
        Ok(json!({ "attestation": hex::encode(attestation), "boottime_gpu_evidence": [] }))
    })())
}

async fn no_such_method(UrlPath(method): UrlPath<String>) -> Response {
    respond(Err((StatusCode::NOT_FOUND, format!("Service not found: {method}"))))
}

/// The v1 attestation's wire form: MessagePack with named fields (`rmp_serde::to_vec_named` of
/// `dstack/dstack-attest/src/v1.rs`'s `Attestation`): `{version: 1, platform: {kind: "tdx",
/// data: {quote, event_log}}, stack: {kind: "dstack", data: {report_data, runtime_events,
/// config}}}`, the event log stripped as dstack strips it (the ACPI DATA events and the runtime
/// events, without their digests). Written by hand: a few map, string, binary and integer forms.
mod msgpack {
    use super::{ACPI_DATA_EVENT_TYPE, ACPI_DATA_PAYLOAD, DSTACK_EVENT_TYPE, Event};

    #[derive(Default)]
    struct Writer(Vec<u8>);

    impl Writer {
        fn len_prefixed(&mut self, len: usize, fix: Option<(u8, usize)>, tags: [u8; 3]) {
            match fix {
                Some((base, max)) if len <= max => self.0.push(base | len as u8),
                _ if len <= 0xff && tags[0] != 0 => self.0.extend([tags[0], len as u8]),
                _ if len <= 0xffff => {
                    self.0.push(tags[1]);
                    self.0.extend((len as u16).to_be_bytes());
                }
                _ => {
                    self.0.push(tags[2]);
                    self.0.extend((len as u32).to_be_bytes());
                }
            }
        }

        fn map(&mut self, len: usize) -> &mut Self {
            self.len_prefixed(len, Some((0x80, 15)), [0, 0xde, 0xdf]);
            self
        }

        fn array(&mut self, len: usize) -> &mut Self {
            self.len_prefixed(len, Some((0x90, 15)), [0, 0xdc, 0xdd]);
            self
        }

        fn str(&mut self, s: &str) -> &mut Self {
            self.len_prefixed(s.len(), Some((0xa0, 31)), [0xd9, 0xda, 0xdb]);
            self.0.extend(s.as_bytes());
            self
        }

        fn bin(&mut self, b: &[u8]) -> &mut Self {
            self.len_prefixed(b.len(), None, [0xc4, 0xc5, 0xc6]);
            self.0.extend(b);
            self
        }

        fn uint(&mut self, v: u64) -> &mut Self {
            match v {
                0..=0x7f => self.0.push(v as u8),
                0x80..=0xff => self.0.extend([0xcc, v as u8]),
                0x100..=0xffff => {
                    self.0.push(0xcd);
                    self.0.extend((v as u16).to_be_bytes());
                }
                0x1_0000..=0xffff_ffff => {
                    self.0.push(0xce);
                    self.0.extend((v as u32).to_be_bytes());
                }
                _ => {
                    self.0.push(0xcf);
                    self.0.extend(v.to_be_bytes());
                }
            }
            self
        }
    }

    pub(super) fn attestation(quote: &[u8], events: &[Event], report_data: &[u8; 64], config: &str) -> Vec<u8> {
        let kept: Vec<&Event> = events
            .iter()
            .filter(|e| {
                e.event_type == DSTACK_EVENT_TYPE
                    || (e.event_type == ACPI_DATA_EVENT_TYPE && e.event_payload.as_ref() == ACPI_DATA_PAYLOAD)
            })
            .collect();
        let runtime: Vec<&Event> = events.iter().filter(|e| e.event_type == DSTACK_EVENT_TYPE).collect();
        let mut w = Writer::default();
        w.map(3).str("version").uint(1);
        w.str("platform").map(2).str("kind").str("tdx").str("data").map(2);
        w.str("quote").bin(quote).str("event_log").array(kept.len());
        for e in kept {
            let digest: &[u8] = if e.event_type == DSTACK_EVENT_TYPE { &[] } else { e.digest.as_slice() };
            w.map(5).str("imr").uint(e.imr.into()).str("event_type").uint(e.event_type.into());
            w.str("digest").bin(digest).str("event").str(&e.event).str("event_payload").bin(&e.event_payload);
        }
        w.str("stack").map(2).str("kind").str("dstack").str("data").map(3);
        w.str("report_data").bin(report_data).str("runtime_events").array(runtime.len());
        for e in runtime {
            w.map(2).str("event").str(&e.event).str("payload").bin(&e.event_payload);
        }
        w.str("config").str(config);
        w.0
    }
}
