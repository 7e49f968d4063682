package io.convnet.gateway.http;

import io.convnet.gateway.access.Access;
import io.vertx.ext.web.Router;

/**
 * A group of the gateway's routes (serving, visualization, training jobs, the cluster view, the
 * audit log, the web page): built from what it needs, then mounted on the gateway's router, all in
 * one place ({@code GatewayVerticle}). Each route declares who may call it, first thing:
 * {@code access.require(Role.ADMIN, router.put(...))}, {@code access.read(...)} or
 * {@code access.open(...)}; the gateway does not start with a route that declared nothing.
 */
public interface RouteGroup {
  void mount(Router router, Access access);
}
