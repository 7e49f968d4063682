package io.convnet.gateway.serving;

import static io.convnet.gateway.http.ModelPaths.V1_MODEL;

import io.convnet.gateway.access.Access;
import io.convnet.gateway.http.RouteGroup;
import io.vertx.ext.web.Router;

/**
 * Our own serving API, over Kafka to the inference workers:
 * <pre>
 * POST /v1/models/{name}[/versions/{v}]/classify     raw image, multipart, or JSON base64
 * GET  /v1/models                                    every model, its versions, which is served
 * </pre>
 * The colon form {@code :classify} (deprecated) is shared with TF Serving's classify and mounted
 * with the TF Serving routes; TF Serving's and the Open Inference Protocol's routes are their own
 * groups ({@code io.convnet.gateway.tfserving}, {@code io.convnet.gateway.openinference}).
 */
public final class ServingRoutes implements RouteGroup {
  private final Workers workers;
  private final ClassifyRoute classify;

  public ServingRoutes(Workers workers, RequestImages images, ServingLimits limits) {
    this.workers = workers;
    this.classify = new ClassifyRoute(workers, images, limits.maxBodyBytes(), limits.maxImageBytes());
  }

  /** Our classify API, which TF Serving's {@code :classify} falls back to for bodies that are not TF Serving's. */
  public ClassifyRoute classify() {
    return classify;
  }

  @Override
  public void mount(Router router, Access access) {
    access.read(router.postWithRegex(V1_MODEL + "/classify")).setName("/v1/models/{name}[/versions/{v}]/classify")
        .handler(classify::handle);
    access.read(router.get("/v1/models")).handler(new ModelsRoute(workers)::handle);
  }
}
