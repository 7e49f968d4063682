package io.convnet.gateway.serving;

import com.google.protobuf.ByteString;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Image;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The images of a request body, from any body clients send: a raw JPEG/PNG
 * ({@code image/jpeg}, {@code image/png}, {@code application/octet-stream}; with no content type or
 * curl's default {@code application/x-www-form-urlencoded} the bytes decide), file parts of
 * {@code multipart/form-data}, or JSON with base64 (plain or as a {@code data:} URL). Anything else
 * is UNSUPPORTED_MEDIA_TYPE; a wrong JSON shape or bad base64 INVALID_ARGUMENT; an image over the
 * limit PAYLOAD_TOO_LARGE. The workers decode them.
 */
public final class RequestImages {
  static final Set<String> RAW_TYPES = Set.of("image/jpeg", "image/jpg", "image/png", "application/octet-stream");
  /** What {@code curl --data-binary @cat.jpg} sends without {@code -H content-type}. */
  private static final String CURL_DEFAULT_TYPE = "application/x-www-form-urlencoded";
  private static final String ACCEPTED = "image/jpeg, image/png, application/octet-stream, multipart/form-data "
      + "or application/json";

  private final long maxImageBytes;

  public RequestImages(long maxImageBytes) {
    this.maxImageBytes = maxImageBytes;
  }

  /** Our own classify API: raw, multipart, or {@code {"images": ["<base64>" | {"b64": "...", "name": "..."}]}}. */
  List<Image> own(RequestBody body) {
    String type = body.mediaType();
    boolean bytesDecide = type.isEmpty() || type.equals(CURL_DEFAULT_TYPE);
    if (RAW_TYPES.contains(type) || (bytesDecide && looksLikeImage(body.raw()))) {
      return List.of(raw(body.raw(), type, ""));
    }
    if (RequestBody.isMultipart(type)) {
      return multipart(body);
    }
    if (type.equals("application/json")) {
      JsonObject json = json(body.raw());
      JsonArray images = json.getValue("images") instanceof JsonArray a ? a
          : json.containsKey("image") ? new JsonArray().add(json.getValue("image")) : null;
      if (images == null || images.isEmpty()) {
        throw new ServiceException(ErrorCode.INVALID_ARGUMENT,
            "JSON body needs \"images\": [\"<base64>\", ...] or [{\"b64\": \"<base64>\", \"name\": \"...\"}, ...]");
      }
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
    throw unsupported(type);
  }

  static ServiceException unsupported(String type) {
    return new ServiceException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, (type.isEmpty()
        ? "the body has no Content-Type and is not a JPEG or PNG" : "Content-Type '" + type + "' is not supported")
        + "; send " + ACCEPTED);
  }

  Image raw(Buffer data, String type, String name) {
    if (data.length() == 0) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "send the image (JPEG or PNG) as the request body");
    }
    checkSize(data.length(), name);
    return Image.newBuilder().setData(ByteString.copyFrom(data.getBytes())).setContentType(type).setName(name).build();
  }

  /** Encoded image bytes as they came in a tensor (gRPC, the binary tensor extension); {@code name} says where. */
  public Image bytes(ByteString data, String name) {
    checkSize(data.size(), name);
    return Image.newBuilder().setData(data).setName(name).build();
  }

  private void checkSize(long size, String name) {
    if (size > maxImageBytes) {
      throw RequestBody.tooLarge("image" + (name.isEmpty() ? "" : " '" + name + "'") + " of " + size
          + " bytes", maxImageBytes);
    }
  }

  private List<Image> multipart(RequestBody body) {
    if (body.parts().isEmpty()) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the multipart body has no file part; "
          + "upload the image as a file (curl -F image=@cat.jpg)");
    }
    List<Image> out = new ArrayList<>();
    for (RequestBody.Part part : body.parts()) {
      String type = part.contentType() == null ? "" : part.contentType().split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
      if (!type.isEmpty() && !RAW_TYPES.contains(type)) {
        throw new ServiceException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "part '" + part.field() + "' ('" + part.fileName()
            + "') is " + type + "; send JPEG or PNG images");
      }
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
    return raw(Buffer.buffer(bytes), "", name.isEmpty() ? where : name);
  }

  private static boolean looksLikeImage(Buffer data) {
    return data.length() >= 8 && ((data.getUnsignedByte(0) == 0xff && data.getUnsignedByte(1) == 0xd8)
        || (data.getUnsignedByte(0) == 0x89 && data.getByte(1) == 'P' && data.getByte(2) == 'N' && data.getByte(3) == 'G'));
  }
}
