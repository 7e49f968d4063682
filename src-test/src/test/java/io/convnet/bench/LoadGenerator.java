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

  /** Latency percentiles and throughput of one measurement. */
  record Result(int concurrency, long requests, int failures, double p50Ms, double p99Ms, double perSecond) {
  }

  private final Vertx vertx;

  LoadGenerator(Vertx vertx) {
    this.vertx = vertx;
  }

  Result run(int port, String path, int concurrency, long warmupMs, long measureMs) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(concurrency));
    try {
      await(loop(client, port, path, concurrency, warmupMs, null, new AtomicInteger()));
      long[] latencies = new long[4_000_000];
      AtomicInteger count = new AtomicInteger();
      AtomicInteger failures = new AtomicInteger();
      long t0 = System.nanoTime();
      await(loop(client, port, path, concurrency, measureMs, latencies, count, failures));
      double seconds = (System.nanoTime() - t0) / 1e9;
      int n = Math.min(count.get(), latencies.length);
      long[] sorted = Arrays.copyOf(latencies, n);
      Arrays.sort(sorted);
      return new Result(concurrency, n, failures.get(), percentile(sorted, 0.50), percentile(sorted, 0.99), n / seconds);
    } finally {
      client.close();
    }
  }

  private Future<Void> loop(HttpClient client, int port, String path, int concurrency, long durationMs,
                            long[] latencies, AtomicInteger count) {
    return loop(client, port, path, concurrency, durationMs, latencies, count, new AtomicInteger());
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
