"""Reads the few facts the DAG tests need from the Kubernetes manifests in infra/k8s, without a YAML library.

The manifests are plain block YAML written by hand; this reader understands exactly what it needs (a document's
`kind`, `metadata.name`, a ConfigMap's flat `data`, a workload's `serviceAccountName` and `envFrom` references) and
nothing else. Anything more elaborate belongs in the .NET deployment tests, which use a real YAML parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from typing import Iterator

K8S = Path(__file__).resolve().parents[2] / "infra" / "k8s"


@dataclass
class Manifest:
    path: Path
    kind: str
    name: str
    text: str
    annotations: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)

    def service_account_names(self) -> set[str]:
        return set(re.findall(r"^\s*serviceAccountName:\s*([\w.-]+)\s*$", self.text, re.M))

    def env_from(self, ref: str) -> set[str]:
        """Names under `configMapRef:` or `secretRef:` (the `name:` line right below)."""
        return set(re.findall(rf"^\s*-?\s*{ref}:\s*\n\s+name:\s*([\w.-]+)\s*$", self.text, re.M))


def _block(lines: list[str], key: str) -> dict[str, str]:
    """The flat `key: value` pairs indented under a top-level or metadata-level `key:` line."""
    pairs: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = re.match(rf"^(\s*){re.escape(key)}:\s*$", line)
        if not match:
            continue
        indent = len(match.group(1))
        for inner in lines[index + 1:]:
            if not inner.strip() or inner.lstrip().startswith("#"):
                continue
            inner_indent = len(inner) - len(inner.lstrip())
            if inner_indent <= indent:
                break
            pair = re.match(r"^\s*([\w.\-/]+):\s*(.*?)\s*$", inner)
            if pair and inner_indent == indent + 2:
                pairs[pair.group(1)] = pair.group(2).strip("\"'")
        break
    return pairs


def documents(path: Path) -> Iterator[Manifest]:
    for text in re.split(r"^---\s*$", path.read_text(encoding="utf-8"), flags=re.M):
        kind = re.search(r"^kind:\s*(\w+)\s*$", text, re.M)
        if not kind:
            continue
        lines = text.splitlines()
        metadata = _block(lines, "metadata")
        yield Manifest(
            path=path,
            kind=kind.group(1),
            name=metadata.get("name", ""),
            text=text,
            annotations=_block(lines, "annotations"),
            data=_block(lines, "data") if kind.group(1) == "ConfigMap" else {},
        )


def base_manifests() -> list[Manifest]:
    """Every document under infra/k8s/base (the resources every overlay starts from)."""
    base = K8S / "base"
    return [m for path in sorted(base.glob("*.yaml")) for m in documents(path)]


def kustomization_namespace() -> str | None:
    path = K8S / "base" / "kustomization.yaml"
    match = re.search(r"^namespace:\s*([\w.-]+)\s*$", path.read_text(encoding="utf-8"), re.M)
    return match.group(1) if match else None


def find(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    matches = [m for m in manifests if m.kind == kind and m.name == name]
    if len(matches) != 1:
        found = sorted(f"{m.kind}/{m.name}" for m in manifests)
        raise AssertionError(f"expected one {kind}/{name} in infra/k8s/base, found {found}")
    return matches[0]
