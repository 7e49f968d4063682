package io.convnet.worker.score;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.convnet.image.ImageFormat;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Headers;
import io.convnet.proto.Image;
import io.convnet.proto.ScoreRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What a score record asks for, from any of the value formats producers use:
 * <ul>
 *   <li>a {@link ScoreRequest} protobuf (the default);
 *   <li>a bare JPEG or PNG (kcat, other non-Java producers), the model in the
 *       {@link Headers#MODEL} header ({@code name} or {@code name:version}), else the default model;
 *   <li>JSON {@code {"model": "...", "version": 3, "reference": "dir/file.jpg" | "image": "<base64>", "id": "..."}}.
 * </ul>
 * The {@link Headers#CONTENT_TYPE} header decides when present, else the value is sniffed. A record
 * carries one image: a value larger than one image of the inline limit can need (as base64 in JSON,
 * with room for the rest) is refused before it is parsed (PAYLOAD_TOO_LARGE), and JSON naming more
 * than one image ({@code "images"}, or both {@code "image"} and {@code "reference"}) is INVALID_ARGUMENT.
 *
 * @param model   empty: the default model
 * @param version 0: the served one
 */
record ScoreInput(String model, long version, Image image, String id) {
  /** Room in a record's value besides the image: the JSON or protobuf fields around it. */
  private static final int ENVELOPE_BYTES = 64 * 1024;

  /** What {@code record} asks for; {@code maxImageBytes} is the largest image that travels inline. */
  static ScoreInput parse(ConsumerRecord<String, byte[]> record, long maxImageBytes) {
    byte[] value = record.value();
    if (value == null || value.length == 0) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the record has no value");
    }
    long maxValue = maxValueBytes(maxImageBytes);
    if (value.length > maxValue) {
      throw new ServiceException(ErrorCode.PAYLOAD_TOO_LARGE, "the record's value has " + value.length
          + " bytes, more than the limit of " + maxValue + " for one image of at most " + maxImageBytes + " bytes");
    }
    String contentType = header(record, Headers.CONTENT_TYPE);
    String type = contentType == null ? sniff(value) : contentType.toLowerCase(Locale.ROOT).split(";")[0].trim();
    return switch (type) {
      case "image/jpeg", "image/jpg", "image/png", "application/octet-stream" -> bareImage(record, value, type);
      case "application/json" -> json(record, value);
      case "application/x-protobuf", "application/protobuf" -> protobuf(value);
      default -> throw new ServiceException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "content type '" + contentType
          + "' is not one of application/x-protobuf, application/json, image/jpeg, image/png");
    };
  }

  /** One image of {@code maxImageBytes} as base64 with line breaks (4/3 and a little more), and the fields around it. */
  static long maxValueBytes(long maxImageBytes) {
    return maxImageBytes / 2 * 3 + ENVELOPE_BYTES;
  }

  private static String sniff(byte[] value) {
    if (ImageFormat.sniff(value) != null) {
      return "image/jpeg";
    }
    for (byte b : value) {
      if (!Character.isWhitespace(b)) {
        return b == '{' ? "application/json" : "application/x-protobuf";
      }
    }
    return "application/x-protobuf";
  }

  private static ScoreInput bareImage(ConsumerRecord<String, byte[]> record, byte[] value, String type) {
    String model = header(record, Headers.MODEL);
    long version = 0;
    if (model != null && model.contains(":")) {
      version = version(model.substring(model.indexOf(':') + 1), Headers.MODEL + " header");
      model = model.substring(0, model.indexOf(':'));
    }
    return new ScoreInput(model == null ? "" : model.trim(), version,
        Image.newBuilder().setData(ByteString.copyFrom(value)).setContentType(type).build(), "");
  }

  private static ScoreInput json(ConsumerRecord<String, byte[]> record, byte[] value) {
    JsonObject json;
    try {
      json = new JsonObject(new String(value, StandardCharsets.UTF_8));
    } catch (DecodeException | ClassCastException e) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the value is not a JSON object: " + e.getMessage(), e);
    }
    String model = json.getValue("model") instanceof String s ? s : "";
    if (model.isEmpty() && header(record, Headers.MODEL) != null) {
      model = header(record, Headers.MODEL);
    }
    Object v = json.getValue("version");
    long version = v == null ? 0 : version(String.valueOf(v), "\"version\"");
    if (json.containsKey("images") || json.containsKey("image") && json.containsKey("reference")) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "a score record carries one image, in \"image\" "
          + "(base64) or \"reference\" (a path under the data root): send one record per image");
    }
    Image.Builder image = Image.newBuilder();
    if (json.getValue("reference") instanceof String reference && !reference.isBlank()) {
      image.setReference(reference).setName(reference);
    } else if (json.getValue("image") instanceof String b64 && !b64.isBlank()) {
      try {
        image.setData(ByteString.copyFrom(Base64.getMimeDecoder().decode(b64.replaceFirst("^data:[^,]*,", ""))));
      } catch (IllegalArgumentException e) {
        throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "\"image\" is not valid base64: " + e.getMessage(), e);
      }
    } else {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT,
          "the JSON value needs \"reference\" (a path under the data root) or \"image\" (base64)");
    }
    return new ScoreInput(model, version, image.build(), json.getValue("id") instanceof String id ? id : "");
  }

  private static ScoreInput protobuf(byte[] value) {
    ScoreRequest request;
    try {
      request = ScoreRequest.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the value is not a ScoreRequest protobuf, JSON or a "
          + "JPEG/PNG image (" + e.getMessage() + ")", e);
    }
    if (request.getImage().getSourceCase() == Image.SourceCase.SOURCE_NOT_SET) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the ScoreRequest has no image (data or reference)");
    }
    if (request.getImage().hasUpload()) {  // staged files belong to the gateway's own requests, for their lifetime
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "a ScoreRequest may not name an upload; send the "
          + "image as data or a reference under the data root");
    }
    return new ScoreInput(request.getModel().getName(), request.getModel().getVersion(), request.getImage(),
        request.getId());
  }

  private static long version(String text, String where) {
    try {
      long v = Long.parseLong(text.trim());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ServiceException(ErrorCode.INVALID_ARGUMENT, where + ": version '" + text + "' is not a positive integer");
  }

  static String header(ConsumerRecord<?, ?> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
