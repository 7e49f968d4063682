package io.convnet.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** Closed-loop HTTP load: {@code concurrency} callers, each sending its next request when the last one returns. */
final class LoadGenerator {

  /** Latencies (nanoseconds) of the requests that succeeded in one window, and how long the window was. */
  record Sample(long[] latencies, int failures, double seconds) {
  }

  /** Percentiles and throughput over several windows pooled together. */
  record Result(long requests, int failures, double p50Ms, double p99Ms, double perSecond) {
    static Result of(java.util.List<Sample> samples) {
      long[] all = samples.stream().flatMapToLong(s -> Arrays.stream(s.latencies())).sorted().toArray();
      double seconds = samples.stream().mapToDouble(Sample::seconds).sum();
      int failures = samples.stream().mapToInt(Sample::failures).sum();
      return new Result(all.length, failures, percentile(all, 0.50), percentile(all, 0.99), all.length / seconds);
    }
  }

  private final Vertx vertx;
  private final java.util.Map<Integer, HttpClient> clients = new java.util.HashMap<>();

  LoadGenerator(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Runs {@code concurrency} callers for {@code ms} without recording (JIT, connections, caches). */
  void warmUp(int port, String path, int concurrency, long ms) {
    await(loop(client(concurrency), port, path, concurrency, ms, null, new AtomicInteger(), new AtomicInteger()));
  }

  Sample measure(int port, String path, int concurrency, long ms) {
    long[] latencies = new long[2_000_000];
    AtomicInteger count = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    long t0 = System.nanoTime();
    await(loop(client(concurrency), port, path, concurrency, ms, latencies, count, failures));
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Sample(Arrays.copyOf(latencies, Math.min(count.get(), latencies.length)), failures.get(), seconds);
  }

  /** One keep-alive pool per concurrency level, shared by both systems under test. */
  private HttpClient client(int concurrency) {
    return clients.computeIfAbsent(concurrency, c -> vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(c)));
  }

  private Future<Void> loop(HttpClient client, int port, String path, int concurrency, long durationMs,
                            long[] latencies, AtomicInteger count, AtomicInteger failures) {
    long until = System.nanoTime() + durationMs * 1_000_000L;
    Buffer body = Buffer.buffer("0123456789abcdef");
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(path);
    Promise<Void> done = Promise.promise();
    AtomicInteger callers = new AtomicInteger(concurrency);
    for (int i = 0; i < concurrency; i++) {
      vertx.runOnContext(v -> next(client, options, body, until, latencies, count, failures, () -> {
        if (callers.decrementAndGet() == 0) {
          done.complete();
        }
      }));
    }
    return done.future();
  }

  private void next(HttpClient client, RequestOptions options, Buffer body, long until, long[] latencies,
                    AtomicInteger count, AtomicInteger failures, Runnable finished) {
    long start = System.nanoTime();
    if (start > until) {
      finished.run();
      return;
    }
    client.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> {
          if (ar.failed() || ar.result() != 200) {
            failures.incrementAndGet();
          } else if (latencies != null) {
            int i = count.getAndIncrement();
            if (i < latencies.length) {
              latencies[i] = System.nanoTime() - start;
            }
          }
          next(client, options, body, until, latencies, count, failures, finished);
        });
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
