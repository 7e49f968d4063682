package io.convnet.gateway.tfserving;

import io.convnet.gateway.grpc.GrpcService;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.gateway.serving.ClassifyRoute;
import io.convnet.gateway.serving.ModelDetails;
import io.convnet.gateway.serving.RequestImages;
import io.convnet.gateway.serving.ServingLimits;
import io.convnet.gateway.serving.VersionLabels;
import io.convnet.gateway.serving.Workers;

/** TensorFlow Serving's API on the gateway: its REST routes and its gRPC PredictionService, over one core. */
public final class TfServingApi {
  private final TfServing tf;
  private final ModelDetails details;

  /** @param details what the version status adds about the model (metrics, labels, traffic) */
  public TfServingApi(Workers workers, RequestImages images, VersionLabels labels, ModelDetails details) {
    this.tf = new TfServing(workers, new TfInputs(images), labels);
    this.details = details;
  }

  /** The REST routes; {@code ownClassify} answers {@code :classify} bodies that are not TF Serving's. */
  public RouteGroup routes(ClassifyRoute ownClassify, ServingLimits limits) {
    return new TfServingRoutes(tf, details, ownClassify, limits);
  }

  /** {@code tensorflow.serving.PredictionService}. */
  public GrpcService grpc() {
    return new TfServingGrpc(tf);
  }
}
