package io.convnet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.convnet.gateway.GatewayMain;
import io.convnet.gateway.access.AccessSettings;
import io.convnet.gateway.grpc.GrpcEndpoint;
import io.convnet.gateway.visualize.VisualizeRoutes;
import io.convnet.kit.config.Setting;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.proto.Topic;
import io.convnet.proto.Topics;
import io.convnet.trainer.TrainerMain;
import io.convnet.visualizer.VisualizerMain;
import io.convnet.worker.InferenceWorkerMain;
import io.convnet.worker.config.WorkerSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests and the Dockerfile name topics, settings, ports, consumer groups and
 * main classes that live in code; this keeps the two from drifting apart.
 */
class KubernetesManifestsTest {
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final Path BASE = REPO.resolve("k8s/base");
  private static final List<ServiceDefinition> SERVICES = List.of(GatewayMain.DEFINITION, TrainerMain.DEFINITION,
      InferenceWorkerMain.DEFINITION, VisualizerMain.DEFINITION);

  private static List<JsonNode> resources;

  @BeforeAll
  static void readBase() throws IOException {
    resources = new ArrayList<>();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (Stream<Path> files = Files.list(BASE)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
          yaml.readValues(parser, JsonNode.class).readAll().stream()
              .filter(n -> n != null && n.has("kind"))
              .forEach(resources::add);
        }
      }
    }
  }

  private static List<JsonNode> ofKind(String kind) {
    return resources.stream().filter(r -> kind.equals(r.path("kind").asText())).toList();
  }

  @Test
  void everyTopicIsDeclaredWithItsPartitionsAndCompaction() {
    Map<String, JsonNode> declared = ofKind("KafkaTopic").stream()
        .collect(Collectors.toMap(t -> t.path("spec").path("topicName").asText(), t -> t.path("spec")));
    assertThat(declared.keySet()).containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(Topic::name).toList());
    for (Topic<?> topic : Topics.ALL) {
      JsonNode spec = declared.get(topic.name());
      assertThat(spec.path("partitions").asInt()).as(topic.name()).isEqualTo(topic.defaultPartitions());
      assertThat(spec.path("config").path("cleanup.policy").asText("delete")).as(topic.name())
          .isEqualTo(topic.compacted() ? "compact" : "delete");
      if (topic.retentionMs() != 0) {
        assertThat(spec.path("config").path("retention.ms").asLong()).as(topic.name()).isEqualTo(topic.retentionMs());
      }
    }
  }

  @Test
  void everyEnvironmentVariableIsASettingTheServicesRead() {
    Set<String> known = Stream.of(Settings.ALL, WorkerSettings.ALL, AccessSettings.ALL,
            List.of(GrpcEndpoint.PORT, VisualizeRoutes.TIMEOUT_MS))
        .flatMap(List::stream).map(Setting::name).collect(Collectors.toSet());
    // Read by the JVM and glibc, not by us: the workers' malloc settings (see docs/models.md).
    known.addAll(Set.of("JAVA_TOOL_OPTIONS", "MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_"));
    Set<String> used = new HashSet<>();
    ofKind("ConfigMap").stream().filter(c -> c.path("metadata").path("name").asText().equals("convnet-config"))
        .forEach(c -> c.path("data").fieldNames().forEachRemaining(used::add));
    for (JsonNode container : containers()) {
      container.path("env").forEach(e -> used.add(e.path("name").asText()));
    }
    assertThat(known).containsAll(used);
  }

  @Test
  void eachServiceRunsItsImageOnItsOwnPortWithProbes() {
    Map<String, JsonNode> deployments = ofKind("Deployment").stream()
        .collect(Collectors.toMap(d -> d.path("metadata").path("name").asText(), Function.identity()));
    assertThat(deployments.keySet())
        .containsExactlyInAnyOrderElementsOf(SERVICES.stream().map(ServiceDefinition::name).toList());
    for (ServiceDefinition service : SERVICES) {
      JsonNode pod = deployments.get(service.name()).path("spec").path("template");
      JsonNode container = pod.path("spec").path("containers").get(0);
      assertThat(container.path("image").asText()).isEqualTo("convnet-cluster/" + service.name());
      assertThat(container.path("ports").get(0).path("containerPort").asInt()).as(service.name())
          .isEqualTo(service.defaultHttpPort());
      assertThat(envValue(container, Settings.HTTP_PORT.name())).isEqualTo(String.valueOf(service.defaultHttpPort()));
      assertThat(pod.path("metadata").path("annotations").path("prometheus.io/port").asText())
          .isEqualTo(String.valueOf(service.defaultHttpPort()));
      assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/ready");
      assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
    }
  }

  @Test
  void eachServiceAuthenticatesAsItsOwnKafkaUserAndVerifiesTopics() {
    Set<String> users = new HashSet<>();
    ofKind("KafkaUser").forEach(u -> users.add(u.path("metadata").path("name").asText()));
    for (JsonNode deployment : ofKind("Deployment")) {
      String service = deployment.path("metadata").path("name").asText();
      JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").get(0);
      JsonNode secret = null;
      for (JsonNode e : container.path("env")) {
        if (e.path("name").asText().equals(Settings.KAFKA_SASL_JAAS_CONFIG.name())) {
          secret = e.path("valueFrom").path("secretKeyRef");
        }
      }
      assertThat(secret).as(service).isNotNull();
      assertThat(secret.path("name").asText()).as(service).isEqualTo(service);
      assertThat(users).contains(service);
    }
    JsonNode config = ofKind("ConfigMap").stream()
        .filter(c -> c.path("metadata").path("name").asText().equals("convnet-config")).findFirst().orElseThrow();
    assertThat(config.path("data").path(Settings.KAFKA_CREATE_TOPICS.name()).asText()).isEqualTo("false");
  }

  @Test
  void kedaAloneSetsTheWorkerCountAndReadsLagAsItsOwnUser() {
    JsonNode worker = ofKind("Deployment").stream()
        .filter(d -> d.path("metadata").path("name").asText().equals(InferenceWorkerMain.DEFINITION.name()))
        .findFirst().orElseThrow();
    assertThat(worker.path("spec").has("replicas")).isFalse();
    Set<String> kedaGroups = new HashSet<>();
    ofKind("ScaledObject").get(0).path("spec").path("triggers")
        .forEach(t -> kedaGroups.add(t.path("metadata").path("consumerGroup").asText()));
    Set<String> describable = new HashSet<>();
    ofKind("KafkaUser").stream().filter(u -> u.path("metadata").path("name").asText().equals("keda-scaler"))
        .forEach(u -> u.path("spec").path("authorization").path("acls").forEach(a -> {
          if (a.path("resource").path("type").asText().equals("group")) {
            describable.add(a.path("resource").path("name").asText());
          }
        }));
    assertThat(describable).containsAll(kedaGroups);
  }

  @Test
  void kedaScalesWorkersOnTheirOwnTopicsAndGroups() {
    JsonNode scaled = ofKind("ScaledObject").get(0);
    assertThat(scaled.path("spec").path("scaleTargetRef").path("name").asText())
        .isEqualTo(InferenceWorkerMain.DEFINITION.name());
    Set<String> topics = new HashSet<>();
    scaled.path("spec").path("triggers").forEach(t -> topics.add(t.path("metadata").path("topic").asText()));
    assertThat(topics).containsExactlyInAnyOrder(Topics.CLASSIFY_REQUESTS.name(), Topics.SCORE_REQUESTS.name());
    // never more workers than request partitions: the extra ones would idle
    assertThat(scaled.path("spec").path("maxReplicaCount").asInt())
        .isEqualTo(Topics.CLASSIFY_REQUESTS.defaultPartitions());
  }

  @Test
  void theDockerfileStartsEachServiceWithItsMainClass() throws IOException {
    String dockerfile = Files.readString(REPO.resolve("Dockerfile"), StandardCharsets.UTF_8);
    for (var main : List.of(GatewayMain.class, TrainerMain.class, InferenceWorkerMain.class, VisualizerMain.class)) {
      assertThat(dockerfile).contains(main.getName());
    }
  }

  /** Renders each overlay with kustomize (kubectl's), where kubectl is installed. */
  @ParameterizedTest
  @ValueSource(strings = {"local", "production"})
  void overlaysRender(String overlay) throws Exception {
    assumeTrue(kubectlAvailable(), "kubectl is not installed");
    Process p = new ProcessBuilder("kubectl", "kustomize", REPO.resolve("k8s/overlays/" + overlay).toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("kind: Deployment", "kind: KafkaTopic");
  }

  private static List<JsonNode> containers() {
    List<JsonNode> all = new ArrayList<>();
    ofKind("Deployment").forEach(d -> d.path("spec").path("template").path("spec").path("containers").forEach(all::add));
    return all;
  }

  private static String envValue(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (name.equals(e.path("name").asText())) {
        return e.path("value").asText();
      }
    }
    return null;
  }

  private static boolean kubectlAvailable() {
    try {
      Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
