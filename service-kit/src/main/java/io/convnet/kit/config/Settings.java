package io.convnet.kit.config;

import io.convnet.proto.Topic;
import io.convnet.proto.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Every setting of the kit, in one place; docs/configuration.md documents each (a test checks it). */
public final class Settings {
  private Settings() {
  }

  public static final Setting KAFKA_BOOTSTRAP_SERVERS = new Setting("CONVNET_KAFKA_BOOTSTRAP_SERVERS",
      "localhost:9092", "Kafka brokers to connect to");
  public static final Setting HTTP_HOST = new Setting("CONVNET_HTTP_HOST",
      "0.0.0.0", "address the HTTP server (API, health, metrics) binds to");
  public static final Setting HTTP_PORT = new Setting("CONVNET_HTTP_PORT",
      "gateway 8080, trainer 8081, inference-worker 8082, visualizer 8084",
      "HTTP port: the gateway's API, and every service's /health and /metrics");
  public static final Setting INSTANCE_ID = new Setting("CONVNET_INSTANCE_ID",
      "<service>-<host>-<pid>", "this instance's name in /v1/cluster, client ids and logs");
  public static final Setting REQUEST_TIMEOUT_MS = new Setting("CONVNET_REQUEST_TIMEOUT_MS",
      "10000", "how long a request over Kafka waits for its reply (then 504 DEADLINE_EXCEEDED)");
  public static final Setting STATUS_WINDOW_MS = new Setting("CONVNET_STATUS_WINDOW_MS",
      "500", "how long GET /v1/cluster gathers status replies, and GET /v1/models/{name} the workers' traffic figures");
  public static final Setting MAX_IN_FLIGHT = new Setting("CONVNET_MAX_IN_FLIGHT",
      "256", "requests over Kafka one instance may have waiting for replies; beyond it 503 BUSY at once");
  public static final Setting RESPONDER_CONCURRENCY = new Setting("CONVNET_RESPONDER_CONCURRENCY",
      "64", "requests a serving instance handles at once per exchange; beyond it its partitions pause");
  public static final Setting REPLY_GROUP = new Setting("CONVNET_REPLY_GROUP",
      "<service>-replies", "consumer group sharing the replies topic among a service's instances");
  public static final Setting KAFKA_CHECK_TIMEOUT_MS = new Setting("CONVNET_KAFKA_CHECK_TIMEOUT_MS",
      "500", "timeout of the Kafka reachability probe behind /health/ready and the fast 503s while Kafka is down");
  public static final Setting KAFKA_CHECK_INTERVAL_MS = new Setting("CONVNET_KAFKA_CHECK_INTERVAL_MS",
      "250", "pause between Kafka reachability probes; while Kafka is down, requests over it get 503 at once");
  public static final Setting REQUEST_RESEND_MS = new Setting("CONVNET_REQUEST_RESEND_MS",
      "1000", "a classify or models request unanswered this long, while no reply came from its partition, is sent "
      + "again to another partition, i.e. another instance (0: never)");
  public static final Setting STARTUP_TIMEOUT_MS = new Setting("CONVNET_STARTUP_TIMEOUT_MS",
      "60000", "how long a service waits at start for Kafka, its topics and its reply partitions");
  public static final Setting REPLICATION_FACTOR = new Setting("CONVNET_REPLICATION_FACTOR",
      "1", "replication factor of the topics the kit creates (with fewer replicas it warns)");
  public static final Setting KAFKA_CREATE_TOPICS = new Setting("CONVNET_KAFKA_CREATE_TOPICS",
      "true", "create missing topics at start; false where an operator owns them (Strimzi's topic operator): "
      + "then a service only verifies they exist and waits for them");
  /** Room for one largest image base64-encoded in a JSON body (4/3 of it), plus the rest of the record. */
  public static final Setting MAX_MESSAGE_BYTES = new Setting("CONVNET_MAX_MESSAGE_BYTES",
      "25165824", "largest Kafka record (topic max.message.bytes, producer max.request.size); bounds a JSON or "
      + "multipart body of several images");
  /** Phone photos: a 12 MP JPEG is 2-5 MB, a 50 MP one or a high-quality 12 MP one 10-15 MB. */
  public static final Setting MAX_IMAGE_BYTES = new Setting("CONVNET_MAX_IMAGE_BYTES",
      "16777216", "largest image that travels inline; larger HTTP bodies get 413 PAYLOAD_TOO_LARGE");
  public static final Setting MAX_IMAGES_PER_REQUEST = new Setting("CONVNET_MAX_IMAGES_PER_REQUEST",
      "64", "most images in one classify, predict or infer request, checked by the gateway (before a worker is "
      + "asked) and by the workers (before decoding); more get 413 PAYLOAD_TOO_LARGE");
  public static final Setting HTTP_HEADER_TIMEOUT_MS = new Setting("CONVNET_HTTP_HEADER_TIMEOUT_MS",
      "10000", "how long a new connection may take to send its first request's headers; then it is closed "
      + "(slow-header clients)");
  public static final Setting HTTP_IDLE_TIMEOUT_MS = new Setting("CONVNET_HTTP_IDLE_TIMEOUT_MS",
      "120000", "a keep-alive connection gets this long after a request for the next one's headers, and any "
      + "connection with no bytes either way this long is closed (above every reply wait)");
  public static final Setting SHUTDOWN_GRACE_MS = new Setting("CONVNET_SHUTDOWN_GRACE_MS",
      "10000", "on SIGTERM: how long in-flight work may take before it is failed");
  public static final Setting MODEL_STORE = new Setting("CONVNET_MODEL_STORE",
      "./models", "model store root: <store>/<model>/<version>/");
  public static final Setting DATA_ROOT = new Setting("CONVNET_DATA_ROOT",
      "./data", "root directory of training data and images passed by reference");
  /** Phone photos cross Kafka twice when inline (producer to broker to worker): a shared folder spares that. */
  public static final Setting UPLOAD_DIR = new Setting("CONVNET_UPLOAD_DIR", "",
      "folder shared by the gateway, inference workers and visualizers: images larger than "
      + "CONVNET_INLINE_IMAGE_MAX_BYTES are staged there and travel by name (empty: every image inline)");
  public static final Setting INLINE_IMAGE_MAX_BYTES = new Setting("CONVNET_INLINE_IMAGE_MAX_BYTES", "1048576",
      "largest image that travels inline when an upload folder is set; larger ones are staged there");
  public static final Setting TRAIN_PROGRESS_INTERVAL_MS = new Setting("CONVNET_TRAIN_PROGRESS_INTERVAL_MS",
      "500", "trainer: at most one batch-progress event per job per interval (plus each epoch's last batch)");
  public static final Setting SSE_HEARTBEAT_MS = new Setting("CONVNET_SSE_HEARTBEAT_MS",
      "15000", "gateway: comment heartbeat interval on server-sent event streams (training job events)");

