#!/usr/bin/env python3
"""Checks the prover's dstack app before it is deployed, or an app-compose.json after.

    python3 deploy/dstack/check.py                      # the compose as committed (placeholders allowed)
    python3 deploy/dstack/check.py --deployable         # and no placeholder left (image digest, L1 verifier)
    python3 deploy/dstack/check.py --app-compose app-compose.json   # also the app-compose.json a VM attests

What it checks in deploy/dstack/docker-compose.yml (the rules its header explains):
- one service, the prover; its image pinned by digest; nothing that could read the VM's other
  processes (no privileged mode, host PID, devices, added capabilities, docker socket, build);
- the dstack guest agent's socket mounted where service.toml says;
- the service config and the chain config inline (`configs: content`), byte for byte
  deploy/dstack/service.toml and the chain config file (default deploy/l2-chain.json), mounted
  where service.toml names them;
- no `$` in any key or value (no interpolation: the decrypted environment of `docker compose up`
  cannot reach the measured app), no env_file, no environment variable but RUST_LOG;
- a non-root user and a read-only root filesystem.
With --app-compose, the app-compose.json a VM attests (Phala Cloud writes it; `phala cvms
attestation --json` shows it as tcb_info.app_compose): it carries this compose byte for byte,
allows no environment variables, keeps the event log format this repository replays (v1), and
its sha256, the compose hash L1 allow-lists, is printed with what else it holds (pre-launch
script, KMS, gateway) for review.

Needs Python 3.11+ (tomllib) and PyYAML. Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DIGEST = re.compile(r"^[^@\s]+@sha256:([0-9a-f]{64})$")
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
SOCKET = "/var/run/dstack.sock"
HOST_SOCKETS = {"/var/run/dstack.sock", "/run/dstack.sock"}
ALLOWED_ENV = {"RUST_LOG"}
# Keys of a service that give it another container's or the VM's memory, or build code that
# the compose hash does not pin.
FORBIDDEN_SERVICE_KEYS = {
    "privileged", "pid", "ipc", "devices", "cap_add", "build", "env_file", "extends",
    "volumes_from", "userns_mode", "cgroup_parent",
}


class Report:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.notes: list[str] = []

    def error(self, message: str) -> None:
        self.errors.append(message)

    def note(self, message: str) -> None:
        self.notes.append(message)


def strings(node, path="$"):
    """Every key and string value of a parsed YAML document, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}.{key} (key)", str(key)
            yield from strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from strings(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def env_names(environment) -> list[str]:
    if environment is None:
        return []
    if isinstance(environment, dict):
        return [str(k) for k in environment]
    return [str(item).split("=", 1)[0] for item in environment]


def check_compose(compose_path: Path, service_toml: Path, chain_config: Path, deployable: bool, r: Report) -> None:
    text = compose_path.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        r.error("the compose file is not a mapping")
        return
    for where, s in strings(doc):
        if "$" in s:
            r.error(f"`$` in {where}: compose would interpolate it from the (unmeasured) environment")
    unknown = set(doc) - {"services", "configs"}
    if unknown:
        r.error(f"top-level keys other than services and configs: {sorted(unknown)}")
    services = doc.get("services") or {}
    if list(services) != ["phat-prover"]:
        r.error(f"services must be exactly ['phat-prover'] (a second container would share the VM with the key): {list(services)}")
    svc = services.get("phat-prover") or {}

    for key in FORBIDDEN_SERVICE_KEYS & set(svc):
        r.error(f"phat-prover: `{key}` is not allowed")
    if svc.get("network_mode") == "host":
        r.error("phat-prover: network_mode host is not allowed")
    for opt in svc.get("security_opt") or []:
        if "unconfined" in str(opt):
            r.error(f"phat-prover: security_opt {opt}")

    image = str(svc.get("image", ""))
    m = DIGEST.match(image)
    if not m:
        r.error(f"image not pinned by digest (name@sha256:<64 hex>): {image!r}")
    elif set(m.group(1)) == {"0"}:
        (r.error if deployable else r.note)(f"image digest is the placeholder: put your image's ({image})")

    user = str(svc.get("user", ""))
    if user.split(":")[0] in {"", "0", "root"}:
        r.error(f"phat-prover must run as a non-root user (user: {user!r})")
    if svc.get("read_only") is not True:
        r.error("phat-prover: read_only must be true (nothing is written; the key is in memory only)")

    extra_env = set(env_names(svc.get("environment"))) - ALLOWED_ENV
    if extra_env:
        r.error(f"environment variables other than {sorted(ALLOWED_ENV)}: {sorted(extra_env)}")

    mounts = {}
    for v in svc.get("volumes") or []:
        if isinstance(v, dict):
            source, target = v.get("source"), v.get("target")
        else:
            parts = str(v).split(":")
            source, target = parts[0], parts[1] if len(parts) > 1 else parts[0]
        if source and "docker.sock" in str(source):
            r.error(f"the docker socket is mounted ({source}): it gives root over the VM")
        mounts[str(target)] = str(source)

    # The configs: inline, byte for byte the files.
    configs = doc.get("configs") or {}
    targets = {}
    for ref in svc.get("configs") or []:
        if isinstance(ref, str):
            r.error(f"config {ref!r} without an explicit target")
            continue
        targets[ref.get("target")] = ref.get("source")
    for name, spec in configs.items():
        if set(spec) != {"content"}:
            r.error(f"config {name}: only `content` (inline, measured) is allowed, not {sorted(set(spec) - {'content'})}")

    def inline(target: str) -> str | None:
        name = targets.get(target)
        if name is None:
            r.error(f"nothing is mounted at {target}")
            return None
        content = (configs.get(name) or {}).get("content")
        if content is None:
            r.error(f"config {name} has no inline content")
        return content

    service_text = inline("/etc/phat-prover/service.toml")
    if service_text is None:
        return
    if service_text != service_toml.read_text(encoding="utf-8"):
        r.error(f"the inline service.toml differs from {service_toml}")
    try:
        cfg = tomllib.loads(service_text)
    except tomllib.TOMLDecodeError as e:
        r.error(f"service.toml does not parse: {e}")
        return
    for key in ("l2_rpc", "chain_config", "l1"):
        if key not in cfg:
            r.error(f"service.toml lacks `{key}`")
    socket = cfg.get("dstack_socket", SOCKET)
    if mounts.get(socket) not in HOST_SOCKETS:
        r.error(f"the guest agent socket is not mounted at {socket} (from {sorted(HOST_SOCKETS)})")
    listen_port = str(cfg.get("listen", "0.0.0.0:8080")).rsplit(":", 1)[-1]
    published = [str(p).rsplit(":", 1)[-1].split("/")[0] for p in svc.get("ports") or []]
    if listen_port not in published:
        r.error(f"service.toml listens on port {listen_port}, the compose publishes {published}")
    l1 = cfg.get("l1") or {}
    verifier = str(l1.get("verifier", ""))
    if not ADDRESS.match(verifier):
        r.error(f"l1.verifier is not an address: {verifier!r}")
    elif int(verifier, 16) == 0:
        (r.error if deployable else r.note)("l1.verifier is the zero placeholder: put the L1 TeeVerifier")
    if not isinstance(l1.get("chain_id"), int) or l1.get("chain_id", 0) <= 0:
        r.error(f"l1.chain_id must be a positive integer: {l1.get('chain_id')!r}")

    chain_target = str(cfg.get("chain_config", ""))
    chain_text = inline(chain_target) if chain_target else None
    if chain_text is not None:
        if chain_text != chain_config.read_text(encoding="utf-8"):
            r.error(f"the inline chain config differs from {chain_config}")
        try:
            chain = json.loads(chain_text)
            chain = chain.get("config", chain)
            r.note(f"chain config: chainId {chain.get('chainId')} (its hash: `phat-prover chain-config {chain_config}`)")
        except json.JSONDecodeError as e:
            r.error(f"the chain config is not JSON: {e}")


def check_app_compose(path: Path, compose_path: Path, r: Report) -> None:
    raw = path.read_bytes()
    r.note(f"compose hash (sha256 of {path}): 0x{hashlib.sha256(raw).hexdigest()}")
    app = json.loads(raw)
    if app.get("runner") != "docker-compose":
        r.error(f"runner is {app.get('runner')!r}, not docker-compose")
    if app.get("docker_compose_file") != compose_path.read_text(encoding="utf-8"):
        r.error(f"docker_compose_file is not {compose_path}, byte for byte")
    if app.get("allowed_envs"):
        r.error(f"allowed_envs must be empty (nothing is read from the environment): {app['allowed_envs']}")
    if app.get("event_log_version") not in (None, 1):
        r.error(f"event_log_version {app['event_log_version']}: the quorum replays dstack's v1 event log digests")
    for key in ("pre_launch_script", "bash_script"):
        if app.get(key):
            digest = hashlib.sha256(app[key].encode()).hexdigest()
            r.note(f"{key} present (sha256 {digest}): it runs as root in the VM before the app; review it, it is part of what you trust")
    scripts = app.get("init_script")
    if scripts:
        r.note(f"init_script present ({1 if isinstance(scripts, str) else len(scripts)}): runs as root in the VM; review it")
    shown = {k: app.get(k) for k in ("manifest_version", "name", "kms_enabled", "key_provider", "key_provider_id",
                                     "gateway_enabled", "tproxy_enabled", "public_logs", "public_sysinfo",
                                     "public_tcbinfo", "no_instance_id", "secure_time") if k in app}
    r.note(f"other settings: {json.dumps(shown, sort_keys=True)}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--compose", type=Path, default=HERE / "docker-compose.yml")
    p.add_argument("--service-toml", type=Path, default=HERE / "service.toml")
    p.add_argument("--chain-config", type=Path, default=HERE.parent / "l2-chain.json")
    p.add_argument("--deployable", action="store_true", help="fail on the placeholders (image digest, L1 verifier)")
    p.add_argument("--app-compose", type=Path, help="an app-compose.json to check against the compose")
    args = p.parse_args()
    r = Report()
    check_compose(args.compose, args.service_toml, args.chain_config, args.deployable, r)
    if args.app_compose:
        check_app_compose(args.app_compose, args.compose, r)
    for n in r.notes:
        print(f"note: {n}")
    for e in r.errors:
        print(f"error: {e}", file=sys.stderr)
    print(f"{args.compose}: {'FAILED' if r.errors else 'ok'} ({len(r.errors)} errors)")
    return 1 if r.errors else 0


if __name__ == "__main__":
    sys.exit(main())
