package io.convnet.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file's format, as the gateway reads it and as {@code ./token.sh} writes it. */
class TokenFileTest {
  static final String HASH = "sha256:" + "ab".repeat(32);
  @TempDir
  Path tmp;

  @Test
  void linesNameARoleAndAHashCommentsAndBlankLinesAside() {
    List<TokenFile.Entry> entries = TokenFile.parse("# who role hash\n\nadmin admin " + HASH + "\r\n"
        + "  ci\ttrainer   sha256:" + "cd".repeat(32) + "  \nbob@example.org reader sha256:" + "ef".repeat(32));
    assertThat(entries).extracting(TokenFile.Entry::name).containsExactly("admin", "ci", "bob@example.org");
    assertThat(entries).extracting(TokenFile.Entry::role).containsExactly(Role.ADMIN, Role.TRAINER, Role.READER);
    assertThat(entries.get(0).hash()).isEqualTo(HexFormat.of().parseHex("ab".repeat(32)));
    assertThat(TokenFile.parse("")).isEmpty();
  }

  @Test
  void aBadLineIsNamedWithoutEchoingItsHash() {
    assertThatThrownBy(() -> TokenFile.parse("admin admin " + HASH + "\nci boss " + HASH))
        .hasMessage("line 2: unknown role 'boss' (known: reader, trainer, admin)");
    assertThatThrownBy(() -> TokenFile.parse("ci trainer cnv_secret-token-pasted-here"))
        .hasMessage("line 1: the hash must be 'sha256:' and 64 lower-case hex digits (the token itself never goes in "
            + "this file)").hasMessageNotContaining("cnv_secret");
    assertThatThrownBy(() -> TokenFile.parse("ci trainer")).hasMessageStartingWith("line 1: expected");
    assertThatThrownBy(() -> TokenFile.parse("a/b trainer " + HASH)).hasMessageStartingWith("line 1: a name is");
    assertThatThrownBy(() -> TokenFile.parse("ci trainer " + HASH + "\nci admin sha256:" + "00".repeat(32)))
        .hasMessage("line 2: the name 'ci' is used twice");
    assertThatThrownBy(() -> TokenFile.parse("ci trainer " + HASH + "\nbob admin " + HASH))
        .hasMessage("line 2: the same token is listed twice");
  }

  @Test
  void tokenShWritesWhatTheGatewayReadsAndOnlyTheHash() throws Exception {
    Path file = tmp.resolve("tokens");
    String token = run("add", "--role", "trainer", "--name", "ci", "--file", file.toString()).strip();
    assertThat(token).matches("cnv_[0-9a-f]{64}");
    String content = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(content).doesNotContain(token);
    assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
        PosixFilePermission.OWNER_WRITE);
    List<TokenFile.Entry> entries = TokenFile.parse(content);
    assertThat(entries).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("ci");
      assertThat(e.role()).isEqualTo(Role.TRAINER);
      assertThat(e.hash()).isEqualTo(TokenFile.sha256(token));
    });

    // run.sh's first start, then a re-run: the saved token is made once and reused
    Path saved = tmp.resolve("run/admin.token");
    run("ensure", "--name", "admin", "--role", "admin", "--save", saved.toString(), "--file", file.toString());
    String admin = Files.readString(saved).strip();
    run("ensure", "--name", "admin", "--role", "admin", "--save", saved.toString(), "--file", file.toString());
    assertThat(Files.readString(saved).strip()).isEqualTo(admin);
    assertThat(Files.getPosixFilePermissions(saved)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
        PosixFilePermission.OWNER_WRITE);
    assertThat(TokenFile.parse(Files.readString(file))).extracting(TokenFile.Entry::name).containsExactly("ci", "admin");
    assertThat(TokenFile.parse(Files.readString(file)).get(1).hash()).isEqualTo(TokenFile.sha256(admin));

    assertThat(run("list", "--file", file.toString())).isEqualTo("ci trainer\nadmin admin\n");
    run("remove", "ci", "--file", file.toString());
    assertThat(TokenFile.parse(Files.readString(file))).extracting(TokenFile.Entry::name).containsExactly("admin");
  }

  /** Runs {@code ./token.sh} of this checkout; its standard output. */
  static String run(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("bash", Path.of("..", "token.sh").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
    return out;
  }

  @Test
  void aJwtRoleClaimNamesTheHighestKnownRole() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    JwtVerifier roles = new JwtVerifier(vertx, new JwtVerifier.Config("http://127.0.0.1:1/jwks",
        "iss", "aud", "realm_access.roles", "convnet-", 60_000));
    try {
      roleClaims(roles);
    } finally {
      roles.close();
      vertx.close();
    }
  }

  private static void roleClaims(JwtVerifier roles) {
    var claims = new io.vertx.core.json.JsonObject().put("realm_access", new io.vertx.core.json.JsonObject()
        .put("roles", new io.vertx.core.json.JsonArray().add("convnet-reader").add("convnet-admin").add("admin")));
    assertThat(roles.role(claims)).isEqualTo(Role.ADMIN);
    claims.getJsonObject("realm_access").put("roles", "offline_access convnet-trainer");
    assertThat(roles.role(claims)).isEqualTo(Role.TRAINER);
    claims.getJsonObject("realm_access").put("roles", new io.vertx.core.json.JsonArray().add("admin"));
    assertThat(roles.role(claims)).isNull();
    assertThat(roles.role(new io.vertx.core.json.JsonObject())).isNull();
    assertThat(Set.of(Role.values())).allMatch(r -> Role.ADMIN.includes(r));
    assertThat(Role.READER.includes(Role.TRAINER)).isFalse();
  }
}
