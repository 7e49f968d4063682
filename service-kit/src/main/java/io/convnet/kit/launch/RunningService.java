package io.convnet.kit.launch;

import io.convnet.kit.kafka.KafkaRequester;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A started service instance and its graceful stop. */
public final class RunningService {
  private static final Logger LOG = LoggerFactory.getLogger(RunningService.class);

  private final ServiceKit kit;
  private final KafkaRequester requester;
  private final HttpServer server;
  private Future<Void> closing;

  RunningService(ServiceKit kit, KafkaRequester requester, HttpServer server) {
    this.kit = kit;
    this.requester = requester;
    this.server = server;
  }

  public ServiceKit kit() {
    return kit;
  }

  /** The HTTP port actually bound (useful with port 0 in tests). */
  public int httpPort() {
    return server.actualPort();
  }

  /**
   * Stops taking work (not ready, new requests refused), lets in-flight work finish up to
   * {@code grace}, leaves the consumer groups so partitions move to the survivors at once,
   * closes the HTTP server, the Kafka clients and Vert.x.
   */
  public synchronized Future<Void> close(Duration grace) {
    if (closing == null) {
      closing = doClose(grace);
    }
    return closing;
  }

  private Future<Void> doClose(Duration grace) {
    LOG.info("{} stopping (grace {} ms)", kit.instanceId(), grace.toMillis());
    kit.health().stopping();
    kit.kafka().close();
    List<Future<Void>> draining = new ArrayList<>();
    draining.add(kit.responder().close(grace));
    if (requester != null) {
      draining.add(requester.close(grace));
    }
    return Future.join(draining).transform(ignored -> server.close())
        .transform(ignored -> kit.vertx().executeBlocking(() -> {
          kit.producer().close(Duration.ofSeconds(5));
          kit.admin().close(Duration.ofSeconds(5));
          kit.clients().close();
          return null;
        }))
        .transform(ignored -> kit.vertx().close())
        .onComplete(ar -> LOG.info("{} stopped", kit.instanceId()));
  }
}
