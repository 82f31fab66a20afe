//! One byte form per attestation: the quote must be exactly its own encoding (nothing after it),
//! and the PEM certificate chains it and its collateral carry must be in canonical form (64-column
//! base64, `\n` line ends; the quote's may end in one NUL, as Intel's quote library writes it, or
//! for a TDX quote in zero padding) and end in the pinned root.
//!
//! dcap-qvl verifies the PCK chain from the leaf to *its* trust anchor and so never reads the
//! root certificate embedded in the quote, nor the collateral's `pck_crl_issuer_chain`: their
//! bytes could change (or be garbage) without changing the answer. Here the embedded root must
//! be the pinned root, byte for byte, and the CRL issuer chain must be the quote's own PCK CA
//! followed by the pinned root.

use dcap_qvl::quote::Quote;
use parity_scale_codec::Encode;
use pem::{EncodeConfig, LineEnding};

use crate::error::{AttestError, ChainFault};

/// The header's TEE type of an SGX quote (a TDX quote has 0x81).
const TEE_TYPE_SGX: u32 = 0;

/// The canonical PEM form.
fn canonical(der: &[u8]) -> String {
    let config = EncodeConfig::new().set_line_ending(LineEnding::LF).set_line_wrap(64);
    pem::encode_config(&pem::Pem::new("CERTIFICATE", der), config)
}

/// The certificates (DER) of a canonical PEM chain ending in `root`.
fn chain(name: &'static str, text: &[u8], root: &[u8]) -> Result<Vec<Vec<u8>>, AttestError> {
    let fault = |fault| AttestError::CertChain { chain: name, fault };
    let certs: Vec<Vec<u8>> = pem::parse_many(text)
        .map_err(|_| fault(ChainFault::NotPem))?
        .into_iter()
        .map(|p| if p.tag() == "CERTIFICATE" { Ok(p.into_contents()) } else { Err(fault(ChainFault::NotPem)) })
        .collect::<Result<_, _>>()?;
    let encoded: String = certs.iter().map(|c| canonical(c)).collect();
    if encoded.as_bytes() != text {
        return Err(fault(ChainFault::NotCanonical));
    }
    match certs.last() {
        None => Err(fault(ChainFault::Empty)),
        Some(last) if last.as_slice() != root => Err(fault(ChainFault::RootNotPinned)),
        Some(_) => Ok(certs),
    }
}

/// Checks a quote's byte form and its PCK chain; returns the chain (leaf first). A TDX quote may
/// carry zero bytes after its encoding (real TDX quotes come zero-padded to a fixed size, and
/// their certification data ends in NULs): nothing but zeros, so the signed content and the chain
/// still have one form each.
pub(crate) fn quote_chain(quote: &[u8], root: &[u8]) -> Result<Vec<Vec<u8>>, AttestError> {
    let parsed = Quote::parse(quote).map_err(|e| AttestError::Quote(format!("{e:#}")))?;
    let tdx = parsed.header.tee_type != TEE_TYPE_SGX;
    let canonical = parsed.encode();
    let zero_padded = |bytes: &[u8]| bytes.iter().all(|b| *b == 0);
    let padded = tdx && quote.len() >= canonical.len() && zero_padded(&quote[canonical.len()..]);
    if canonical.as_slice() != quote && !(padded && quote.starts_with(&canonical)) {
        return Err(AttestError::NotCanonical { len: quote.len(), canonical: canonical.len() });
    }
    let text = parsed.raw_cert_chain().map_err(|e| AttestError::Quote(format!("{e:#}")))?;
    let text = match tdx {
        true => &text[..text.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1)],
        false => text.strip_suffix(&[0]).unwrap_or(text),
    };
    let certs = chain("the quote's PCK chain", text, root)?;
    if certs.len() != 3 {
        return Err(AttestError::CertChain { chain: "the quote's PCK chain", fault: ChainFault::Length(certs.len()) });
    }
    Ok(certs)
}

/// Checks the collateral's PCK CRL issuer chain: the quote's PCK CA, then the pinned root.
pub(crate) fn crl_issuer_chain(text: &str, quote_chain: &[Vec<u8>], root: &[u8]) -> Result<(), AttestError> {
    let name = "the collateral's pck_crl_issuer_chain";
    let certs = chain(name, text.as_bytes(), root)?;
    if certs.len() != 2 || quote_chain.get(1) != certs.first() {
        return Err(AttestError::CertChain { chain: name, fault: ChainFault::NotThePckCa });
    }
    Ok(())
}
