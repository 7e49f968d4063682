package io.convnet.gateway.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What an identity may do. Each role includes the ones before it: {@code reader < trainer < admin}. */
public enum Role {
  /** Reads and classifies (only asked for when {@code CONVNET_AUTH_READ=reader}). */
  READER,
  /** Also submits and cancels training jobs. */
  TRAINER,
  /** Everything. */
  ADMIN;

  public boolean includes(Role needed) {
    return ordinal() >= needed.ordinal();
  }

  /** The role's name on the wire, in token files and in JWT claims: {@code reader}, {@code trainer}, {@code admin}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String id) {
    return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst();
  }

  static String ids() {
    return Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", "));
  }
}
