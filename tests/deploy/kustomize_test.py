#!/usr/bin/env python3
"""Renders one overlay of deploy/kubernetes with `kubectl kustomize` and checks the objects it
makes fit together: the headless Service selects the server pods and its name and port are what
the driver Job's `--sut dns+http://NAME:PORT` says; servers have readiness and liveness probes on
/health; the Job writes to the results volume and reads user.conf from the ConfigMap; it waits
for as many servers as there are replicas; a scoring run (accuracy, submission) finds NLTK's Punkt
data on a mounted volume; every infermark flag in the manifests is one the
binary accepts (`infermark <command> --help`); and what each overlay is for (the demo's
make-model init container, GPUs, vLLM with prefix caching off).

    kustomize_test.py OVERLAY      (env: INFERMARK_SOURCE_DIR, INFERMARK_BIN, KUBECTL)
"""
import os
import re
import shutil
import subprocess
import sys
import unittest

import yaml

SOURCE = os.environ.get("INFERMARK_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("INFERMARK_BIN", "")
OVERLAY = ""


def kubectl():
    exe = os.environ.get("KUBECTL") or shutil.which("kubectl")
    if not exe:
        raise RuntimeError("kubectl is not installed: scripts/install-deps installs it "
                           "(Debian's kubernetes-client, or the Kubernetes apt repository)")
    return exe


def render(overlay):
    path = os.path.join(SOURCE, "deploy", "kubernetes", "overlays", overlay)
    out = subprocess.run([kubectl(), "kustomize", path], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {path} failed:\n{out.stderr}")
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def flag_after(args, flag):
    """The value that follows `flag` in an argument list (None when absent)."""
    for i, a in enumerate(args[:-1]):
        if a == flag:
            return args[i + 1]
    return None


_help_cache = {}


def accepted_flags(command):
    if command not in _help_cache:
        out = subprocess.run([BIN, "--help"], capture_output=True, text=True, check=True).stdout
        listed = set(re.findall(r"^  ([a-z][a-z-]*) ", out.split("Subcommands:", 1)[-1], re.M))
        if command not in listed:
            raise AssertionError(f"infermark has no '{command}' command")
        out = subprocess.run([BIN, command, "--help"], capture_output=True, text=True)
        if out.returncode != 0:
            raise AssertionError(f"infermark {command} --help failed: {out.stderr}")
        _help_cache[command] = set(re.findall(r"(--[a-z0-9][a-z0-9-]*)", out.stdout))
    return _help_cache[command]


class Overlay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.objects = render(OVERLAY)
        cls.by_kind = {}
        for o in cls.objects:
            cls.by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o

    def one(self, kind, name):
        self.assertIn(name, self.by_kind.get(kind, {}), f"no {kind} {name}")
        return self.by_kind[kind][name]

    def service(self):
        return self.one("Service", "infermark-serve")

    def servers(self):
        """The workloads whose pods the Service selects."""
        selector = self.service()["spec"]["selector"]
        found = []
        for kind in ("StatefulSet", "Deployment"):
            for w in self.by_kind.get(kind, {}).values():
                labels = w["spec"]["template"]["metadata"]["labels"]
                if all(labels.get(k) == v for k, v in selector.items()):
                    found.append(w)
        self.assertEqual(len(found), 1, f"the Service selects {len(found)} workloads")
        return found[0]

    def job(self):
        return self.one("Job", "infermark-run")

    def run_container(self):
        (c,) = [c for c in self.job()["spec"]["template"]["spec"]["containers"]
                if c["name"] == "run"]
        return c

    def test_service_is_headless_and_named_by_the_driver(self):
        spec = self.service()["spec"]
        self.assertEqual(spec.get("clusterIP"), "None")
        (port,) = spec["ports"]
        sut = flag_after(self.run_container()["args"], "--sut")
        self.assertEqual(sut, f"dns+http://infermark-serve:{port['port']}")

    def test_servers_listen_where_the_service_points_and_probe_health(self):
        w = self.servers()
        (port,) = self.service()["spec"]["ports"]
        pod = w["spec"]["template"]["spec"]
        (c,) = [c for c in pod["containers"]
                if any(p.get("name") == port["targetPort"] for p in c.get("ports", []))]
        (p,) = [p for p in c["ports"] if p["name"] == port["targetPort"]]
        self.assertEqual(p["containerPort"], port["port"])
        for probe in ("readinessProbe", "livenessProbe"):
            self.assertEqual(c[probe]["httpGet"]["path"], "/health", probe)
            self.assertEqual(c[probe]["httpGet"]["port"], port["targetPort"], probe)
        if w["kind"] == "StatefulSet":
            self.assertEqual(w["spec"]["serviceName"], "infermark-serve")
        self.assertIn("cpu", c["resources"]["requests"])
        self.assertIn("memory", c["resources"]["requests"])

    def test_driver_waits_for_every_replica(self):
        servers = int(self.one("ConfigMap", "infermark-run")["data"]["SERVERS"])
        self.assertEqual(servers, self.servers()["spec"]["replicas"])
        pod = self.job()["spec"]["template"]["spec"]
        (wait,) = pod["initContainers"]
        self.assertIn("getent ahosts infermark-serve", wait["command"][-1])
        self.assertEqual(wait["envFrom"][0]["configMapRef"]["name"], "infermark-run")

    def test_driver_writes_results_to_the_volume_and_reads_user_conf(self):
        pod = self.job()["spec"]["template"]["spec"]
        self.assertEqual(pod["restartPolicy"], "Never")
        self.assertEqual(self.job()["spec"]["backoffLimit"], 0)
        c = self.run_container()
        self.assertEqual(c["args"][0], "run")
        mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
        volumes = {v["name"]: v for v in pod["volumes"]}
        out = flag_after(c["args"], "--output")
        claim = volumes[mounts[out]]["persistentVolumeClaim"]["claimName"]
        self.one("PersistentVolumeClaim", claim)
        conf = flag_after(c["args"], "--user-conf")
        conf_dir, conf_file = os.path.split(conf)
        config_map = volumes[mounts[conf_dir]]["configMap"]["name"]
        self.assertIn(conf_file, self.one("ConfigMap", config_map)["data"])

    def test_a_scoring_run_has_punkt_data_on_a_volume(self):
        # accuracy and submission modes score with NLTK's Punkt, which the image does not carry.
        c = self.run_container()
        if flag_after(c["args"], "--mode") not in ("accuracy", "submission"):
            return
        punkt = flag_after(c["args"], "--punkt")
        self.assertIsNotNone(punkt, "a scoring run without --punkt")
        self.assertTrue(any(punkt.startswith(m["mountPath"] + "/") for m in c["volumeMounts"]),
                        f"--punkt {punkt} is on no mounted volume")

    def test_every_infermark_flag_is_one_the_binary_accepts(self):
        containers = []
        for o in self.objects:
            pod = o.get("spec", {}).get("template", {}).get("spec", {})
            containers += pod.get("initContainers", []) + pod.get("containers", [])
        checked = 0
        for c in containers:
            if not c["image"].startswith("infermark:") or "args" not in c:
                continue
            command, args = c["args"][0], c["args"][1:]
            for a in args:
                if a.startswith("--"):
                    self.assertIn(a, accepted_flags(command), f"infermark {command} {a}")
                    checked += 1
        self.assertGreater(checked, 0)

    def test_images_are_pinned_and_pulled_if_not_present(self):
        for o in self.objects:
            pod = o.get("spec", {}).get("template", {}).get("spec", {})
            for c in pod.get("initContainers", []) + pod.get("containers", []):
                self.assertRegex(c["image"], r"^[^:]+:v?[0-9][\w.-]*$", c["name"])
                if c["image"].startswith("infermark:"):
                    self.assertEqual(c["imagePullPolicy"], "IfNotPresent", c["name"])

    def test_what_the_overlay_is_for(self):
        getattr(self, "check_" + OVERLAY.replace("-", "_"))()

    def serve_container(self):
        (c,) = [c for c in self.servers()["spec"]["template"]["spec"]["containers"]
                if c["name"] == "serve"]
        self.assertEqual(c["args"][0], "serve")
        self.assertEqual(flag_after(c["args"], "--host"), "0.0.0.0")
        return c

    def check_cpu_demo(self):
        pod = self.servers()["spec"]["template"]["spec"]
        (make,) = pod["initContainers"]
        self.assertEqual(make["args"][:3], ["make-model", "--shape", "tiny"])
        self.assertEqual(flag_after(make["args"], "--out"),
                         flag_after(self.serve_container()["args"], "--model"))
        (models,) = [v for v in pod["volumes"] if v["name"] == "models"]
        self.assertEqual(models, {"name": "models", "emptyDir": {}})
        self.assertIn("--quick", self.run_container()["args"])
        self.assertEqual(self.serve_container()["image"], "infermark:0.1.0")

    def check_gpu(self):
        c = self.serve_container()
        self.assertGreaterEqual(int(c["resources"]["limits"]["nvidia.com/gpu"]), 1)
        self.assertEqual(c["image"], "infermark:0.1.0-cuda")
        self.assertEqual(self.run_container()["image"], "infermark:0.1.0-cuda")
        pod = self.servers()["spec"]["template"]["spec"]
        (models,) = [v for v in pod["volumes"] if v["name"] == "models"]
        self.assertTrue(models["persistentVolumeClaim"]["readOnly"])

    def check_vllm(self):
        self.assertNotIn("infermark-serve", self.by_kind.get("StatefulSet", {}))
        (c,) = self.servers()["spec"]["template"]["spec"]["containers"]
        self.assertTrue(c["image"].startswith("vllm/vllm-openai:"))
        self.assertIn("--no-enable-prefix-caching", c["args"])
        self.assertNotIn("--enable-prefix-caching", c["args"])
        self.assertGreaterEqual(int(c["resources"]["limits"]["nvidia.com/gpu"]), 1)
        args = self.run_container()["args"]
        self.assertEqual(flag_after(args, "--dialect"), "vllm")
        self.assertEqual(flag_after(args, "--served-model"), flag_after(c["args"], "--model"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    OVERLAY = sys.argv.pop(1)
    unittest.main(verbosity=2)
