//! A test-only DCAP PKI: its own root CA, PCK platform CA, PCK certificate (with Intel's SGX
//! extension), TCB signing certificate, CRLs, TCB info and QE identity (SGX and TDX), and a quoting
//! enclave whose attestation key signs quotes for any enclave fields ([`TestPki::quote`]) and TDX
//! quotes for any TD fields ([`TestPki::td_quote`]).
//!
//! No enclave can quote a fresh key on a machine without SGX, so tests that need a quote binding
//! *their* key build it here and verify it with [`phat_attestation::Verifier::with_root_ca`] and
//! this root. The production verifier ([`phat_attestation::Verifier::intel`]) trusts Intel's root
//! only: nothing issued here can pass it. Everything else on the path (dcap-qvl's checks, the
//! policy, the binding, the quorum, L1) is the production code.

use dcap_qvl::{
    QuoteCollateralV3,
    quote::{
        AuthData, AuthDataV3, AuthDataV4, CertificationData, Data, EnclaveReport, Header, QEReportCertificationData,
        Quote, Report, TDReport10,
    },
};
use parity_scale_codec::Encode;
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, CertificateRevocationListParams, CustomExtension,
    DistinguishedName, DnType, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
    SerialNumber,
};
use ring::{
    digest,
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _},
};
use serde_json::json;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use phat_attestation::TcbStatus;

/// Intel's QE vendor id, which every DCAP quote header carries.
const INTEL_QE_VENDOR_ID: [u8; 16] =
    [0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C, 0x4C, 0xA9, 0x94, 0x0A, 0x0D, 0xB3, 0x95, 0x7F, 0x06, 0x07];
/// OID arcs of Intel's SGX extension (1.2.840.113741.1.13.1).
const SGX_EXTENSION: [u64; 7] = [1, 2, 840, 113741, 1, 13, 1];
const FMSPC: [u8; 6] = [0x00, 0x90, 0x6E, 0xD5, 0x00, 0x00];
const PCE_ID: [u8; 2] = [0, 0];
const PCE_SVN: u16 = 13;
const CPU_SVN: [u8; 16] = [11, 11, 2, 2, 255, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const QE_ISV_PROD_ID: u16 = 1;
/// The TD quoting enclave's ISVPRODID (2, as Intel's TD QE).
const TD_QE_ISV_PROD_ID: u16 = 2;
const QE_ISV_SVN: u16 = 8;
/// ATTRIBUTES of a production enclave: INIT | MODE64BIT, XFRM x87 | SSE.
pub const PRODUCTION_ATTRIBUTES: [u8; 16] = [0x05, 0, 0, 0, 0, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0];
/// The header's TEE type of a TDX quote.
const TEE_TYPE_TDX: u32 = 0x81;
/// Certification data type 6: the QE report certification data (QE report, its signature, QE auth
/// data and the PCK chain), which a v4 quote's auth data nests.
const QE_REPORT_CERTIFICATION_DATA: u16 = 6;
/// Certification data type 5: the PCK certificate chain (PEM).
const PCK_CERT_CHAIN: u16 = 5;
/// TEE_TCB_SVN of the test platform's TDX module: ISVSVN 11, module version 1 (so the TCB info's
/// `TDX_01` module identity judges components 0 and 1), then the other TDX TCB components.
pub const TEE_TCB_SVN: [u8; 16] = [11, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// `td_attributes` of a production TD: only SEPT_VE_DISABLE (bit 28), which dcap-qvl requires; no
/// TD-under-debug bit, not migratable.
pub const TD_PRODUCTION_ATTRIBUTES: [u8; 8] = [0, 0, 0, 0x10, 0, 0, 0, 0];
/// XFAM of the test TD (x87, SSE, AVX, AVX-512 state, PKRU, as a real dstack VM reports).
pub const TD_XFAM: [u8; 8] = [0xe7, 0x02, 0x06, 0, 0, 0, 0, 0];

/// An error of the test PKI itself (never of the code under test).
pub type PkiError = Box<dyn std::error::Error + Send + Sync>;

/// A key usable both for certificates (rcgen) and for raw `r ‖ s` signatures (ring).
struct Key {
    cert: KeyPair,
    raw: EcdsaKeyPair,
}

impl Key {
    fn generate(rng: &SystemRandom) -> Result<Self, PkiError> {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, rng).map_err(|e| e.to_string())?;
        let raw = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), rng)
            .map_err(|e| e.to_string())?;
        let cert = KeyPair::try_from(pkcs8.as_ref())?;
        debug_assert!(cert.is_compatible(&PKCS_ECDSA_P256_SHA256));
        Ok(Self { cert, raw })
    }

    /// Raw 64-byte `r ‖ s` ECDSA-P256-SHA256 signature over `msg`.
    fn sign(&self, rng: &SystemRandom, msg: &[u8]) -> Result<Vec<u8>, PkiError> {
        Ok(self.raw.sign(rng, msg).map_err(|e| e.to_string())?.as_ref().to_vec())
    }

    /// The public key as the quote carries it: `x ‖ y`, 64 bytes.
    fn public_xy(&self) -> [u8; 64] {
        let mut xy = [0u8; 64];
        xy.copy_from_slice(&self.raw.public_key().as_ref()[1..]);
        xy
    }
}

