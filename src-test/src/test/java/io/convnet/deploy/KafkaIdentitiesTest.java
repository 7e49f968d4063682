package io.convnet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.convnet.gateway.GatewayMain;
import io.convnet.kafka.local.LocalKafkaBroker;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.kafka.KafkaSecurity;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceLauncher;
import io.convnet.proto.Topic;
import io.convnet.proto.Topics;
import io.convnet.trainer.TrainerMain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka identities of k8s/base/kafka-users.yaml on a real broker that authenticates every
 * client (SASL/SCRAM-SHA-512) and authorizes with Kafka's own StandardAuthorizer, deny by
 * default: this test does what Strimzi's operators would (creates the topics, the SCRAM users
 * and exactly the manifest's ACLs), then runs services with their own credentials, taken from
 * the environment as on Kubernetes.
 */
class KafkaIdentitiesTest {
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static LocalKafkaBroker broker;
  private static final Map<String, String> passwords = new LinkedHashMap<>();

  @BeforeAll
  static void brokerWithTheManifestsUsersAndAcls() throws Exception {
    broker = LocalKafkaBroker.startSecured("admin-" + UUID.randomUUID());
    try (Admin admin = Admin.create(broker.adminClientProperties())) {
      // Strimzi's topic operator: every KafkaTopic.
      admin.createTopics(Topics.ALL.stream()
          .map(t -> new NewTopic(t.name(), t.defaultPartitions(), (short) 1)).toList()).all().get(30, TimeUnit.SECONDS);
      // Strimzi's user operator: a SCRAM credential and the ACLs of each KafkaUser.
      List<AclBinding> acls = new ArrayList<>();
      for (JsonNode user : kafkaUsers()) {
        String name = user.path("metadata").path("name").asText();
        passwords.put(name, UUID.randomUUID().toString());
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(name,
            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), passwords.get(name)))).all().get(30, TimeUnit.SECONDS);
        for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
          JsonNode resource = acl.path("resource");
          ResourcePattern pattern = new ResourcePattern(ResourceType.valueOf(snake(resource.path("type").asText())),
              resource.path("name").asText(),
              resource.path("patternType").asText("literal").equals("prefix") ? PatternType.PREFIXED : PatternType.LITERAL);
          for (JsonNode operation : acl.path("operations")) {
            acls.add(new AclBinding(pattern, new AccessControlEntry("User:" + name, acl.path("host").asText("*"),
                AclOperation.valueOf(snake(operation.asText())),
                acl.path("type").asText("allow").equals("deny") ? AclPermissionType.DENY : AclPermissionType.ALLOW)));
          }
        }
      }
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
    assertThat(passwords).containsKeys("gateway", "trainer-service", "inference-worker", "visualizer-service",
        "score-client", "keda-scaler");
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void gatewayAndTrainerWorkWithTheirOwnCredentials(@TempDir Path dir) throws Exception {
    RunningService trainer = start(TrainerMain.DEFINITION, dir);
    RunningService gateway = start(GatewayMain.DEFINITION, dir);
    try {
      // Ready: Kafka reachable, every topic verified (not created), groups joined, reply partitions owned.
      awaitReady(trainer);
      awaitReady(gateway);
      // The status exchange crosses both identities: the gateway writes pings, the trainer reads
      // them and writes its pong to the replies topic, the gateway reads it in its reply group.
      // Gathered within CONVNET_STATUS_WINDOW_MS: asked again until every instance answered, as run.sh does.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      HttpResponse<String> cluster = get(gateway, "/v1/cluster");
      while (!cluster.body().contains("\"count\":2") && System.nanoTime() < until) {
        Thread.sleep(500);
        cluster = get(gateway, "/v1/cluster");
      }
      assertThat(cluster.statusCode()).isEqualTo(200);
      assertThat(cluster.body()).contains("\"count\":2", "\"service\":\"trainer-service\"", "\"service\":\"gateway\"");
    } finally {
      gateway.close(Duration.ofSeconds(2)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      trainer.close(Duration.ofSeconds(2)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void onlyTheTrainerMayWriteModels() throws Exception {
    assertThat(send("trainer-service", Topics.MODELS)).isTrue();
    for (String user : List.of("gateway", "inference-worker", "visualizer-service", "score-client", "keda-scaler")) {
      assertThatThrownBy(() -> send(user, Topics.MODELS)).as(user)
          .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void onlyGatewaysWriteClassifyRequestsAndScoringProducersHaveTheirOwnUser() throws Exception {
    assertThat(send("gateway", Topics.CLASSIFY_REQUESTS)).isTrue();
    assertThatThrownBy(() -> send("score-client", Topics.CLASSIFY_REQUESTS))
        .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    assertThat(send("score-client", Topics.SCORE_REQUESTS)).isTrue();
    assertThatThrownBy(() -> send("gateway", Topics.SCORE_REQUESTS))
        .hasRootCauseInstanceOf(TopicAuthorizationException.class);
  }

  @Test
  void aWrongPasswordIsRefused() {
    passwords.put("intruder", "guess");
    assertThatThrownBy(() -> send("intruder", Topics.MODELS)).hasRootCauseInstanceOf(SaslAuthenticationException.class);
  }

  /** Sends one record as {@code user} through the kit's own security settings; true once acknowledged. */
  private static boolean send(String user, Topic<?> topic) throws Exception {
    Map<String, Object> props = new HashMap<>(KafkaSecurity.clientProperties(
        new KitConfig(user, 0, credentials(user))));
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic.name(), "key", "not a real record")).get(20, TimeUnit.SECONDS);
      return true;
    }
  }

  private static Map<String, String> credentials(String user) {
    return Map.of("CONVNET_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
        "CONVNET_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
        "CONVNET_KAFKA_SASL_USERNAME", user,
        "CONVNET_KAFKA_SASL_PASSWORD", passwords.get(user));
  }

  private static RunningService start(ServiceDefinition service, Path dir) throws Exception {
    Map<String, String> env = new HashMap<>(credentials(service.name()));
    env.put("CONVNET_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("CONVNET_KAFKA_CREATE_TOPICS", "false");
    env.put("CONVNET_HTTP_HOST", "127.0.0.1");
    env.put("CONVNET_HTTP_PORT", "0");
    env.put("CONVNET_INSTANCE_ID", service.name() + "-identities-test");
    env.put("CONVNET_MODEL_STORE", Files.createDirectories(dir.resolve("models")).toString());
    env.put("CONVNET_DATA_ROOT", Files.createDirectories(dir.resolve("data")).toString());
    return ServiceLauncher.start(service, new KitConfig(service.name(), 0, env))
        .toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
  }

  private static void awaitReady(RunningService service) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    HttpResponse<String> last = get(service, "/health/ready");
    while (last.statusCode() != 200 && System.nanoTime() < until) {
      Thread.sleep(200);
      last = get(service, "/health/ready");
    }
    assertThat(last.statusCode()).as(last.body()).isEqualTo(200);
  }

  private static HttpResponse<String> get(RunningService service, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<JsonNode> kafkaUsers() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (var parser = new YAMLFactory().createParser(REPO.resolve("k8s/base/kafka-users.yaml").toFile())) {
      return yaml.readValues(parser, JsonNode.class).readAll().stream()
          .filter(n -> n != null && "KafkaUser".equals(n.path("kind").asText())).toList();
    }
  }

  /** "transactionalId" -> "TRANSACTIONAL_ID", "Write" -> "WRITE": Strimzi's spelling to Kafka's enums. */
  private static String snake(String camel) {
    return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }
}
