package io.convnet.gateway.serving;

import io.convnet.gateway.http.ModelPaths;
import io.convnet.kit.ServiceException;
import io.convnet.kit.http.HttpErrors;
import io.convnet.kit.kafka.KafkaRequester;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Image;
import io.convnet.proto.ModelRef;
import io.convnet.proto.ModelsReply;
import io.convnet.proto.ModelsRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;

/** The inference workers as the serving routes see them: classify and models over Kafka, and the HTTP answers. */
final class Workers {
  /** Seconds a client should wait before retrying a 503 (a model loading or being trained, workers busy). */
  static final String RETRY_AFTER_SECONDS = "10";

  private final KafkaRequester requester;
  private final Duration probeTimeout;

  Workers(KafkaRequester requester, Duration probeTimeout) {
    this.requester = requester;
    this.probeTimeout = probeTimeout;
  }

  Future<ClassifyReply> classify(String model, long version, List<Image> images) {
    return requester.request(Exchanges.CLASSIFY, ClassifyRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName(model).setVersion(version)).addAllImages(images).build());
  }

  Future<ModelsReply> models(String model, long version) {
    return requester.request(Exchanges.MODELS, ModelsRequest.newBuilder().setName(model).setVersion(version).build());
  }

  /** For health and readiness probes: answers within {@code probeTimeout} or fails. */
  Future<ModelsReply> probe(String model, long version) {
    return requester.request(Exchanges.MODELS, ModelsRequest.newBuilder().setName(model).setVersion(version).build(),
        probeTimeout);
  }

  static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("content-type", "application/json").end(body.encode());
  }

  /** The path's version (0 without one), or null once a 400 has been sent for a bad one. */
  static Long versionOrFail(RoutingContext ctx) {
    try {
      return ModelPaths.version(ctx);
    } catch (RuntimeException e) {
      fail(ctx, e);
      return null;
    }
  }

  /** The JSON error body everyone uses; 503 says when to retry. */
  static void fail(RoutingContext ctx, Throwable failure) {
    ServiceException e = ServiceException.of(failure instanceof java.util.concurrent.CompletionException c
        && c.getCause() != null ? c.getCause() : failure);
    if (!ctx.response().headWritten() && HttpErrors.status(e.code()) == 503) {
      ctx.response().putHeader("retry-after", RETRY_AFTER_SECONDS);
    }
    HttpErrors.respond(ctx, e);
  }

  /** A float as JSON shows it: 0.97, not 0.9700000286102295. */
  static double number(float f) {
    return Double.parseDouble(Float.toString(f));
  }
}
