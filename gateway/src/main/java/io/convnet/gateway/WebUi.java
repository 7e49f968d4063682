package io.convnet.gateway;

import io.convnet.gateway.access.Access;
import io.convnet.gateway.http.RouteGroup;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web page: {@code GET /} is {@code webroot/index.html} from the class path, its scripts and
 * styles are under {@code /assets/}. Only these two paths are claimed, so the page never shadows
 * the API ({@code /v1}, {@code /v2}), {@code /health} or {@code /metrics}.
 */
final class WebUi implements RouteGroup {
  static final String WEB_ROOT = "webroot";
  /** Same origin only: no inline script, no third party; images may be blobs (visualization PNGs, previews). */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' blob: data:; "
      + "style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
      + "frame-ancestors 'none'; form-action 'self'";

  @Override
  public void mount(Router router, Access access) {
    // Open even when reading needs a token: the page is where a token is entered.
    access.open(router.route("/").method(HttpMethod.GET).method(HttpMethod.HEAD)).handler(ctx -> {
      ctx.response().putHeader("content-security-policy", CONTENT_SECURITY_POLICY)
          .putHeader("x-content-type-options", "nosniff")
          .putHeader("referrer-policy", "no-referrer");
      ctx.next();
    }).handler(files(WEB_ROOT));
    // A route ending in /* hands the handler the path below its prefix.
    access.open(router.route("/assets/*").method(HttpMethod.GET).method(HttpMethod.HEAD)).handler(ctx -> {
      ctx.response().putHeader("x-content-type-options", "nosniff");
      ctx.next();
    }).handler(files(WEB_ROOT + "/assets"));
  }

  private static StaticHandler files(String root) {
    return StaticHandler.create(root)
        .setIndexPage("index.html")
        .setDirectoryListing(false)
        .setDefaultContentEncoding("UTF-8")
        // Small files that change with each deployment: the browser asks again rather than guess.
        .setCachingEnabled(false)
        .setSendVaryHeader(false);
  }
}
