package io.convnet.gateway.access;

import io.convnet.kit.config.Setting;
import java.util.List;

/** The gateway's access-control settings; docs/configuration.md and docs/security.md explain them. */
public final class AccessSettings {
  private AccessSettings() {
  }

  public static final Setting AUTH = new Setting("CONVNET_AUTH", "on",
      "on: every state-changing call needs a bearer token with the right role; off: no checks at all (development only)");
  public static final Setting TOKENS_FILE = new Setting("CONVNET_AUTH_TOKENS_FILE", "",
      "file of hashed bearer tokens, one '<name> <role> sha256:<hex>' per line (./token.sh writes it; "
          + "a Kubernetes Secret mounts as one); re-read when it changes");
  public static final Setting RELOAD_MS = new Setting("CONVNET_AUTH_RELOAD_MS", "2000",
      "how often the token file is checked for changes");
  public static final Setting READ = new Setting("CONVNET_AUTH_READ", "open",
      "open: reading and classifying need no token; reader: they need a token with role reader or above");
  public static final Setting JWKS_URL = new Setting("CONVNET_AUTH_JWKS_URL", "",
      "OIDC: the issuer's JWKS URL; when set, bearer JWTs signed by the issuer are accepted too");
  public static final Setting JWT_ISSUER = new Setting("CONVNET_AUTH_JWT_ISSUER", "",
      "OIDC: the iss every JWT must carry (required with a JWKS URL)");
  public static final Setting JWT_AUDIENCE = new Setting("CONVNET_AUTH_JWT_AUDIENCE", "",
      "OIDC: an aud every JWT must carry (required with a JWKS URL)");
  public static final Setting JWT_ROLE_CLAIM = new Setting("CONVNET_AUTH_JWT_ROLE_CLAIM", "roles",
      "OIDC: the claim naming the roles, a dotted path for a nested one (realm_access.roles): a string or an array");
  public static final Setting JWT_ROLE_PREFIX = new Setting("CONVNET_AUTH_JWT_ROLE_PREFIX", "",
      "OIDC: prefix of our role names in that claim, e.g. convnet- for convnet-admin");
  public static final Setting JWKS_REFRESH_MS = new Setting("CONVNET_AUTH_JWKS_REFRESH_MS", "300000",
      "OIDC: how often the JWKS is fetched again (also, at most every 10 s, for a key id it lacks)");

  public static final List<Setting> ALL = List.of(AUTH, TOKENS_FILE, RELOAD_MS, READ, JWKS_URL, JWT_ISSUER,
      JWT_AUDIENCE, JWT_ROLE_CLAIM, JWT_ROLE_PREFIX, JWKS_REFRESH_MS);
}
