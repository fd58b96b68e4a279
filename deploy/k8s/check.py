#!/usr/bin/env python3
"""Offline consistency check of deploy/k8s (no cluster needed): python3 deploy/k8s/check.py

Catches what kubectl would accept but the services would not survive: a manifest missing from the
kustomization, a selector that matches no pod, a port or probe off 5000/8080, a Services__ address
with no Service behind it, a secret key the README's `kubectl create secret` command does not create.
Needs PyYAML (apt-get install python3-yaml).
"""
import pathlib
import re
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
NAMESPACE = "perfeval"
SERVICES = ["ledger", "indicator", "scoring", "reporting"]
SECRET = "perfeval-secrets"
CONFIGMAP = "perfeval-config"
problems = []


def problem(where, what):
    problems.append(f"{where}: {what}")


def load_all():
    objects = []
    for path in sorted(HERE.glob("*.yaml")):
        try:
            docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
        except yaml.YAMLError as e:
            problem(path.name, f"does not parse: {e}")
            continue
        for doc in docs:
            objects.append((path.name, doc))
    return objects


def main():
    objects = load_all()
    kustomization = next((d for f, d in objects if f == "kustomization.yaml"), None)
    manifests = [(f, d) for f, d in objects if f != "kustomization.yaml"]
    if kustomization is None:
        problem("kustomization.yaml", "missing")
        return
    listed = set(kustomization.get("resources", []))
    on_disk = {f for f, _ in manifests}
    for f in sorted(on_disk - listed):
        problem("kustomization.yaml", f"does not list {f}")
    for f in sorted(listed - on_disk):
        problem("kustomization.yaml", f"lists {f}, which is not here")

    by_kind = {}
    for f, d in manifests:
        kind, name = d.get("kind"), d.get("metadata", {}).get("name")
        by_kind.setdefault(kind, {})[name] = (f, d)
        if kind == "Secret":
            problem(f, "a Secret in the repository: the operator creates it (README.md)")
        if kind != "Namespace" and d["metadata"].get("namespace") != NAMESPACE:
            problem(f, f"{kind}/{name} is not in namespace {NAMESPACE}")
    if NAMESPACE not in by_kind.get("Namespace", {}):
        problem("namespace.yaml", f"no Namespace {NAMESPACE}")

    config = by_kind.get("ConfigMap", {}).get(CONFIGMAP, (None, {}))[1].get("data", {})
    for key, value in config.items():
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(__[A-Za-z0-9]+)+|[A-Z_]+", key):
            problem("configmap.yaml", f"{key} is not a Section__Key environment name")
        if re.search(r"password\s*=", str(value), re.I):
            problem("configmap.yaml", f"{key} carries a password")
    for key, value in config.items():
        m = re.fullmatch(r"Services__(\w+)", key)
        if m:
            target = (re.fullmatch(r"http://([a-z0-9-]+):(\d+)", value)
                      or re.fullmatch(rf"dns:///([a-z0-9-]+)(?:\.{NAMESPACE}\.svc\.cluster\.local)?:(\d+)", value))
            service = by_kind.get("Service", {}).get(target.group(1), (None, None))[1] if target else None
            if not target or service is None or target.group(2) != "5000":
                problem("configmap.yaml", f"{key}={value} is not http://<a Service here>:5000 or dns:///<a Service here>:5000")
            elif value.startswith("dns:") and service["spec"].get("clusterIP") != "None":
                problem("configmap.yaml", f"{key}: dns:/// balancing needs a headless Service, {target.group(1)} is not one")

    readme = (HERE / "README.md").read_text(encoding="utf-8") if (HERE / "README.md").exists() else ""
    images = {i["name"] for i in kustomization.get("images", [])}

    for service in SERVICES:
        f, deployment = by_kind.get("Deployment", {}).get(service, (f"{service}.yaml", None))
        if deployment is None:
            problem(f, f"no Deployment {service}")
            continue
        spec = deployment["spec"]
        pod = spec["template"]["spec"]
        labels = spec["template"]["metadata"].get("labels", {})
        selector = spec["selector"]["matchLabels"]
        if not selector.items() <= labels.items():
            problem(f, "Deployment selector does not match its pod labels")
        if spec.get("replicas", 1) < 2:
            problem(f, "fewer than 2 replicas")
        annotations = spec["template"]["metadata"].get("annotations", {})
        if (annotations.get("prometheus.io/scrape"), annotations.get("prometheus.io/port"),
                annotations.get("prometheus.io/path")) != ("true", "8080", "/metrics"):
            problem(f, "prometheus annotations are not scrape=true, port 8080, /metrics")

        security = pod.get("securityContext", {})
        if not security.get("runAsNonRoot") or security.get("runAsUser") != 1654:
            problem(f, "pod must run as non-root uid 1654 (the image's user app)")
        containers = pod["containers"]
        if len(containers) != 1:
            problem(f, "expected one container")
        c = containers[0]
        image = c["image"].rsplit(":", 1)[0]
        if image != f"perfeval/{service}" or image not in images:
            problem(f, f"image {c['image']} is not perfeval/{service} or not in kustomization images")
        ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
        if ports != {"grpc": 5000, "http": 8080}:
            problem(f, f"container ports {ports} are not grpc 5000, http 8080")
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            if c.get(probe, {}).get("grpc", {}).get("port") != 5000:
                problem(f, f"{probe} is not a grpc probe on 5000")
        resources = c.get("resources", {})
        for part in ("requests", "limits"):
            if not {"cpu", "memory"} <= set(resources.get(part, {})):
                problem(f, f"resources.{part} needs cpu and memory")
        csc = c.get("securityContext", {})
        if csc.get("allowPrivilegeEscalation") is not False or "ALL" not in csc.get("capabilities", {}).get("drop", []):
            problem(f, "container must drop ALL capabilities and forbid privilege escalation")
        if csc.get("readOnlyRootFilesystem"):
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            volumes = {v["name"]: v for v in pod.get("volumes", [])}
            if "emptyDir" not in volumes.get(mounts.get("/tmp"), {}):
                problem(f, "read-only root filesystem without an emptyDir at /tmp")
        if not any(e.get("configMapRef", {}).get("name") == CONFIGMAP for e in c.get("envFrom", [])):
            problem(f, f"does not take its settings from ConfigMap {CONFIGMAP}")
        for env in c.get("env", []):
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                if ref["name"] != SECRET:
                    problem(f, f"{env['name']} comes from Secret {ref['name']}, not {SECRET}")
                if f"--from-literal={ref['key']}=" not in readme and f"--from-file={ref['key']}=" not in readme:
                    problem("README.md", f"the create-secret command does not create key {ref['key']}")

        sf, svc = by_kind.get("Service", {}).get(service, (f, None))
        if svc is None:
            problem(f, f"no Service {service}")
        else:
            if not svc["spec"]["selector"].items() <= labels.items():
                problem(sf, "Service selector does not match the Deployment's pods")
            sports = {p["name"]: p for p in svc["spec"]["ports"]}
            grpc, http = sports.get("grpc", {}), sports.get("http", {})
            if (grpc.get("port"), grpc.get("targetPort"), grpc.get("appProtocol")) != (5000, "grpc", "kubernetes.io/h2c"):
                problem(sf, "Service port grpc is not 5000 -> grpc with appProtocol kubernetes.io/h2c")
            if (http.get("port"), http.get("targetPort")) != (8080, "http"):
                problem(sf, "Service port http is not 8080 -> http")

        pf, pdb = by_kind.get("PodDisruptionBudget", {}).get(service, (f, None))
        if pdb is None:
            problem(f, f"no PodDisruptionBudget {service}")
        elif not pdb["spec"]["selector"]["matchLabels"].items() <= labels.items():
            problem(pf, "PodDisruptionBudget selector does not match the Deployment's pods")

    # Each selector must pick exactly one Deployment's pods, or budgets and Services would mix them.
    pod_labels = [d["spec"]["template"]["metadata"]["labels"] for _, d in by_kind.get("Deployment", {}).values()]
    for kind, path in (("Service", ("spec", "selector")), ("PodDisruptionBudget", ("spec", "selector", "matchLabels"))):
        for name, (f, d) in by_kind.get(kind, {}).items():
            sel = d
            for key in path:
                sel = sel[key]
            matches = sum(1 for labels in pod_labels if sel.items() <= labels.items())
            if matches != 1:
                problem(f, f"{kind}/{name} selects the pods of {matches} Deployments")


main()
for p in problems:
    print(p)
print(f"check: {len(problems)} problem(s)" if problems else "check: deploy/k8s is consistent")
sys.exit(1 if problems else 0)
