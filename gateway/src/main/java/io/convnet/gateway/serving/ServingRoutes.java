package io.convnet.gateway.serving;

import static io.convnet.gateway.http.ModelPaths.V1_MODEL;
import static io.convnet.gateway.http.ModelPaths.V2_MODEL;

import io.convnet.gateway.access.Access;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.kit.http.Health;
import io.convnet.kit.kafka.KafkaRequester;
import io.vertx.ext.web.Router;
import java.time.Duration;

/**
 * The serving API of the gateway, all over Kafka to the inference workers:
 * <pre>
 * POST /v1/models/{name}[/versions/{v}]:classify     raw image, multipart, or JSON base64 (also .../classify)
 * POST /v1/models/{name}[/versions/{v}]:predict      TF Serving {"instances": [{"b64": ...}]}
 * GET  /v1/models                                    every model, its versions, which is served
 * GET  /v1/models/{name}[/versions/{v}]              TF Serving version status
 * GET  /v2, /v2/health/live, /v2/health/ready        Open Inference Protocol
 * GET  /v2/models/{name}[/versions/{v}][/ready]
 * POST /v2/models/{name}[/versions/{v}]/infer
 * </pre>
 */
public final class ServingRoutes implements RouteGroup {
  /** How long readiness probes wait for a worker's answer. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  /** Room for the rest of a Kafka record besides the images. */
  private static final int RECORD_HEADROOM = 64 * 1024;

  private final KafkaRequester requester;
  private final Health health;
  private final String serverVersion;
  private final long maxImageBytes;
  private final long maxMessageBytes;

  /**
   * @param health          the gateway's own readiness, part of {@code /v2/health/ready}
   * @param serverVersion   the version {@code GET /v2} reports
   * @param maxImageBytes   largest image, alone or in a body of several
   * @param maxMessageBytes largest Kafka record, which bounds a body of several images
   */
  public ServingRoutes(KafkaRequester requester, Health health, String serverVersion, long maxImageBytes,
                       long maxMessageBytes) {
    this.requester = requester;
    this.health = health;
    this.serverVersion = serverVersion;
    this.maxImageBytes = maxImageBytes;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public void mount(Router router, Access access) {
    // JSON and multipart may carry several images (base64 adds a third): bounded by what one Kafka record holds
    long maxBody = Math.max(maxImageBytes, maxMessageBytes - RECORD_HEADROOM);
    Workers workers = new Workers(requester, PROBE_TIMEOUT);
    RequestImages inputs = new RequestImages(maxImageBytes);

    ClassifyRoute classify = new ClassifyRoute(workers, inputs, maxBody, maxImageBytes);
    access.read(router.postWithRegex(V1_MODEL + ":classify")).setName("/v1/models/{name}[/versions/{v}]:classify")
        .handler(classify::handle);
    access.read(router.postWithRegex(V1_MODEL + "/classify")).setName("/v1/models/{name}[/versions/{v}]/classify")
        .handler(classify::handle);

    TfServingRoutes tfServing = new TfServingRoutes(workers, inputs, maxBody);
    access.read(router.postWithRegex(V1_MODEL + ":predict")).setName("/v1/models/{name}[/versions/{v}]:predict")
        .handler(tfServing::predict);
    access.read(router.getWithRegex(V1_MODEL)).setName("/v1/models/{name}[/versions/{v}]")
        .handler(tfServing::status);
    access.read(router.get("/v1/models")).handler(new ModelsRoute(workers)::handle);

    OpenInferenceRoutes v2 = new OpenInferenceRoutes(health, serverVersion, workers, inputs, maxBody);
    access.read(router.get("/v2")).handler(v2::serverMetadata);
    // Probes, as /health/live and /health/ready: open even when reading needs a token.
    access.open(router.get("/v2/health/live")).handler(v2::live);
    access.open(router.get("/v2/health/ready")).handler(v2::ready);
    access.read(router.getWithRegex(V2_MODEL)).setName("/v2/models/{name}[/versions/{v}]")
        .handler(v2::modelMetadata);
    access.read(router.getWithRegex(V2_MODEL + "/ready")).setName("/v2/models/{name}[/versions/{v}]/ready")
        .handler(v2::modelReady);
    access.read(router.postWithRegex(V2_MODEL + "/infer")).setName("/v2/models/{name}[/versions/{v}]/infer")
        .handler(v2::infer);
  }
}
