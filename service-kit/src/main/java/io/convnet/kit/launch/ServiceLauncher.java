package io.convnet.kit.launch;

import io.convnet.kit.ServiceException;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.kit.http.CachedCheck;
import io.convnet.kit.http.Health;
import io.convnet.kit.http.HttpErrors;
import io.convnet.kit.http.HttpServers;
import io.convnet.kit.http.Metrics;
import io.convnet.kit.kafka.KafkaClients;
import io.convnet.kit.kafka.KafkaFutures;
import io.convnet.kit.kafka.KafkaRequester;
import io.convnet.kit.kafka.KafkaResponder;
import io.convnet.kit.kafka.KafkaWatch;
import io.convnet.kit.kafka.Publish;
import io.convnet.kit.kafka.TopicSetup;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.StatusPong;
import io.convnet.proto.Topic;
import io.convnet.proto.Topics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.logging.log4j.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The one way to start a service: Vert.x with Prometheus metrics, the topics, health and
 * metrics routes, the status responder every instance has, a requester when the service
 * asks others, the service's verticle, then the HTTP server (only once replies can reach
 * this instance). {@link #run} adds signals: SIGTERM/SIGINT stop it gracefully, exit 0.
 */
public final class ServiceLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceLauncher.class);
  private static final long READY_GAUGE_PERIOD_MS = 5_000;

  private ServiceLauncher() {
  }

  /** For a service's {@code main}: configuration from the environment, runs until SIGTERM/SIGINT. */
  public static void run(ServiceDefinition definition) {
    KitConfig config = KitConfig.fromEnvironment(definition.name(), definition.defaultHttpPort());
    RunningService running;
    try {
      running = start(definition, config).toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      LOG.error("{} could not start", definition.name(), e);
      LogManager.shutdown();
      System.exit(1);
      return;
    }
    LOG.info("{} {} ready on http://{}:{}/ (health /health/ready, metrics /metrics)",
        definition.name(), config.instanceId(), config.httpHost(), running.httpPort());
    Duration grace = config.millis(Settings.SHUTDOWN_GRACE_MS);
    AtomicBoolean stopping = new AtomicBoolean();
    SignalHandler onSignal = signal -> {
      if (!stopping.compareAndSet(false, true)) {
        return;  // already stopping; a stuck stop is cut short by its own deadline below
      }
      Thread stopper = new Thread(() -> {
        int status = 0;
        try {
          running.close(grace).toCompletionStage().toCompletableFuture().get(grace.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          LOG.error("{} did not stop cleanly", definition.name(), e);
          status = 1;
        }
        LogManager.shutdown();
        System.exit(status);
      }, "convnet-shutdown");
      stopper.start();
    };
    // A plain shutdown hook would exit 143 on SIGTERM: handle the signals ourselves.
    Signal.handle(new Signal("TERM"), onSignal);
    Signal.handle(new Signal("INT"), onSignal);
  }

  /** Starts a service in this JVM (tests and benchmarks start several side by side). */
  public static Future<RunningService> start(ServiceDefinition definition, KitConfig config) {
    long startedMs = System.currentTimeMillis();
    PrometheusMeterRegistry registry = Metrics.registry(definition.name());
    Vertx vertx = Metrics.vertx(registry);
    KafkaClients clients = new KafkaClients(config, registry);
    Admin admin = clients.admin();
    Producer<String, byte[]> producer = clients.producer("out", EVENT_LOOP_PRODUCER);
    Context context = vertx.getOrCreateContext();
    KafkaWatch kafka = new KafkaWatch(vertx, context, admin, producer, config);
    Future<RunningService> started = Future.<Void>future(p -> context.runOnContext(v -> p.complete()))
        .compose(v -> vertx.executeBlocking(() -> {
          ensureTopics(admin, config);
          // The producer never waits for metadata on an event loop: it must know every topic before the first send.
          Publish.awaitMetadata(producer, Topics.ALL, config.millis(Settings.STARTUP_TIMEOUT_MS));
          return null;
        }))
        .compose(v -> {
          Router router = Router.router(vertx);
          HttpErrors.install(router);
          Health health = new Health();
          health.mount(router);
          health.publish(registry);
          vertx.setPeriodic(READY_GAUGE_PERIOD_MS, t -> health.evaluate());
          router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
          kafka.start();
          registerKafkaChecks(health, kafka, admin, config, context);
          KafkaResponder responder = new KafkaResponder(vertx, clients, producer, registry);
          health.register("responders", responder::check);
          KafkaRequester requester = definition.requestsOverKafka()
              ? new KafkaRequester(vertx, clients, producer, kafka, registry) : null;
          if (requester != null) {
            health.register("replies", () -> requester.ready() ? Future.succeededFuture()
                : Future.failedFuture("owns no partition of " + Topics.REPLIES.name() + " yet"));
          }
          ServiceKit kit = new ServiceKit(definition, config, vertx, registry, clients, admin, producer, kafka, router,
              health, responder, requester, startedMs);
          return responder.serve(Exchanges.STATUS, ping -> health.evaluate()
                  .map(h -> pong(kit, "UP".equals(h.getString("status")))))
              .compose(x -> requester == null ? Future.succeededFuture()
                  : requester.whenReady().timeout(config.getInt(Settings.STARTUP_TIMEOUT_MS), TimeUnit.MILLISECONDS))
              .compose(x -> vertx.deployVerticle(definition.verticle().apply(kit)))
              .compose(x -> HttpServers.listen(vertx, config, router))
              .map(server -> new RunningService(kit, requester, server));
        });
    return started.recover(e -> vertx.close().transform(x -> {
      kafka.close();
      producer.close(Duration.ZERO);
      admin.close(Duration.ZERO);
      clients.close();
      return Future.failedFuture(e);
    }));
  }

  /** Kafka may still be starting (run.sh, Kubernetes): retry until the start-up timeout. */
  private static void ensureTopics(Admin admin, KitConfig config) throws Exception {
    long until = System.currentTimeMillis() + config.getInt(Settings.STARTUP_TIMEOUT_MS);
    while (true) {
      try {
        TopicSetup.ensureTopics(admin, config, 2L * TOPICS_CHECK_TIMEOUT_MS);
        return;
      } catch (Exception e) {
        if (System.currentTimeMillis() > until) {
          throw new ServiceException(ErrorCode.UNAVAILABLE,
              "Kafka at " + config.bootstrapServers() + " unreachable or topics not created: " + e, e);
        }
        LOG.warn("waiting for Kafka at {}: {}", config.bootstrapServers(), e.toString());
        Thread.sleep(1_000);
      }
    }
  }

  /** Readiness never waits for Kafka: the watch's state, and the last topic listing while the next one runs. */
  private static void registerKafkaChecks(Health health, KafkaWatch kafka, Admin admin, KitConfig config,
                                          Context context) {
    health.register("kafka", kafka::check);
    List<String> expected = Topics.ALL.stream().map(Topic::name).toList();
    ListTopicsOptions options = new ListTopicsOptions().timeoutMs(TOPICS_CHECK_TIMEOUT_MS);
    CachedCheck topics = new CachedCheck(Duration.ofSeconds(5), () -> KafkaFutures.on(context,
        admin.listTopics(options).names())
        .compose(names -> {
          List<String> missing = expected.stream().filter(t -> !names.contains(t)).toList();
          return missing.isEmpty() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture("missing " + missing);
        }));
    topics.get();  // the first listing now: no probe waits for it later
    health.register("topics", topics);
  }

  /**
   * The kit's producer serves event loops: a send never waits (no metadata means Kafka is
   * unreachable: refused at once; every topic's metadata is fetched at start and kept), and a
   * record Kafka does not take in 10 s fails rather than waiting the default two minutes.
   */
  private static final Map<String, Object> EVENT_LOOP_PRODUCER = Map.of(
      ProducerConfig.MAX_BLOCK_MS_CONFIG, 0,
      ProducerConfig.METADATA_MAX_IDLE_CONFIG, Integer.MAX_VALUE,
      ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
      ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);

  /** Reachability is the watch's job: listing topics may take its time. */
  private static final int TOPICS_CHECK_TIMEOUT_MS = 5_000;

  private static StatusPong pong(ServiceKit kit, boolean ready) {
    long now = System.currentTimeMillis();
    return StatusPong.newBuilder()
        .setService(kit.service())
        .setInstanceId(kit.instanceId())
        .setVersion(kit.version())
        .setStartedMs(kit.startedMs())
        .setUptimeMs(now - kit.startedMs())
        .setHost(KitConfig.hostName())
        .setReady(ready)
        .putAllDetails(kit.statusDetails())
        .build();
  }
}