  // The standard Kafka client security settings, CONVNET_KAFKA_<PROPERTY> (KafkaSecurity).
  public static final Setting KAFKA_SECURITY_PROTOCOL = kafkaClient("security.protocol",
      "PLAINTEXT", "Kafka client security.protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
  public static final Setting KAFKA_SASL_MECHANISM = kafkaClient("sasl.mechanism",
      "", "Kafka client sasl.mechanism (SCRAM-SHA-512 when only a user name and password are given)");
  public static final Setting KAFKA_SASL_JAAS_CONFIG = kafkaClient("sasl.jaas.config",
      "", "Kafka client sasl.jaas.config (the key of the same name in a Strimzi KafkaUser secret)");
  public static final Setting KAFKA_SASL_USERNAME = new Setting("CONVNET_KAFKA_SASL_USERNAME",
      "", "instead of the JAAS line: the SASL user name (SCRAM or PLAIN)");
  public static final Setting KAFKA_SASL_PASSWORD = new Setting("CONVNET_KAFKA_SASL_PASSWORD",
      "", "instead of the JAAS line: the SASL password");
  public static final List<Setting> KAFKA_CLIENT_SECURITY = List.of(KAFKA_SECURITY_PROTOCOL,
      KAFKA_SASL_MECHANISM, KAFKA_SASL_JAAS_CONFIG,
      kafkaClient("ssl.truststore.location", "", "Kafka client ssl.truststore.location (e.g. the cluster CA's ca.crt)"),
      kafkaClient("ssl.truststore.type", "", "Kafka client ssl.truststore.type (PEM, PKCS12, JKS)"),
      kafkaClient("ssl.truststore.password", "", "Kafka client ssl.truststore.password"),
      kafkaClient("ssl.keystore.location", "", "Kafka client ssl.keystore.location (mutual TLS)"),
      kafkaClient("ssl.keystore.type", "", "Kafka client ssl.keystore.type"),
      kafkaClient("ssl.keystore.password", "", "Kafka client ssl.keystore.password"),
      kafkaClient("ssl.key.password", "", "Kafka client ssl.key.password"),
      kafkaClient("ssl.endpoint.identification.algorithm", "", "Kafka client ssl.endpoint.identification.algorithm"));

  private static Setting kafkaClient(String property, String defaultValue, String meaning) {
    return new Setting("CONVNET_KAFKA_" + property.toUpperCase(Locale.ROOT).replace('.', '_'), defaultValue, meaning);
  }

  /** Partitions of a topic when the kit creates it: {@code CONVNET_PARTITIONS_CLASSIFY_REQUESTS} etc. */
  public static Setting partitions(Topic<?> topic) {
    String suffix = topic.name().replaceFirst("^convnet\\.", "").replaceAll("[.-]", "_").toUpperCase(Locale.ROOT);
    String meaning = "partitions of " + topic.name() + (topic == Topics.REPLIES
        ? " (must be >= the number of requesting instances)" : "");
    return new Setting("CONVNET_PARTITIONS_" + suffix, String.valueOf(topic.defaultPartitions()), meaning);
  }

  public static final List<Setting> ALL = all();

  private static List<Setting> all() {
    List<Setting> all = new ArrayList<>(List.of(KAFKA_BOOTSTRAP_SERVERS, HTTP_HOST, HTTP_PORT, INSTANCE_ID,
        REQUEST_TIMEOUT_MS, REQUEST_RESEND_MS, STATUS_WINDOW_MS, MAX_IN_FLIGHT, RESPONDER_CONCURRENCY, REPLY_GROUP,
        KAFKA_CHECK_TIMEOUT_MS, KAFKA_CHECK_INTERVAL_MS, STARTUP_TIMEOUT_MS, REPLICATION_FACTOR, KAFKA_CREATE_TOPICS,
        MAX_MESSAGE_BYTES, MAX_IMAGE_BYTES, MAX_IMAGES_PER_REQUEST, HTTP_HEADER_TIMEOUT_MS, HTTP_IDLE_TIMEOUT_MS, SHUTDOWN_GRACE_MS,
        MODEL_STORE, DATA_ROOT, UPLOAD_DIR, INLINE_IMAGE_MAX_BYTES, TRAIN_PROGRESS_INTERVAL_MS, SSE_HEARTBEAT_MS, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD));
    all.addAll(KAFKA_CLIENT_SECURITY);
    Topics.ALL.forEach(t -> all.add(partitions(t)));
    return List.copyOf(all);
  }
}
