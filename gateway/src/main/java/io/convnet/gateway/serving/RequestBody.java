package io.convnet.gateway.serving;

import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request body read into memory with limits, instead of vertx-web's BodyHandler, which keeps
 * multipart file uploads only by writing them to disk. A raw body, or the file parts of a
 * {@code multipart/form-data} body. More than {@code maxTotal} bytes in all, or more than
 * {@code maxPart} in one image: PAYLOAD_TOO_LARGE, answered without reading the rest.
 *
 * @param mediaType the content type without parameters, lower case; "" when absent
 */
public record RequestBody(String mediaType, Buffer raw, List<Part> parts) {

  /** One uploaded file of a multipart body. */
  public record Part(String field, String fileName, String contentType, Buffer data) {
  }

  public static String mediaType(HttpServerRequest request) {
    String type = request.getHeader("content-type");
    return type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
  }

  static boolean isMultipart(String mediaType) {
    return mediaType.equals("multipart/form-data");
  }

  /** Reads the whole body; {@code maxPart} bounds each multipart file (a raw body is checked by the caller). */
  public static Future<RequestBody> read(HttpServerRequest request, long maxTotal, long maxPart) {
    String mediaType = mediaType(request);
    String length = request.getHeader("content-length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > maxTotal) {
          return Future.failedFuture(tooLarge("request body of " + length.trim() + " bytes", maxTotal));
        }
      } catch (NumberFormatException e) {
        return Future.failedFuture(new ServiceException(ErrorCode.INVALID_ARGUMENT, "bad Content-Length '" + length + "'"));
      }
    }
    Promise<RequestBody> promise = Promise.promise();
    long[] total = {0};
    // a broken multipart body, a connection reset: the client's problem, not ours
    request.exceptionHandler(e -> promise.tryFail(new ServiceException(ErrorCode.INVALID_ARGUMENT,
        "could not read the request body: " + e.getMessage(), e)));
    if (isMultipart(mediaType)) {
      List<Part> parts = new ArrayList<>();
      request.setExpectMultipart(true);
      request.uploadHandler(upload -> {
        Buffer data = Buffer.buffer();
        upload.handler(chunk -> {
          total[0] += chunk.length();
          if (data.length() + chunk.length() > maxPart) {
            promise.tryFail(tooLarge("part '" + upload.name() + "' ('" + upload.filename() + "')", maxPart));
            return;
          }
          if (total[0] > maxTotal) {
            promise.tryFail(tooLarge("request body", maxTotal));
            return;
          }
          if (!promise.future().isComplete()) {
            data.appendBuffer(chunk);
          }
        });
        upload.exceptionHandler(e -> promise.tryFail(new ServiceException(ErrorCode.INVALID_ARGUMENT,
            "could not read part '" + upload.name() + "': " + e.getMessage(), e)));
        upload.endHandler(v -> parts.add(new Part(upload.name(), upload.filename(), upload.contentType(), data)));
      });
      request.endHandler(v -> promise.tryComplete(new RequestBody(mediaType, Buffer.buffer(), parts)));
    } else {
      Buffer data = Buffer.buffer();
      request.handler(chunk -> {
        if (data.length() + chunk.length() > maxTotal) {
          promise.tryFail(tooLarge("request body", maxTotal));
          return;
        }
        if (!promise.future().isComplete()) {
          data.appendBuffer(chunk);
        }
      });
      request.endHandler(v -> promise.tryComplete(new RequestBody(mediaType, data, List.of())));
    }
    request.resume();
    return promise.future();
  }

  public static ServiceException tooLarge(String what, long limit) {
    return new ServiceException(ErrorCode.PAYLOAD_TOO_LARGE, what + " is larger than the limit of " + limit + " bytes");
  }
}
