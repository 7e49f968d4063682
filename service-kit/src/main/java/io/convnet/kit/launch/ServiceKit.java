package io.convnet.kit.launch;

import io.convnet.kit.config.KitConfig;
import io.convnet.kit.http.Health;
import io.convnet.kit.kafka.KafkaClients;
import io.convnet.kit.kafka.KafkaRequester;
import io.convnet.kit.kafka.KafkaResponder;
import io.convnet.kit.kafka.KafkaWatch;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;

/** Everything the launcher prepared for one service instance. */
public final class ServiceKit {
  private final ServiceDefinition definition;
  private final KitConfig config;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final KafkaClients clients;
  private final Admin admin;
  private final Producer<String, byte[]> producer;
  private final KafkaWatch kafka;
  private final Router router;
  private final Health health;
  private final KafkaResponder responder;
  private final KafkaRequester requester;
  private final long startedMs;
  private final Map<String, String> statusDetails = new ConcurrentHashMap<>();

  ServiceKit(ServiceDefinition definition, KitConfig config, Vertx vertx, PrometheusMeterRegistry registry,
             KafkaClients clients, Admin admin, Producer<String, byte[]> producer, KafkaWatch kafka, Router router,
             Health health,
             KafkaResponder responder, KafkaRequester requester, long startedMs) {
    this.definition = definition;
    this.config = config;
    this.vertx = vertx;
    this.registry = registry;
    this.clients = clients;
    this.admin = admin;
    this.producer = producer;
    this.kafka = kafka;
    this.router = router;
    this.health = health;
    this.responder = responder;
    this.requester = requester;
    this.startedMs = startedMs;
  }

  public String service() {
    return definition.name();
  }

  public String instanceId() {
    return config.instanceId();
  }

  public String version() {
    return Version.get();
  }

  public long startedMs() {
    return startedMs;
  }

  public KitConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Creates further Kafka clients (e.g. a transactional producer), metered like the kit's own. */
  public KafkaClients clients() {
    return clients;
  }

  public Admin admin() {
    return admin;
  }

  /**
   * The kit's shared producer ({@code linger.ms=0}); thread-safe. It never blocks (also on an
   * event loop): without a broker a send fails at once, see {@link io.convnet.kit.kafka.Publish#send}.
   */
  public Producer<String, byte[]> producer() {
    return producer;
  }

  /** Whether Kafka is reachable, from cached state. */
  public KafkaWatch kafka() {
    return kafka;
  }

  /** Routes of this service's HTTP port (health and metrics are already there). */
  public Router router() {
    return router;
  }

  /** Add readiness checks here, e.g. "model" until a model is loaded. */
  public Health health() {
    return health;
  }

  public KafkaResponder responder() {
    return responder;
  }

  public KafkaRequester requester() {
    if (requester == null) {
      throw new IllegalStateException(definition.name() + " was not defined with requestsOverKafka");
    }
    return requester;
  }

  /** Service specific facts shown in its status reply, e.g. "models" -> "cats-vs-dogs:3". */
  public Map<String, String> statusDetails() {
    return statusDetails;
  }
}