struct Authority {
    key: Key,
    params: CertificateParams,
    cert: Certificate,
}

/// The enclave fields a quote reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enclave {
    pub mr_enclave: [u8; 32],
    pub mr_signer: [u8; 32],
    pub isv_prod_id: u16,
    pub isv_svn: u16,
    pub attributes: [u8; 16],
    pub report_data: [u8; 64],
}

impl Enclave {
    /// A production (non-DEBUG) enclave with this identity, reporting `report_data`.
    pub fn new(mr_enclave: [u8; 32], mr_signer: [u8; 32], isv_prod_id: u16, isv_svn: u16) -> Self {
        Self { mr_enclave, mr_signer, isv_prod_id, isv_svn, attributes: PRODUCTION_ATTRIBUTES, report_data: [0; 64] }
    }

    /// The same enclave reporting `report_data`.
    pub fn reporting(mut self, report_data: [u8; 64]) -> Self {
        self.report_data = report_data;
        self
    }

    /// The same enclave launched in DEBUG mode (its memory readable by the host).
    pub fn debug(mut self) -> Self {
        self.attributes[0] |= 0x02;
        self
    }
}

/// The fields a TDX quote reports for a trust domain (a confidential VM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TdVm {
    pub td_attributes: [u8; 8],
    pub xfam: [u8; 8],
    /// The TD's initial memory (its firmware).
    pub mr_td: [u8; 48],
    pub mr_config_id: [u8; 48],
    pub mr_owner: [u8; 48],
    pub mr_owner_config: [u8; 48],
    pub rtmr: [[u8; 48]; 4],
    pub report_data: [u8; 64],
}

impl TdVm {
    /// A production TD (SEPT_VE_DISABLE only, no debug) with this firmware and these runtime
    /// registers; zero `mr_config_id` and owner, as dstack 0.5 leaves them; zero report_data.
    pub fn new(mr_td: [u8; 48], rtmr: [[u8; 48]; 4]) -> Self {
        Self {
            td_attributes: TD_PRODUCTION_ATTRIBUTES,
            xfam: TD_XFAM,
            mr_td,
            mr_config_id: [0; 48],
            mr_owner: [0; 48],
            mr_owner_config: [0; 48],
            rtmr,
            report_data: [0; 64],
        }
    }

    /// The same TD reporting `report_data`.
    pub fn reporting(mut self, report_data: [u8; 64]) -> Self {
        self.report_data = report_data;
        self
    }

    /// The same TD launched under debug (`td_attributes` bit 0: the host reads and writes its
    /// memory).
    pub fn debug(mut self) -> Self {
        self.td_attributes[0] |= 0x01;
        self
    }
}

/// The test TDX module's MRSEAM (any value: the TCB info does not pin it).
fn mr_seam() -> [u8; 48] {
    let mut m = [0u8; 48];
    m.copy_from_slice(digest::digest(&digest::SHA384, b"phat-sgx-prover test TDX module").as_ref());
    m
}

