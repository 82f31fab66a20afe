//! A dstack VM's event log, replayed against its TDX quote.
//!
//! The quote's RTMRs are hash chains: `RTMR_i = sha384(RTMR_i ‖ digest)` over the events of
//! register `i`, from 48 zero bytes. Register 3 is dstack's: its runtime events (`app-id`,
//! `compose-hash`, `instance-id`, `key-provider`, …) each have the digest
//! `sha384(event_type as u32 LE ‖ ":" ‖ name ‖ ":" ‖ payload)`. Replaying the log and finding the
//! quote's four RTMRs proves the log is the one the VM measured; checking each runtime event's
//! digest binds its name and payload. Then the app's compose hash (what identifies the app's code
//! and configuration, as the dstack app's owner published it), its app id and its key provider are
//! known from the quote. Written here because no maintained crate replays dstack's log in this
//! form; the formula is checked against a real dstack quote (`../shared/fixtures/dstack`).

use alloy_primitives::{B256, Bytes, FixedBytes};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha384};

use crate::tdx::Mr;

/// The event type of dstack's runtime events (register 3).
pub const DSTACK_EVENT_TYPE: u32 = 0x0800_0001;
/// Most events a log may hold (a real boot has a few dozen).
pub const MAX_EVENTS: usize = 1024;
/// Largest payload of one event.
pub const MAX_PAYLOAD: usize = 64 * 1024;

/// One event, as dstack's guest agent reports it (`GetQuote`'s `event_log`, a JSON array).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The register it extends (0-3).
    pub imr: u32,
    pub event_type: u32,
    /// The 48 bytes extended into the register (hex, no prefix in dstack's form).
    #[serde(with = "hex_48")]
    pub digest: Mr,
    /// The name of a runtime event (empty for firmware and boot events).
    #[serde(default)]
    pub event: String,
    /// Its payload (hex).
    #[serde(default, with = "hex_bytes")]
    pub event_payload: Bytes,
}

/// What the runtime events of a replayed log say about the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DstackApp {
    /// The app's compose hash (sha256 of its `app-compose.json`).
    pub compose_hash: B256,
    pub app_id: Bytes,
    /// The key provider (a JSON document: which KMS or local key the VM got its keys from).
    pub key_provider: Bytes,
    pub instance_id: Option<Bytes>,
}

