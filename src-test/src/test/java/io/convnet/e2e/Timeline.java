package io.convnet.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * HTTP calls made by fault scenarios, each with when it was sent, how long it took and its
 * status (0: no answer), from callers that send the next one when the last one returns
 * (optionally paced), on their own threads.
 */
final class Timeline implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** One call: nanoTime at send, milliseconds to the answer, HTTP status (0 for none). */
  record Call(long sentNanos, double ms, int status) {
  }

  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private final List<Thread> callers = new ArrayList<>();
  private volatile boolean running = true;

  /** {@code callers} threads, each calling {@code request} again and again, at most once per {@code pace}. */
  Timeline(String name, int callers, Duration pace, HttpRequest request) {
    for (int i = 0; i < callers; i++) {
      Thread t = new Thread(() -> loop(request, pace), name + "-" + i);
      t.setDaemon(true);
      this.callers.add(t);
    }
  }

  static HttpRequest get(int port, String path, Duration timeout) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout).GET().build();
  }

  static HttpRequest post(int port, String path, String contentType, byte[] body, Duration timeout) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout)
        .header("content-type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  Timeline start() {
    callers.forEach(Thread::start);
    return this;
  }

  private void loop(HttpRequest request, Duration pace) {
    while (running) {
      long t0 = System.nanoTime();
      int status;
      try {
        status = HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (IOException e) {
        status = 0;
      } catch (InterruptedException e) {
        return;
      }
      long t1 = System.nanoTime();
      calls.add(new Call(t0, (t1 - t0) / 1e6, status));
      long wait = pace.toNanos() - (t1 - t0);
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  List<Call> sentBetween(long fromNanos, long toNanos) {
    return calls().stream().filter(c -> c.sentNanos() - fromNanos >= 0 && c.sentNanos() - toNanos < 0).toList();
  }

  static List<Call> where(List<Call> calls, Predicate<Call> p) {
    return calls.stream().filter(p).toList();
  }

  static double percentile(List<Call> calls, double q) {
    double[] ms = calls.stream().mapToDouble(Call::ms).sorted().toArray();
    return ms.length == 0 ? Double.NaN : ms[Math.min(ms.length - 1, (int) Math.ceil(q * ms.length) - 1)];
  }

  static double max(List<Call> calls) {
    return calls.stream().mapToDouble(Call::ms).max().orElse(Double.NaN);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : callers) {
      t.join(30_000);
    }
  }
}