/// The test PKI, valid from `valid_from` to `valid_until` (unix seconds).
pub struct TestPki {
    rng: SystemRandom,
    root: Authority,
    pck_ca: Authority,
    pck: (Key, Certificate),
    tcb_signer: (Key, Certificate),
    attestation_key: Key,
    valid_from: u64,
    valid_until: u64,
}

fn datetime(unix: u64) -> Result<OffsetDateTime, PkiError> {
    Ok(OffsetDateTime::from_unix_timestamp(i64::try_from(unix)?)?)
}

fn rfc3339(unix: u64) -> Result<String, PkiError> {
    Ok(datetime(unix)?.format(&Rfc3339)?)
}

fn params(cn: &str, serial: u8, from: u64, until: u64, ca: bool) -> Result<CertificateParams, PkiError> {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn.push(DnType::OrganizationName, "Phat SGX-Prover test PKI (not Intel)");
    p.distinguished_name = dn;
    p.serial_number = Some(SerialNumber::from_slice(&[serial]));
    p.not_before = datetime(from)?;
    p.not_after = datetime(until)?;
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    } else {
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment];
    }
    Ok(p)
}

/// Intel's SGX extension of a PCK certificate: PPID, TCB (16 component SVNs, PCESVN, CPUSVN),
/// PCE-ID, FMSPC, SGX type (Standard).
fn sgx_extension() -> Vec<u8> {
    let oid = |tail: &[u64]| yasna::models::ObjectIdentifier::from_slice(&[&SGX_EXTENSION[..], tail].concat());
    yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_sequence(|w| {
                w.next().write_oid(&oid(&[1]));
                w.next().write_bytes(&[0x5a; 16]);
            });
            w.next().write_sequence(|w| {
                w.next().write_oid(&oid(&[2]));
                w.next().write_sequence(|w| {
                    for (i, svn) in CPU_SVN.iter().enumerate() {
                        w.next().write_sequence(|w| {
                            w.next().write_oid(&oid(&[2, i as u64 + 1]));
                            w.next().write_u8(*svn);
                        });
                    }
                    w.next().write_sequence(|w| {
                        w.next().write_oid(&oid(&[2, 17]));
                        w.next().write_u16(PCE_SVN);
                    });
                    w.next().write_sequence(|w| {
                        w.next().write_oid(&oid(&[2, 18]));
                        w.next().write_bytes(&CPU_SVN);
                    });
                });
            });
            w.next().write_sequence(|w| {
                w.next().write_oid(&oid(&[3]));
                w.next().write_bytes(&PCE_ID);
            });
            w.next().write_sequence(|w| {
                w.next().write_oid(&oid(&[4]));
                w.next().write_bytes(&FMSPC);
            });
            w.next().write_sequence(|w| {
                w.next().write_oid(&oid(&[5]));
                w.next().write_enum(0);
            });
        })
    })
}

/// The identity JSON of the test quoting enclave `id` ("QE" for SGX, "TD_QE" for TDX).
fn qe_identity(id: &str, isv_prod_id: u16, (issue, next): (&str, &str)) -> String {
    json!({
        "id": id, "version": 2, "issueDate": issue, "nextUpdate": next, "tcbEvaluationDataNumber": 17,
        "miscselect": "00000000", "miscselectMask": "FFFFFFFF",
        "attributes": "11000000000000000000000000000000", "attributesMask": "FBFFFFFFFFFFFFFF0000000000000000",
        "mrsigner": hex::encode_upper(qe_mr_signer()), "isvprodid": isv_prod_id,
        "tcbLevels": [{ "tcb": { "isvsvn": QE_ISV_SVN }, "tcbDate": "2024-03-13T00:00:00Z", "tcbStatus": "UpToDate" }],
    })
    .to_string()
}

/// The test QE's MRSIGNER.
fn qe_mr_signer() -> [u8; 32] {
    let mut m = [0u8; 32];
    m.copy_from_slice(digest::digest(&digest::SHA256, b"phat-sgx-prover test quoting enclave").as_ref());
    m
}

