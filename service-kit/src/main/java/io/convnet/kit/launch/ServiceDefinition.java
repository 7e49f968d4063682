package io.convnet.kit.launch;

import io.vertx.core.Deployable;
import java.util.function.Function;

/**
 * What the launcher needs to know about a service.
 *
 * @param name              "gateway", "trainer-service", "inference-worker", "visualizer-service"
 * @param defaultHttpPort   its HTTP port unless {@code CONVNET_HTTP_PORT} says otherwise
 * @param requestsOverKafka true when it asks other services (it then gets a
 *                          {@link io.convnet.kit.kafka.KafkaRequester} and is ready only once
 *                          it owns a reply partition)
 * @param verticle          builds the service's verticle, which adds routes to
 *                          {@link ServiceKit#router()} and serves exchanges with
 *                          {@link ServiceKit#responder()}
 */
public record ServiceDefinition(String name, int defaultHttpPort, boolean requestsOverKafka,
                                Function<ServiceKit, Deployable> verticle) {
}
