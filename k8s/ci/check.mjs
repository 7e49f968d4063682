// Static checks of the rendered overlays (kubectl kustomize output) and the observability pack,
// run by check.sh on every ./test.sh:
//  - every resource validates against its published schema: Kubernetes (kubernetes-models),
//    Strimzi v1, KEDA and the Prometheus Operator (@kubernetes-models/*); a kind without a
//    schema fails;
//  - no Strimzi v1beta2 or the annotations Strimzi ignores since 0.48;
//  - every pod passes Pod Security "restricted" (and has a read-only root, bounded scratch and
//    an ephemeral-storage request), has a PodDisruptionBudget and NetworkPolicies both ways;
//  - KEDA alone sets the worker count; production replicates Kafka (RF 3, min.insync 2);
//  - each PrometheusRule's groups are written out for promtool; every dashboard loads as JSON
//    and every query names metrics the cluster exports.
// Usage: node check.mjs <out-dir> <rendered-overlay.yaml>...
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const [outDir, ...renderedFiles] = process.argv.slice(2);
const failures = [];
let passed = 0;
const check = (ok, what) => (ok ? passed++ : failures.push(what));

// --- schemas -------------------------------------------------------------------------------
const SCHEMA_PACKAGES = {
  "kafka.strimzi.io": "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io",
  "keda.sh": "@kubernetes-models/keda/keda.sh",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator/monitoring.coreos.com",
};
async function validateSchema(r, where) {
  const [group, version] = r.apiVersion.includes("/") ? r.apiVersion.split("/") : ["", r.apiVersion];
  const module = SCHEMA_PACKAGES[group] ? `${SCHEMA_PACKAGES[group]}/${version}/${r.kind}`
    : `kubernetes-models/${group ? group + "/" : ""}${version}/${r.kind}`;
  let Model;
  try {
    Model = (await import(module))[r.kind];
  } catch (e) {
    return check(false, `${where}: no published schema for ${r.apiVersion} ${r.kind} (${module})`);
  }
  try {
    new Model(r).validate();
    check(true);
  } catch (e) {
    check(false, `${where}: ${r.apiVersion} ${r.kind} does not validate: ${e.message}`);
  }
}

// --- Pod Security "restricted" (https://kubernetes.io/docs/concepts/security/pod-security-standards/) ---
const RESTRICTED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
  "projected", "secret"];
function checkRestricted(podSpec, where) {
  const pod = podSpec.securityContext ?? {};
  check(!podSpec.hostNetwork && !podSpec.hostPID && !podSpec.hostIPC, `${where}: host namespaces`);
  for (const v of podSpec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== "name");
    check(RESTRICTED_VOLUMES.includes(type), `${where}: volume ${v.name} of type ${type} is not allowed`);
    if (type === "emptyDir") check(!!v.emptyDir.sizeLimit, `${where}: emptyDir ${v.name} without sizeLimit`);
  }
  for (const c of [...(podSpec.initContainers ?? []), ...podSpec.containers]) {
    const sc = c.securityContext ?? {};
    const at = `${where} container ${c.name}`;
    check((sc.runAsNonRoot ?? pod.runAsNonRoot) === true, `${at}: runAsNonRoot is not true`);
    check((sc.runAsUser ?? pod.runAsUser) !== 0, `${at}: runs as user 0`);
    const seccomp = (sc.seccompProfile ?? pod.seccompProfile)?.type;
    check(seccomp === "RuntimeDefault" || seccomp === "Localhost", `${at}: seccompProfile is ${seccomp}, not RuntimeDefault`);
    check(sc.allowPrivilegeEscalation === false, `${at}: allowPrivilegeEscalation is not false`);
    check(sc.privileged !== true, `${at}: privileged`);
    check((sc.capabilities?.drop ?? []).includes("ALL"), `${at}: capabilities.drop lacks ALL`);
    check((sc.capabilities?.add ?? []).every((a) => a === "NET_BIND_SERVICE"), `${at}: adds capabilities`);
    check(sc.readOnlyRootFilesystem === true, `${at}: root file system is writable`);
    check(!!c.resources?.requests?.["ephemeral-storage"], `${at}: no ephemeral-storage request`);
    check(!(c.ports ?? []).some((p) => p.hostPort), `${at}: hostPort`);
  }
}