impl TestPki {
    /// A fresh PKI (new keys) valid from `valid_from` to `valid_until`.
    pub fn new(valid_from: u64, valid_until: u64) -> Result<Self, PkiError> {
        let rng = SystemRandom::new();
        let (from, until) = (valid_from, valid_until);

        let root_key = Key::generate(&rng)?;
        let root_params = params("Test SGX Root CA", 1, from, until, true)?;
        let root_cert = root_params.self_signed(&root_key.cert)?;
        let root = Authority { key: root_key, params: root_params, cert: root_cert };
        let root_issuer = Issuer::from_params(&root.params, &root.key.cert);

        let pck_ca_key = Key::generate(&rng)?;
        let pck_ca_params = params("Test SGX PCK Platform CA", 2, from, until, true)?;
        let pck_ca_cert = pck_ca_params.signed_by(&pck_ca_key.cert, &root_issuer)?;
        let pck_ca = Authority { key: pck_ca_key, params: pck_ca_params, cert: pck_ca_cert };

        let pck_key = Key::generate(&rng)?;
        let mut pck_params = params("Test SGX PCK Certificate", 3, from, until, false)?;
        pck_params.custom_extensions = vec![CustomExtension::from_oid_content(&SGX_EXTENSION, sgx_extension())];
        let pck_cert = pck_params.signed_by(&pck_key.cert, &Issuer::from_params(&pck_ca.params, &pck_ca.key.cert))?;

        let tcb_key = Key::generate(&rng)?;
        let tcb_params = params("Test SGX TCB Signing", 4, from, until, false)?;
        let tcb_cert = tcb_params.signed_by(&tcb_key.cert, &root_issuer)?;

        let attestation_key = Key::generate(&rng)?;
        Ok(Self {
            rng,
            root,
            pck_ca,
            pck: (pck_key, pck_cert),
            tcb_signer: (tcb_key, tcb_cert),
            attestation_key,
            valid_from,
            valid_until,
        })
    }

    /// The root certificate (DER) a verifier of this PKI trusts.
    pub fn root_ca_der(&self) -> Vec<u8> {
        self.root.cert.der().to_vec()
    }

    /// A quote of `enclave`, signed by the test QE's attestation key and certified by the PCK.
    pub fn quote(&self, enclave: &Enclave) -> Result<Vec<u8>, PkiError> {
        let header = Header {
            version: 3,
            attestation_key_type: 2,
            tee_type: 0,
            qe_svn: QE_ISV_SVN,
            pce_svn: PCE_SVN,
            qe_vendor_id: INTEL_QE_VENDOR_ID,
            user_data: [0; 20],
        };
        let report = EnclaveReport {
            cpu_svn: CPU_SVN,
            misc_select: 0,
            reserved1: [0; 28],
            attributes: enclave.attributes,
            mr_enclave: enclave.mr_enclave,
            reserved2: [0; 32],
            mr_signer: enclave.mr_signer,
            reserved3: [0; 96],
            isv_prod_id: enclave.isv_prod_id,
            isv_svn: enclave.isv_svn,
            reserved4: [0; 60],
            report_data: enclave.report_data,
        };
        let signed = [header.encode(), report.encode()].concat();
        let qe = self.qe_certification(QE_ISV_PROD_ID)?;
        let auth = AuthDataV3 {
            ecdsa_signature: fixed(&self.attestation_key.sign(&self.rng, &signed)?)?,
            ecdsa_attestation_key: self.attestation_key.public_xy(),
            qe_report: qe.qe_report,
            qe_report_signature: qe.qe_report_signature,
            qe_auth_data: qe.qe_auth_data,
            certification_data: qe.certification_data,
        };
        Ok(Quote { header, report: Report::SgxEnclave(report), auth_data: AuthData::V3(auth) }.encode())
    }

