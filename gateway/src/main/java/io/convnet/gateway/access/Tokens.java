package io.convnet.gateway.access;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer tokens of the token file, re-read when the file changes (checked every
 * {@code CONVNET_AUTH_RELOAD_MS}, without blocking an event loop). A file that cannot be read or
 * does not parse leaves the tokens loaded before in force, and the log says why (once per
 * problem); an empty file revokes every token.
 */
final class Tokens {
  private static final Logger LOG = LoggerFactory.getLogger(Tokens.class);

  private final Vertx vertx;
  private final Path file;
  private volatile List<TokenFile.Entry> entries = List.of();
  private Buffer lastContent;
  private String lastProblem;
  private long timer = -1;

  Tokens(Vertx vertx, Path file) {
    this.vertx = vertx;
    this.file = file;
  }

  /** Reads the file now, then every {@code intervalMs}; completes after the first read, whatever it found. */
  Future<Void> start(long intervalMs) {
    return reload().onComplete(ar -> timer = vertx.setPeriodic(intervalMs, t -> reload()));
  }

  void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * The identity {@code token} stands for. Every entry is compared, in time independent of where
   * (and whether) the token matches, on the token's SHA-256.
   */
  Optional<Identity> find(String token) {
    byte[] hash = TokenFile.sha256(token);
    TokenFile.Entry found = null;
    for (TokenFile.Entry e : entries) {
      boolean match = MessageDigest.isEqual(e.hash(), hash);
      found = match ? e : found;
    }
    return found == null ? Optional.empty() : Optional.of(new Identity(found.name(), found.role(), "token"));
  }

  int size() {
    return entries.size();
  }

  Future<Void> reload() {
    return vertx.fileSystem().readFile(file.toString())
        .map(content -> {
          if (!content.equals(lastContent)) {
            List<TokenFile.Entry> parsed = TokenFile.parse(content.toString(StandardCharsets.UTF_8));
            entries = parsed;
            lastContent = content;
            lastProblem = null;
            LOG.info("token file {}: {} tokens loaded {}", file, parsed.size(), countByRole(parsed));
          }
          return (Void) null;
        })
        .recover(e -> {
          String problem = e instanceof IllegalArgumentException ? e.getMessage() : "cannot be read (" + e + ")";
          if (!problem.equals(lastProblem)) {
            lastProblem = problem;
            LOG.error("token file {}: {}; the {} tokens loaded before stay in force", file, problem, entries.size());
          }
          return Future.succeededFuture();
        });
  }

  private static Map<String, Integer> countByRole(List<TokenFile.Entry> entries) {
    Map<String, Integer> counts = new TreeMap<>();
    entries.forEach(e -> counts.merge(e.role().id(), 1, Integer::sum));
    return counts;
  }
}
