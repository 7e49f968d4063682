package io.convnet.gateway.serving;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.convnet.gateway.http.RequestBody;
import io.convnet.image.ImageFormat;
import io.convnet.kit.ServiceException;
import io.convnet.kit.config.Settings;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Image;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The images of a request body, from any body clients send: a raw image (JPEG, PNG, WebP or GIF:
 * the bytes decide, whatever the Content-Type, so {@code curl --data-binary @cat.jpg} with its
 * form-urlencoded type works), file parts of {@code multipart/form-data}, or JSON with base64
 * (plain or as a {@code data:} URL). A body that is none of these is UNSUPPORTED_MEDIA_TYPE; a
 * wrong JSON shape or bad base64 INVALID_ARGUMENT; an image over the size limit, or more images
 * than {@code maxImages}, PAYLOAD_TOO_LARGE. Whether bytes are an image is the library's
 * {@link ImageFormat} call; the workers decode them (and answer a HEIC photo 415 with how to convert it).
 */
public final class RequestImages {
  /** Enough of a body to tell an image: magic numbers, and the brands of an ISO media file's ftyp box. */
  private static final int SNIFF_BYTES = 4096;
  private static final String ACCEPTED = "send a JPEG, PNG, WebP or GIF image as the body (any Content-Type), "
      + "multipart/form-data with image files, or application/json with base64 images";
  /** Types that say "these bytes are an image" even when they do not look like one: the decoder says why not. */
  private static final Set<String> BINARY_TYPES = Set.of("image/jpeg", "image/jpg", "image/pjpeg", "image/png",
      "image/webp", "image/gif", "image/heic", "image/heif", "image/avif", "application/octet-stream");
  /** Plain types clients send by default, under which a JSON object is read as JSON. */
  private static final Set<String> PLAIN_TYPES = Set.of("", "text/plain", "application/x-www-form-urlencoded");

  private final long maxImageBytes;
  private final int maxImages;

  public RequestImages(long maxImageBytes, int maxImages) {
    this.maxImageBytes = maxImageBytes;
    this.maxImages = maxImages;
  }

  /** A type under which only a raw image can come: its body is bounded by the image limit. */
  static boolean isImageType(String mediaType) {
    return mediaType.startsWith("image/") || mediaType.equals("application/octet-stream");
  }

  /** Our own classify API: raw, multipart, or {@code {"images": ["<base64>" | {"b64": "...", "name": "..."}]}}. */
  List<Image> own(RequestBody body) {
    String type = body.mediaType();
    if (RequestBody.isMultipart(type)) {
      return multipart(body);
    }
    if (type.equals("application/json") || (PLAIN_TYPES.contains(type) && startsWithBrace(body.raw()))) {
      return json(json(body.raw()));
    }
    return List.of(raw(body.raw(), type, ""));
  }

