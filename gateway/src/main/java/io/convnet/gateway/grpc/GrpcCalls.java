package io.convnet.gateway.grpc;

import com.google.protobuf.Message;
import com.google.protobuf.MessageLite;
import io.convnet.gateway.access.Access;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unary gRPC methods over the gateway's Future-based handlers, bound on one server under the
 * gateway's access rules: the request message and the call's deadline ({@code grpc-timeout}; the
 * request timeout when the client sets none) in, the response message or a status out. A
 * {@link ServiceException}'s code becomes the gRPC status that means the same ({@link #status});
 * its message the status message. A read's bearer token comes as the {@code authorization}
 * metadata ({@code Bearer <token>}), as with HTTP.
 */
public final class GrpcCalls {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcCalls.class);

  private final GrpcServer server;
  private final Access access;

  GrpcCalls(GrpcServer server, Access access) {
    this.server = server;
    this.access = access;
  }

  /**
   * Serves {@code service/method} to callers {@link Access#read} admits: {@code handler} gets the
   * request and how long it may take (the client's deadline, or {@code noDeadline}) and answers with
   * the response.
   */
  public <Q extends Message, R extends MessageLite> void read(String service, String method, Q prototype,
      Duration noDeadline, BiFunction<Q, Duration, Future<R>> handler) {
    bind(service, method, prototype, noDeadline, handler,
        call -> access.checkRead(call.headers().get("authorization")));
  }

  /** As {@link #read}, asking no token: the health probes (ServerLive, ServerReady), open like /v2/health/*. */
  public <Q extends Message, R extends MessageLite> void open(String service, String method, Q prototype,
      Duration noDeadline, BiFunction<Q, Duration, Future<R>> handler) {
    bind(service, method, prototype, noDeadline, handler, call -> Future.succeededFuture());
  }

  private <Q extends Message, R extends MessageLite> void bind(String service, String method, Q prototype,
      Duration noDeadline, BiFunction<Q, Duration, Future<R>> handler,
      Function<GrpcServerRequest<Q, R>, Future<Void>> admit) {
    ServiceMethod<Q, R> m = ServiceMethod.server(ServiceName.create(service), method, GrpcMessageEncoder.encoder(),
        GrpcMessageDecoder.decoder(prototype));
    server.callHandler(m, call -> {
      Future<Void> admitted = admit.apply(call);  // from the headers, while the message arrives
      call.handler(request -> {
        Duration deadline = call.timeout() > 0 ? Duration.ofMillis(call.timeout()) : noDeadline;
        admitted.compose(v -> handler.apply(request, deadline))
            .onSuccess(response -> call.response().end(response))
            .onFailure(e -> fail(call, e));
      });
    });
  }

  private static void fail(GrpcServerRequest<?, ?> call, Throwable failure) {
    ServiceException e = ServiceException.of(failure instanceof java.util.concurrent.CompletionException c
        && c.getCause() != null ? c.getCause() : failure);
    if (e.code() == ErrorCode.INTERNAL) {
      LOG.error("gRPC {} failed", call.fullMethodName(), failure);
    }
    call.response().status(status(e.code())).statusMessage(e.getMessage()).end();
  }

  /** The gRPC status that means what {@code code} means (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
  public static GrpcStatus status(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT, UNSUPPORTED_MEDIA_TYPE -> GrpcStatus.INVALID_ARGUMENT;
      case NOT_FOUND -> GrpcStatus.NOT_FOUND;
      case PAYLOAD_TOO_LARGE -> GrpcStatus.RESOURCE_EXHAUSTED;
      case BUSY, UNAVAILABLE -> GrpcStatus.UNAVAILABLE;
      case DEADLINE_EXCEEDED -> GrpcStatus.DEADLINE_EXCEEDED;
      case CANCELLED -> GrpcStatus.CANCELLED;
      case CONFLICT -> GrpcStatus.ALREADY_EXISTS;
      case UNAUTHENTICATED -> GrpcStatus.UNAUTHENTICATED;
      case PERMISSION_DENIED -> GrpcStatus.PERMISSION_DENIED;
      default -> GrpcStatus.INTERNAL;
    };
  }
}
