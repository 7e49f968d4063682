package io.convnet.gateway.training;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A server-sent events client for tests: collects events (id, name, JSON data) and comments. */
final class SseClient implements AutoCloseable {
  record Event(long id, String name, JsonObject data) {
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final List<Event> events = new CopyOnWriteArrayList<>();
  final List<String> comments = new CopyOnWriteArrayList<>();
  final CompletableFuture<Void> ended = new CompletableFuture<>();
  volatile HttpResponse<java.util.stream.Stream<String>> response;
  private final Lines lines = new Lines();

  private SseClient() {
  }

  static SseClient open(int port, String path, Map<String, String> headers) {
    SseClient client = new SseClient();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("accept", "text/event-stream");
    headers.forEach(request::header);
    client.response = HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()).join();
    Thread reader = new Thread(() -> {
      try {
        client.response.body().forEach(client.lines::onNext);
      } catch (RuntimeException e) {
        // closed by the test
      } finally {
        client.ended.complete(null);
      }
    }, "test-sse-reader");
    reader.setDaemon(true);
    reader.start();
    return client;
  }

  int status() {
    return response.statusCode();
  }

  List<String> names() {
    return events.stream().map(Event::name).toList();
  }

  /** Waits until an event matches (or the stream ends); returns everything received so far. */
  List<Event> await(Predicate<Event> until, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (events.stream().anyMatch(until)) {
        return new ArrayList<>(events);
      }
      if (ended.isDone()) {
        break;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no matching event within " + timeout + "; got " + names()
        + (ended.isDone() ? " (stream ended)" : ""));
  }

  boolean awaitEnd(Duration timeout) {
    try {
      ended.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    response.body().close();
  }

  private final class Lines {
    private long id = -1;
    private String name;
    private StringBuilder data;

    void onNext(String line) {
      if (line.isEmpty()) {
        if (data != null) {
          events.add(new Event(id, name, new JsonObject(data.toString())));
        }
        name = null;
        data = null;
      } else if (line.startsWith(":")) {
        comments.add(line.substring(1).trim());
      } else if (line.startsWith("id: ")) {
        id = Long.parseLong(line.substring(4));
      } else if (line.startsWith("event: ")) {
        name = line.substring(7);
      } else if (line.startsWith("data: ")) {
        data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(6));
      }
    }
  }
}
