// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {TeeVerifier} from "../../src/TeeVerifier.sol";
import {ProverRegistry} from "../../src/ProverRegistry.sol";
import {QuorumAttestationVerifier} from "../../src/QuorumAttestationVerifier.sol";
import {NormalizedAttestation, TcbStatus} from "../../src/interfaces/IAttestationVerifier.sol";
import {BlockClaim, BatchClaim, RefusalClaim, OpOutputClaim} from "../../src/interfaces/ITeeVerifier.sol";

/// @notice keccak256 of the canonical chain config encoding (`docs/proof-format.md` §6, the Rust
/// `ChainConfig::to_canonical`) of chain `chainId` with every fork through Prague active from
/// genesis and no deposit contract (`ChainConfigParts::from_genesis_up_to(chainId, Fork::Prague)`):
/// the config of the devnet L2 and of the Rust vectors.
function pragueFromGenesisConfigHash(uint256 chainId) pure returns (bytes32) {
    uint64 never = type(uint64).max;
    // Shanghai, Cancun, Prague, Osaka, BPO1..BPO5
    uint64[9] memory forkTimes = [uint64(0), 0, 0, never, never, never, never, never, never];
    // Cancun, Prague, Osaka, BPO1..BPO5: target, max, base fee update fraction (zero: never active)
    uint64[3][8] memory blobSchedule;
    blobSchedule[0] = [uint64(3), 6, 3_338_477]; // EIP-4844
    blobSchedule[1] = [uint64(6), 9, 5_007_716]; // EIP-7691
    return keccak256(
        abi.encode(
            keccak256("phat-sgx-prover.chain-config.v1"), chainId, forkTimes, never, blobSchedule, address(0), false
        )
    );
}