/// Why an event log does not belong to a quote, or says nothing usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventLogError {
    #[error("the event log does not parse: {0}")]
    Parse(String),
    #[error("{0} events, at most {MAX_EVENTS}")]
    TooManyEvents(usize),
    #[error("event {index}: register {imr} (0-3 only)")]
    Register { index: usize, imr: u32 },
    #[error("event {index}: payload of {size} bytes, at most {MAX_PAYLOAD}")]
    PayloadTooLarge { index: usize, size: usize },
    #[error("event {index} ({name}): its digest is not the hash of its type, name and payload")]
    EventDigest { index: usize, name: String },
    #[error("the replayed RTMR{0} is not the quote's")]
    Rtmr(usize),
    #[error("no {0} event in register 3")]
    Missing(&'static str),
    #[error("{0} events named {1:?} in register 3, exactly one allowed")]
    Repeated(usize, &'static str),
    #[error("the compose-hash event's payload is {0} bytes, not 32")]
    ComposeHash(usize),
}

/// The digest of a runtime event: `sha384(event_type LE ‖ ":" ‖ name ‖ ":" ‖ payload)`.
pub fn runtime_digest(event_type: u32, name: &str, payload: &[u8]) -> Mr {
    let mut h = Sha384::new();
    h.update(event_type.to_le_bytes());
    h.update(b":");
    h.update(name.as_bytes());
    h.update(b":");
    h.update(payload);
    FixedBytes(h.finalize().into())
}

/// The four registers `events` extend, from zero.
pub fn replay(events: &[Event]) -> Result<[Mr; 4], EventLogError> {
    let mut rtmr = [Mr::ZERO; 4];
    for (index, e) in events.iter().enumerate() {
        let r = rtmr.get_mut(e.imr as usize).ok_or(EventLogError::Register { index, imr: e.imr })?;
        let mut h = Sha384::new();
        h.update(r.as_slice());
        h.update(e.digest.as_slice());
        *r = FixedBytes(h.finalize().into());
    }
    Ok(rtmr)
}

/// An event as the guest agent sends it: since dstack 0.5.6 `GetQuote` leaves the digest of a
/// runtime event empty (its digest follows from its name and payload).
#[derive(Deserialize)]
struct WireEvent {
    imr: u32,
    event_type: u32,
    digest: String,
    #[serde(default)]
    event: String,
    #[serde(default, with = "hex_bytes")]
    event_payload: Bytes,
}

/// Parses dstack's `event_log` (a JSON array of events), bounded. A runtime event (register 3,
/// [`DSTACK_EVENT_TYPE`]) sent without its digest gets [`runtime_digest`] of its name and payload
/// (what the VM extended RTMR3 with, which the replay then checks); any other event must carry
/// its 48-byte digest.
pub fn parse(text: &str) -> Result<Vec<Event>, EventLogError> {
    let wire: Vec<WireEvent> = serde_json::from_str(text).map_err(|e| EventLogError::Parse(e.to_string()))?;
    if wire.len() > MAX_EVENTS {
        return Err(EventLogError::TooManyEvents(wire.len()));
    }
    wire.into_iter()
        .enumerate()
        .map(|(index, e)| {
            let digest = if e.digest.is_empty() && e.imr == 3 && e.event_type == DSTACK_EVENT_TYPE {
                if e.event_payload.len() > MAX_PAYLOAD {
                    return Err(EventLogError::PayloadTooLarge { index, size: e.event_payload.len() });
                }
                runtime_digest(e.event_type, &e.event, &e.event_payload)
            } else {
                let bytes = hex::decode(e.digest.trim_start_matches("0x"))
                    .map_err(|err| EventLogError::Parse(format!("event {index}: digest: {err}")))?;
                Mr::try_from(bytes.as_slice())
                    .map_err(|_| EventLogError::Parse(format!("event {index}: a digest is 48 bytes")))?
            };
            Ok(Event { imr: e.imr, event_type: e.event_type, digest, event: e.event, event_payload: e.event_payload })
        })
        .collect()
}

/// Checks that `events` is the log a TD with registers `rtmr` measured (every register replayed,
/// every runtime event's digest its own) and reads the app from it: exactly one `compose-hash`
/// (32 bytes), one `app-id` and one `key-provider` event in register 3.
pub fn check(events: &[Event], rtmr: &[Mr; 4]) -> Result<DstackApp, EventLogError> {
    if events.len() > MAX_EVENTS {
        return Err(EventLogError::TooManyEvents(events.len()));
    }
    for (index, e) in events.iter().enumerate() {
        if e.event_payload.len() > MAX_PAYLOAD {
            return Err(EventLogError::PayloadTooLarge { index, size: e.event_payload.len() });
        }
        if e.imr == 3
            && e.event_type == DSTACK_EVENT_TYPE
            && runtime_digest(e.event_type, &e.event, &e.event_payload) != e.digest
        {
            return Err(EventLogError::EventDigest { index, name: e.event.clone() });
        }
    }
    let replayed = replay(events)?;
    if let Some(i) = (0..4).find(|&i| replayed[i] != rtmr[i]) {
        return Err(EventLogError::Rtmr(i));
    }
    let one = |name: &'static str| {
        let mut found = events.iter().filter(|e| e.imr == 3 && e.event_type == DSTACK_EVENT_TYPE && e.event == name);
        match (found.next(), found.count()) {
            (None, _) => Err(EventLogError::Missing(name)),
            (Some(e), 0) => Ok(e.event_payload.clone()),
            (Some(_), more) => Err(EventLogError::Repeated(more + 1, name)),
        }
    };
    let compose = one("compose-hash")?;
    let compose_hash = B256::try_from(compose.as_ref()).map_err(|_| EventLogError::ComposeHash(compose.len()))?;
    Ok(DstackApp {
        compose_hash,
        app_id: one("app-id")?,
        key_provider: one("key-provider")?,
        instance_id: one("instance-id").ok(),
    })
}

mod hex_48 {
    use super::Mr;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Mr, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Mr, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = hex::decode(text.trim_start_matches("0x")).map_err(serde::de::Error::custom)?;
        Mr::try_from(bytes.as_slice()).map_err(|_| serde::de::Error::custom("a digest is 48 bytes"))
    }
}

mod hex_bytes {
    use alloy_primitives::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text.trim_start_matches("0x")).map(Bytes::from).map_err(serde::de::Error::custom)
    }
}
