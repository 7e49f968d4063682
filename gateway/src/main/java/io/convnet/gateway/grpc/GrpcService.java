package io.convnet.gateway.grpc;

/** A gRPC service of the gateway: binds its methods ({@link GrpcCalls#read}, {@link GrpcCalls#open}). */
public interface GrpcService {
  void bind(GrpcCalls calls);
}
