package io.convnet.gateway.tfserving;

import io.convnet.gateway.grpc.GrpcService;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.gateway.serving.ClassifyRoute;
import io.convnet.gateway.serving.RequestImages;
import io.convnet.gateway.serving.ServingLimits;
import io.convnet.gateway.serving.VersionLabels;
import io.convnet.gateway.serving.Workers;

/** TensorFlow Serving's API on the gateway: its REST routes and its gRPC PredictionService, over one core. */
public final class TfServingApi {
  private final TfServing tf;

  public TfServingApi(Workers workers, RequestImages images, VersionLabels labels) {
    this.tf = new TfServing(workers, new TfInputs(images), labels);
  }

  /** The REST routes; {@code ownClassify} answers {@code :classify} bodies that are not TF Serving's. */
  public RouteGroup routes(ClassifyRoute ownClassify, ServingLimits limits) {
    return new TfServingRoutes(tf, ownClassify, limits);
  }

  /** {@code tensorflow.serving.PredictionService}. */
  public GrpcService grpc() {
    return new TfServingGrpc(tf);
  }
}