const selects = (selector, labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v)
  && (selector?.matchExpressions ?? []).every((e) =>
    e.operator === "In" ? e.values.includes(labels[e.key])
      : e.operator === "NotIn" ? !e.values.includes(labels[e.key])
        : e.operator === "Exists" ? e.key in labels : !(e.key in labels));

async function checkOverlay(file) {
  const overlay = basename(file, ".yaml");
  const resources = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
  check(resources.length > 0, `${overlay}: renders nothing`);
  const ofKind = (k) => resources.filter((r) => r.kind === k);
  for (const r of resources) {
    const where = `${overlay}: ${r.kind}/${r.metadata?.name}`;
    await validateSchema(r, where);
    check(!r.apiVersion.endsWith("v1beta2") || !r.apiVersion.includes("strimzi"), `${where}: Strimzi v1beta2`);
    const annotations = Object.keys(r.metadata?.annotations ?? {});
    check(!annotations.includes("strimzi.io/kraft") && !annotations.includes("strimzi.io/node-pools"),
      `${where}: annotations Strimzi ignores since 0.48`);
  }
  const scaled = new Set(ofKind("ScaledObject").map((s) => s.spec.scaleTargetRef.name));
  const users = new Set(ofKind("KafkaUser").map((u) => u.metadata.name));
  for (const d of ofKind("Deployment")) {
    const where = `${overlay}: Deployment/${d.metadata.name}`;
    const labels = d.spec.template.metadata.labels;
    checkRestricted(d.spec.template.spec, where);
    check(!scaled.has(d.metadata.name) || d.spec.replicas === undefined,
      `${where}: sets replicas although KEDA scales it (every apply would fight the autoscaler)`);
    check(ofKind("PodDisruptionBudget").some((p) => selects(p.spec.selector, labels)), `${where}: no PodDisruptionBudget`);
    for (const type of ["Ingress", "Egress"]) {
      check(ofKind("NetworkPolicy").some((n) => n.spec.policyTypes.includes(type) && selects(n.spec.podSelector, labels)),
        `${where}: no ${type} NetworkPolicy`);
    }
    for (const c of d.spec.template.spec.containers) {
      for (const e of c.env ?? []) {
        const secret = e.valueFrom?.secretKeyRef;
        if (e.name === "CONVNET_KAFKA_SASL_JAAS_CONFIG") {
          check(users.has(secret?.name), `${where}: Kafka credentials from ${secret?.name}, which is no KafkaUser`);
        }
      }
    }
  }
  const config = ofKind("ConfigMap").find((c) => c.metadata.name === "convnet-config")?.data ?? {};
  check(config.CONVNET_KAFKA_CREATE_TOPICS === "false", `${overlay}: services may create topics the topic operator owns`);
  check(config.CONVNET_KAFKA_SECURITY_PROTOCOL === "SASL_SSL", `${overlay}: services do not authenticate over TLS`);
  const kafka = ofKind("Kafka")[0];
  check(kafka?.spec.kafka.listeners.every((l) => l.tls && l.authentication), `${overlay}: a Kafka listener without TLS or authentication`);
  check(kafka?.spec.kafka.authorization?.type === "simple", `${overlay}: Kafka without ACLs`);
  if (overlay === "production") {
    const cfg = kafka.spec.kafka.config;
    check(cfg["default.replication.factor"] === 3 && cfg["min.insync.replicas"] === 2
      && cfg["offsets.topic.replication.factor"] === 3 && cfg["transaction.state.log.min.isr"] === 2,
      "production: Kafka not at replication factor 3, min.insync.replicas 2");
    check(ofKind("KafkaNodePool").reduce((n, p) => n + (p.spec.roles.includes("broker") ? p.spec.replicas : 0), 0) >= 3,
      "production: fewer than 3 brokers");
    check(ofKind("KafkaTopic").every((t) => t.spec.replicas === 3), "production: a topic with fewer than 3 replicas");
  }
  for (const r of [...ofKind("PodMonitor"), ...ofKind("PrometheusRule")]) {
    check(!!r.metadata.labels?.release, `${overlay}: ${r.kind}/${r.metadata.name} lacks the release label kube-prometheus-stack selects`);
  }
  for (const rule of ofKind("PrometheusRule")) {
    mkdirSync(join(outDir, "rules"), { recursive: true });
    const target = join(outDir, "rules", `${overlay}-${rule.metadata.name}.yaml`);
    writeFileSync(target, JSON.stringify({ groups: rule.spec.groups }, null, 2));
    for (const g of rule.spec.groups) for (const r of g.rules) checkQuery(r.expr, `${overlay}: rule ${r.alert ?? r.record}`);
  }
  return resources;
}

