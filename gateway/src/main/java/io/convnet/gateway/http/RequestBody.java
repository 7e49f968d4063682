package io.convnet.gateway.http;

import io.convnet.kit.ServiceException;
import io.convnet.kit.http.HttpErrors;
import io.convnet.proto.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A request body read into memory with limits: the gateway's one way of reading bodies, instead of
 * vertx-web's BodyHandler, which keeps multipart file uploads only by writing them to disk and
 * decodes a form-urlencoded body as form fields (so a photo sent by {@code curl --data-binary}
 * fails). A raw body, or the file parts of a {@code multipart/form-data} body. More than
 * {@code maxTotal} bytes in all, or more than {@code maxPart} in one image: PAYLOAD_TOO_LARGE,
 * answered without reading the rest.
 *
 * @param mediaType the content type without parameters, lower case; "" when absent
 */
public record RequestBody(String mediaType, Buffer raw, List<Part> parts) {
  private static final long LARGE = 1 << 20;
  private static final String KEY = RequestBody.class.getName();

  /** One uploaded file of a multipart body. */
  public record Part(String field, String fileName, String contentType, Buffer data) {
  }

  public static String mediaType(HttpServerRequest request) {
    String type = request.getHeader("content-type");
    return type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
  }

  public static boolean isMultipart(String mediaType) {
    return mediaType.equals("multipart/form-data");
  }

  /**
   * A route handler that reads the whole body as bytes, whatever its type (at most
   * {@code maxBytes}), then calls the next handler, which finds it with {@link #raw(RoutingContext)}.
   */
  public static Handler<RoutingContext> handler(long maxBytes) {
    return ctx -> read(ctx.request(), maxBytes, maxBytes, false).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.put(KEY, ar.result().raw());
        ctx.next();
      } else {
        HttpErrors.respond(ctx, ar.cause());
      }
    });
  }

  /** The body {@link #handler} read; empty when there was none. */
  public static Buffer raw(RoutingContext ctx) {
    Buffer body = ctx.get(KEY);
    return body == null ? Buffer.buffer() : body;
  }

  /**
   * Reads the whole body; {@code maxPart} bounds each multipart file (a raw body is checked by the
   * caller). A body announced larger than {@code maxTotal} is refused before it is sent: a client
   * that asked {@code Expect: 100-continue} is told to go on only once its size fits.
   */
  public static Future<RequestBody> read(HttpServerRequest request, long maxTotal, long maxPart) {
    return read(request, maxTotal, maxPart, true);
  }

  private static Future<RequestBody> read(HttpServerRequest request, long maxTotal, long maxPart, boolean parts) {
    String mediaType = mediaType(request);
    String length = request.getHeader("content-length");
    long announced = -1;
    if (length != null) {
      try {
        announced = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        return Future.failedFuture(new ServiceException(ErrorCode.INVALID_ARGUMENT,
            "bad Content-Length '" + length + "'"));
      }
      if (announced > maxTotal) {
        return Future.failedFuture(tooLarge("request body of " + announced + " bytes", maxTotal));
      }
    }
    if (request.version() != HttpVersion.HTTP_1_0 && "100-continue".equalsIgnoreCase(request.getHeader("expect"))) {
      request.response().writeContinue();
    }
    Promise<RequestBody> promise = Promise.promise();
    long[] total = {0};
    // a broken multipart body, a connection reset: the client's problem, not ours
    request.exceptionHandler(e -> promise.tryFail(new ServiceException(ErrorCode.INVALID_ARGUMENT,
        "could not read the request body: " + e.getMessage(), e)));
    if (parts && isMultipart(mediaType)) {
      List<Part> files = new ArrayList<>();
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
        upload.endHandler(v -> files.add(new Part(upload.name(), upload.filename(), upload.contentType(), data)));
      });
      request.endHandler(v -> promise.tryComplete(new RequestBody(mediaType, Buffer.buffer(), files)));
    } else {
      // sized once when the length is known: growing by doubling would hold up to twice a large photo
      Buffer data = Buffer.buffer((int) Math.max(announced, 0));
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

  /** Bytes in the body: the raw body and every file part. */
  public long size() {
    return raw.length() + parts.stream().mapToLong(p -> p.data().length()).sum();
  }

  /**
   * The body turned into what the route needs: here when it is small, on a worker thread when it
   * is over 1 MiB (parsing and base64-decoding megabytes would hold up every other request on this
   * event loop for tens of milliseconds). A conversion's exception fails the future.
   */
  public <T> Future<T> convert(Vertx vertx, Function<RequestBody, T> conversion) {
    if (size() <= LARGE) {
      return Future.succeededFuture(this).map(conversion);
    }
    return vertx.executeBlocking(() -> conversion.apply(this), false);
  }

  public static ServiceException tooLarge(String what, long limit) {
    return new ServiceException(ErrorCode.PAYLOAD_TOO_LARGE, what + " is larger than the limit of " + limit + " bytes");
  }
}
