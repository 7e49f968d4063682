package io.convnet.gateway.grpc;

import io.convnet.gateway.access.Access;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Setting;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.util.List;

/**
 * The gateway's gRPC server: HTTP/2 (cleartext, as stock clients' insecure channels speak it) on
 * its own port, serving TF Serving's {@code tensorflow.serving.PredictionService} and the Open
 * Inference Protocol's {@code inference.GRPCInferenceService}, under the HTTP routes' access rules.
 * Messages are bounded like HTTP bodies (a larger one is RESOURCE_EXHAUSTED); methods it does not
 * serve are UNIMPLEMENTED.
 */
public final class GrpcEndpoint {
  public static final Setting PORT = new Setting("CONVNET_GRPC_PORT", "8500",
      "gateway: port of the gRPC API (TF Serving's PredictionService, the Open Inference Protocol's "
      + "GRPCInferenceService); 0 picks a free one, as does leaving it unset with CONVNET_HTTP_PORT 0");

  private GrpcEndpoint() {
  }

  /** The port to listen on: {@link #PORT}; unset while the HTTP port is 0 (a free one, as in tests), a free one too. */
  public static int port(KitConfig config) {
    return !config.isSet(PORT) && config.httpPort() == 0 ? 0 : config.getInt(PORT);
  }

  /** Starts listening on {@code host:port}; the server closes with the Vert.x instance (or the verticle). */
  public static Future<HttpServer> start(Vertx vertx, String host, int port, long maxMessageBytes, Access access,
                                         List<GrpcService> services) {
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(maxMessageBytes));
    GrpcCalls calls = new GrpcCalls(grpc, access);
    services.forEach(s -> s.bind(calls));
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
            .setHttp2ClearTextEnabled(true))
        .requestHandler(grpc).listen();
  }
}
