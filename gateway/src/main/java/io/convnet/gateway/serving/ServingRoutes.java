package io.convnet.gateway.serving;

import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.ServiceKit;
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
public final class ServingRoutes {
  /** Path segment of a model name: anything but '/' and ':' (the worker checks the name itself). */
  private static final String NAME = "(?<name>[^/:]+)";
  private static final String VERSION = "(?:/versions/(?<version>[^/:]+))?";
  /** How long readiness probes wait for a worker's answer. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  /** Room for the rest of a Kafka record besides the images. */
  private static final int RECORD_HEADROOM = 64 * 1024;

  private ServingRoutes() {
  }

  public static void mount(ServiceKit kit) {
    Router router = kit.router();
    long maxImage = kit.config().getInt(Settings.MAX_IMAGE_BYTES);
    // JSON and multipart may carry several images (base64 adds a third): bounded by what one Kafka record holds
    long maxBody = Math.max(maxImage, kit.config().getInt(Settings.MAX_MESSAGE_BYTES) - RECORD_HEADROOM);
    Workers workers = new Workers(kit.requester(), PROBE_TIMEOUT);
    ImageInputs inputs = new ImageInputs(maxImage);

    ClassifyRoute classify = new ClassifyRoute(workers, inputs, maxBody, maxImage);
    router.postWithRegex("/v1/models/" + NAME + VERSION + ":classify").setName("/v1/models/{name}[/versions/{v}]:classify")
        .handler(classify::handle);
    router.postWithRegex("/v1/models/" + NAME + VERSION + "/classify").setName("/v1/models/{name}[/versions/{v}]/classify")
        .handler(classify::handle);

    TfServingRoutes tfServing = new TfServingRoutes(workers, inputs, maxBody);
    router.postWithRegex("/v1/models/" + NAME + VERSION + ":predict").setName("/v1/models/{name}[/versions/{v}]:predict")
        .handler(tfServing::predict);
    router.getWithRegex("/v1/models/" + NAME + VERSION).setName("/v1/models/{name}[/versions/{v}]")
        .handler(tfServing::status);
    router.get("/v1/models").handler(new ModelsRoute(workers)::handle);

    OpenInferenceRoutes v2 = new OpenInferenceRoutes(kit, workers, inputs, maxBody);
    router.get("/v2").handler(v2::serverMetadata);
    router.get("/v2/health/live").handler(v2::live);
    router.get("/v2/health/ready").handler(v2::ready);
    router.getWithRegex("/v2/models/" + NAME + VERSION).setName("/v2/models/{name}[/versions/{v}]")
        .handler(v2::modelMetadata);
    router.getWithRegex("/v2/models/" + NAME + VERSION + "/ready").setName("/v2/models/{name}[/versions/{v}]/ready")
        .handler(v2::modelReady);
    router.postWithRegex("/v2/models/" + NAME + VERSION + "/infer").setName("/v2/models/{name}[/versions/{v}]/infer")
        .handler(v2::infer);
  }
}
