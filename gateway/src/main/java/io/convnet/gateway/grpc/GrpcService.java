package io.convnet.gateway.grpc;

import io.vertx.grpc.server.GrpcServer;

/** A gRPC service of the gateway: binds its methods ({@link GrpcCalls#unary}) on the gateway's gRPC server. */
public interface GrpcService {
  void bind(GrpcServer server);
}
