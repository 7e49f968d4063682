package io.convnet.gateway.http;

import io.vertx.ext.web.Router;

/**
 * A group of the gateway's routes (serving, visualization, training jobs, the cluster view, the
 * web page): built from what it needs, then mounted on the gateway's router, all in one place
 * ({@code GatewayVerticle}).
 */
public interface RouteGroup {
  void mount(Router router);
}
