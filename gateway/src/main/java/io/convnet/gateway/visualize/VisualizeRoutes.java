package io.convnet.gateway.visualize;

import static io.convnet.gateway.http.ModelPaths.V1_MODEL;

import com.google.protobuf.ByteString;
import io.convnet.gateway.access.Access;
import io.convnet.gateway.http.ModelPaths;
import io.convnet.gateway.http.RequestBody;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.gateway.serving.StagedUploads;
import io.convnet.kit.ServiceException;
import io.convnet.kit.config.Setting;
import io.convnet.kit.http.HttpErrors;
import io.convnet.kit.kafka.KafkaRequester;
import io.convnet.proto.AscentOptions;
import io.convnet.proto.ClassOutput;
import io.convnet.proto.ConvolutionExplain;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Explore;
import io.convnet.proto.FeatureMaps;
import io.convnet.proto.Filters;
import io.convnet.proto.GradCam;
import io.convnet.proto.Image;
import io.convnet.proto.JobQuery;
import io.convnet.proto.LayerWeights;
import io.convnet.proto.LossExplain;
import io.convnet.proto.ModelRef;
import io.convnet.proto.Saliency;
import io.convnet.proto.UnitWindow;
import io.convnet.proto.VisualizeReply;
import io.convnet.proto.VisualizeRequest;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The visualization API over Kafka to the visualizer service.
 *
 * <pre>
 * POST /v1/models/{name}[/versions/{v}]/feature-maps    image body; layers, channels
 * POST /v1/models/{name}[/versions/{v}]/saliency        image body; label, smooth, samples, noise
 * POST /v1/models/{name}[/versions/{v}]/grad-cam        image body; label, layer
 * POST /v1/models/{name}[/versions/{v}]/filters         layers, filters, count + ascent options -> 202 job
 * POST /v1/models/{name}[/versions/{v}]/classes/{label} ascent options -> 202 job
 * POST /v1/models/{name}[/versions/{v}]/explore         image body; layers, first, channels, encoding, window -> JSON
 * GET  /v1/models/{name}[/versions/{v}]/layers/{layer}/weights  unit, top -> JSON
 * GET  /v1/visualizations/{id}                          job status (JSON)
 * GET  /v1/visualizations/{id}/result                   PNG, or JSON with Accept: application/json
 * POST /v1/explain/convolution                          JSON {input, kernel, stride, padding}, or an image body
 * POST /v1/explain/loss                                 JSON {predicted, labels}
 * </pre>
 *
 * A version is named in the path, as everywhere in the API; the older {@code ?version=} query
 * parameter of the model routes still works. PNG by default, JSON when the client accepts
 * {@code application/json}. Every path has a suffix after the model (and version), so none
 * shadows {@code /v1/models/{name}} or {@code /v1/models/{name}:verb}.
 */
public final class VisualizeRoutes implements RouteGroup {
  private static final String JSON = "application/json";
  private static final String PNG = "image/png";
  public static final Setting TIMEOUT_MS = new Setting("CONVNET_VISUALIZE_TIMEOUT_MS", "60000",
      "how long the gateway waits for a visualization (feature maps, saliency, Grad-CAM, explainers, job start)");

  private static final Set<String> ASCENT = Set.of("steps", "step_size", "jitter", "l2_decay", "blur_every",
      "blur_sigma", "tv", "noise", "seed", "version");

  private final KafkaRequester requester;
  private final StagedUploads uploads;
  private final Duration timeout;
  private final long maxImageBytes;

  /**
   * @param uploads       where a large image is staged, to travel by name
   * @param timeout       how long to wait for the visualizer's reply ({@link #TIMEOUT_MS})
   * @param maxImageBytes largest request body (an image, or a matrix as JSON)
   */
  public VisualizeRoutes(KafkaRequester requester, StagedUploads uploads, Duration timeout, long maxImageBytes) {
    this.requester = requester;
    this.uploads = uploads;
    this.timeout = timeout;
    this.maxImageBytes = maxImageBytes;
  }

