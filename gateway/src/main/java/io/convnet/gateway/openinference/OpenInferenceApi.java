package io.convnet.gateway.openinference;

import io.convnet.gateway.grpc.GrpcService;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.gateway.serving.RequestImages;
import io.convnet.gateway.serving.ServingLimits;
import io.convnet.gateway.serving.Workers;
import io.convnet.kit.http.Health;

/** The Open Inference Protocol on the gateway: its REST routes and its gRPC GRPCInferenceService, over one core. */
public final class OpenInferenceApi {
  private final OpenInference v2;

  /**
   * @param health        the gateway's own readiness, part of server readiness
   * @param serverVersion the version server metadata reports
   */
  public OpenInferenceApi(Workers workers, RequestImages images, Health health, String serverVersion) {
    this.v2 = new OpenInference(workers, images, health, serverVersion);
  }

  public RouteGroup routes(ServingLimits limits) {
    return new OpenInferenceRoutes(v2, limits);
  }

  /** {@code inference.GRPCInferenceService}. */
  public GrpcService grpc() {
    return new OpenInferenceGrpc(v2);
  }
}
