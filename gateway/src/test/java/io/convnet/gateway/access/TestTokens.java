package io.convnet.gateway.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token file for a test gateway, as {@code ./token.sh} writes it: random tokens, only their
 * hashes in the file. Tests that call routes needing a role give the gateway {@link #env()} and
 * send {@link #bearer(String)}.
 */
public final class TestTokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path file;
  private final Map<String, String> lines = new LinkedHashMap<>();
  private final Map<String, String> tokens = new LinkedHashMap<>();

  private TestTokens(Path file) {
    this.file = file;
  }

  /** A file in {@code dir} holding an {@code admin}, a {@code trainer} and a {@code reader} token. */
  public static TestTokens write(Path dir) {
    TestTokens t = new TestTokens(dir.resolve("tokens"));
    for (Role role : Role.values()) {
      t.add(role.id(), role);
    }
    return t;
  }

  /** The gateway's setting naming this file. */
  public Map<String, String> env() {
    return Map.of(AccessSettings.TOKENS_FILE.name(), file.toString(), AccessSettings.RELOAD_MS.name(), "200");
  }

  public Path file() {
    return file;
  }

  public String admin() {
    return token("admin");
  }

  public String trainer() {
    return token("trainer");
  }

  public String reader() {
    return token("reader");
  }

  public String token(String name) {
    return tokens.get(name);
  }

  /** A new random token for {@code name}, written to the file at once (atomically, as token.sh does). */
  public synchronized String add(String name, Role role) {
    String token = "cnv_" + HexFormat.of().formatHex(random(32));
    tokens.put(name, token);
    lines.put(name, name + " " + role.id() + " " + TokenFile.HASH_PREFIX
        + HexFormat.of().formatHex(TokenFile.sha256(token)));
    restore();
    return token;
  }

  public synchronized void remove(String name) {
    lines.remove(name);
    restore();
  }

  /** Writes every token added and not removed (after a test wrote something else). */
  public synchronized void restore() {
    save(String.join("\n", lines.values()) + "\n");
  }

  /** Writes {@code content} as the whole file (atomically). */
  public void save(String content) {
    try {
      Path tmp = Files.createTempFile(file.getParent(), ".tokens", ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String bearer(String token) {
    return "Bearer " + token;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
