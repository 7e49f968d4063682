package io.convnet.kit.testing;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceLauncher;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Starts services in the test JVM against the {@link KafkaBrokerExtension}'s broker. */
public final class TestServices {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestServices() {
  }

  /** Configuration for a test instance: the test broker, a free HTTP port, short timeouts. */
  public static KitConfig config(String service, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), KafkaBrokerExtension.bootstrapServers());
    env.put(Settings.HTTP_HOST.name(), "127.0.0.1");
    env.put(Settings.HTTP_PORT.name(), "0");
    env.put(Settings.INSTANCE_ID.name(), service + "-" + COUNTER.incrementAndGet());
    env.put(Settings.REQUEST_TIMEOUT_MS.name(), "5000");
    env.put(Settings.SHUTDOWN_GRACE_MS.name(), "3000");
    env.putAll(overrides);
    return new KitConfig(service, 0, env);
  }

  public static RunningService start(ServiceDefinition definition, Map<String, String> overrides) {
    return await(ServiceLauncher.start(definition, config(definition.name(), overrides)));
  }

  /** Waits, as ./run.sh does, until the service's /health/ready answers 200 (at most 60 s). */
  public static RunningService awaitReady(RunningService service) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int status = 0;
    while (System.nanoTime() < until) {
      status = get(service.httpPort(), "/health/ready").statusCode();
      if (status == 200) {
        return service;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("/health/ready still answers " + status + " after 60 s");
  }

  public static void stop(RunningService... services) {
    for (RunningService s : services) {
      if (s != null) {
        await(s.close(Duration.ofSeconds(3)));
      }
    }
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The ServiceException {@code future} fails with; AssertionError when it succeeds. */
  public static io.convnet.kit.ServiceException failure(Future<?> future) {
    try {
      await(future);
    } catch (io.convnet.kit.ServiceException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  public static HttpResponse<String> get(int port, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build());
  }

  /** POSTs {@code body} with {@code headers} to {@code path} on 127.0.0.1:{@code port}; the answer as bytes. */
  public static HttpResponse<byte[]> post(int port, String path, Map<String, String> headers, byte[] body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  public static HttpResponse<String> send(HttpRequest request) {
    return send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** {@code request}'s answer as {@code body} reads it (bytes, for binary answers). */
  public static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) {
    try {
      return HTTP.send(request, body);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
