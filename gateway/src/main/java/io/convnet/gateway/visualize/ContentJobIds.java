package io.convnet.gateway.visualize;

import io.convnet.proto.VisualizeRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Job ids derived from what is asked (model, version, kind, parameters): the same request gives the
 * same id, and so (as the record key) reaches the same visualizer, which answers from its job table.
 */
final class ContentJobIds {
  private static final Pattern ID = Pattern.compile("(filters|class)-[0-9a-f]{24}");

  private ContentJobIds() {}

  static String of(VisualizeRequest request) {
    VisualizeRequest canonical = request.toBuilder().clearImage().clearWantJson().clearJobId().build();
    String kind = canonical.hasFilters() ? "filters" : "class";
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(kind.getBytes(StandardCharsets.UTF_8));
      byte[] digest = sha.digest(canonical.toByteArray());
      return kind + "-" + HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean valid(String id) {
    return id != null && ID.matcher(id).matches();
  }
}