  @Override
  public void mount(Router router, Access access) {
    // Visualizations compute but change nothing: they are reads. The body as bytes whatever its
    // type (curl --data-binary says form-urlencoded).
    Handler<RoutingContext> body = RequestBody.handler(maxImageBytes);
    modelRoute(router, access, "/feature-maps").handler(body).handler(this::featureMaps);
    modelRoute(router, access, "/saliency").handler(body).handler(this::saliency);
    modelRoute(router, access, "/grad-cam").handler(body).handler(this::gradCam);
    modelRoute(router, access, "/filters").handler(body).handler(this::filters);
    access.read(router.postWithRegex(V1_MODEL + "/classes/(?<label>[^/]+)"))
        .setName("/v1/models/{name}[/versions/{v}]/classes/{label}").handler(body).handler(this::classOutput);
    modelRoute(router, access, "/explore").handler(body).handler(this::explore);
    access.read(router.getWithRegex(V1_MODEL + "/layers/(?<layer>[^/]+)/weights"))
        .setName("/v1/models/{name}[/versions/{v}]/layers/{layer}/weights").handler(this::layerWeights);
    access.read(router.get("/v1/visualizations/:id")).handler(ctx -> job(ctx, false));
    access.read(router.get("/v1/visualizations/:id/result")).handler(ctx -> job(ctx, true));
    access.read(router.post("/v1/explain/convolution")).handler(body).handler(this::convolution);
    access.read(router.post("/v1/explain/loss")).handler(body).handler(this::loss);
  }

  private static Route modelRoute(Router router, Access access, String suffix) {
    return access.read(router.postWithRegex(V1_MODEL + suffix)).setName("/v1/models/{name}[/versions/{v}]" + suffix);
  }

  // ---- synchronous visualizations of an uploaded image

  private void featureMaps(RoutingContext ctx) {
    handle(ctx, () -> {
      QueryParams q = new QueryParams(ctx.queryParams(), Set.of("layers", "layer", "channels", "version"));
      FeatureMaps.Builder fm = FeatureMaps.newBuilder().addAllLayers(q.list("layers")).addAllLayers(q.list("layer"));
      if (q.has("channels")) {
        fm.setChannels(positive(q, "channels"));
      }
      return imageRequest(ctx, q).setFeatureMaps(fm).build();
    });
  }

  private void saliency(RoutingContext ctx) {
    handle(ctx, () -> {
      QueryParams q = new QueryParams(ctx.queryParams(), Set.of("label", "smooth", "samples", "noise", "version"));
      Saliency.Builder s = Saliency.newBuilder().setLabel(q.string("label")).setSmooth(q.bool("smooth"));
      if (q.has("samples")) {
        s.setSmooth(true).setSamples(positive(q, "samples"));
      }
      if (q.has("noise")) {
        s.setSmooth(true).setNoise(q.number("noise"));
      }
      return imageRequest(ctx, q).setSaliency(s).build();
    });
  }

  private void gradCam(RoutingContext ctx) {
    handle(ctx, () -> {
      QueryParams q = new QueryParams(ctx.queryParams(), Set.of("label", "layer", "version"));
      return imageRequest(ctx, q).setGradCam(GradCam.newBuilder().setLabel(q.string("label"))
          .setLayer(q.string("layer"))).build();
    });
  }

  // ---- the network explorer

  private void explore(RoutingContext ctx) {
    handle(ctx, () -> {
      QueryParams q = new QueryParams(ctx.queryParams(), Set.of("layers", "layer", "first", "channels", "encoding",
          "window", "version"));
      Explore.Builder e = Explore.newBuilder().addAllLayers(q.list("layers")).addAllLayers(q.list("layer"))
          .setEncoding(q.string("encoding"));
      if (q.has("channels")) {
        e.setChannels(positive(q, "channels"));
      }
      if (q.has("first")) {
        e.setFirstChannel(atLeastZero(q.integer("first"), "first"));
      }
      if (q.has("window")) {
        e.setWindow(window(q.string("window")));
      }
      return imageRequest(ctx, q).setWantJson(true).setExplore(e).build();
    });
  }

