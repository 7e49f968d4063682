package io.convnet.gateway.access;

/**
 * Who made a request, as the gateway established it.
 *
 * @param subject the token's name, the JWT's {@code sub}, or {@code anonymous}
 * @param role    its role; null when it has none (no credentials, or a JWT without a known role)
 * @param via     how: {@code token}, {@code jwt}, {@code none} (no credentials sent) or
 *                {@code auth-off} ({@code CONVNET_AUTH=off})
 */
public record Identity(String subject, Role role, String via) {
  static final Identity ANONYMOUS = new Identity("anonymous", null, "none");
  static final Identity AUTH_OFF = new Identity("anonymous", Role.ADMIN, "auth-off");

  boolean may(Role needed) {
    return role != null && role.includes(needed);
  }
}
