package io.convnet.visualizer;

import io.convnet.image.RgbImage;
import io.convnet.proto.Explore;
import io.convnet.proto.VisualizeReply;
import io.convnet.proto.VisualizeRequest;
import io.convnet.serving.cache.Lease;
import io.convnet.serving.cache.ModelCache;
import io.convnet.serving.image.RequestImages;
import io.convnet.viz.NetworkExplorer;
import io.convnet.viz.NetworkLayers;
import io.convnet.viz.VisualModel;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The network explorer's kinds, blocking calls on the worker pool: {@code explore} (the model input and every
 * layer's output and pre-activation for an image, one TensorFlow run, one answer) and {@code layer_weights}
 * (one unit's kernel and bias, fetched lazily when a unit is looked at).
 */
final class Explorations {
  static final int DEFAULT_CHANNELS = 16;
  static final int MAX_CHANNELS = 64;
  static final int DEFAULT_TOP = 10;
  static final int MAX_TOP = 1000;
  /** The most an answer may carry (encoded values, before base64): well inside a Kafka record. */
  static final long MAX_BYTES = 4L << 20;

  private final ModelCache<VisualVersion> models;
  private final RequestImages images;

  Explorations(ModelCache<VisualVersion> models, RequestImages images) {
    this.models = models;
    this.images = images;
  }

  VisualizeReply explore(VisualizeRequest r) {
    Explore x = r.getExplore();
    ExploreJson.Encoding encoding = ExploreJson.Encoding.parse(x.getEncoding());
    int count = x.getChannels() == 0 ? DEFAULT_CHANNELS : x.getChannels();
    if (count < 1 || count > MAX_CHANNELS || x.getFirstChannel() < 0) {
      throw Failures.invalid("channels must be 1.." + MAX_CHANNELS + " and first 0 or more, not " + count + " from "
          + x.getFirstChannel());
    }
    ExploreJson.Channels channels = new ExploreJson.Channels(x.getFirstChannel(), count);
    try (Lease<VisualVersion> lease = models.acquireBlocking(r.getModel().getName(), r.getModel().getVersion())) {
      VisualModel m = lease.model().visual();
      List<NetworkLayers.Layer> shown = shownLayers(m, x.getLayersList());
      checkSize(m, shown, channels, encoding);
      long start = System.nanoTime();
      RgbImage image = Requests.image(r.getImage(), images, m.width(), m.height());
      long decoded = System.nanoTime();
      LinkedHashSet<String> fetch = new LinkedHashSet<>(shown.stream().map(NetworkLayers.Layer::name).toList());
      if (x.hasWindow()) {
        String below = NetworkExplorer.below(m, x.getWindow().getLayer());
        if (below != null) {
          fetch.add(below);
        }
      }
      NetworkExplorer.Exploration e = NetworkExplorer.explore(m, image, fetch);
      NetworkExplorer.Window window = x.hasWindow()
          ? NetworkExplorer.window(m, e, x.getWindow().getLayer(), x.getWindow().getY(), x.getWindow().getX()) : null;
      long ran = System.nanoTime();
      JsonObject json = ExploreJson.exploration(m, e, shown.stream().map(NetworkLayers.Layer::name).toList(),
          channels, encoding, window);
      long encoded = System.nanoTime();
      json.put("timings", new JsonObject().put("decodeMs", millis(decoded - start)).put("runMs", millis(ran - decoded))
          .put("encodeMs", millis(encoded - ran)));
      return VisualizeReply.newBuilder().setModel(SyncVisualizations.ref(m)).setJson(json.encode()).build();
    }
  }

  VisualizeReply weights(VisualizeRequest r) {
    var w = r.getLayerWeights();
    int top = w.getTop() == 0 ? DEFAULT_TOP : w.getTop();
    if (top < 1 || top > MAX_TOP) {
      throw Failures.invalid("top must be 1.." + MAX_TOP + ", not " + top);
    }
    try (Lease<VisualVersion> lease = models.acquireBlocking(r.getModel().getName(), r.getModel().getVersion())) {
      VisualModel m = lease.model().visual();
      NetworkExplorer.UnitWeights unit = NetworkExplorer.weights(m, w.getLayer(), w.getUnit());
      return VisualizeReply.newBuilder().setModel(SyncVisualizations.ref(m))
          .setJson(ExploreJson.weights(m, unit, top).encode()).build();
    }
  }

  /** The layers asked for (every one when none is named), input to output; unknown names refused. */
  private static List<NetworkLayers.Layer> shownLayers(VisualModel m, List<String> names) {
    names.forEach(m::layer);
    List<NetworkLayers.Layer> out = new ArrayList<>();
    for (NetworkLayers.Layer l : m.network()) {
      if (names.isEmpty() || names.contains(l.name())) {
        out.add(l);
      }
    }
    return out;
  }

  private static void checkSize(VisualModel m, List<NetworkLayers.Layer> shown, ExploreJson.Channels channels,
      ExploreJson.Encoding encoding) {
    long bytes = (long) m.height() * m.width() * m.manifest().input().channels() * encoding.bytes;
    for (NetworkLayers.Layer l : shown) {
      bytes += channels.bytes(l, encoding);
    }
    if (bytes > MAX_BYTES) {
      throw Failures.invalid(String.format(Locale.ROOT, "the answer would carry %.1f MiB of %s maps, more than %d "
          + "MiB: ask for fewer channels (channels, first), fewer layers (layers), or encoding=uint8",
          bytes / 1048576.0, encoding.id(), MAX_BYTES >> 20));
    }
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
