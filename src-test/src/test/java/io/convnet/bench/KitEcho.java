package io.convnet.bench;

import io.convnet.kafka.local.LocalKafkaBroker;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.http.HttpErrors;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceLauncher;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.Exchanges;
import io.convnet.proto.ModelRef;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.Map;

/**
 * The same trip through the service kit: a gateway-like service whose route asks over
 * {@code KafkaRequester} (CLASSIFY exchange, real headers, protobuf, metrics, limits) and a
 * worker-like service answering with {@code KafkaResponder}; both started by the launcher.
 */
final class KitEcho implements AutoCloseable {
  private final RunningService gateway;
  private final RunningService worker;

  KitEcho(String bootstrap) {
    worker = LoadGenerator.await(ServiceLauncher.start(
        new ServiceDefinition("bench-worker", 0, false, kit -> new VerticleBase() {
          @Override
          public Future<?> start() {
            return kit.responder().serve(Exchanges.CLASSIFY, request -> Future.succeededFuture(
                ClassifyReply.newBuilder().setModel(request.getModel()).build()));
          }
        }), config("bench-worker", bootstrap, 0)));
    gateway = LoadGenerator.await(ServiceLauncher.start(
        new ServiceDefinition("bench-gateway", 0, true, kit -> new VerticleBase() {
          @Override
          public Future<?> start() {
            kit.router().post("/echo").handler(ctx -> ctx.request().body().onSuccess(body -> kit.requester()
                .request(Exchanges.CLASSIFY, ClassifyRequest.newBuilder()
                    .setModel(ModelRef.newBuilder().setName(body.toString())).build())
                .onComplete(ar -> {
                  if (ar.failed()) {
                    HttpErrors.respond(ctx, ar.cause());
                  } else {
                    ctx.response().end(ar.result().getModel().getName());
                  }
                })));
            return Future.succeededFuture();
          }
        }), config("bench-gateway", bootstrap, LocalKafkaBroker.freePort())));
  }

  private static KitConfig config(String service, String bootstrap, int port) {
    return new KitConfig(service, port, Map.of(
        "CONVNET_KAFKA_BOOTSTRAP_SERVERS", bootstrap,
        "CONVNET_HTTP_HOST", "127.0.0.1",
        "CONVNET_INSTANCE_ID", service));
  }

  int port() {
    return gateway.httpPort();
  }

  @Override
  public void close() {
    LoadGenerator.await(gateway.close(Duration.ofSeconds(2)));
    LoadGenerator.await(worker.close(Duration.ofSeconds(2)));
  }
}
