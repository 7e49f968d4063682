package io.convnet.gateway;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.convnet.kit.ServiceException;
import io.convnet.kit.http.HttpErrors;
import io.convnet.kit.kafka.KafkaRequester;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Image;
import io.convnet.proto.ModelRef;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/models/{model}/classify} with the image as the raw body: the first path
 * over Kafka to the inference workers. The serving issue adds multipart, base64 JSON and
 * the TF Serving / Open Inference Protocol shapes.
 */
final class ClassifyRoute {
  private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

  private final KafkaRequester requester;

  ClassifyRoute(KafkaRequester requester) {
    this.requester = requester;
  }

  void handle(RoutingContext ctx) {
    var body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      HttpErrors.respond(ctx, ErrorCode.INVALID_ARGUMENT, "send the image (JPEG or PNG) as the request body");
      return;
    }
    String contentType = ctx.request().getHeader("content-type");
    ClassifyRequest request = ClassifyRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName(ctx.pathParam("model")))
        .addImages(Image.newBuilder().setData(ByteString.copyFrom(body.getBytes()))
            .setContentType(contentType == null ? "" : contentType))
        .build();
    requester.request(Exchanges.CLASSIFY, request).onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.respond(ctx, ar.cause());
        return;
      }
      try {
        ctx.response().putHeader("content-type", "application/json").end(JSON.print(ar.result()));
      } catch (InvalidProtocolBufferException e) {
        HttpErrors.respond(ctx, new ServiceException(ErrorCode.INTERNAL, "reply not printable as JSON", e));
      }
    });
  }
}