    /// The test QE's report (ISVPRODID `isv_prod_id`: 1 the SGX QE, 2 the TD QE) binding the
    /// attestation key, signed by the PCK, with the PCK chain (certification data type 5).
    fn qe_certification(&self, isv_prod_id: u16) -> Result<QEReportCertificationData, PkiError> {
        let attestation_key = self.attestation_key.public_xy();
        let qe_auth_data = vec![0x42u8; 32];
        let mut qe_report_data = [0u8; 64];
        let hashed = digest::digest(&digest::SHA256, &[&attestation_key[..], &qe_auth_data].concat());
        qe_report_data[..32].copy_from_slice(hashed.as_ref());
        let qe_report = EnclaveReport {
            cpu_svn: CPU_SVN,
            misc_select: 0,
            reserved1: [0; 28],
            attributes: [0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            mr_enclave: [0x7e; 32],
            reserved2: [0; 32],
            mr_signer: qe_mr_signer(),
            reserved3: [0; 96],
            isv_prod_id,
            isv_svn: QE_ISV_SVN,
            reserved4: [0; 60],
            report_data: qe_report_data,
        }
        .encode();
        let chain = [self.pck.1.pem(), self.pck_ca.cert.pem(), self.root.cert.pem()].concat();
        Ok(QEReportCertificationData {
            qe_report_signature: fixed(&self.pck.0.sign(&self.rng, &qe_report)?)?,
            qe_report: qe_report.as_slice().try_into()?,
            qe_auth_data: Data::new(qe_auth_data),
            certification_data: CertificationData { cert_type: PCK_CERT_CHAIN, body: Data::new(chain.into_bytes()) },
        })
    }

    /// A TDX quote (v4, TEE type 0x81, a TD 1.0 report) of `td` on the test platform's TDX module,
    /// signed by the test TD QE's attestation key; its auth data (v4) nests the QE report
    /// certification data (type 6: the QE report, its PCK signature, the QE auth data and the PCK
    /// chain). Verify it with [`Self::td_collateral`].
    pub fn td_quote(&self, td: &TdVm) -> Result<Vec<u8>, PkiError> {
        let header = Header {
            version: 4,
            attestation_key_type: 2,
            tee_type: TEE_TYPE_TDX,
            // reserved in a TDX quote's header
            qe_svn: 0,
            pce_svn: 0,
            qe_vendor_id: INTEL_QE_VENDOR_ID,
            user_data: [0; 20],
        };
        let report = TDReport10 {
            tee_tcb_svn: TEE_TCB_SVN,
            mr_seam: mr_seam(),
            // Intel's TDX modules are signed by an all-zero MRSIGNER_SEAM (the TCB info's `tdxModule`)
            mr_signer_seam: [0; 48],
            seam_attributes: [0; 8],
            td_attributes: td.td_attributes,
            xfam: td.xfam,
            mr_td: td.mr_td,
            mr_config_id: td.mr_config_id,
            mr_owner: td.mr_owner,
            mr_owner_config: td.mr_owner_config,
            rt_mr0: td.rtmr[0],
            rt_mr1: td.rtmr[1],
            rt_mr2: td.rtmr[2],
            rt_mr3: td.rtmr[3],
            report_data: td.report_data,
        };
        let signed = [header.encode(), report.encode()].concat();
        let auth = AuthDataV4 {
            ecdsa_signature: fixed(&self.attestation_key.sign(&self.rng, &signed)?)?,
            ecdsa_attestation_key: self.attestation_key.public_xy(),
            // The encoding nests `qe_report_data` as this certification data's body.
            certification_data: CertificationData { cert_type: QE_REPORT_CERTIFICATION_DATA, body: Data::new(vec![]) },
            qe_report_data: self.qe_certification(TD_QE_ISV_PROD_ID)?,
        };
        Ok(Quote { header, report: Report::TD10(report), auth_data: AuthData::V4(auth) }.encode())
    }

    /// Collateral in which this PKI's platform has TCB status `status` with `advisories`.
    pub fn collateral(&self, status: TcbStatus, advisories: &[&str]) -> Result<QuoteCollateralV3, PkiError> {
        let (issue, next) = (rfc3339(self.valid_from)?, rfc3339(self.valid_until)?);
        let components: Vec<_> = CPU_SVN.iter().map(|svn| json!({ "svn": svn })).collect();
        let tcb_info = json!({
            "id": "SGX", "version": 3, "issueDate": issue, "nextUpdate": next,
            "fmspc": hex::encode_upper(FMSPC), "pceId": hex::encode_upper(PCE_ID), "tcbType": 0,
            "tcbEvaluationDataNumber": 17,
            "tcbLevels": [{
                "tcb": { "sgxtcbcomponents": components, "pcesvn": PCE_SVN },
                "tcbDate": "2024-03-13T00:00:00Z", "tcbStatus": status.name(), "advisoryIDs": advisories,
            }],
        })
        .to_string();
        self.signed_collateral(tcb_info, qe_identity("QE", QE_ISV_PROD_ID, (&issue, &next)))
    }

    /// TDX collateral in which this PKI's platform (its TDX module included) has TCB status
    /// `status` with `advisories`: TCB info v3 with id "TDX" (the `tdxModule` signer and
    /// attributes, the `TDX_01` module identity, TCB levels with SGX and TDX components) and the
    /// TD QE's identity (id "TD_QE").
    pub fn td_collateral(&self, status: TcbStatus, advisories: &[&str]) -> Result<QuoteCollateralV3, PkiError> {
        let (issue, next) = (rfc3339(self.valid_from)?, rfc3339(self.valid_until)?);
        let svns = |svns: &[u8]| svns.iter().map(|svn| json!({ "svn": svn })).collect::<Vec<_>>();
        let zero_signer = hex::encode_upper([0u8; 48]);
        let tcb_info = json!({
            "id": "TDX", "version": 3, "issueDate": issue, "nextUpdate": next,
            "fmspc": hex::encode_upper(FMSPC), "pceId": hex::encode_upper(PCE_ID), "tcbType": 0,
            "tcbEvaluationDataNumber": 17,
            "tdxModule": { "mrsigner": zero_signer, "attributes": "0000000000000000", "attributesMask": "FFFFFFFFFFFFFFFF" },
            "tdxModuleIdentities": [{
                "id": format!("TDX_{:02X}", TEE_TCB_SVN[1]), "mrsigner": zero_signer,
                "attributes": "0000000000000000", "attributesMask": "FFFFFFFFFFFFFFFF",
                "tcbLevels": [{ "tcb": { "isvsvn": TEE_TCB_SVN[0] }, "tcbDate": "2024-03-13T00:00:00Z", "tcbStatus": "UpToDate" }],
            }],
            "tcbLevels": [{
                "tcb": { "sgxtcbcomponents": svns(&CPU_SVN), "pcesvn": PCE_SVN, "tdxtcbcomponents": svns(&TEE_TCB_SVN) },
                "tcbDate": "2024-03-13T00:00:00Z", "tcbStatus": status.name(), "advisoryIDs": advisories,
            }],
        })
        .to_string();
        self.signed_collateral(tcb_info, qe_identity("TD_QE", TD_QE_ISV_PROD_ID, (&issue, &next)))
    }

    /// `tcb_info` and `qe_identity` signed by the TCB signer, with the CRLs and issuer chains.
    fn signed_collateral(&self, tcb_info: String, qe_identity: String) -> Result<QuoteCollateralV3, PkiError> {
        let tcb_chain = [self.tcb_signer.1.pem(), self.root.cert.pem()].concat();
        Ok(QuoteCollateralV3 {
            pck_crl_issuer_chain: [self.pck_ca.cert.pem(), self.root.cert.pem()].concat(),
            root_ca_crl: self.crl(&self.root, 1)?,
            pck_crl: self.crl(&self.pck_ca, 1)?,
            tcb_info_issuer_chain: tcb_chain.clone(),
            tcb_info_signature: self.tcb_signer.0.sign(&self.rng, tcb_info.as_bytes())?,
            tcb_info,
            qe_identity_issuer_chain: tcb_chain,
            qe_identity_signature: self.tcb_signer.0.sign(&self.rng, qe_identity.as_bytes())?,
            qe_identity,
            pck_certificate_chain: None,
        })
    }

    /// An empty CRL of `ca`.
    fn crl(&self, ca: &Authority, number: u8) -> Result<Vec<u8>, PkiError> {
        let crl = CertificateRevocationListParams {
            this_update: datetime(self.valid_from)?,
            next_update: datetime(self.valid_until)?,
            crl_number: SerialNumber::from_slice(&[number]),
            issuing_distribution_point: None,
            revoked_certs: vec![],
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&Issuer::from_params(&ca.params, &ca.key.cert))?;
        Ok(crl.der().to_vec())
    }
}

fn fixed<const N: usize>(bytes: &[u8]) -> Result<[u8; N], PkiError> {
    Ok(bytes.try_into()?)
}