  private List<Image> json(JsonObject json) {
    JsonArray images = json.getValue("images") instanceof JsonArray a ? a
        : json.containsKey("image") ? new JsonArray().add(json.getValue("image")) : null;
    if (images == null || images.isEmpty()) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT,
          "JSON body needs \"images\": [\"<base64>\", ...] or [{\"b64\": \"<base64>\", \"name\": \"...\"}, ...]");
    }
    checkCount(images.size());
    List<Image> out = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      Object item = images.getValue(i);
      String where = "images[" + i + "]";
      if (item instanceof String s) {
        out.add(base64(s, where, ""));
      } else if (item instanceof JsonObject o && o.getValue("b64") instanceof String s) {
        out.add(base64(s, where + ".b64", o.getValue("name") instanceof String n ? n : ""));
      } else {
        throw new ServiceException(ErrorCode.INVALID_ARGUMENT, where + " must be a base64 string or {\"b64\": \"...\"}");
      }
    }
    return out;
  }

  /** PAYLOAD_TOO_LARGE when a request carries more images than one request may. */
  public void checkCount(int images) {
    if (images > maxImages) {
      throw new ServiceException(ErrorCode.PAYLOAD_TOO_LARGE, "the request has " + images + " images, more than the "
          + "limit of " + maxImages + " per request (" + Settings.MAX_IMAGES_PER_REQUEST.name()
          + "); send them in several requests");
    }
  }

  /**
   * One encoded image as a body or a file part sent it: taken when its bytes are an image whatever
   * {@code type} says, or when {@code type} says it is one (the decoder then names what is wrong).
   */
  Image raw(Buffer data, String type, String name) {
    String what = name.isEmpty() ? "the body" : "image '" + name + "'";
    if (data.length() == 0) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "send the image (JPEG, PNG, WebP or GIF) as "
          + (name.isEmpty() ? "the request body" : "the content of '" + name + "'"));
    }
    if (!looksLikeAnImage(data.getBytes(0, Math.min(data.length(), SNIFF_BYTES))) && !BINARY_TYPES.contains(type)) {
      throw new ServiceException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, what + " is not a JPEG, PNG, WebP or GIF image"
          + (type.isEmpty() ? "" : " (Content-Type '" + type + "')") + "; " + ACCEPTED);
    }
    return image(data.getBytes(), type, name);
  }

  /** Base64 (standard or URL-safe, with or without padding, or a {@code data:...;base64,} URL) to an image. */
  public Image base64(String text, String where, String name) {
    String b64 = text.startsWith("data:") && text.contains(",") ? text.substring(text.indexOf(',') + 1) : text;
    byte[] bytes;
    try {
      bytes = b64.indexOf('-') >= 0 || b64.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(b64.strip()) : Base64.getMimeDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, where + " is not valid base64: " + e.getMessage());
    }
    return image(bytes, "", name.isEmpty() ? where : name);
  }

  /** Encoded image bytes as they came in a tensor (gRPC, the binary tensor extension); {@code name} says where. */
  public Image bytes(ByteString data, String name) {
    if (data.size() > maxImageBytes) {
      throw RequestBody.tooLarge("image '" + name + "' of " + data.size() + " bytes", maxImageBytes);
    }
    return Image.newBuilder().setData(data).setName(name).build();
  }

  /**
   * An image the workers decode, or a HEIC photo that their decoder refuses with how to convert it;
   * whether it is whole and decodable is the decoder's call, which names the problem.
   */
  static boolean looksLikeAnImage(byte[] head) {
    return ImageFormat.sniff(head) != null || ImageFormat.isHeif(head);
  }

  private Image image(byte[] bytes, String type, String name) {
    String what = "image" + (name.isEmpty() ? "" : " '" + name + "'");
    if (bytes.length > maxImageBytes) {
      throw RequestBody.tooLarge(what + " of " + bytes.length + " bytes", maxImageBytes);
    }
    // the bytes are this image's alone: wrap them rather than copy a phone photo once more
    return Image.newBuilder().setData(UnsafeByteOperations.unsafeWrap(bytes)).setContentType(type).setName(name).build();
  }

  private List<Image> multipart(RequestBody body) {
    if (body.parts().isEmpty()) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the multipart body has no file part; "
          + "upload the image as a file (curl -F image=@cat.jpg)");
    }
    checkCount(body.parts().size());
    List<Image> out = new ArrayList<>();
    for (RequestBody.Part part : body.parts()) {
      String type = part.contentType() == null ? "" : part.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
      out.add(raw(part.data(), type, part.fileName() == null || part.fileName().isEmpty() ? part.field() : part.fileName()));
    }
    return out;
  }

  public static JsonObject json(Buffer raw) {
    try {
      return new JsonObject(raw);
    } catch (DecodeException | ClassCastException e) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the body is not a JSON object: " + e.getMessage());
    }
  }

  private static boolean startsWithBrace(Buffer data) {
    for (int i = 0; i < data.length(); i++) {
      byte b = data.getByte(i);
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '{';
      }
    }
    return false;
  }
}