/// @notice Shared set-up: a TeeVerifier (registry) with one trusted measurement and a 2-of-3
/// quorum adapter, and helpers to attest, register and sign TEE-proofs.
abstract contract Fixture is Test {
    uint256 internal constant N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
    uint256 internal constant HALF_N = N / 2;
    uint256 internal constant L2 = 167_000;
    /// @dev The chain config hash the test L2's TEE-proofs are made under (any non-zero value: L1
    /// never decodes it).
    bytes32 internal constant CHAIN_CONFIG = keccak256("chain config of the test L2");
    uint256 internal constant START_TIME = 1_780_000_000;
    uint256 internal constant START_BLOCK = 1_000;

    bytes32 internal constant MR_ENCLAVE = keccak256("mr_enclave v1");
    bytes32 internal constant MR_SIGNER = keccak256("mr_signer");
    uint16 internal constant PROD_ID = 7;
    uint16 internal constant SVN = 3;
    /// @dev INIT | MODE64BIT, XFRM = 0x03 (x87, SSE).
    bytes16 internal constant GOOD_ATTRIBUTES = 0x05000000000000000300000000000000;

    /// @dev A TDX prover VM: keccak256(mrTd ‖ rtmr0 ‖ rtmr1 ‖ rtmr2 ‖ mrConfigId), keccak256(mrOwner ‖
    /// mrOwnerConfig) and its dstack app's compose hash (stand-ins: L1 only sees the hashes).
    bytes32 internal constant TD_MEASUREMENT = keccak256("td measurement v1");
    bytes32 internal constant TD_OWNER = keccak256("td owner");
    bytes32 internal constant COMPOSE_HASH = keccak256("app-compose.json v1");
    /// @dev td_attributes with SEPT_VE_DISABLE (bit 28) only, then XFAM 0x602e7 (x87, SSE, AVX,
    /// AVX-512, PKRU, AMX), both little-endian: what dcap-qvl's real TDX quotes report.
    bytes16 internal constant GOOD_TD_ATTRIBUTES = 0x0000001000000000e702060000000000;

    address internal admin = makeAddr("admin");
    address internal policy = makeAddr("policy");
    address internal guardian = makeAddr("guardian");
    address internal beneficiary = makeAddr("beneficiary");

    TeeVerifier internal tee;
    QuorumAttestationVerifier internal quorum;
    bytes32 internal measurement;

    /// @dev Quorum verifier keys, ordered by address.
    uint256[] internal quorumKeys;

    /// @dev Prover keys handed out by {_newProverKey}.
    uint256 internal proverNonce;

    function setUpRegistry(address at) internal {
        vm.warp(START_TIME);
        vm.roll(START_BLOCK);
        if (at == address(0)) {
            tee = new TeeVerifier(admin, policy, guardian);
        } else {
            deployCodeTo("TeeVerifier.sol:TeeVerifier", abi.encode(admin, policy, guardian), at);
            tee = TeeVerifier(at);
        }
        quorumKeys = _sortedKeys("quorum", 3);
        address[] memory signers = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            signers[i] = vm.addr(quorumKeys[i]);
        }
        quorum = new QuorumAttestationVerifier(admin, signers, 2);
        measurement = tee.measurementHash(MR_ENCLAVE, MR_SIGNER, PROD_ID, SVN);
        vm.startPrank(policy);
        tee.trustMeasurement(measurement);
        tee.setAttestationVerifier(address(quorum), true);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ keys

    function _sortedKeys(string memory label, uint256 n) internal pure returns (uint256[] memory keys) {
        keys = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            keys[i] = uint256(keccak256(abi.encode(label, i))) % (N - 1) + 1;
        }
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && vm.addr(keys[j]) < vm.addr(keys[j - 1]); --j) {
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
    }

    function _newProverKey() internal returns (uint256) {
        return uint256(keccak256(abi.encode("prover", ++proverNonce))) % (N - 1) + 1;
    }

    // ------------------------------------------------------------------ attestations

    /// @dev An attestation that passes the default policy for `prover` (report data bound to the
    /// previous L1 block).
    function _goodAttestation(address prover) internal view returns (NormalizedAttestation memory a) {
        a = NormalizedAttestation({
            teeType: 0,
            tcbStatus: TcbStatus.UP_TO_DATE,
            advisoriesHash: keccak256(""),
            mrEnclave: MR_ENCLAVE,
            mrSigner: MR_SIGNER,
            isvProdId: PROD_ID,
            isvSvn: SVN,
            attributes: GOOD_ATTRIBUTES,
            tdMeasurement: bytes32(0),
            tdOwner: bytes32(0),
            composeHash: bytes32(0),
            serviceTdBound: false,
            reportData: abi.encodePacked(
                tee.expectedReportData(prover, beneficiary, uint64(block.number - 1)), bytes32(0)
            ),
            verifiedAt: uint64(block.timestamp),
            tcbInfoHash: keccak256("tcb info"),
            qeIdentityHash: keccak256("qe identity"),
            crlsHash: keccak256("crls")
        });
    }

    /// @dev A TDX attestation that passes the default policy for `prover` once {_trustTdx} has
    /// run (report data bound to the previous L1 block).
    function _goodTdxAttestation(address prover) internal view returns (NormalizedAttestation memory a) {
        a = _goodAttestation(prover);
        a.teeType = 0x81;
        a.mrEnclave = bytes32(0);
        a.mrSigner = bytes32(0);
        a.isvProdId = 0;
        a.isvSvn = 0;
        a.attributes = GOOD_TD_ATTRIBUTES;
        a.tdMeasurement = TD_MEASUREMENT;
        a.tdOwner = TD_OWNER;
        a.composeHash = COMPOSE_HASH;
    }

    /// @dev The TDX measurement of {_goodTdxAttestation}, trusted by governance.
    function _trustTdx() internal returns (bytes32 m) {
        m = tee.tdxMeasurementHash(TD_MEASUREMENT, TD_OWNER, COMPOSE_HASH);
        vm.prank(policy);
        tee.trustMeasurement(m);
    }

    /// @dev Quorum evidence for `a` signed by the first `k` verifiers.
    function _quorumEvidence(NormalizedAttestation memory a, uint256 k) internal view returns (bytes memory) {
        bytes32 digest = quorum.attestationDigest(a);
        bytes memory sigs;
        for (uint256 i = 0; i < k; ++i) {
            sigs = bytes.concat(sigs, _sign(quorumKeys[i], digest));
        }
        return abi.encode(a, sigs);
    }

    function _registration(address prover, bytes memory evidence)
        internal
        view
        returns (ProverRegistry.Registration memory)
    {
        return ProverRegistry.Registration({
            adapter: quorum,
            evidence: evidence,
            prover: prover,
            beneficiary: beneficiary,
            l1BlockNumber: uint64(block.number - 1)
        });
    }

    /// @dev Registers `prover` with a good attestation through the quorum.
    function _register(address prover) internal {
        tee.register(_registration(prover, _quorumEvidence(_goodAttestation(prover), 2)));
    }

    /// @dev A fresh registered prover, active (time moved past the delay).
    function _activeProver() internal returns (uint256 key, address prover) {
        key = _newProverKey();
        prover = vm.addr(key);
        _register(prover);
        vm.warp(block.timestamp + tee.DEFAULT_REGISTRATION_DELAY());
    }

    // ------------------------------------------------------------------ signatures and proofs

    /// @dev r ‖ s ‖ v with low s and v in {27, 28}.
    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        if (uint256(s) > HALF_N) {
            s = bytes32(N - uint256(s));
            v = v == 27 ? 28 : 27;
        }
        return abi.encodePacked(r, s, v);
    }

    /// @dev A single-block TEE-proof of `c` by `key`, made under {CHAIN_CONFIG}.
    function _blockProof(uint256 key, uint256 l2ChainId, BlockClaim memory c) internal view returns (bytes memory) {
        return _blockProof(key, l2ChainId, CHAIN_CONFIG, c);
    }

    /// @dev A single-block TEE-proof of `c` by `key`, made under chain config `config`.
    function _blockProof(uint256 key, uint256 l2ChainId, bytes32 config, BlockClaim memory c)
        internal
        view
        returns (bytes memory)
    {
        address prover = vm.addr(key);
        return abi.encodePacked(prover, _sign(key, tee.blockDigest(l2ChainId, config, prover, c)));
    }

    /// @dev A TEE refusal of `c` by `key`, made under chain config `config`.
    function _refusalProof(uint256 key, uint256 l2ChainId, bytes32 config, RefusalClaim memory c)
        internal
        view
        returns (bytes memory)
    {
        address prover = vm.addr(key);
        return abi.encodePacked(prover, _sign(key, tee.refusalDigest(l2ChainId, config, prover, c)));
    }

    /// @dev A batch TEE-proof of `c` by `key`, made under {CHAIN_CONFIG}.
    function _batchProof(uint256 key, uint256 l2ChainId, BatchClaim memory c) internal view returns (bytes memory) {
        return _batchProof(key, l2ChainId, CHAIN_CONFIG, c);
    }

    /// @dev A batch TEE-proof of `c` by `key`, made under chain config `config`.
    function _batchProof(uint256 key, uint256 l2ChainId, bytes32 config, BatchClaim memory c)
        internal
        view
        returns (bytes memory)
    {
        address prover = vm.addr(key);
        return abi.encodePacked(prover, _sign(key, tee.batchDigest(l2ChainId, config, prover, c)));
    }

    /// @dev An OP output-root TEE-proof of `c` by `key` for OP chain `l2ChainId`, made under rollup
    /// config `config`.
    function _opOutputProof(uint256 key, uint256 l2ChainId, bytes32 config, OpOutputClaim memory c)
        internal
        view
        returns (bytes memory)
    {
        address prover = vm.addr(key);
        return abi.encodePacked(prover, _sign(key, tee.opOutputDigest(l2ChainId, config, prover, c)));
    }

    /// @dev The OP output root (v0) of the synthetic L2 block `n`: keccak256(bytes32(0) ‖ stateRoot ‖
    /// messagePasserStorageRoot ‖ blockHash).
    function _outputRoot(uint64 n) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                bytes32(0),
                keccak256(abi.encode("state", n)),
                keccak256(abi.encode("message passer", n)),
                keccak256(abi.encode("block", n))
            )
        );
    }

    /// @dev The OP output-root claim of the synthetic blocks after `start` up to `end`, whose L1
    /// origin is the previous L1 block (with the hash this L1 gives it).
    function _opClaim(uint64 start, uint64 end) internal view returns (OpOutputClaim memory) {
        uint64 origin = uint64(block.number - 1);
        return OpOutputClaim({
            l1OriginHash: blockhash(origin),
            l1OriginNumber: origin,
            startingBlockNumber: start,
            startingOutputRoot: _outputRoot(start),
            endingBlockNumber: end,
            endingOutputRoot: _outputRoot(end),
            blocksCommitment: keccak256(abi.encode("blocks", start, end))
        });
    }

    function _claim(uint64 n) internal pure returns (BlockClaim memory) {
        return BlockClaim({
            blockNumber: n,
            parentHash: keccak256(abi.encode("block", n - 1)),
            blockHash: keccak256(abi.encode("block", n)),
            preStateRoot: keccak256(abi.encode("state", n - 1)),
            postStateRoot: keccak256(abi.encode("state", n)),
            witnessCommitment: keccak256(abi.encode("witness", n))
        });
    }

    /// @dev `count` chained blocks starting at `first`.
    function _chain(uint64 first, uint256 count) internal pure returns (BlockClaim[] memory blocks) {
        blocks = new BlockClaim[](count);
        for (uint256 i = 0; i < count; ++i) {
            blocks[i] = _claim(first + uint64(i));
        }
    }

    /// @dev The batch claim of `blocks`, computed off-chain style (reference for the contract).
    function _batchOf(BlockClaim[] memory blocks) internal pure returns (BatchClaim memory c) {
        bytes32 acc;
        for (uint256 i = 0; i < blocks.length; ++i) {
            acc = keccak256(abi.encode(acc, blocks[i]));
        }
        BlockClaim memory first = blocks[0];
        BlockClaim memory last = blocks[blocks.length - 1];
        c = BatchClaim(
            first.blockNumber,
            last.blockNumber,
            first.parentHash,
            last.blockHash,
            first.preStateRoot,
            last.postStateRoot,
            acc
        );
    }
}