  /** {@code layer:y:x}, e.g. {@code conv_2:10:12}. */
  private static UnitWindow window(String s) {
    String[] parts = s.split(":");
    try {
      if (parts.length == 3 && !parts[0].isBlank()) {
        return UnitWindow.newBuilder().setLayer(parts[0].trim())
            .setY(atLeastZero(Integer.parseInt(parts[1].trim()), "window's y"))
            .setX(atLeastZero(Integer.parseInt(parts[2].trim()), "window's x")).build();
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw QueryParams.invalid("query parameter 'window' must be layer:y:x (a unit of a convolution or pooling layer, "
        + "e.g. conv_2:10:12), not '" + s + "'");
  }

  private void layerWeights(RoutingContext ctx) {
    handle(ctx, () -> {
      QueryParams q = new QueryParams(ctx.queryParams(), Set.of("unit", "top", "version"));
      if (!q.has("unit")) {
        throw QueryParams.invalid("query parameter 'unit' is required: the filter of a convolution or the unit of a "
            + "dense layer (0, 1, ...)");
      }
      LayerWeights.Builder w = LayerWeights.newBuilder().setLayer(ctx.pathParam("layer"))
          .setUnit(atLeastZero(q.integer("unit"), "unit"));
      if (q.has("top")) {
        w.setTop(positive(q, "top"));
      }
      return VisualizeRequest.newBuilder().setModel(model(ctx, q)).setWantJson(true).setLayerWeights(w).build();
    });
  }

  private static int atLeastZero(int v, String name) {
    if (v < 0) {
      throw QueryParams.invalid("'" + name + "' must be 0 or more, not " + v);
    }
    return v;
  }

  private VisualizeRequest.Builder imageRequest(RoutingContext ctx, QueryParams q) {
    var body = RequestBody.raw(ctx);
    if (body.length() == 0) {
      throw QueryParams.invalid("send the image (JPEG or PNG) as the request body");
    }
    String type = ctx.request().getHeader("content-type");
    return VisualizeRequest.newBuilder().setModel(model(ctx, q)).setWantJson(wantsJson(ctx))
        .setImage(Image.newBuilder().setData(ByteString.copyFrom(body.getBytes()))
            .setContentType(type == null ? "" : type).setName("the uploaded image"));
  }

  private void handle(RoutingContext ctx, RequestBuilder builder) {
    VisualizeRequest request;
    try {
      request = builder.build();
    } catch (ServiceException e) {
      HttpErrors.respond(ctx, e);
      return;
    }
    uploads.send(request.hasImage() ? List.of(request.getImage()) : List.<Image>of(), images -> requester.request(
        Exchanges.VISUALIZE, null, images.isEmpty() ? request : request.toBuilder().setImage(images.get(0)).build(),
        timeout)).onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.respond(ctx, ar.cause());
      } else {
        respond(ctx, ar.result());
      }
    });
  }

  @FunctionalInterface
  private interface RequestBuilder {
    VisualizeRequest build();
  }

  private static void respond(RoutingContext ctx, VisualizeReply reply) {
    if (!reply.getJson().isEmpty()) {
      ctx.response().putHeader("content-type", JSON).end(reply.getJson());
    } else {
      ctx.response().putHeader("content-type", PNG).end(io.vertx.core.buffer.Buffer.buffer(
          reply.getPng().toByteArray()));
    }
  }

  // ---- activation maximization jobs

  private void filters(RoutingContext ctx) {
    startJob(ctx, () -> {
      Set<String> known = new HashSet<>(ASCENT);
      known.addAll(Set.of("layers", "layer", "filters", "count"));
      QueryParams q = new QueryParams(ctx.queryParams(), known);
      Filters.Builder f = Filters.newBuilder().addAllLayers(q.list("layers")).addAllLayers(q.list("layer"))
          .addAllFilters(q.integers("filters")).setAscent(ascent(q));
      if (q.has("count")) {
        f.setCount(positive(q, "count"));
      }
      return VisualizeRequest.newBuilder().setModel(model(ctx, q)).setFilters(f).build();
    });
  }

  private void classOutput(RoutingContext ctx) {
    startJob(ctx, () -> {
      QueryParams q = new QueryParams(ctx.queryParams(), ASCENT);
      return VisualizeRequest.newBuilder().setModel(model(ctx, q))
          .setClassOutput(ClassOutput.newBuilder().setLabel(ctx.pathParam("label")).setAscent(ascent(q))).build();
    });
  }

  private static AscentOptions ascent(QueryParams q) {
    AscentOptions.Builder a = AscentOptions.newBuilder();
    q.ifInteger("steps", a::setSteps);
    q.ifNumber("step_size", a::setStepSize);
    q.ifInteger("jitter", a::setJitter);
    q.ifNumber("l2_decay", a::setL2Decay);
    q.ifInteger("blur_every", a::setBlurEvery);
    q.ifNumber("blur_sigma", a::setBlurSigma);
    q.ifNumber("tv", a::setTotalVariation);
    q.ifNumber("noise", a::setNoise);
    q.ifLong("seed", a::setSeed);
    return a.build();
  }

  private void startJob(RoutingContext ctx, RequestBuilder builder) {
    VisualizeRequest request;
    try {
      request = builder.build();
    } catch (ServiceException e) {
      HttpErrors.respond(ctx, e);
      return;
    }
    String id = ContentJobIds.of(request);
    requester.request(Exchanges.VISUALIZE, id, request.toBuilder().setJobId(id).build(), timeout).onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.respond(ctx, ar.cause());
        return;
      }
      VisualizeReply reply = ar.result();
      boolean done = reply.getJobState().equals("done");
      ctx.response().setStatusCode(done ? 303 : 202)
          .putHeader("location", done ? resultPath(id) : statusPath(id))
          .putHeader("content-type", JSON)
          .end(status(reply).encode());
    });
  }

  private void job(RoutingContext ctx, boolean result) {
    String id = ctx.pathParam("id");
    if (!ContentJobIds.valid(id)) {
      HttpErrors.respond(ctx, ErrorCode.NOT_FOUND, "no visualization job '" + id + "'");
      return;
    }
    VisualizeRequest request = VisualizeRequest.newBuilder().setJobId(id).setWantJson(result && wantsJson(ctx))
        .setJob(JobQuery.newBuilder().setResult(result)).build();
    requester.request(Exchanges.VISUALIZE, id, request, timeout).onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.respond(ctx, ar.cause());
      } else if (result) {
        respond(ctx, ar.result());
      } else {
        ctx.response().putHeader("content-type", JSON).end(status(ar.result()).encode());
      }
    });
  }

  static String statusPath(String id) {
    return "/v1/visualizations/" + id;
  }

  static String resultPath(String id) {
    return statusPath(id) + "/result";
  }

  /** A job's status as the API shows it. */
  static JsonObject status(VisualizeReply r) {
    JsonObject o = new JsonObject().put("id", r.getJobId()).put("kind", r.getJobKind()).put("state", r.getJobState())
        .put("progress", Math.round(r.getProgress() * 1000) / 1000.0)
        .put("model", new JsonObject().put("name", r.getModel().getName()).put("version", r.getModel().getVersion()))
        .put("status", statusPath(r.getJobId()));
    if (r.getJobState().equals("queued")) {
      o.put("queuePosition", r.getQueuePosition());
    }
    if (r.getJobState().equals("done")) {
      o.put("result", resultPath(r.getJobId()));
    }
    if (!r.getJobError().isEmpty()) {
      o.put("error", r.getJobError());
    }
    return o;
  }

  // ---- explainers

  private void convolution(RoutingContext ctx) {
    handle(ctx, () -> {
      QueryParams q = new QueryParams(ctx.queryParams(), Set.of("kernel", "stride", "padding"));
      var body = RequestBody.raw(ctx);
      if (body.length() == 0) {
        throw QueryParams.invalid("send JSON {\"input\": [[...]], \"kernel\": \"sobel-x\" or [[...]], \"stride\": 1, "
            + "\"padding\": \"valid\"}, or an image (JPEG or PNG) with kernel, stride and padding as query parameters");
      }
      ConvolutionExplain.Builder c = ConvolutionExplain.newBuilder();
      VisualizeRequest.Builder r = VisualizeRequest.newBuilder();
      if (isJson(ctx)) {
        JsonObject json = jsonBody(ctx);
        kernel(c, json.getValue("kernel"));
        c.setInput(MatrixJson.parse(json.getValue("input"), "input"));
        c.setStride(jsonInt(json, "stride", 1));
        Object padding = json.getValue("padding");
        if (padding != null && !(padding instanceof String)) {
          throw QueryParams.invalid("'padding' must be \"valid\" or \"same\"");
        }
        c.setPadding(padding == null ? "" : (String) padding);
        r.setWantJson(!prefersPng(ctx));
      } else {
        String kernel = q.string("kernel");
        kernel(c, kernel.startsWith("[") ? parseJsonArray(kernel, "kernel") : kernel.isEmpty() ? null : kernel);
        c.setStride(q.has("stride") ? positive(q, "stride") : 1).setPadding(q.string("padding"));
        r.setWantJson(wantsJson(ctx)).setImage(Image.newBuilder().setData(ByteString.copyFrom(body.getBytes()))
            .setName("the uploaded image"));
      }
      return r.setConvolution(c).build();
    });
  }

  private static void kernel(ConvolutionExplain.Builder c, Object kernel) {
    if (kernel == null) {
      throw QueryParams.invalid("name a kernel (identity, edge1, edge2, edge3, sharpen, box-blur, gaussian-blur, "
          + "sobel-x, sobel-y) or give a matrix of numbers");
    }
    if (kernel instanceof String name) {
      c.setKernel(name);
    } else {
      c.setCustomKernel(MatrixJson.parse(kernel, "kernel"));
    }
  }

  private void loss(RoutingContext ctx) {
    handle(ctx, () -> {
      new QueryParams(ctx.queryParams(), Set.of());
      JsonObject json = jsonBody(ctx);
      return VisualizeRequest.newBuilder().setWantJson(true).setLoss(LossExplain.newBuilder()
          .setPredicted(MatrixJson.parse(json.getValue("predicted"), "predicted"))
          .setLabels(MatrixJson.parse(json.getValue("labels"), "labels"))).build();
    });
  }

  private static JsonObject jsonBody(RoutingContext ctx) {
    var body = RequestBody.raw(ctx);
    if (body.length() == 0) {
      throw QueryParams.invalid("send a JSON object as the request body");
    }
    try {
      Object v = io.vertx.core.json.Json.decodeValue(body);
      if (v instanceof JsonObject o) {
        return o;
      }
      throw QueryParams.invalid("the request body must be a JSON object");
    } catch (DecodeException e) {
      throw QueryParams.invalid("the request body is not valid JSON: " + e.getMessage());
    }
  }

  private static JsonArray parseJsonArray(String s, String what) {
    try {
      return new JsonArray(s);
    } catch (DecodeException e) {
      throw QueryParams.invalid("'" + what + "' is neither a kernel name nor a JSON matrix: " + s);
    }
  }

  private static int jsonInt(JsonObject json, String key, int dflt) {
    Object v = json.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) < Integer.MAX_VALUE) {
      return n.intValue();
    }
    throw QueryParams.invalid("'" + key + "' must be an integer, not " + v);
  }

  // ---- shared

  /** The model and version of the path; {@code ?version=}, the older form, when the path names none. */
  private static ModelRef model(RoutingContext ctx, QueryParams q) {
    long version = ModelPaths.version(ctx);
    if (q.has("version")) {
      long query = positive(q, "version");
      if (version != 0 && version != query) {
        throw QueryParams.invalid("the path names version " + version + " and the query version " + query
            + "; name it once, as /versions/{v}");
      }
      version = query;
    }
    return ModelRef.newBuilder().setName(ModelPaths.name(ctx)).setVersion(version).build();
  }

  private static int positive(QueryParams q, String name) {
    int v = q.integer(name);
    if (v < 1) {
      throw QueryParams.invalid("query parameter '" + name + "' must be a positive integer, not " + v);
    }
    return v;
  }

  private static boolean isJson(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    return type != null && type.toLowerCase(Locale.ROOT).contains("json");
  }

  /** JSON when the client accepts application/json ahead of (or without) image/png. */
  static boolean wantsJson(RoutingContext ctx) {
    return JSON.equals(acceptedFirst(ctx));
  }

  private static boolean prefersPng(RoutingContext ctx) {
    return PNG.equals(acceptedFirst(ctx));
  }

  /** Whichever of JSON and PNG the Accept header names first; null when it names neither. */
  private static String acceptedFirst(RoutingContext ctx) {
    String accept = ctx.request().getHeader("accept");
    String a = accept == null ? "" : accept.toLowerCase(Locale.ROOT);
    int json = a.indexOf(JSON);
    int png = a.indexOf(PNG);
    if (json < 0 && png < 0) {
      return null;
    }
    return png < 0 || (json >= 0 && json < png) ? JSON : PNG;
  }
}