// --- metrics the cluster exports, for the queries --------------------------------------------
// The services' own: every "convnet.*"/"process.*" meter name in main sources that use Micrometer,
// with the suffixes Micrometer's Prometheus naming adds (unit, _total, histogram series).
function javaFiles(dir, acc = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "target" || name === "node_modules" || name.startsWith(".")) continue;
    if (statSync(p).isDirectory()) javaFiles(p, acc);
    else if (name.endsWith(".java") && p.includes(`${"/src/main/"}`)) acc.push(p);
  }
  return acc;
}
const OWN = new Set();
for (const f of javaFiles(REPO)) {
  const src = readFileSync(f, "utf8");
  if (!src.includes("io.micrometer")) continue;
  for (const m of src.matchAll(/"((?:convnet|process)\.[a-z][a-z.]*[a-z])"/g)) OWN.add(m[1].replaceAll(".", "_"));
}
const OWN_SUFFIXES = ["", "_total", "_bytes", "_seconds", "_seconds_bucket", "_seconds_count", "_seconds_sum",
  "_seconds_max", "_bucket", "_count", "_sum", "_max"];
// Third-party series the dashboards and rules use: Vert.x's HTTP server metrics, Micrometer's JVM
// binders, Kafka's client metrics (KafkaClientMetrics), Strimzi's Kafka Exporter.
const THIRD_PARTY = new Set(["vertx_http_server_requests_total", "vertx_http_server_response_time_seconds_bucket",
  "jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_memory_committed_bytes", "jvm_gc_pause_seconds_sum",
  "kafka_consumer_fetch_manager_records_lag", "kafka_consumer_fetch_manager_records_consumed_total",
  "kafka_consumergroup_lag"]);
// The brokers' series: the names kafka-metrics.yaml's JMX exporter rules produce ($n: a captured part).
const JMX_RULES = [...readFileSync(join(REPO, "k8s/base/kafka-metrics.yaml"), "utf8").matchAll(/^\s+name: (kafka_\S+)$/gm)]
  .map((m) => new RegExp(`^${m[1].replace(/\$\d/g, "[a-z]+")}$`));
const known = (name) => OWN_SUFFIXES.some((s) => name.endsWith(s) && OWN.has(name.slice(0, name.length - s.length) || "-"))
  || THIRD_PARTY.has(name) || JMX_RULES.some((r) => r.test(name));

const PROMQL_WORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
  "unless", "offset", "inf", "nan"]);
function metricNames(expr) {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "\"\"")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  return [...stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)]
    .filter((m) => !m[2] && !PROMQL_WORDS.has(m[1].toLowerCase()))
    .map((m) => m[1]);
}
function checkQuery(expr, where) {
  const names = metricNames(expr);
  check(names.length > 0, `${where}: query names no metric: ${expr}`);
  for (const n of names) check(known(n), `${where}: ${n} is no metric the cluster exports`);
}

// --- dashboards ------------------------------------------------------------------------------
function checkDashboards() {
  const dir = join(REPO, "k8s/observability/dashboards");
  const uids = new Set();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    let d;
    try {
      d = JSON.parse(readFileSync(join(dir, file), "utf8"));
    } catch (e) {
      check(false, `dashboard ${file}: not JSON: ${e.message}`);
      continue;
    }
    check(d.uid && !uids.has(d.uid) && d.title && Array.isArray(d.panels) && d.panels.length > 0,
      `dashboard ${file}: needs a unique uid, a title and panels`);
    uids.add(d.uid);
    for (const p of d.panels) {
      check((p.targets ?? []).length > 0, `dashboard ${file}: panel "${p.title}" has no query`);
      for (const t of p.targets ?? []) checkQuery(t.expr ?? "", `dashboard ${file}, panel "${p.title}"`);
    }
  }
  check(uids.size > 0, "no dashboards");
}

for (const f of renderedFiles) await checkOverlay(f);
checkDashboards();
for (const f of failures) console.error(`FAIL ${f}`);
console.log(`k8s static checks: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
