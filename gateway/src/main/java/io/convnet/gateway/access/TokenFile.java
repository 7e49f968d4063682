package io.convnet.gateway.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The token file ({@code CONVNET_AUTH_TOKENS_FILE}): one token per line,
 * {@code <name> <role> sha256:<64 hex digits>}, fields separated by blanks; blank lines and lines
 * starting with {@code #} are ignored. Only the SHA-256 of each token is stored: tokens are
 * 256-bit random secrets, so a fast hash cannot be reversed or guessed, and a slow password hash
 * (bcrypt, Argon2) would only add its cost to every request. {@code ./token.sh} writes this file.
 */
final class TokenFile {
  static final String HASH_PREFIX = "sha256:";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  /** One token: who it stands for, its role, and the SHA-256 of the token itself. */
  record Entry(String name, Role role, byte[] hash) {
  }

  private TokenFile() {
  }

  /** Every entry of {@code text}; IllegalArgumentException naming the first bad line (never echoing a hash). */
  static List<Entry> parse(String text) {
    List<Entry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = "line " + (i + 1) + ": ";
      String[] fields = line.split("\\s+");
      if (fields.length != 3) {
        throw new IllegalArgumentException(where + "expected '<name> <role> " + HASH_PREFIX + "<hex>', found "
            + fields.length + " fields");
      }
      if (!NAME.matcher(fields[0]).matches()) {
        throw new IllegalArgumentException(where + "a name is 1-64 letters, digits, '.', '_', '@' or '-'");
      }
      Role role = Role.parse(fields[1]).orElseThrow(() -> new IllegalArgumentException(where + "unknown role '"
          + fields[1] + "' (known: " + Role.ids() + ")"));
      String hex = fields[2].startsWith(HASH_PREFIX) ? fields[2].substring(HASH_PREFIX.length()) : "";
      if (!HEX.matcher(hex).matches()) {
        throw new IllegalArgumentException(where + "the hash must be '" + HASH_PREFIX
            + "' and 64 lower-case hex digits (the token itself never goes in this file)");
      }
      if (!names.add(fields[0])) {
        throw new IllegalArgumentException(where + "the name '" + fields[0] + "' is used twice");
      }
      if (!hashes.add(hex)) {
        throw new IllegalArgumentException(where + "the same token is listed twice");
      }
      entries.add(new Entry(fields[0], role, HexFormat.of().parseHex(hex)));
    }
    return List.copyOf(entries);
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
