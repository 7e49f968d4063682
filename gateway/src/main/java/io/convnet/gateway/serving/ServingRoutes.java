package io.convnet.gateway.serving;

import static io.convnet.gateway.http.ModelPaths.NAME;
import static io.convnet.gateway.http.ModelPaths.V1_MODEL_SPEC;

import io.convnet.gateway.access.Access;
import io.convnet.gateway.access.Role;
import io.convnet.gateway.http.ModelPaths;
import io.convnet.gateway.http.RequestBody;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.kit.kafka.KafkaRequester;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Our own serving API, over Kafka to the inference workers (a version label may stand for the version
 * wherever the path takes one, {@code [/versions/{v}|/labels/{l}]}):
 * <pre>
 * POST /v1/models/{name}[/versions/{v}|/labels/{l}]/classify   raw image, multipart, or JSON base64
 * GET  /v1/models                                    every model, its versions and labels, which is served
 * GET  /v1/models/{name}[/versions/{v}|/labels/{l}]/learning-curves.png, .../history   a version's training
 * GET, PUT, DELETE /v1/models/{name}/labels[/{l}], GET, PUT /v1/models/{name}/policy   labels and policy (LabelRoutes)
 * DELETE /v1/models/{name}/versions/{v}              delete a version no label names (LabelRoutes)
 * </pre>
 * The colon form {@code :classify} (deprecated) is shared with TF Serving's classify and mounted
 * with the TF Serving routes, as is {@code GET /v1/models/{name}[...]} (TF Serving's version status, with
 * {@link ModelDetails}); TF Serving's and the Open Inference Protocol's routes are their own groups
 * ({@code io.convnet.gateway.tfserving}, {@code io.convnet.gateway.openinference}).
 */
public final class ServingRoutes implements RouteGroup {
  private final ClassifyRoute classify;
  private final ModelDetails details;
  private final VersionLabels labels;
  private final LabelRoutes labelRoutes;

  /** @param requester asks a trainer to change labels and policies (it owns the model store) */
  public ServingRoutes(Workers workers, RequestImages images, ServingLimits limits, VersionLabels labels,
                       ModelDetails details, KafkaRequester requester) {
    this.classify = new ClassifyRoute(workers, images, limits.maxBodyBytes(), limits.maxImageBytes());
    this.details = details;
    this.labels = labels;
    this.labelRoutes = new LabelRoutes(requester, workers);
  }

  /** Our classify API, which TF Serving's {@code :classify} falls back to for bodies that are not TF Serving's. */
  public ClassifyRoute classify() {
    return classify;
  }

  @Override
  public void mount(Router router, Access access) {
    String spec = "/v1/models/{name}[/versions/{v}|/labels/{l}]";
    access.read(router.postWithRegex(V1_MODEL_SPEC + "/classify")).setName(spec + "/classify")
        .handler(ctx -> classify.handle(ctx, ModelPaths.name(ctx), version(ctx)));
    access.read(router.get("/v1/models")).handler(details::list);
    access.read(router.getWithRegex(V1_MODEL_SPEC + "/learning-curves\\.png")).setName(spec + "/learning-curves.png")
        .handler(ctx -> details.file(ctx, version(ctx), "learning-curves.png", "image/png"));
    access.read(router.getWithRegex(V1_MODEL_SPEC + "/history")).setName(spec + "/history")
        .handler(ctx -> details.file(ctx, version(ctx), "history.json", "application/json"));

    String model = "/v1/models/" + NAME;
    String label = model + "/labels/(?<label>[^/:]+)";
    access.read(router.getWithRegex(model + "/labels")).setName("/v1/models/{name}/labels").handler(labelRoutes::get);
    access.require(Role.ADMIN, router.putWithRegex(label)).setName("/v1/models/{name}/labels/{label}")
        .handler(RequestBody.handler(LabelRoutes.BODY_LIMIT)).handler(labelRoutes::put);
    access.require(Role.ADMIN, router.deleteWithRegex(label)).setName("/v1/models/{name}/labels/{label}")
        .handler(labelRoutes::delete);
    access.require(Role.ADMIN, router.deleteWithRegex(model + "/versions/(?<version>[^/:]+)"))
        .setName("/v1/models/{name}/versions/{v}").handler(labelRoutes::deleteVersion);
    access.read(router.getWithRegex(model + "/policy")).setName("/v1/models/{name}/policy").handler(labelRoutes::get);
    access.require(Role.ADMIN, router.putWithRegex(model + "/policy")).setName("/v1/models/{name}/policy")
        .handler(RequestBody.handler(LabelRoutes.BODY_LIMIT)).handler(labelRoutes::putPolicy);
  }

  /** The version the path names: {@code /versions/{v}}, {@code /labels/{l}} resolved, or 0 (the served one). */
  private Future<Long> version(RoutingContext ctx) {
    try {
      return labels.version(ModelPaths.name(ctx), ModelPaths.version(ctx), ModelPaths.versionLabel(ctx));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
